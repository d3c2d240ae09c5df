// The first screens: what Mastline is, signing in or up, a forgotten password (the emailed
// /reset-password link lands here), and the code of two-step sign-in.
import { t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { useServiceHealth } from '../health.js';
import { api } from '../lib/api.js';
import { Link, navigate } from '../lib/router.jsx';
import { reloadPatients, setSession, signedIn, signedOut } from '../lib/session.js';
import { Field, FormError, useSubmit } from '../lib/ui.jsx';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// Said only when something is wrong: a person signing in needs no "Service: ok".
function ServerReach() {
  const health = useServiceHealth();
  const text = {
    unreachable: t`The Mastline server cannot be reached. Check your connection; what is saved on this phone still opens.`,
    degraded: t`The server is running, but reminders may arrive late for now.`,
  }[health];
  return (
    <p class={text ? `status status--${health}` : 'visually-hidden'} role="status" data-testid="server-reach">
      {text && <span class="status__dot" aria-hidden="true" />}
      {text || ''}
    </p>
  );
}

function Frame({ title, children }) {
  useEffect(() => {
    document.title = `${title} · Mastline`;
  }, [title]);
  return (
    <main class="shell" id="main">
      <header class="brand">
        <img class="brand__mark" src="/icons/icon-192.png" alt="" width="48" height="48" />
        <h1>Mastline</h1>
      </header>
      <ServerReach />
      {children}
      <p class="disclaimer">{t`Mastline is a tracker and reminder, not a doctor: it never suggests doses or treatment changes.`}</p>
    </main>
  );
}

function Credentials({ mode, query }) {
  const [form, setForm] = useState({ email: '', password: '', display_name: '' });
  const set = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });
  // Sign-up answers the same whether or not the email already has an account (so nobody can
  // use it to learn who uses Mastline); the app then signs in with what was just typed. When that
  // fails, the email had an account already, and its owner has been emailed.
  const [taken, setTaken] = useState(false);
  const { busy, error, submit, fields } = useSubmit(async () => {
    setTaken(false);
    const login = () => api('auth/login', { method: 'POST', body: { email: form.email, password: form.password } });
    if (mode === 'signin') {
      const answer = await login();
      await signedIn(answer, answer);
      return;
    }
    await api('auth/register', { method: 'POST', body: { ...form, time_zone: browserZone() } });
    let answer;
    try {
      answer = await login();
    } catch (caught) {
      if (caught.status !== 401) throw caught;
      setTaken(true);
      return;
    }
    await signedIn(answer, answer);
  });
  const signup = mode === 'signup';
  return (
    <section class="card" aria-labelledby="auth-title">
      <h2 id="auth-title">{signup ? t`Create your account` : t`Sign in`}</h2>
      {query.get('code') && <p>{t`Sign in or create an account to answer your invitation.`}</p>}
      <form onSubmit={submit} noValidate>
        {signup && <Field label={t`Your name`} name="display_name" errors={fields} value={form.display_name} onInput={set('display_name')} autocomplete="name" required />}
        <Field label={t`Email`} name="email" type="email" errors={fields} value={form.email} onInput={set('email')} autocomplete="email" required />
        <Field
          label={t`Password`}
          name="password"
          type="password"
          errors={fields}
          hint={signup ? t`At least 10 characters, not a common password.` : undefined}
          value={form.password}
          onInput={set('password')}
          autocomplete={signup ? 'new-password' : 'current-password'}
          required
        />
        <FormError error={error} shown={['email', 'password', 'display_name']} />
        {taken && (
          <p class="status" role="status" data-testid="signup-taken">
            {t`${form.email} already has a Mastline account, so no new one was made: we have emailed it. Sign in with its password, or set a new password if you forgot it.`}{' '}
            <Link href="/forgot-password">{t`Set a new password`}</Link>
          </p>
        )}
        <button class="button" type="submit" disabled={busy}>
          {signup ? t`Create account` : t`Sign in`}
        </button>
      </form>
      <ul class="links">
        {!signup && (
          <li>
            <Link href="/forgot-password">{t`Forgot your password?`}</Link>
          </li>
        )}
        <li>
          <Link href={signup ? `/signin${location.search}` : `/signup${location.search}`}>{signup ? t`Already have an account? Sign in` : t`New here? Create an account`}</Link>
        </li>
      </ul>
    </section>
  );
}

function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const form = useSubmit(async () => {
    await api('auth/password/reset', { method: 'POST', body: { email } });
    setSent(true);
  });
  return (
    <section class="card" aria-labelledby="forgot-title">
      <h2 id="forgot-title">{t`Forgot your password?`}</h2>
      {sent ? (
        <p role="status">{t`If ${email} has a Mastline account, an email with a link to set a new password is on its way. The link works for two hours.`}</p>
      ) : (
        <form onSubmit={form.submit} noValidate>
          <p>{t`Enter the email you signed up with. We will send you a link to set a new password.`}</p>
          <Field label={t`Email`} name="email" type="email" errors={form.fields} value={email} onInput={(e) => setEmail(e.currentTarget.value)} autocomplete="email" required />
          <FormError error={form.error} shown={['email']} />
          <button class="button" type="submit" disabled={form.busy}>
            {t`Send the link`}
          </button>
        </form>
      )}
      <p>
        <Link href="/signin">{t`Back to sign in`}</Link>
      </p>
    </section>
  );
}

