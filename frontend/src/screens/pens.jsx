// Epinephrine pens: the list (expiry, where each is kept, the two-pen rule), adding one, its life
// cycle (expired, replaced, deleted), "I used this pen" — which leads straight to what to do now
// and alerts the caregivers — and the daily carry check with its time and streaks.
import { plural, t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { formatDate, formatDay, formatNumber, formatTime, formatWhen, localInput, todayIn, toIso } from '../lib/format.js';
import { Link, navigate } from '../lib/router.jsx';
import { canWriteDiary } from '../lib/session.js';
import { submitSynced } from '../lib/sync.js';
import { Confirm, Field, FormError, Loaded, SaveOrCancel, useSubmit } from '../lib/ui.jsx';
import { PEN_STATES, say } from '../lib/words.js';
import { CarryToday } from './today.jsx';

const usePens = (patient) => useData(() => api(patientPath(patient.id, 'pens/')), [patient.id], { cache: `pens:${patient.id}` });

function expiryText(pen) {
  if (pen.state !== 'in_use') return say(PEN_STATES, pen.state);
  const date = formatDate(pen.expires_on);
  if (pen.days_until_expiry < 0) return t`Expired on ${date}`;
  return plural(pen.days_until_expiry, { one: `Expires ${date} (tomorrow)`, '=0': `Expires ${date} (today)`, other: `Expires ${date} (in # days)` });
}

export function Pens({ patient }) {
  const pens = usePens(patient);
  const readiness = useData(() => api(patientPath(patient.id, 'pens/readiness/')), [patient.id], { cache: `readiness:${patient.id}`, isEmpty: () => false });
  const canWrite = canWriteDiary(patient);
  return (
    <>
      <h1>{t`Epinephrine pens`}</h1>
      {readiness.data && (
        <p class={readiness.data.two_pen_rule_met ? 'card' : 'alert'} role="status">
          {plural(readiness.data.ready_pens, { one: '# pen ready.', other: '# pens ready.' })} {readiness.data.two_pen_rule_met ? t`Two in-date pens: the two-pen rule is met.` : t`Carry two in-date pens at all times.`}
        </p>
      )}
      <Loaded state={pens} empty={t`No pens yet. Add the pens you carry so Mastline can remind you before they expire.`}>
        {(list) => (
          <ul class="list">
            {[...list]
              .sort((a, b) => (a.state === 'in_use' ? 0 : 1) - (b.state === 'in_use' ? 0 : 1) || a.expires_on.localeCompare(b.expires_on))
              .map((pen) => (
                <li key={pen.id} class="item" data-testid="pen">
                  <span>
                    <strong>{pen.brand || t`Pen`}</strong> {formatNumber(pen.dose_mg)} mg
                    <br />
                    <span class={pen.state === 'in_use' && pen.days_until_expiry < 30 ? 'field-error' : 'muted'}>{expiryText(pen)}</span>
                    {pen.location && (
                      <>
                        <br />
                        <span class="muted">{t`Kept: ${pen.location}`}</span>
                      </>
                    )}
                  </span>
                  <Link class="button button--secondary button--small" href={`/pens/${pen.id}`} aria-label={t`Open ${pen.brand || 'pen'}, ${expiryText(pen)}`}>
                    {t`Open`}
                  </Link>
                </li>
              ))}
          </ul>
        )}
      </Loaded>
      {canWrite && (
        <p>
          <Link class="button button--secondary" href="/pens/new">
            {t`Add a pen`}
          </Link>
        </p>
      )}
      <section class="card" aria-labelledby="carry-title">
        <h2 id="carry-title">{t`Carry check`}</h2>
        <CarryToday patient={patient} />
        <p>
          <Link href="/carry-check">{t`Streaks and the daily reminder time`}</Link>
        </p>
      </section>
    </>
  );
}

function PenFields({ values, set, form }) {
  return (
    <>
      <Field label={t`Brand (optional)`} name="brand" hint={t`For example EpiPen, Jext, Emerade.`} errors={form.fields} value={values.brand} onInput={set('brand')} />
      <Field as="select" label={t`Dose`} name="dose_mg" errors={form.fields} value={values.dose_mg} onChange={set('dose_mg')}>
        {['0.15', '0.3', '0.5'].map((dose) => (
          <option key={dose} value={dose}>
            {formatNumber(dose)} mg
          </option>
        ))}
      </Field>
      <Field label={t`Expires on`} name="expires_on" type="date" errors={form.fields} value={values.expires_on} onInput={set('expires_on')} />
      <Field label={t`Where it is kept (optional)`} name="location" hint={t`For example: school bag, kitchen drawer.`} errors={form.fields} value={values.location} onInput={set('location')} maxLength={120} />
      <Field label={t`Lot number (optional)`} name="lot" errors={form.fields} value={values.lot} onInput={set('lot')} />
    </>
  );
}

export function AddPen({ patient }) {
  const [values, setValues] = useState({ brand: '', dose_mg: '0.3', expires_on: '', location: '', lot: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSubmit(async () => {
    const body = { id: crypto.randomUUID(), ...values };
    for (const name of ['lot', 'location', 'brand']) if (!body[name]) delete body[name];
    await submitSynced({ url: patientPath(patient.id, 'pens/'), body, label: t`Pen expiring ${formatDate(values.expires_on)}`, kind: 'pen', patientId: patient.id });
    navigate('/pens', { replace: true });
  });
  return (
    <>
      <h1>{t`Add a pen`}</h1>
      <form class="card" onSubmit={form.submit} noValidate>
        <PenFields values={values} set={set} form={form} />
        <FormError error={form.error} shown={['brand', 'dose_mg', 'expires_on', 'lot', 'location']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Add pen`}
        </button>
      </form>
    </>
  );
}

export function PenDetail({ patient, penId }) {
  const pens = usePens(patient);
  const [mode, setMode] = useState(null);
  const [message, setMessage] = useState('');
  const canWrite = canWriteDiary(patient);
  return (
    <>
      <h1>{t`Pen`}</h1>
      <p>
        <Link href="/pens">{t`All pens`}</Link>
      </p>
      <Loaded state={pens}>
        {(list) => {
          const pen = list.find((p) => p.id === penId);
          if (!pen) return <p>{t`This pen is not on the list.`}</p>;
          const change = async (changes, done) => {
            const result = await submitSynced({ url: patientPath(patient.id, `pens/${pen.id}/`), method: 'PATCH', ifMatch: pen.version, body: changes, label: t`Pen changed`, kind: 'pen', patientId: patient.id });
            if (result.state === 'synced') pens.set(list.map((p) => (p.id === pen.id ? result.record : p)));
            setMessage(result.state === 'queued' ? t`Saved on this phone; it will sync when online.` : result.state === 'conflict' ? t`Someone changed this pen meanwhile: see Waiting to sync.` : done);
            setMode(null);
          };
          return (
            <>
              <section class="card">
                <h2>
                  {pen.brand || t`Pen`} {formatNumber(pen.dose_mg)} mg
                </h2>
                <p>{expiryText(pen)}</p>
                {pen.location && <p>{t`Kept: ${pen.location}`}</p>}
                {pen.lot && <p class="muted">{t`Lot ${pen.lot}`}</p>}
                {pen.used_at && <p>{t`Used ${formatWhen(pen.used_at, patient.time_zone)}`}</p>}
                <p class="notice" role="status">
                  {message}
                </p>
              </section>
              {canWrite && pen.state === 'in_use' && (
                <section class="card" aria-labelledby="used-title">
                  <h2 id="used-title">{t`Used it?`}</h2>
                  <p>{t`If this pen was just used: mark it, and Mastline shows what to do now and tells the caregivers.`}</p>
                  <Link class="button button--danger" href={`/pens/${pen.id}/used`}>
                    {t`I used this pen`}
                  </Link>
                </section>
              )}
              {canWrite && (
                <section class="card" aria-labelledby="pen-manage">
                  <h2 id="pen-manage">{t`Change`}</h2>
                  {mode === 'edit' ? (
                    <EditPen pen={pen} onSave={(changes) => change(changes, t`Saved.`)} onCancel={() => setMode(null)} />
                  ) : mode === 'delete' ? (
                    <Confirm
                      question={t`Delete this pen from the list? Use this for a pen added by mistake; a pen that was replaced can be marked so instead.`}
                      yes={t`Delete`}
                      danger
                      onYes={async () => {
                        await submitSynced({ url: patientPath(patient.id, `pens/${pen.id}/`), method: 'DELETE', ifMatch: pen.version, label: t`Pen deleted`, kind: 'pen', patientId: patient.id }).catch(() => {});
                        navigate('/pens', { replace: true });
                      }}
                      onNo={() => setMode(null)}
                    />
                  ) : (
                    <div class="actions">
                      <button type="button" class="button button--secondary button--small" onClick={() => setMode('edit')}>
                        {t`Expiry, place, lot`}
                      </button>
                      {pen.state === 'in_use' && (
                        <button type="button" class="button button--secondary button--small" onClick={() => change({ state: 'discarded' }, t`Marked as replaced.`)}>
                          {t`Replaced or thrown away`}
                        </button>
                      )}
                      {pen.state === 'in_use' && (
                        <button type="button" class="button button--secondary button--small" onClick={() => change({ state: 'expired' }, t`Marked as expired.`)}>
                          {t`Mark as expired`}
                        </button>
                      )}
                      <button type="button" class="button button--secondary button--small" onClick={() => setMode('delete')}>
                        {t`Delete`}
                      </button>
                    </div>
                  )}
                </section>
              )}
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function EditPen({ pen, onSave, onCancel }) {
  const [values, setValues] = useState({ brand: pen.brand || '', dose_mg: String(pen.dose_mg), expires_on: pen.expires_on, location: pen.location || '', lot: pen.lot || '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSubmit(async () => {
    const changes = Object.fromEntries(Object.entries(values).filter(([name, value]) => String(pen[name] ?? '') !== value));
    await onSave(changes);
  });
  return (
    <form onSubmit={form.submit} noValidate>
      <PenFields values={values} set={set} form={form} />
      <FormError error={form.error} shown={['brand', 'dose_mg', 'expires_on', 'lot', 'location']} />
      <SaveOrCancel busy={form.busy} onCancel={onCancel} />
    </form>
  );
}

// What to do at once, also with no signal (the server's list replaces it once it answers).
const STANDING_INSTRUCTIONS = () => [
  t`Call the emergency number now (112 in Europe, 911 in North America), even if the symptoms ease.`,
  t`Lie down with the legs raised; sit up if breathing is hard. Do not stand or walk.`,
  t`If there is no improvement after 5 minutes, use a second pen.`,
  t`Replace the used pen as soon as you can.`,
];

export function PenUsed({ patient, penId, query }) {
  const [state, setState] = useState({ step: 'confirm' });
  const [usedAt, setUsedAt] = useState(localInput());
  const episode = query?.get('episode');
  const pens = usePens(patient);
  const pen = pens.data?.find((p) => p.id === penId);
  const use = async () => {
    setState({ step: 'sending' });
    try {
      const result = await submitSynced({
        url: patientPath(patient.id, `pens/${penId}/use/`),
        body: { used_at: toIso(usedAt), ...(episode ? { episode_id: episode } : {}) },
        label: t`A pen was used`,
        kind: 'pen_use',
        patientId: patient.id,
      });
      setState({ step: 'done', result });
    } catch (error) {
      setState({ step: 'confirm', error });
    }
  };
  if (state.step === 'done') {
    const answer = state.result.record;
    const instructions = answer?.instructions || STANDING_INSTRUCTIONS();
    return (
      <>
        <h1>{t`Pen used: what to do now`}</h1>
        <ol class="alert steps" data-testid="instructions">
          {instructions.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ol>
        {answer ? (
          <p role="status">{answer.caregivers_alerted ? plural(answer.caregivers_alerted, { one: '# person on the care team has been alerted.', other: '# people on the care team have been alerted.' }) : t`Nobody else is on the care team to alert.`}</p>
        ) : (
          <p role="status">{t`No signal: the use is saved on this phone. The care team is alerted as soon as it syncs — call them yourself if you can.`}</p>
        )}
        {answer?.readiness && !answer.readiness.two_pen_rule_met && <p class="alert">{plural(answer.readiness.ready_pens, { one: 'Only # pen left ready: get a new one soon.', other: 'Only # pens left ready: get a new one soon.' })}</p>}
        <ul class="links">
          {answer?.episode_id && (
            <li>
              <Link href={`/history/anaphylaxis_episode/${answer.episode_id}`}>{t`Add what happened to the episode`}</Link>
            </li>
          )}
          <li>
            <Link href="/card">{t`Show the emergency card`}</Link>
          </li>
          <li>
            <Link href="/pens">{t`Pens`}</Link>
          </li>
        </ul>
      </>
    );
  }
  return (
    <>
      <h1>{t`I used this pen`}</h1>
      <p class="alert">{t`Emergency first: call the emergency number now. Marking the pen can wait.`}</p>
      <section class="card">
        <p>{pen ? `${pen.brand || t`Pen`} ${formatNumber(pen.dose_mg)} mg, ${expiryText(pen)}` : ''}</p>
        <Field label={t`When it was used`} name="used_at" type="datetime-local" max={localInput()} value={usedAt} onInput={(e) => setUsedAt(e.currentTarget.value)} />
        <FormError error={state.error} />
        <button type="button" class="button button--danger" onClick={use} disabled={state.step === 'sending'}>
          {t`Mark as used and alert the care team`}
        </button>
      </section>
    </>
  );
}

export function CarryCheckScreen({ patient }) {
  const history = useData(() => api(patientPath(patient.id, 'carry-checks?days=30')), [patient.id], { cache: `carry30:${patient.id}`, isEmpty: () => false });
  return (
    <>
      <h1>{t`Carry check`}</h1>
      <section class="card">
        <CarryToday patient={patient} />
      </section>
      <Loaded state={history}>
        {(data) => (
          <section class="card" aria-labelledby="streak-title">
            <h2 id="streak-title">{t`Streaks`}</h2>
            <p>{plural(data.streak.two_pen_days, { one: '# day in a row with two pens.', other: '# days in a row with two pens.' })}</p>
            <p>{plural(data.streak.carrying_days, { one: '# day in a row with at least one pen.', other: '# days in a row with at least one pen.' })}</p>
            {data.checks.length > 0 && (
              <ul class="list">
                {data.checks.slice(0, 14).map((c) => (
                  <li key={c.date} class="item">
                    <span>{formatDay(c.date)}</span>
                    <span>{plural(c.pens_with_me, { one: '# pen', other: '# pens' })}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
      </Loaded>
      {canWriteDiary(patient) && <CarrySettings patient={patient} />}
    </>
  );
}

function CarrySettings({ patient }) {
  const settings = useData(() => api(patientPath(patient.id, 'carry-checks/settings')), [patient.id], { isEmpty: () => false });
  return (
    <section class="card" aria-labelledby="carry-settings">
      <h2 id="carry-settings">{t`Daily reminder`}</h2>
      <Loaded state={settings}>{(data) => <CarrySettingsForm patient={patient} data={data} onSaved={settings.set} />}</Loaded>
    </section>
  );
}

function CarrySettingsForm({ patient, data, onSaved }) {
  const [values, setValues] = useState({ enabled: data.enabled || !data.local_time, local_time: data.local_time || '08:00', again_after_minutes: data.again_after_minutes || 180 });
  const [message, setMessage] = useState('');
  const form = useSubmit(async () => {
    const saved = await api(patientPath(patient.id, 'carry-checks/settings'), { method: 'PUT', body: { ...values, again_after_minutes: Number(values.again_after_minutes) } });
    onSaved(saved);
    setMessage(t`Saved.`);
  });
  const zone = patient.time_zone;
  return (
    <form onSubmit={form.submit} noValidate>
      <label class="check">
        <input type="checkbox" checked={values.enabled} onChange={(e) => setValues({ ...values, enabled: e.currentTarget.checked })} />
        {t`Ask every day whether the pens are with ${patient.display_name}`}
      </label>
      <Field label={t`At what time`} name="local_time" type="time" hint={t`In ${patient.display_name}'s time zone (${zone}), for example when leaving home.`} errors={form.fields} value={values.local_time} onInput={(e) => setValues({ ...values, local_time: e.currentTarget.value })} />
      <Field as="select" label={t`Ask again if unanswered after`} name="again_after_minutes" errors={form.fields} value={values.again_after_minutes} onChange={(e) => setValues({ ...values, again_after_minutes: e.currentTarget.value })}>
        {[30, 60, 120, 180, 240].map((minutes) => (
          <option key={minutes} value={minutes}>
            {minutes < 60 ? plural(minutes, { other: '# minutes' }) : plural(minutes / 60, { one: '# hour', other: '# hours' })}
          </option>
        ))}
      </Field>
      {data.next_check_at && <p class="muted">{t`Next: ${formatDay(todayIn(zone, new Date(data.next_check_at)))}, ${formatTime(data.next_check_at, zone)}`}</p>}
      <FormError error={form.error} shown={['local_time', 'again_after_minutes']} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Save`}
      </button>
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </form>
  );
}
