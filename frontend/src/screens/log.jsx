// The diary forms: a symptom in full, a trigger, the daily check-in with its VAS slider, and an
// anaphylaxis episode. Every one goes through the outbox, so it works with no signal.
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { kvGet, kvSet } from '../lib/idb.js';
import { Link } from '../lib/router.jsx';
import { submitSynced } from '../lib/sync.js';
import { Field, FormError, humanize, localNow, todayIn, toIso, useSubmit } from '../lib/ui.jsx';
import { COMMON_SYMPTOMS } from './today.jsx';

const TRIGGERS = [
  ['trigger.food.any', 'Food'],
  ['trigger.temperature.heat', 'Heat'],
];

// The catalogues are the same for everyone but a patient's own entries; kept in IndexedDB so the
// forms work offline.
function useCatalogue(patient, kind, fallback) {
  const [entries, setEntries] = useState(fallback);
  useEffect(() => {
    const key = `catalogue:${kind}:${patient.id}`;
    kvGet(key).then((cached) => cached && setEntries(cached)).catch(() => {});
    api(patientPath(patient.id, `catalogue/${kind}/`))
      .then((list) => {
        const slim = list.map((entry) => ({ code: entry.code, name: entry.name, group: entry.domain || entry.category }));
        setEntries(slim);
        kvSet(key, slim).catch(() => {});
      })
      .catch(() => {});
  }, [patient.id, kind]);
  return entries;
}

function Saved({ result, again }) {
  return (
    <div class="card" role="status">
      <p class="notice">{result === 'synced' ? 'Saved.' : 'Saved on this phone. It will sync when you are online.'}</p>
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={again}>
          Log another
        </button>
        <Link class="button" href="/today">
          Back to Today
        </Link>
      </div>
    </div>
  );
}

function useSyncedForm(patient, path, label, build) {
  const [saved, setSaved] = useState(null);
  const form = useSubmit(async () => {
    const result = await submitSynced({ url: patientPath(patient.id, path), label: label(), body: { id: crypto.randomUUID(), ...build() } });
    setSaved(result.state);
  });
  return { ...form, saved, reset: () => setSaved(null) };
}

export function LogMenu() {
  return (
    <>
      <h1>Log</h1>
      <ul class="list">
        <li class="item"><Link href="/log/symptom">A symptom</Link></li>
        <li class="item"><Link href="/log/check-in">Daily check-in (how was today?)</Link></li>
        <li class="item"><Link href="/log/trigger">A trigger (food, heat, stress, sting…)</Link></li>
        <li class="item"><Link href="/log/anaphylaxis">An anaphylaxis episode</Link></li>
        <li class="item"><Link href="/medications">A dose</Link></li>
      </ul>
    </>
  );
}

