import { plural, t } from '@lingui/core/macro';
import { useEffect } from 'preact/hooks';
import { lazyLoader } from './lib/lazy.jsx';
import { Link, navigate, useLocation } from './lib/router.jsx';
import { currentPatient, setSession, useSession } from './lib/session.js';
import { useOutbox } from './lib/sync.js';
import { useUnread } from './lib/unread.js';
import { loadGlossary } from './lib/words.js';
import { SignIn } from './screens/signin.jsx';
import { Today } from './screens/today.jsx';

// Everything but sign-in and Today is fetched when first opened, so the first load stays small.
const lazyScreens = {
  log: () => import('./screens/log.jsx'),
  history: () => import('./screens/history.jsx'),
  medications: () => import('./screens/medications.jsx'),
  pens: () => import('./screens/pens.jsx'),
  inbox: () => import('./screens/inbox.jsx'),
  trends: () => import('./screens/trends.jsx'),
  team: () => import('./screens/team.jsx'),
  card: () => import('./screens/card.jsx'),
  profile: () => import('./screens/profile.jsx'),
  settings: () => import('./screens/settings.jsx'),
  patients: () => import('./screens/patients.jsx'),
  more: () => import('./screens/more.jsx'),
  account: () => import('./screens/account.jsx'),
  // The clinician section (src/clinic/): its own shell, screens and styles, fetched under /clinic only.
  clinic: () => import('./clinic/index.jsx'),
};

const Lazy = lazyLoader(lazyScreens);

// path → [module, export, title]; :params become props. Titles are functions: the language is
// chosen before they are read.
const ROUTES = [
  ['/today', null, 'Today', () => t`Today`],
  ['/log/symptom', 'log', 'SymptomLog', () => t`Log a symptom`],
  ['/log/trigger', 'log', 'TriggerLog', () => t`Log a trigger`],
  ['/log/check-in', 'log', 'CheckInLog', () => t`Daily check-in`],
  ['/patients/:patientId/check-in', 'log', 'CheckInLog', () => t`Daily check-in`],
  ['/log/anaphylaxis', 'log', 'AnaphylaxisLog', () => t`Anaphylaxis episode`],
  ['/log/lab', 'log', 'LabLog', () => t`Lab result`],
  ['/log', 'log', 'LogMenu', () => t`Log`],
  ['/history', 'history', 'History', () => t`History`],
  ['/history/:kind/:entryId', 'history', 'EditEntry', () => t`Change an entry`],
  ['/medications', 'medications', 'Medications', () => t`Medications`],
  ['/medications/new', 'medications', 'AddMedication', () => t`Add a medication`],
  ['/medications/:medicationId', 'medications', 'MedicationDetail', () => t`Medication`],
  ['/patients/:patientId/medications/:medicationId', 'medications', 'MedicationDetail', () => t`Medication`],
  ['/pens', 'pens', 'Pens', () => t`Epinephrine pens`],
  ['/pens/new', 'pens', 'AddPen', () => t`Add a pen`],
  ['/pens/:penId', 'pens', 'PenDetail', () => t`Pen`],
  ['/pens/:penId/used', 'pens', 'PenUsed', () => t`Pen used`],
  ['/carry-check', 'pens', 'CarryCheckScreen', () => t`Carry check`],
  ['/inbox', 'inbox', 'Inbox', () => t`Inbox`],
  ['/inbox/:notificationId', 'inbox', 'Message', () => t`Message`],
  ['/trends', 'trends', 'Trends', () => t`Trends`],
  ['/team', 'team', 'Team', () => t`Care team`],
  ['/audit', 'team', 'Audit', () => t`Who saw the record`],
  ['/card', 'card', 'EmergencyCard', () => t`Emergency card`],
  ['/card/share', 'card', 'CardShare', () => t`Share the card`],
  ['/card/edit', 'card', 'CardEdit', () => t`Edit the card`],
  ['/profile', 'profile', 'Profile', () => t`Profile`],
  ['/catalogue', 'profile', 'Catalogue', () => t`Your own symptoms and triggers`],
  ['/settings', 'settings', 'Settings', () => t`Settings`],
  ['/sync', 'settings', 'WaitingToSync', () => t`Waiting to sync`],
  ['/account', 'account', 'Account', () => t`Your account`],
  ['/patients/new', 'patients', 'NewPatient', () => t`Add a patient`],
  ['/invitations/accept', 'patients', 'AcceptInvitation', () => t`Invitation`],
  ['/more', 'more', 'More', () => t`More`],
];

// Screens that make sense before any patient record exists.
const WITHOUT_PATIENT = new Set(['/patients/new', '/invitations/accept', '/settings', '/more', '/account', '/sync']);

