// Your own account: name, time zone (your notifications' quiet hours follow it), password, and
// whether two-step sign-in is on.
import { t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { setSession } from '../lib/session.js';
import { Field, FormError, Loaded, useSubmit } from '../lib/ui.jsx';
import { ZonePicker } from '../lib/zone.jsx';
import { LANGUAGES } from '../lib/i18n.js';
import { SignOut } from './settings.jsx';

function Details({ session }) {
  const [values, setValues] = useState({ display_name: session.user?.display_name || '', time_zone: session.user?.time_zone || 'UTC', ...(session.user?.language ? { language: session.user.language } : {}) });
  const [message, setMessage] = useState('');
  const form = useSubmit(async () => {
    const user = await api('auth/me', { method: 'PATCH', body: values });
    setSession({ user: { ...session.user, ...user } });
    setMessage(t`Saved.`);
  });
  return (
    <form class="card" onSubmit={form.submit} noValidate aria-labelledby="details-title">
      <h2 id="details-title">{t`You`}</h2>
      <p class="muted entry__email">{session.user?.email}</p>
      <Field label={t`Your name`} name="display_name" errors={form.fields} value={values.display_name} onInput={(e) => setValues({ ...values, display_name: e.currentTarget.value })} autocomplete="name" />
      <ZonePicker label={t`Your time zone`} hint={t`Your quiet hours follow it. Each patient's reminders follow the patient's own zone (Profile).`} value={values.time_zone} errors={form.fields.time_zone} onChange={(time_zone) => setValues({ ...values, time_zone })} />
      {values.language && (
        <Field as="select" label={t`Language`} hint={t`The app, your notifications and your emails are in this language.`} name="language" errors={form.fields} value={values.language} onChange={(e) => setValues({ ...values, language: e.currentTarget.value })}>
          {/* Each language in its own words: whoever reads the list finds theirs. */}
          {LANGUAGES.map(([code, name]) => (
            <option key={code} value={code} lang={code}>
              {name}
            </option>
          ))}
        </Field>
      )}
      <FormError error={form.error} shown={['display_name', 'time_zone', 'language']} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Save`}
      </button>
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </form>
  );
}

function Password() {
  const [values, setValues] = useState({ old_password: '', new_password: '' });
  const [message, setMessage] = useState('');
  const form = useSubmit(async () => {
    await api('auth/password/change', { method: 'POST', body: values });
    setValues({ old_password: '', new_password: '' });
    setMessage(t`Password changed. Your other devices are signed out; this one stays signed in.`);
  });
  return (
    <form class="card" onSubmit={form.submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">{t`Password`}</h2>
      <Field label={t`Current password`} name="old_password" type="password" autocomplete="current-password" errors={form.fields} value={values.old_password} onInput={(e) => setValues({ ...values, old_password: e.currentTarget.value })} />
      <Field label={t`New password`} name="new_password" type="password" autocomplete="new-password" hint={t`At least 10 characters, not a common password.`} errors={form.fields} value={values.new_password} onInput={(e) => setValues({ ...values, new_password: e.currentTarget.value })} />
      <FormError error={form.error} shown={['old_password', 'new_password']} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Change password`}
      </button>
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </form>
  );
}

function TurnOff({ onDone }) {
  const [values, setValues] = useState({ password: '', code: '' });
  const form = useSubmit(async () => {
    await api('auth/totp/disable', { method: 'POST', body: { password: values.password, code: values.code.replace(/\s+/g, '') } });
    onDone();
  });
  return (
    <form onSubmit={form.submit} noValidate aria-label={t`Turn two-step sign-in off`}>
      <Field label={t`Your password`} name="password" type="password" autocomplete="current-password" errors={form.fields} value={values.password} onInput={(e) => setValues({ ...values, password: e.currentTarget.value })} />
      <Field label={t`A code from your authenticator app`} name="code" autocomplete="one-time-code" hint={t`Or one of your recovery codes.`} errors={form.fields} value={values.code} onInput={(e) => setValues({ ...values, code: e.currentTarget.value })} />
      <FormError error={form.error} shown={['password', 'code']} />
      <button class="button button--secondary" type="submit" disabled={form.busy}>
        {t`Turn it off`}
      </button>
    </form>
  );
}

function TwoStep() {
  const status = useData(() => api('auth/totp'), [], { isEmpty: () => false });
  const [turningOff, setTurningOff] = useState(false);
  return (
    <section class="card" aria-labelledby="totp-title">
      <h2 id="totp-title">{t`Two-step sign-in`}</h2>
      <Loaded state={status}>
        {(data) => (
          <>
            <p>{data.enabled ? t`On: signing in asks for a code from your authenticator app.` : t`Off: signing in needs only your password.`}</p>
            {data.required && !data.enabled && <p class="alert">{t`As a clinician you need it to open your patients' records.`}</p>}
            {data.enabled && data.required && <p class="muted">{t`Turning it off also closes your patients' records to you until you set it up again.`}</p>}
            {!data.enabled && (
              <a class="button button--secondary" href="/clinic/security">
                {t`Set up two-step sign-in`}
              </a>
            )}
            {data.enabled &&
              (turningOff ? (
                <TurnOff onDone={() => { setTurningOff(false); status.reload(); }} />
              ) : (
                <button type="button" class="button button--secondary" onClick={() => setTurningOff(true)}>
                  {t`Turn two-step sign-in off…`}
                </button>
              ))}
          </>
        )}
      </Loaded>
    </section>
  );
}

export function Account({ session }) {
  return (
    <>
      <h1>{t`Your account`}</h1>
      <Details session={session} />
      <Password />
      <TwoStep />
      <section class="card">
        <SignOut />
      </section>
    </>
  );
}
