// The clinician section: a desktop-first shell of its own under /clinic/, loaded only there (see
// app.jsx). Its sign-in adds the second factor; a 403 asking for it sends the clinician to enrol or
// verify and back; the server's idle timeout (a 401) ends the session with a message.
import { msg, t } from '@lingui/core/macro';
import { i18n } from '../lib/i18n.js';
import { lazyLoader } from '../lib/lazy.jsx';
import { useEffect, useState } from 'preact/hooks';
import { api, refreshCsrf } from '../lib/api.js';
import { Link, navigate } from '../lib/router.jsx';
import { signedIn, signedOut } from '../lib/session.js';
import { Field, FormError, useSubmit } from '../lib/ui.jsx';
import { clinicApi, IDLE_MESSAGE, IDLE_MINUTES, safeNext } from './api.js';
import { PatientList } from './list.jsx';
import { TotpEnrol, TotpVerify } from './security.jsx';
import './clinic.css';

// Screens with charts bring uPlot: fetched when first opened.
const lazyScreens = {
  patient: () => import('./clinic-patient.jsx'),
  summary: () => import('./clinic-summary.jsx'),
  response: () => import('./clinic-response.jsx'),
};
const Lazy = lazyLoader(lazyScreens);

// pattern → [screen, title]; a string screen is a lazy module's export ('module.Export').
const ROUTES = [
  ['/clinic', PatientList, msg`Patients`],
  ['/clinic/patients', PatientList, msg`Patients`],
  ['/clinic/patients/:patientId', 'patient.PatientView', msg`Patient`],
  ['/clinic/patients/:patientId/summary', 'summary.VisitSummary', msg`Visit summary`],
  ['/clinic/patients/:patientId/response', 'response.ResponseReport', msg`Treatment response`],
  ['/clinic/response', 'response.Cohort', msg`Treatment response of my patients`],
  ['/clinic/security', TotpEnrol, msg`Two-step sign-in`],
  ['/clinic/verify', TotpVerify, msg`Verify it is you`],
];

