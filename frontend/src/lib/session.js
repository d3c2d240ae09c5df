// Who is signed in and which patient is on screen. A small hint of it (names and ids, nothing from
// the diary) is kept in IndexedDB so the app opens offline; sign-out's Clear-Site-Data removes it.
//
// status: 'starting' | 'signed-out' | 'signed-in' | 'second-factor' (a code from the
// authenticator app is needed before any data) | 'enrol' (the account must set up two-step
// sign-in first: the clinic's security screen does that).
import { useEffect, useState } from 'preact/hooks';
import { api, handleAuthProblems, refreshCsrf } from './api.js';
import { kvDelete, kvGet, kvSet } from './idb.js';

let state = { status: 'starting', user: null, patients: [], patientId: null, online: navigator.onLine };
const listeners = new Set();

export function getSession() {
  return state;
}

export function setSession(changes) {
  state = { ...state, ...changes };
  listeners.forEach((listener) => listener(state));
  if (state.status === 'signed-in') {
    const { user, patients, patientId } = state;
    kvSet('session', { user, patients, patientId }).catch(() => {});
  }
}

export function useSession() {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    listeners.add(setCurrent);
    setCurrent(state);
    return () => listeners.delete(setCurrent);
  }, []);
  return current;
}

export function currentPatient(session = state) {
  return session.patients.find((patient) => patient.id === session.patientId) || null;
}

// What a role may do in the app; the server decides (apps/careteam/access.py), this only keeps
// the app from offering, or queueing, what it would refuse.
export const canWriteDiary = (patient) => patient?.my_role === 'owner' || patient?.my_role === 'caregiver';
export const isOwner = (patient) => patient?.my_role === 'owner';

function pickPatient(patients, preferred) {
  return patients.some((patient) => patient.id === preferred) ? preferred : patients[0]?.id || null;
}

function slim(patient) {
  const { id, display_name, my_role, time_zone } = patient;
  return { id, display_name, my_role, time_zone };
}

export async function reloadPatients(preferred) {
  const patients = (await api('patients/')).map(slim);
  setSession({ patients, patientId: pickPatient(patients, preferred ?? state.patientId) });
  return patients;
}

// Which step of two-step sign-in is still missing, from auth/me (C5: totp_enabled, totp_required,
// totp_verified) or, from a server that does not report them, the sign-in answer.
export function secondFactorStep(user, login) {
  // The clinic (under /clinic/) asks for the code and the set-up itself, from the 403s it gets.
  if (location.pathname.startsWith('/clinic')) return null;
  if (user && 'totp_verified' in user) {
    if (user.totp_enabled && !user.totp_verified) return 'second-factor';
    if (user.totp_required && !user.totp_enabled) return 'enrol';
    return null;
  }
  return login?.totp_required ? 'second-factor' : null;
}

// At start: no hint → signed out without asking the server (no 403 noise); a hint → show it at once
// (offline too), then confirm with the server.
// The clinic asks for nothing but the second factor until it is passed (C5). `secondFactor` in the
// session: 'checking' | 'verify' | 'enrol' | null, from auth/me (C5 fields) or else auth/totp, both
// answered before the second factor. Outside the clinic: null.
export async function clinicSecondFactor(me) {
  if (!location.pathname.startsWith('/clinic')) return null;
  const status = me && 'totp_verified' in me ? { enabled: me.totp_enabled, verified: me.totp_verified, required: me.totp_required } : await api('auth/totp').catch(() => null);
  if (status?.enabled && !status.verified) return 'verify';
  if (status?.required && !status.enabled) return 'enrol';
  return null;
}

export async function startSession() {
  const hint = await kvGet('session').catch(() => null);
  refreshCsrf().catch(() => {});
  if (!hint?.user) {
    setSession({ status: 'signed-out' });
    return;
  }
  setSession({ status: 'signed-in', ...hint, secondFactor: location.pathname.startsWith('/clinic') ? 'checking' : null });
  try {
    const user = await api('auth/me');
    const step = secondFactorStep(user);
    if (step) {
      setSession({ status: step, user });
      return;
    }
    const secondFactor = await clinicSecondFactor(user);
    setSession({ user, secondFactor });
    if (secondFactor) return;
    await reloadPatients(hint.patientId);
  } catch (error) {
    if (error.status === 401 || (error.status === 403 && !error.code?.startsWith('totp'))) await signedOut();
  }
}

export async function signedIn(user, login) {
  await refreshCsrf().catch(() => {});
  const me = await api('auth/me').catch(() => user);
  const step = secondFactorStep(me, login ?? user);
  if (step) {
    setSession({ status: step, user: me, patients: [], patientId: null });
    return;
  }
  const secondFactor = await clinicSecondFactor(me);
  setSession({ status: 'signed-in', user: me, patients: [], patientId: null, secondFactor });
  if (secondFactor) return;
  await reloadPatients();
}

export async function signedOut() {
  await kvDelete('session').catch(() => {});
  setSession({ status: 'signed-out', user: null, patients: [], patientId: null });
}

// A 403 asking for the second factor, or a 401 (the session ended), from any request of the
// patient app. The clinic (under /clinic/) has its own screens for both (clinic/api.js).
handleAuthProblems((error) => {
  if (location.pathname.startsWith('/clinic')) return;
  if (error.status === 401) {
    if (state.status === 'signed-in') signedOut();
    return;
  }
  const step = error.code === 'totp_required' ? 'enrol' : 'second-factor';
  if (state.status === 'signed-in') setSession({ status: step });
});

window.addEventListener('online', () => setSession({ online: true }));
window.addEventListener('offline', () => setSession({ online: false }));