function ResetPassword({ query }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const uid = query.get('uid') || '';
  const token = query.get('token') || '';
  const form = useSubmit(async () => {
    await api('auth/password/reset/confirm', { method: 'POST', body: { uid, token, new_password: password } });
    setDone(true);
  });
  const broken = form.error && (form.fields.uid || form.fields.token || form.fields.non_field_errors);
  return (
    <section class="card" aria-labelledby="reset-title">
      <h2 id="reset-title">{t`Set a new password`}</h2>
      {done ? (
        <>
          <p role="status">{t`Your password is changed. Sign in with the new one.`}</p>
          <Link class="button" href="/signin">
            {t`Sign in`}
          </Link>
        </>
      ) : !uid || !token ? (
        <p>{t`This link is incomplete. Open the link from the email again, or ask for a new one.`}</p>
      ) : (
        <form onSubmit={form.submit} noValidate>
          <Field label={t`New password`} name="new_password" type="password" hint={t`At least 10 characters, not a common password.`} errors={form.fields} value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="new-password" required />
          {broken ? <p class="form-error" role="alert">{t`This link has expired or was already used. Ask for a new one.`}</p> : <FormError error={form.error} shown={['new_password']} />}
          <button class="button" type="submit" disabled={form.busy}>
            {t`Set the password`}
          </button>
        </form>
      )}
      <p>
        <Link href="/forgot-password">{t`Ask for a new link`}</Link>
      </p>
    </section>
  );
}

// Two-step sign-in: the session is signed in, but no data answers until a code is sent.
function SecondFactor() {
  const [code, setCode] = useState('');
  const form = useSubmit(async () => {
    await api('auth/totp/verify', { method: 'POST', body: { code: code.replace(/\s+/g, '') } });
    const user = await api('auth/me');
    setSession({ status: 'signed-in', user });
    const patients = await reloadPatients();
    // Someone who is only a clinician works in the clinic.
    if (patients.length && patients.every((p) => p.my_role === 'clinician')) navigate('/clinic/patients', { replace: true });
    else navigate('/today', { replace: true });
  });
  const signOut = async () => {
    await api('auth/logout', { method: 'POST' }).catch(() => {});
    await signedOut();
  };
  return (
    <section class="card" aria-labelledby="code-title">
      <h2 id="code-title">{t`Enter your code`}</h2>
      <p>{t`Your account uses two-step sign-in. Open your authenticator app and enter the code it shows for Mastline.`}</p>
      <form onSubmit={form.submit} noValidate>
        <Field label={t`Code from your authenticator app`} name="code" hint={t`6 digits, or one of your recovery codes.`} errors={form.fields} value={code} onInput={(e) => setCode(e.currentTarget.value)} autocomplete="one-time-code" inputMode="text" spellcheck={false} required />
        <FormError error={form.error} shown={['code']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Verify`}
        </button>
      </form>
      <p>
        <button type="button" class="link-button" onClick={signOut}>
          {t`Sign out`}
        </button>
      </p>
    </section>
  );
}

// The account must turn two-step sign-in on before anything else (a clinician): the clinic's
// security screen sets it up.
function Enrol() {
  const go = () => {
    setSession({ status: 'signed-in' });
    navigate('/clinic/security?next=%2Fclinic%2Fpatients');
  };
  return (
    <section class="card" aria-labelledby="enrol-title">
      <h2 id="enrol-title">{t`Set up two-step sign-in`}</h2>
      <p>{t`Clinicians protect their patients' records with a code from an authenticator app. Set it up once, then sign in with your password and a code.`}</p>
      <button type="button" class="button" onClick={go}>
        {t`Set up two-step sign-in`}
      </button>
    </section>
  );
}

export function SignIn({ session, path, query }) {
  let title = t`Sign in`;
  let content;
  if (session.status === 'second-factor') {
    title = t`Enter your code`;
    content = <SecondFactor />;
  } else if (session.status === 'enrol') {
    title = t`Set up two-step sign-in`;
    content = <Enrol />;
  } else if (path === '/forgot-password') {
    title = t`Forgot your password?`;
    content = <ForgotPassword />;
  } else if (path === '/reset-password') {
    title = t`Set a new password`;
    content = <ResetPassword query={query} />;
  } else {
    const mode = path === '/signup' || query.get('code') ? 'signup' : 'signin';
    if (mode === 'signup') title = t`Create your account`;
    content = (
      <>
        <p class="lede">{t`A diary and reminder for systemic mastocytosis: log flares and triggers in seconds, never miss an injection, and keep caregivers and clinicians in the loop.`}</p>
        <Credentials key={mode} mode={mode} query={query} />
      </>
    );
  }
  return <Frame title={title}>{content}</Frame>;
}