function match(path) {
  for (const [pattern, module, name, title] of ROUTES) {
    const keys = [];
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, key) => (keys.push(key), '([^/]+)'))}/?$`);
    const found = path.match(regex);
    if (found) return { module, name, title: title(), params: Object.fromEntries(keys.map((key, i) => [key, decodeURIComponent(found[i + 1])])) };
  }
  return null;
}

function PendingStatus({ session }) {
  const items = useOutbox().filter((item) => !item.patientId || session.patients.some((p) => p.id === item.patientId));
  const waiting = items.filter((item) => item.status === 'pending' || item.status === 'sending').length;
  const conflicts = items.filter((item) => item.status === 'conflict').length;
  const failed = items.length - waiting - conflicts;
  const problem = conflicts || failed;
  let text = session.online ? t`All entries saved to the server.` : t`Offline: entries are kept on this phone.`;
  if (problem) text = '';
  if (waiting) {
    text = session.online ? plural(waiting, { one: '# entry waiting to sync.', other: '# entries waiting to sync.' }) : plural(waiting, { one: '# entry waiting to sync (offline).', other: '# entries waiting to sync (offline).' });
  }
  return (
    <div class={`sync sync--${problem ? 'failed' : waiting ? 'waiting' : 'done'}`} role="status" aria-live="polite" data-testid="sync-status">
      {text}
      {conflicts > 0 && (
        <>
          {text ? ' ' : ''}
          <Link href="/sync">{plural(conflicts, { one: '# entry needs your choice.', other: '# entries need your choice.' })}</Link>
        </>
      )}
      {failed > 0 && (
        <>
          {' '}
          <Link href="/sync">{plural(failed, { one: '# could not be saved.', other: '# could not be saved.' })}</Link>
        </>
      )}
    </div>
  );
}

function PatientSwitcher({ session }) {
  if (session.patients.length < 2) {
    const patient = currentPatient(session);
    return patient ? <p class="patient-name">{patient.display_name}</p> : null;
  }
  return (
    <div class="switcher">
      <label for="patient-switch">{t`Patient`}</label>
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

function TabBar({ path }) {
  const unread = useUnread(true);
  const tabs = [
    ['/today', t`Today`],
    ['/log', t`Log`],
    ['/medications', t`Meds`],
    ['/inbox', t`Inbox`],
    ['/more', t`More`],
  ];
  return (
    <nav class="tabbar" aria-label={t`Main`}>
      {tabs.map(([href, label]) => (
        <Link key={href} href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>
          {label}
          {href === '/inbox' && unread.unread > 0 && (
            <>
              <span class={`badge ${unread.urgent ? 'badge--urgent' : ''}`} aria-hidden="true" data-testid="unread-badge">
                {unread.unread > 99 ? '99+' : unread.unread}
              </span>
              <span class="visually-hidden">{plural(unread.unread, { one: ', # unread', other: ', # unread' })}</span>
            </>
          )}
        </Link>
      ))}
    </nav>
  );
}

function SignedIn({ session, path, query }) {
  const route = match(path);
  const patient = currentPatient(session);
  const needsPatient = !patient && !WITHOUT_PATIENT.has(path);

  useEffect(() => {
    if (path === '/' || path === '/signin' || path === '/signup') navigate('/today', { replace: true });
  }, [path]);
  useEffect(() => {
    // The glossary's words replace the app's own once fetched: draw the screen again then.
    loadGlossary().then((terms) => terms && setSession({ wordsLoadedAt: Date.now() }));
  }, []);
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
  else if (needsPatient && session.patients.length === 0) content = <NoPatient />;
  else if (needsPatient) content = <p class="muted">{t`Loading…`}</p>;
  else if (!route.module) content = <Today session={session} patient={patient} query={query} />;
  else content = <Lazy module={route.module} name={route.name} session={session} patient={patient} query={query} {...route.params} />;

  return (
    <div class="app">
      <a class="skip" href="#main">
        {t`Skip to content`}
      </a>
      <header class="topbar">
        <Link href="/today" class="topbar__brand" aria-label={t`Mastline, Today`}>
          <img src="/icons/icon-192.png" alt="" width="32" height="32" />
        </Link>
        <PatientSwitcher session={session} />
        {session.patients.some((p) => p.my_role === 'clinician') && (
          <Link href="/clinic/patients" class="chip">
            {t`Clinic`}
          </Link>
        )}
      </header>
      <main id="main" class="shell" tabIndex={-1}>
        <PendingStatus session={session} />
        {/* Keyed by patient and path: switching children drops every half-filled form, message
            and loaded list of the other child's. */}
        <div key={`${session.patientId}|${path}`}>{content}</div>
      </main>
      <TabBar path={path} />
    </div>
  );
}

function NoPatient() {
  return (
    <section>
      <h1>{t`Welcome`}</h1>
      <p>{t`Mastline keeps one record per person with mastocytosis. Add the first one: yourself, or the child you care for.`}</p>
      <p>
        <Link class="button" href="/patients/new">
          {t`Add a patient`}
        </Link>
      </p>
      <p>{t`If someone invited you to their care team, open the link in their email.`}</p>
    </section>
  );
}

function NotFound() {
  return (
    <section>
      <h1>{t`Not found`}</h1>
      <p>
        <Link href="/today">{t`Go to Today`}</Link>
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
  return <SignIn session={session} path={path} query={query} />;
}