export function SymptomLog({ patient, query }) {
  const catalogue = useCatalogue(patient, 'symptoms', COMMON_SYMPTOMS.map(([code, name]) => ({ code, name })));
  const [values, setValues] = useState({ symptom: query?.get('symptom') || 'skin.flushing', severity: 5, occurred_at: localNow(), duration_minutes: '', note: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const name = () => catalogue.find((entry) => entry.code === values.symptom)?.name || humanize(values.symptom);
  const form = useSyncedForm(patient, 'symptom-entries/', () => `${name()}, severity ${values.severity}`, () => ({
    symptom: values.symptom,
    severity: Number(values.severity),
    occurred_at: toIso(values.occurred_at),
    ...(values.duration_minutes !== '' ? { duration_minutes: Number(values.duration_minutes) } : {}),
    ...(values.note ? { note: values.note } : {}),
  }));
  if (form.saved) return (<><h1>Log a symptom</h1><Saved result={form.saved} again={form.reset} /></>);
  return (
    <>
      <h1>Log a symptom</h1>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field as="select" label="Symptom" name="symptom" errors={form.fields} value={values.symptom} onChange={set('symptom')}>
          {catalogue.map((entry) => (
            <option key={entry.code} value={entry.code}>{entry.name}</option>
          ))}
        </Field>
        <Field label={`Severity: ${values.severity} of 10`} name="severity" type="range" min="0" max="10" step="1" errors={form.fields} value={values.severity} onInput={set('severity')} aria-valuetext={`${values.severity} of 10`} />
        <Field label="When" name="occurred_at" type="datetime-local" errors={form.fields} value={values.occurred_at} onInput={set('occurred_at')} />
        <Field label="How long (minutes, optional)" name="duration_minutes" type="number" inputMode="numeric" min="0" errors={form.fields} value={values.duration_minutes} onInput={set('duration_minutes')} />
        <Field as="textarea" label="Note (optional)" name="note" rows="2" errors={form.fields} value={values.note} onInput={set('note')} />
        <FormError error={form.error} shown={['symptom', 'severity', 'occurred_at', 'duration_minutes', 'note']} />
        <button class="button" type="submit" disabled={form.busy}>Save symptom</button>
      </form>
    </>
  );
}

export function TriggerLog({ patient }) {
  const catalogue = useCatalogue(patient, 'triggers', TRIGGERS.map(([code, name]) => ({ code, name })));
  const [values, setValues] = useState({ trigger: 'trigger.food.any', occurred_at: localNow(), detail: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSyncedForm(patient, 'trigger-exposures/', () => catalogue.find((entry) => entry.code === values.trigger)?.name || values.trigger, () => ({
    trigger: values.trigger,
    occurred_at: toIso(values.occurred_at),
    ...(values.detail ? { detail: values.detail } : {}),
  }));
  if (form.saved) return (<><h1>Log a trigger</h1><Saved result={form.saved} again={form.reset} /></>);
  return (
    <>
      <h1>Log a trigger</h1>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field as="select" label="Trigger" name="trigger" errors={form.fields} value={values.trigger} onChange={set('trigger')}>
          {catalogue.map((entry) => (
            <option key={entry.code} value={entry.code}>{entry.group ? `${entry.name} (${humanize(entry.group)})` : entry.name}</option>
          ))}
        </Field>
        <Field label="When" name="occurred_at" type="datetime-local" errors={form.fields} value={values.occurred_at} onInput={set('occurred_at')} />
        <Field label="Detail (optional)" name="detail" hint="For example: prawns at dinner." errors={form.fields} value={values.detail} onInput={set('detail')} maxLength={200} />
        <FormError error={form.error} shown={['trigger', 'occurred_at', 'detail']} />
        <button class="button" type="submit" disabled={form.busy}>Save trigger</button>
      </form>
    </>
  );
}

const VAS_WORDS = [[20, 'very poor'], [40, 'poor'], [60, 'fair'], [80, 'good'], [101, 'very good']];

export function CheckInLog({ patient }) {
  const [values, setValues] = useState({ overall_severity: 3, quality_of_life: 70, note: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const day = todayIn(patient.time_zone);
  const qol = Number(values.quality_of_life);
  const qolWords = `${qol} of 100, ${VAS_WORDS.find(([limit]) => qol < limit)[1]}`;
  const form = useSyncedForm(patient, 'check-ins/', () => `Check-in ${day}`, () => ({
    local_date: day,
    overall_severity: Number(values.overall_severity),
    quality_of_life: qol,
    ...(values.note ? { note: values.note } : {}),
  }));
  if (form.saved) return (<><h1>Daily check-in</h1><Saved result={form.saved} again={form.reset} /></>);
  return (
    <>
      <h1>Daily check-in</h1>
      <p class="muted">How was today ({day}) for {patient.display_name}?</p>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field label={`Overall symptoms: ${values.overall_severity} of 10`} hint="0 none, 10 the worst" name="overall_severity" type="range" min="0" max="10" step="1" errors={form.fields} value={values.overall_severity} onInput={set('overall_severity')} aria-valuetext={`${values.overall_severity} of 10`} />
        <Field label="Quality of life today" hint="0 the worst imaginable, 100 the best imaginable" name="quality_of_life" type="range" min="0" max="100" step="1" errors={form.fields} value={values.quality_of_life} onInput={set('quality_of_life')} aria-valuetext={qolWords} />
        <p class="vas-value" aria-hidden="true">{qol} / 100</p>
        <Field as="textarea" label="Note (optional)" name="note" rows="2" errors={form.fields} value={values.note} onInput={set('note')} />
        <FormError error={form.error} shown={['overall_severity', 'quality_of_life', 'note']} />
        <button class="button" type="submit" disabled={form.busy}>Save check-in</button>
      </form>
    </>
  );
}

const FINDINGS = ['skin.flushing', 'skin.urticaria', 'skin.angioedema', 'resp.wheeze', 'resp.throat_tightness', 'resp.dyspnoea', 'cv.hypotension', 'cv.presyncope', 'gi.vomiting', 'gi.abdominal_pain', 'neuro.loss_of_consciousness'];

export function AnaphylaxisLog({ patient }) {
  const [values, setValues] = useState({ onset_at: localNow(), findings: [], epinephrine_doses: 0, emergency_visit: false, note: '' });
  const toggle = (code) => setValues({ ...values, findings: values.findings.includes(code) ? values.findings.filter((c) => c !== code) : [...values.findings, code] });
  const form = useSyncedForm(patient, 'anaphylaxis-episodes/', () => 'Anaphylaxis episode', () => ({
    onset_at: toIso(values.onset_at),
    findings: values.findings,
    epinephrine_doses: Number(values.epinephrine_doses),
    emergency_visit: values.emergency_visit,
    ...(values.note ? { note: values.note } : {}),
  }));
  if (form.saved) {
    return (
      <>
        <h1>Anaphylaxis episode</h1>
        <Saved result={form.saved} again={form.reset} />
        {Number(values.epinephrine_doses) > 0 && <p class="alert">A pen was used: get emergency care if you have not, and replace the pen.</p>}
      </>
    );
  }
  return (
    <>
      <h1>Anaphylaxis episode</h1>
      <p class="alert">In an emergency, use the epinephrine pen and call the emergency number first. Log this afterwards.</p>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field label="When it started" name="onset_at" type="datetime-local" errors={form.fields} value={values.onset_at} onInput={(e) => setValues({ ...values, onset_at: e.currentTarget.value })} />
        <fieldset>
          <legend>What happened</legend>
          {FINDINGS.map((code) => (
            <label class="check" key={code}>
              <input type="checkbox" checked={values.findings.includes(code)} onChange={() => toggle(code)} />
              {humanize(code)}
            </label>
          ))}
        </fieldset>
        <Field label="Epinephrine doses given" name="epinephrine_doses" type="number" inputMode="numeric" min="0" max="10" errors={form.fields} value={values.epinephrine_doses} onInput={(e) => setValues({ ...values, epinephrine_doses: e.currentTarget.value })} />
        <label class="check">
          <input type="checkbox" checked={values.emergency_visit} onChange={(e) => setValues({ ...values, emergency_visit: e.currentTarget.checked })} />
          Went to an emergency department
        </label>
        <Field as="textarea" label="Note (optional)" name="note" rows="2" errors={form.fields} value={values.note} onInput={(e) => setValues({ ...values, note: e.currentTarget.value })} />
        <FormError error={form.error} shown={['onset_at', 'epinephrine_doses', 'note']} />
        <button class="button" type="submit" disabled={form.busy}>Save episode</button>
      </form>
    </>
  );
}

