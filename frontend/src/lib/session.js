// Who is signed in and which patient is on screen. A small hint of it (names and ids, nothing from
// the diary) is kept in IndexedDB so the app opens offline; sign-out's Clear-Site-Data removes it.
import { useEffect, useState } from 'preact/hooks';
import { api, refreshCsrf } from './api.js';
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

// At start: no hint → signed out without asking the server (no 403 noise); a hint → show it at once
// (offline too), then confirm with the server.
export async function startSession() {
  const hint = await kvGet('session').catch(() => null);
  refreshCsrf().catch(() => {});
  if (!hint?.user) {
    setSession({ status: 'signed-out' });
    return;
  }
  setSession({ status: 'signed-in', ...hint });
  try {
    const user = await api('auth/me');
    setSession({ user });
    await reloadPatients(hint.patientId);
  } catch (error) {
    if (error.status === 401 || error.status === 403) await signedOut();
  }
}

export async function signedIn(user) {
  await refreshCsrf().catch(() => {});
  setSession({ status: 'signed-in', user, patients: [], patientId: null });
  await reloadPatients();
}

export async function signedOut() {
  await kvDelete('session').catch(() => {});
  setSession({ status: 'signed-out', user: null, patients: [], patientId: null });
}

window.addEventListener('online', () => setSession({ online: true }));
window.addEventListener('offline', () => setSession({ online: false }));
