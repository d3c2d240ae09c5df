// The clinician's second factor: enrol an authenticator app (QR code or the secret typed in, then a
// first code) and verify a code when the server asks for it in this session. Both return to the
// screen that needed them (`next`).
import { plural, t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { Link, navigate } from '../lib/router.jsx';
import { signedIn } from '../lib/session.js';
import { Field, FormError, useSubmit } from '../lib/ui.jsx';
import { clinicApi, safeNext } from './api.js';
import { Problem } from './util.jsx';
import { useData } from '../lib/data.js';

const clean = (code) => code.replace(/\s+/g, '');
const grouped = (secret) => secret.replace(/(.{4})/g, '$1 ').trim();

export function TotpEnrol({ query }) {
  const next = query.get('next');
  const [setup, setSetup] = useState(null);
  const [codes, setCodes] = useState(null);
  const [code, setCode] = useState('');
  const status = useData(() => clinicApi('auth/totp'), []);

  const start = useSubmit(async () => {
    setSetup(await clinicApi('auth/totp/setup', { method: 'POST', body: {} }));
  });
  const confirm = useSubmit(async () => {
    const answer = await clinicApi('auth/totp/confirm', { method: 'POST', body: { code: clean(code) } });
    setCodes(Array.isArray(answer) ? answer : answer?.recovery_codes || []);
  });

  if (codes) {
    return (
      <>
        <h1>{t`Two-step sign-in is on`}</h1>
        <section class="card" aria-labelledby="recovery-title">
          <h2 id="recovery-title">{t`Your recovery codes`}</h2>
          <p>{t`Each code signs you in once if you lose your phone. Keep them somewhere safe: they are not shown again.`}</p>
          <ul class="recovery-codes" data-testid="recovery-codes">
            {codes.map((recovery) => (
              <li key={recovery}>
                <code>{recovery}</code>
              </li>
            ))}
          </ul>
          <button type="button" class="button" onClick={() => signedIn().finally(() => navigate(safeNext(next), { replace: true }))}>
            {t`I have saved them: continue`}
          </button>
        </section>
      </>
    );
  }

  if (status.data?.enabled) {
    return (
      <>
        <h1>{t`Two-step sign-in`}</h1>
        <section class="card" data-testid="totp-status">
          <p>
            <strong>{t`Two-step sign-in is on.`}</strong>{' '}
            {plural(status.data.recovery_codes_left, { one: '# recovery code left.', other: '# recovery codes left.' })}
          </p>
          {!status.data.verified && (
            <p>
              <Link href={`/clinic/verify?next=${encodeURIComponent(safeNext(next))}`}>{t`Enter a code for this session`}</Link>
            </p>
          )}
        </section>
      </>
    );
  }

  return (
    <>
      <h1>{t`Two-step sign-in`}</h1>
      <Problem error={status.error} what={t`Your two-step sign-in could not be loaded`} />
      {next && (
        <p class="alert" role="alert">
          {t`Clinician access to patient records needs a second step at sign-in: set it up to continue.`}
        </p>
      )}
      <p class="lede">
        {t`After your password, Mastline asks for a 6-digit code from an authenticator app on your phone (any app for time-based codes works).`}
      </p>
      {!setup ? (
        <section class="card">
          <form onSubmit={start.submit}>
            <FormError error={start.error} />
            <button type="submit" class="button" disabled={start.busy}>
              {t`Set up an authenticator app`}
            </button>
          </form>
        </section>
      ) : (
        <section class="card enrol" aria-labelledby="enrol-title">
          <h2 id="enrol-title">{t`Scan the code, then type the first code`}</h2>
          <ol class="enrol__steps">
            <li>
              <p>{t`In your authenticator app, add an account and scan this QR code:`}</p>
              {setup.qr_svg && (
                <img
                  class="qr enrol__qr"
                  src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}`}
                  alt={t`QR code that adds Mastline to an authenticator app`}
                  width="200"
                  height="200"
                />
              )}
              <p>
                Or type this key: <code class="secret" data-testid="totp-secret">{grouped(setup.secret)}</code>
              </p>
            </li>
            <li>
              <form onSubmit={confirm.submit} noValidate>
                <Field
                  label={t`The 6-digit code the app shows`}
                  name="code"
                  errors={confirm.fields}
                  value={code}
                  onInput={(event) => setCode(event.currentTarget.value)}
                  inputmode="numeric"
                  autocomplete="one-time-code"
                  required
                />
                <FormError error={confirm.error} shown={['code']} />
                <button type="submit" class="button" disabled={confirm.busy}>
                  {t`Turn on two-step sign-in`}
                </button>
              </form>
            </li>
          </ol>
        </section>
      )}
    </>
  );
}

export function TotpVerify({ query }) {
  const next = safeNext(query.get('next'));
  const [code, setCode] = useState('');
  const { busy, error, submit, fields } = useSubmit(async () => {
    await clinicApi('auth/totp/verify', { method: 'POST', body: { code: clean(code) } });
    // The session's user and patients, now that the second factor is passed.
    await signedIn();
    navigate(next, { replace: true });
  });
  return (
    <>
      <h1>{t`Verify it is you`}</h1>
      <p class="lede">{t`Patient records need the code from your authenticator app once per sign-in.`}</p>
      <section class="card">
        <form onSubmit={submit} noValidate>
          <Field
            label={t`Code from your authenticator app`}
            name="code"
            hint={t`6 digits, or one of your recovery codes.`}
            errors={fields}
            value={code}
            onInput={(event) => setCode(event.currentTarget.value)}
            autocomplete="one-time-code"
            spellcheck={false}
            required
          />
          <FormError error={error} shown={['code']} />
          <button type="submit" class="button" disabled={busy}>
            {t`Verify`}
          </button>
        </form>
      </section>
    </>
  );
}