function match(path) {
  for (const [pattern, screen, title] of ROUTES) {
    const keys = [];
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, key) => (keys.push(key), '([^/]+)'))}/?$`);
    const found = path.match(regex);
    if (found) return { screen, title, params: Object.fromEntries(keys.map((key, i) => [key, decodeURIComponent(found[i + 1])])) };
  }
  return null;
}

const NAV = [
  ['/clinic/patients', msg`Patients`, (path) => path === '/clinic' || path.startsWith('/clinic/patients')],
  ['/clinic/response', msg`Treatment response`, (path) => path === '/clinic/response'],
  ['/clinic/security', msg`Two-step sign-in`, (path) => path === '/clinic/security'],
];

// The server signs a clinician out after IDLE_MINUTES without a request. While they work on one
// screen (reading, writing a note) a request every few minutes keeps the session. Once they have
// been away that long (and a minute: the server's clock is exact to a minute), one request finds
// out: a 401 ends the session here too and takes the record off the screen. Only one, so a server
// with a longer timeout is not kept awake by an unattended screen.
function useIdleWatch() {
  useEffect(() => {
    let lastInput = Date.now();
    let lastPing = Date.now();
    let checkedWhileAway = false;
    const input = () => {
      lastInput = Date.now();
      checkedWhileAway = false;
    };
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'];
    events.forEach((name) => addEventListener(name, input, { passive: true }));
    const ping = () => {
      lastPing = Date.now();
      clinicApi('auth/me').catch(() => {});
    };
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - lastInput >= (IDLE_MINUTES + 1) * 60_000) {
        if (!checkedWhileAway) {
          checkedWhileAway = true;
          ping();
        }
      } else if (lastInput > lastPing && now - lastPing >= 4 * 60_000) {
        ping();
      }
    }, 30_000);
    return () => {
      clearInterval(timer);
      events.forEach((name) => removeEventListener(name, input));
    };
  }, []);
}

function ClinicSignIn({ query }) {
  const [step, setStep] = useState('password');
  const [form, setForm] = useState({ email: '', password: '', code: '' });
  const set = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });
  const next = safeNext(query.get('next'));
  const { busy, error, submit, fields } = useSubmit(async () => {
    let user;
    if (step === 'password') {
      user = await api('auth/login', { method: 'POST', body: { email: form.email, password: form.password } });
      if (user?.totp_required) {
        // Signing in rotated the CSRF token: the code's POST needs the new one.
        await refreshCsrf();
        setStep('code');
        return;
      }
    } else {
      await api('auth/totp/verify', { method: 'POST', body: { code: form.code.replace(/\s+/g, '') } });
      user = await api('auth/me');
    }
    await signedIn(user);
    navigate(next, { replace: true });
  });
  useEffect(() => {
    document.title = t`Sign in · Mastline Clinic`;
  }, []);
  return (
    <main id="main" class="clinic-signin">
      <header class="brand">
        <img class="brand__mark" src="/icons/icon-192.png" alt="" width="48" height="48" />
        <h1>{t`Mastline Clinic`}</h1>
      </header>
      {query.get('reason') === 'idle' && (
        <p class="alert" role="alert" data-testid="signed-out-reason">
          {IDLE_MESSAGE}
        </p>
      )}
      <section class="card" aria-labelledby="clinic-auth-title">
        <h2 id="clinic-auth-title">{step === 'password' ? t`Sign in` : t`Enter your code`}</h2>
        <form onSubmit={submit} noValidate>
          {step === 'password' ? (
            <>
              <Field label={t`Email`} name="email" type="email" errors={fields} value={form.email} onInput={set('email')} autocomplete="email" required />
              <Field label={t`Password`} name="password" type="password" errors={fields} value={form.password} onInput={set('password')} autocomplete="current-password" required />
            </>
          ) : (
            <Field
              label={t`Code from your authenticator app`}
              name="code"
              hint={t`6 digits, or one of your recovery codes.`}
              errors={fields}
              value={form.code}
              onInput={set('code')}
              autocomplete="one-time-code"
              spellcheck={false}
              required
            />
          )}
          <FormError error={error} shown={['email', 'password', 'code']} />
          <button class="button" type="submit" disabled={busy}>
            {step === 'password' ? t`Sign in` : t`Verify`}
          </button>
        </form>
      </section>
      <p>
        <a href="/">{t`Patient and caregiver app`}</a>
      </p>
    </main>
  );
}

function Shell({ session, path, children }) {
  useIdleWatch();
  const signOut = async () => {
    await api('auth/logout', { method: 'POST' }).catch(() => {});
    await signedOut();
    navigate('/clinic/signin', { replace: true });
  };
  return (
    <div class="clinic">
      <a class="skip" href="#main">
        {t`Skip to content`}
      </a>
      <header class="clinic-bar">
        <Link href="/clinic/patients" class="clinic-bar__brand">
          <img src="/icons/icon-192.png" alt="" width="32" height="32" />
          <span>{t`Mastline Clinic`}</span>
        </Link>
        <nav aria-label={t`Clinic`} class="clinic-nav">
          {NAV.map(([href, label, current]) => (
            <Link key={href} href={href} aria-current={current(path) ? 'page' : undefined}>
              {i18n._(label)}
            </Link>
          ))}
        </nav>
        <p class="clinic-bar__user">{session.user?.display_name}</p>
        <button type="button" class="button button--secondary button--small" onClick={signOut}>
          {t`Sign out`}
        </button>
      </header>
      <main id="main" class="clinic-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function ClinicApp({ session, path, query }) {
  const signedInNow = session.status === 'signed-in';
  const route = match(path);
  useEffect(() => {
    if (signedInNow && path === '/clinic/signin') navigate(safeNext(query.get('next')), { replace: true });
  }, [signedInNow, path]);
  useEffect(() => {
    if (route) document.title = `${i18n._(route.title)} · ${t`Mastline Clinic`}`;
  }, [route?.title]);

  // No patient data is asked for before the second factor: its screen first, then back here.
  const factorPath = { verify: '/clinic/verify', enrol: '/clinic/security' }[session.secondFactor];
  useEffect(() => {
    if (signedInNow && factorPath && path !== factorPath) {
      navigate(`${factorPath}?${new URLSearchParams({ next: safeNext(path + (query.toString() ? `?${query}` : '')) })}`, { replace: true });
    }
  }, [signedInNow, factorPath, path]);

  if (!signedInNow) return <ClinicSignIn query={query} />;
  if (path === '/clinic/signin') return null;
  if (session.secondFactor === 'checking' || (factorPath && path !== factorPath)) return null;
  let content;
  if (!route) {
    content = (
      <section>
        <h1>{t`Not found`}</h1>
        <p>
          <Link href="/clinic/patients">{t`Back to the patient list`}</Link>
        </p>
      </section>
    );
  } else if (typeof route.screen === 'string') {
    const [module, name] = route.screen.split('.');
    content = <Lazy key={path} module={module} name={name} session={session} query={query} {...route.params} />;
  } else {
    const Screen = route.screen;
    content = <Screen key={path} session={session} query={query} {...route.params} />;
  }
  return (
    <Shell session={session} path={path}>
      {content}
    </Shell>
  );
}
