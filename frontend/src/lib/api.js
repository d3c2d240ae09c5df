// The page's way to the API: session cookie + CSRF header, one error shape.
import { i18n } from './i18n.js';
import { t } from '@lingui/core/macro';
import { kvSet } from './idb.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || (status ? t`The server answered ${status}.` : t`No connection to the server.`));
    this.status = status;
    this.code = body?.code || (status ? 'error' : 'offline');
    this.fields = body?.fields || {};
    this.detail = this.message;
    // A 412 or 409 carries the record as the server has it now, to show beside the user's own.
    this.current = body?.current;
  }
}

// The second factor or a new sign-in is needed: the session decides what to show (session.js).
let onAuthProblem = () => {};
export function handleAuthProblems(handler) {
  onAuthProblem = handler;
}
export const SECOND_FACTOR_CODES = ['totp_required', 'totp_verification_required'];

let csrfToken = null;

// Django rotates the token at sign-in, so this runs at start and after every sign-in. The service
// worker cannot read cookies: it gets the token from IndexedDB.
export async function refreshCsrf() {
  const response = await fetch('/api/v1/auth/csrf', { credentials: 'same-origin', cache: 'no-store' });
  const body = await response.json();
  csrfToken = body.csrf_token;
  await kvSet('csrf', csrfToken).catch(() => {});
  return csrfToken;
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  if (method !== 'GET' && !csrfToken) await refreshCsrf().catch(() => {});
  let response;
  try {
    response = await fetch(`/api/v1/${path}`, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {
        Accept: 'application/json',
        // The server answers (errors, catalogue words) in the app's language, not the browser's.
        'Accept-Language': i18n.locale === 'pseudo' ? 'en' : i18n.locale,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(method !== 'GET' && csrfToken ? { 'X-CSRFToken': csrfToken } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204 || response.status === 202) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if ((response.status === 403 && SECOND_FACTOR_CODES.includes(error.code)) || (response.status === 401 && !path.startsWith('auth/'))) {
      onAuthProblem(error);
    }
    throw error;
  }
  return data;
}

export const patientPath = (patientId, rest) => `patients/${patientId}/${rest}`;
