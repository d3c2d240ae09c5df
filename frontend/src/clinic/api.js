// The clinician section's way to the API: the patient app's client (session cookie, CSRF, one error
// shape) plus what clinician endpoints add — a second factor to enrol or to verify (403 with
// `totp_required` / `totp_verification_required`) and the idle timeout (401).
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.jsx';
import { signedOut } from '../lib/session.js';

export const IDLE_MINUTES = 15;
export const IDLE_MESSAGE = `Signed out after ${IDLE_MINUTES} minutes without activity.`;

const here = () => location.pathname + location.search;

// Where to come back to after the second factor or a new sign-in: only a clinic path of this site.
export function safeNext(next, fallback = '/clinic/patients') {
  return next && /^\/clinic(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : fallback;
}

export function sendToSecondFactor(code) {
  const path = code === 'totp_required' ? '/clinic/security' : '/clinic/verify';
  if (location.pathname !== path) navigate(`${path}?next=${encodeURIComponent(safeNext(here()))}`, { replace: true });
}

export async function endSession(reason) {
  const next = safeNext(here());
  await signedOut();
  navigate(`/clinic/signin?${new URLSearchParams({ reason, next })}`, { replace: true });
}

// Errors that moved the clinician elsewhere carry `handled`, so screens need not show them.
export async function clinicApi(path, options) {
  try {
    return await api(path, options);
  } catch (error) {
    if (error.status === 403 && (error.code === 'totp_required' || error.code === 'totp_verification_required')) {
      error.handled = true;
      sendToSecondFactor(error.code);
    } else if (error.status === 401) {
      error.handled = true;
      await endSession('idle');
    }
    throw error;
  }
}

// An API URL the server handed us (e.g. a flag's `evidence_url`) as a path for api().
export function apiPathOf(url) {
  const { pathname, search } = new URL(url, location.origin);
  return pathname.replace(/^\/api\/v1\//, '') + search;
}

export const patientApi = (patientId, rest, options) => clinicApi(`patients/${patientId}/${rest}`, options);
