// The first screen: what Mastline is, whether its server answers, and signing in or up.
import { useState } from 'preact/hooks';
import { useServiceHealth } from '../health.js';
import { api } from '../lib/api.js';
import { signedIn } from '../lib/session.js';
import { Field, FormError, useSubmit } from '../lib/ui.jsx';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function SignIn({ path, query }) {
  const health = useServiceHealth();
  const [mode, setMode] = useState(path === '/signup' || query.get('code') ? 'signup' : 'signin');
  const [form, setForm] = useState({ email: '', password: '', display_name: '' });
  const set = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });

  const { busy, error, submit, fields } = useSubmit(async () => {
    const user =
      mode === 'signin'
        ? await api('auth/login', { method: 'POST', body: { email: form.email, password: form.password } })
        : await api('auth/register', { method: 'POST', body: { ...form, time_zone: browserZone() } });
    await signedIn(user);
  });

  return (
    <main class="shell">
      <header class="brand">
        <img class="brand__mark" src="/icons/icon-192.png" alt="" width="48" height="48" />
        <h1>Mastline</h1>
      </header>

      <p class="lede">
        A diary and reminder for systemic mastocytosis: log flares and triggers in seconds, never miss an injection, and keep
        caregivers and clinicians in the loop.
      </p>

      <p class={`status status--${health}`} role="status">
        <span class="status__dot" aria-hidden="true" />
        Service: {health === 'checking' ? 'checking…' : health}
      </p>

      <section class="card" aria-labelledby="auth-title">
        <h2 id="auth-title">{mode === 'signin' ? 'Sign in' : 'Create your account'}</h2>
        {query.get('code') && <p>Sign in or create an account to answer your invitation.</p>}
        <form onSubmit={submit} noValidate>
          {mode === 'signup' && (
            <Field label="Your name" name="display_name" errors={fields} value={form.display_name} onInput={set('display_name')} autocomplete="name" required />
          )}
          <Field label="Email" name="email" type="email" errors={fields} value={form.email} onInput={set('email')} autocomplete="email" required />
          <Field
            label="Password"
            name="password"
            type="password"
            errors={fields}
            hint={mode === 'signup' ? 'At least 10 characters, not a common password.' : undefined}
            value={form.password}
            onInput={set('password')}
            autocomplete={mode === 'signin' ? 'current-password' : 'new-password'}
            required
          />
          <FormError error={error} shown={['email', 'password', 'display_name']} />
          <button class="button" type="submit" disabled={busy}>
            {mode === 'signin' ? 'Sign in' : 'Create account'}
          </button>
        </form>
        <p>
          <button type="button" class="link-button" onClick={() => setMode(mode === 'signin' ? 'signup' : 'signin')}>
            {mode === 'signin' ? 'New here? Create an account' : 'Already have an account? Sign in'}
          </button>
        </p>
      </section>

      <p>
        <a href="/api/docs/">API documentation</a>
      </p>

      <p class="disclaimer">Mastline is a tracker and reminder, not a doctor: it never suggests doses or treatment changes.</p>
    </main>
  );
}
