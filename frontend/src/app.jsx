import { lazyLoader } from './lib/lazy.jsx';
import { useEffect, useState } from 'preact/hooks';
import { Link, navigate, useLocation } from './lib/router.jsx';
import { currentPatient, setSession, useSession } from './lib/session.js';
import { useOutbox } from './lib/sync.js';
import { SignIn } from './screens/signin.jsx';
import { Today } from './screens/today.jsx';

// Everything but sign-in and Today is fetched when first opened, so the first load stays small.
const lazyScreens = {
  log: () => import('./screens/log.jsx'),
  medications: () => import('./screens/medications.jsx'),
  pens: () => import('./screens/pens.jsx'),
  inbox: () => import('./screens/inbox.jsx'),
  trends: () => import('./screens/trends.jsx'),
  team: () => import('./screens/team.jsx'),
  card: () => import('./screens/card.jsx'),
  settings: () => import('./screens/settings.jsx'),
  patients: () => import('./screens/patients.jsx'),
  more: () => import('./screens/more.jsx'),
  // The clinician section (src/clinic/): its own shell, screens and styles, fetched under /clinic only.
  clinic: () => import('./clinic/index.jsx'),
};

const Lazy = lazyLoader(lazyScreens);

// path → [module, export, title]; :params become props.
const ROUTES = [
  ['/today', null, 'Today', 'Today'],
  ['/log/symptom', 'log', 'SymptomLog', 'Log a symptom'],
  ['/log/trigger', 'log', 'TriggerLog', 'Log a trigger'],
  ['/log/check-in', 'log', 'CheckInLog', 'Daily check-in'],
  ['/patients/:patientId/check-in', 'log', 'CheckInLog', 'Daily check-in'],
  ['/log/anaphylaxis', 'log', 'AnaphylaxisLog', 'Anaphylaxis episode'],
  ['/log', 'log', 'LogMenu', 'Log'],
  ['/medications', 'medications', 'Medications', 'Medications'],
  ['/patients/:patientId/medications/:medicationId', 'medications', 'Medications', 'Medications'],
  ['/pens', 'pens', 'Pens', 'Epinephrine pens'],
  ['/inbox', 'inbox', 'Inbox', 'Inbox'],
  ['/trends', 'trends', 'Trends', 'Trends'],
  ['/team', 'team', 'Team', 'Care team'],
  ['/card', 'card', 'EmergencyCard', 'Emergency card'],
  ['/settings', 'settings', 'Settings', 'Settings'],
  ['/patients/new', 'patients', 'NewPatient', 'Add a patient'],
  ['/invitations/accept', 'patients', 'AcceptInvitation', 'Invitation'],
  ['/more', 'more', 'More', 'More'],
];

function match(path) {
  for (const [pattern, module, name, title] of ROUTES) {
    const keys = [];
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, key) => (keys.push(key), '([^/]+)'))}/?$`);
    const found = path.match(regex);
    if (found) return { module, name, title, params: Object.fromEntries(keys.map((key, i) => [key, found[i + 1]])) };
  }
  return null;
}

const NAV = [
  ['/today', 'Today'],
  ['/log', 'Log'],
  ['/medications', 'Meds'],
  ['/inbox', 'Inbox'],
  ['/more', 'More'],
];

function PendingStatus() {
  const items = useOutbox();
  const session = useSession();
  const waiting = items.filter((item) => item.status === 'pending' || item.status === 'sending').length;
  const failed = items.length - waiting;
  let text = session.online ? 'All entries saved to the server.' : 'Offline: entries are kept on this phone.';
  if (waiting) text = `${waiting} ${waiting === 1 ? 'entry' : 'entries'} waiting to sync${session.online ? '' : ' (offline)'}.`;
  if (failed) text += ` ${failed} could not be saved: see Settings.`;
  return (
    <p class={`sync sync--${failed ? 'failed' : waiting ? 'waiting' : 'done'}`} role="status" aria-live="polite" data-testid="sync-status">
      {text}
    </p>
  );
}

function PatientSwitcher({ session }) {
  if (session.patients.length < 2) {
    const patient = currentPatient(session);
    return patient ? <p class="patient-name">{patient.display_name}</p> : null;
  }
  return (
    <div class="switcher">
      <label for="patient-switch">Patient</label>
      <select id="patient-switch" value={session.patientId} onChange={(event) => setSession({ patientId: event.currentTarget.value })}>
        {session.patients.map((patient) => (
          <option key={patient.id} value={patient.id}>
            {patient.display_name}
          </option>
        ))}
      </select>
    </div>
  );
}

function SignedIn({ session, path, query }) {
  const route = match(path);
  const patient = currentPatient(session);
  const needsPatient = !patient && !['/patients/new', '/invitations/accept', '/settings', '/more'].includes(path);

  useEffect(() => {
    if (path === '/' || path === '/signin' || path === '/signup') navigate('/today', { replace: true });
  }, [path]);
  useEffect(() => {
    // A link to another patient of mine (from a notification) switches to them.
    if (route?.params.patientId && route.params.patientId !== session.patientId && session.patients.some((p) => p.id === route.params.patientId)) {
      setSession({ patientId: route.params.patientId });
    }
  }, [path, session.patients.length]);
  useEffect(() => {
    document.title = route ? `${route.title} · Mastline` : 'Mastline';
  }, [route?.title]);

  let content;
  if (!route) content = <NotFound />;
  else if (needsPatient && session.patients.length === 0 && route.module !== 'patients') content = <NoPatient />;
  else if (!route.module) content = <Today session={session} patient={patient} />;
  else content = <Lazy key={path} module={route.module} name={route.name} session={session} patient={patient} query={query} {...route.params} />;

  return (
    <div class="app">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/today" class="topbar__brand" aria-label="Mastline, Today">
          <img src="/icons/icon-192.png" alt="" width="32" height="32" />
        </Link>
        <PatientSwitcher session={session} />
        {session.patients.some((p) => p.my_role === 'clinician') && (
          <Link href="/clinic/patients" class="chip">
            Clinic
          </Link>
        )}
      </header>
      <main id="main" class="shell" tabIndex={-1}>
        <PendingStatus />
        {content}
      </main>
      <nav class="tabbar" aria-label="Main">
        {NAV.map(([href, label]) => (
          <Link key={href} href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
    </div>
  );
}

function NoPatient() {
  return (
    <section>
      <h1>Welcome</h1>
      <p>Mastline keeps one record per person with mastocytosis. Add the first one: yourself, or the child you care for.</p>
      <p>
        <Link class="button" href="/patients/new">
          Add a patient
        </Link>
      </p>
      <p>If someone invited you to their care team, open the link in their email.</p>
    </section>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        <Link href="/today">Go to Today</Link>
      </p>
    </section>
  );
}

export function App() {
  const session = useSession();
  const { path, query } = useLocation();
  if (session.status === 'starting') return null;
  // The clinician section signs in (with its second factor) and lays out its own screens.
  if (path === '/clinic' || path.startsWith('/clinic/')) return <Lazy module="clinic" name="ClinicApp" session={session} path={path} query={query} />;
  if (session.status === 'signed-in') return <SignedIn session={session} path={path} query={query} />;
  return <SignIn path={path} query={query} />;
}
