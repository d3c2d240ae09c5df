// The diary forms: a symptom in full, a trigger, the daily check-in, an anaphylaxis episode (and
// which pen was used) and a lab result. Every one goes through the outbox, so it works with no
// signal; the check-in of a day that already has one shows both and lets the person choose.
import { plural, t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { ConflictChoice } from '../lib/conflict.jsx';
import { useData } from '../lib/data.js';
import { formatDate, formatDay, localInput, todayIn, toIso } from '../lib/format.js';
import { i18n } from '../lib/i18n.js';
import { kvGet, kvSet } from '../lib/idb.js';
import { Link, navigate } from '../lib/router.jsx';
import { canWriteDiary } from '../lib/session.js';
import { submitSynced } from '../lib/sync.js';
import { Field, FormError, Loaded, useSubmit } from '../lib/ui.jsx';
import { BODY_AREAS, COMMON_SYMPTOMS, DOMAINS, FINDINGS, LAB_ANALYTES, say, TRIGGER_CATEGORIES } from '../lib/words.js';

export const CATALOGUES = { symptoms: 'catalogue/symptoms', triggers: 'catalogue/triggers' };

// The catalogues are the shared list plus the patient's own entries; kept on the phone so the
// forms work offline.
export function useCatalogue(patient, kind) {
  const fallback = kind === 'symptoms' ? Object.entries(COMMON_SYMPTOMS).map(([code, name]) => ({ code, name: i18n._(name) })) : [{ code: 'trigger.food.any', name: t`Food`, group: 'food' }];
  const [entries, setEntries] = useState(fallback);
  useEffect(() => {
    const key = `catalogue:${kind}:${patient.id}`;
    kvGet(key).then((cached) => cached && setEntries(cached)).catch(() => {});
    api(patientPath(patient.id, `${CATALOGUES[kind]}/`))
      .then((list) => {
        const slim = list.map((entry) => ({ code: entry.code, name: entry.name, group: entry.domain || entry.category, custom: entry.is_custom }));
        setEntries(slim);
        kvSet(key, slim).catch(() => {});
      })
      .catch(() => {});
  }, [patient.id, kind]);
  return entries;
}

// A <select> with the catalogue grouped by domain or category, the patient's own entries first.
function CatalogueOptions({ entries, groups }) {
  const own = entries.filter((e) => e.custom);
  const byGroup = {};
  for (const entry of entries.filter((e) => !e.custom)) (byGroup[entry.group || ''] ||= []).push(entry);
  return (
    <>
      {own.length > 0 && (
        <optgroup label={t`Your own`}>
          {own.map((e) => (
            <option key={e.code} value={e.code}>
              {e.name}
            </option>
          ))}
        </optgroup>
      )}
      {Object.entries(byGroup).map(([group, list]) =>
        group ? (
          <optgroup key={group} label={say(groups, group)}>
            {list.map((e) => (
              <option key={e.code} value={e.code}>
                {e.name}
              </option>
            ))}
          </optgroup>
        ) : (
          list.map((e) => (
            <option key={e.code} value={e.code}>
              {e.name}
            </option>
          ))
        ),
      )}
    </>
  );
}

function Saved({ result, again, children }) {
  return (
    <div class="card" role="status">
      <p class="notice">{result === 'synced' ? t`Saved.` : t`Saved on this phone. It will sync when you are online.`}</p>
      {children}
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={again}>
          {t`Log another`}
        </button>
        <Link class="button" href="/today">
          {t`Back to Today`}
        </Link>
      </div>
    </div>
  );
}

function useSyncedForm(patient, path, kind, label, build) {
  const [saved, setSaved] = useState(null);
  const form = useSubmit(async () => {
    const result = await submitSynced({ url: patientPath(patient.id, path), label: label(), kind, patientId: patient.id, body: { id: crypto.randomUUID(), ...build() } });
    setSaved(result);
  });
  return { ...form, saved: saved?.state, result: saved, reset: () => setSaved(null) };
}

function ReadOnly({ patient }) {
  return <p class="card">{t`As ${patient.display_name}'s clinician you read the diary; the patient and their caregivers write it.`}</p>;
}

export function LogMenu({ patient }) {
  if (!canWriteDiary(patient)) return (<><h1>{t`Log`}</h1><ReadOnly patient={patient} /><p><Link href="/history">{t`History`}</Link></p></>);
  return (
    <>
      <h1>{t`Log`}</h1>
      <ul class="list list--nav">
        <li class="item"><Link href="/log/symptom">{t`A symptom`}</Link></li>
        <li class="item"><Link href="/log/check-in">{t`Daily check-in (how was today?)`}</Link></li>
        <li class="item"><Link href="/log/trigger">{t`A trigger (food, heat, stress, sting…)`}</Link></li>
        <li class="item"><Link href="/log/anaphylaxis">{t`An anaphylaxis episode`}</Link></li>
        <li class="item"><Link href="/medications">{t`A dose`}</Link></li>
        <li class="item"><Link href="/log/lab">{t`A lab result (tryptase, IgE, KIT D816V)`}</Link></li>
        <li class="item"><Link href="/history">{t`History: see, change or delete what was logged`}</Link></li>
      </ul>
    </>
  );
}

export function BodyAreas({ value, onChange }) {
  const toggle = (code) => onChange(value.includes(code) ? value.filter((c) => c !== code) : [...value, code]);
  return (
    <fieldset class="chips">
      <legend>{t`Where on the body (optional)`}</legend>
      {Object.entries(BODY_AREAS).map(([code, label]) => (
        <button key={code} type="button" class="chip" aria-pressed={value.includes(code) ? 'true' : 'false'} onClick={() => toggle(code)}>
          {i18n._(label)}
        </button>
      ))}
    </fieldset>
  );
}

export function SymptomLog({ patient, query }) {
  const catalogue = useCatalogue(patient, 'symptoms');
  const [values, setValues] = useState({ symptom: query?.get('symptom') || 'skin.flushing', severity: 5, occurred_at: localInput(), duration_minutes: '', body_areas: [], note: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const name = () => catalogue.find((entry) => entry.code === values.symptom)?.name || values.symptom;
  const form = useSyncedForm(patient, 'symptom-entries/', 'symptom', () => t`${name()}, ${values.severity} of 10`, () => ({
    symptom: values.symptom,
    severity: Number(values.severity),
    occurred_at: toIso(values.occurred_at),
    ...(values.duration_minutes !== '' ? { duration_minutes: Number(values.duration_minutes) } : {}),
    ...(values.body_areas.length ? { body_areas: values.body_areas } : {}),
    ...(values.note ? { note: values.note } : {}),
  }));
  if (!canWriteDiary(patient)) return (<><h1>{t`Log a symptom`}</h1><ReadOnly patient={patient} /></>);
  if (form.saved) return (<><h1>{t`Log a symptom`}</h1><Saved result={form.saved} again={form.reset} /></>);
  return (
    <>
      <h1>{t`Log a symptom`}</h1>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field as="select" label={t`Symptom`} name="symptom" errors={form.fields} value={values.symptom} onChange={set('symptom')}>
          <CatalogueOptions entries={catalogue} groups={DOMAINS} />
        </Field>
        <p class="hint">
          <Link href="/catalogue">{t`Not in the list? Add your own.`}</Link>
        </p>
        <Field label={t`How bad: ${values.severity} of 10`} hint={t`0 none, 10 the worst`} name="severity" type="range" min="0" max="10" step="1" errors={form.fields} value={values.severity} onInput={set('severity')} aria-valuetext={t`${values.severity} of 10`} />
        <Field label={t`When`} name="occurred_at" type="datetime-local" errors={form.fields} value={values.occurred_at} onInput={set('occurred_at')} />
        <Field label={t`How long, in minutes (optional)`} name="duration_minutes" type="number" inputMode="numeric" min="0" errors={form.fields} value={values.duration_minutes} onInput={set('duration_minutes')} />
        <BodyAreas value={values.body_areas} onChange={(body_areas) => setValues({ ...values, body_areas })} />
        <Field as="textarea" label={t`Note (optional)`} name="note" rows="2" errors={form.fields} value={values.note} onInput={set('note')} />
        <FormError error={form.error} shown={['symptom', 'severity', 'occurred_at', 'duration_minutes', 'note']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Save symptom`}
        </button>
      </form>
    </>
  );
}

export function TriggerLog({ patient }) {
  const catalogue = useCatalogue(patient, 'triggers');
  const [values, setValues] = useState({ trigger: 'trigger.food.any', occurred_at: localInput(), detail: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSyncedForm(patient, 'trigger-exposures/', 'trigger_exposure', () => catalogue.find((entry) => entry.code === values.trigger)?.name || values.trigger, () => ({
    trigger: values.trigger,
    occurred_at: toIso(values.occurred_at),
    ...(values.detail ? { detail: values.detail } : {}),
  }));
  if (!canWriteDiary(patient)) return (<><h1>{t`Log a trigger`}</h1><ReadOnly patient={patient} /></>);
  if (form.saved) return (<><h1>{t`Log a trigger`}</h1><Saved result={form.saved} again={form.reset} /></>);
  return (
    <>
      <h1>{t`Log a trigger`}</h1>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field as="select" label={t`Trigger`} name="trigger" errors={form.fields} value={values.trigger} onChange={set('trigger')}>
          <CatalogueOptions entries={catalogue} groups={TRIGGER_CATEGORIES} />
        </Field>
        <p class="hint">
          <Link href="/catalogue">{t`Not in the list? Add your own.`}</Link>
        </p>
        <Field label={t`When`} name="occurred_at" type="datetime-local" errors={form.fields} value={values.occurred_at} onInput={set('occurred_at')} />
        <Field label={t`Detail (optional)`} name="detail" hint={t`For example: prawns at dinner.`} errors={form.fields} value={values.detail} onInput={set('detail')} maxLength={200} />
        <FormError error={form.error} shown={['trigger', 'occurred_at', 'detail']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Save trigger`}
        </button>
      </form>
    </>
  );
}

const VAS_WORDS = () => [
  [20, t`very poor`],
  [40, t`poor`],
  [60, t`fair`],
  [80, t`good`],
  [101, t`very good`],
];

// Today's check-in: a new one, or the one already saved today (changed with its version). A
// second check-in of the day from another phone is never merged silently (409 check_in_exists):
// both are shown, and the person chooses.
export function CheckInLog({ patient }) {
  const day = todayIn(patient.time_zone);
  const existing = useData(() => api(patientPath(patient.id, `check-ins/?from=${day}&to=${day}`)), [patient.id, day], { isEmpty: () => false });
  const stored = existing.data?.results?.[0] || null;
  const [values, setValues] = useState(null);
  const [outcome, setOutcome] = useState(null);
  const current = values || (stored ? { overall_severity: stored.overall_severity, quality_of_life: stored.quality_of_life, note: stored.note || '' } : { overall_severity: 3, quality_of_life: 70, note: '' });
  const set = (name) => (event) => setValues({ ...current, [name]: event.currentTarget.value });
  const qol = Number(current.quality_of_life);
  const qolWords = t`${qol} of 100, ${VAS_WORDS().find(([limit]) => qol < limit)[1]}`;
  const dayWords = formatDay(day);
  const form = useSubmit(async () => {
    const body = { overall_severity: Number(current.overall_severity), quality_of_life: qol, note: current.note };
    const result = stored
      ? await submitSynced({ url: patientPath(patient.id, `check-ins/${stored.id}/`), method: 'PATCH', ifMatch: stored.version, body, label: t`Check-in ${dayWords}`, kind: 'check_in', patientId: patient.id })
      : await submitSynced({ url: patientPath(patient.id, 'check-ins/'), body: { id: crypto.randomUUID(), local_date: day, ...body }, label: t`Check-in ${dayWords}`, kind: 'check_in', patientId: patient.id });
    setOutcome(result);
  });
  if (!canWriteDiary(patient)) return (<><h1>{t`Daily check-in`}</h1><ReadOnly patient={patient} /></>);
  if (outcome?.state === 'conflict') {
    return (
      <>
        <h1>{t`Daily check-in`}</h1>
        <ConflictItem outcome={outcome} onDone={(choice, result) => setOutcome(choice === 'again' ? result : { state: choice === 'theirs' ? 'kept' : result?.state || 'synced' })} />
      </>
    );
  }
  if (outcome) {
    return (
      <>
        <h1>{t`Daily check-in`}</h1>
        <Saved result={outcome.state === 'kept' ? 'synced' : outcome.state} again={() => { setOutcome(null); setValues(null); existing.reload(); }} />
      </>
    );
  }
  return (
    <>
      <h1>{t`Daily check-in`}</h1>
      <p class="muted">{t`How was today (${dayWords}) for ${patient.display_name}?`}</p>
      {stored && <p class="notice">{t`Already checked in today: saving changes that check-in.`}</p>}
      <form onSubmit={form.submit} class="card" noValidate>
        <Field label={t`Overall symptoms: ${current.overall_severity} of 10`} hint={t`0 none, 10 the worst`} name="overall_severity" type="range" min="0" max="10" step="1" errors={form.fields} value={current.overall_severity} onInput={set('overall_severity')} aria-valuetext={t`${current.overall_severity} of 10`} />
        <Field label={t`Quality of life today`} hint={t`0 the worst imaginable, 100 the best imaginable`} name="quality_of_life" type="range" min="0" max="100" step="1" errors={form.fields} value={current.quality_of_life} onInput={set('quality_of_life')} aria-valuetext={qolWords} />
        <p class="vas-value" aria-hidden="true">
          {qol} / 100
        </p>
        <Field as="textarea" label={t`Note (optional)`} name="note" rows="2" errors={form.fields} value={current.note} onInput={set('note')} />
        <FormError error={form.error} shown={['overall_severity', 'quality_of_life', 'note']} />
        <button class="button" type="submit" disabled={form.busy || existing.loading}>
          {t`Save check-in`}
        </button>
      </form>
    </>
  );
}

// A conflict met while submitting (not from the outbox list): the same chooser, fed from the
// outbox item it left.
function ConflictItem({ outcome, onDone }) {
  const [item, setItem] = useState(null);
  useEffect(() => {
    import('../lib/outbox.js').then(({ listOutbox }) => listOutbox()).then((items) => setItem(items.find((i) => i.id === outcome.id) || null));
  }, [outcome.id]);
  if (!item) return null;
  return <ConflictChoice item={item} current={outcome.current} onDone={onDone} />;
}

export function AnaphylaxisLog({ patient }) {
  const [values, setValues] = useState({ onset_at: localInput(), findings: [], epinephrine_doses: 0, emergency_visit: false, note: '' });
  const toggle = (code) => setValues({ ...values, findings: values.findings.includes(code) ? values.findings.filter((c) => c !== code) : [...values.findings, code] });
  const form = useSyncedForm(patient, 'anaphylaxis-episodes/', 'anaphylaxis_episode', () => t`Anaphylaxis episode`, () => ({
    onset_at: toIso(values.onset_at),
    findings: values.findings,
    epinephrine_doses: Number(values.epinephrine_doses),
    emergency_visit: values.emergency_visit,
    ...(values.note ? { note: values.note } : {}),
  }));
  if (!canWriteDiary(patient)) return (<><h1>{t`Anaphylaxis episode`}</h1><ReadOnly patient={patient} /></>);
  if (form.saved) {
    const episode = form.result.record;
    // C2: the server counts the doses with no pen marked yet; before it does, every dose is.
    const unmarked = episode ? (episode.unmarked_epinephrine_doses ?? Number(values.epinephrine_doses) - (episode.pens_used?.length || 0)) : Number(values.epinephrine_doses);
    return (
      <>
        <h1>{t`Anaphylaxis episode`}</h1>
        <Saved result={form.saved} again={form.reset}>
          {Number(values.epinephrine_doses) > 0 && <p class="alert">{t`Epinephrine was given: get emergency care if you have not, and replace the pen.`}</p>}
        </Saved>
        {episode && unmarked > 0 && <WhichPen patient={patient} episodeId={episode.id} unmarked={unmarked} />}
      </>
    );
  }
  return (
    <>
      <h1>{t`Anaphylaxis episode`}</h1>
      <p class="alert">{t`In an emergency, use the epinephrine pen and call the emergency number first. Log this afterwards.`}</p>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field label={t`When it started`} name="onset_at" type="datetime-local" errors={form.fields} value={values.onset_at} onInput={(e) => setValues({ ...values, onset_at: e.currentTarget.value })} />
        <fieldset>
          <legend>{t`What happened`}</legend>
          {Object.keys(FINDINGS).map((code) => (
            <label class="check" key={code}>
              <input type="checkbox" checked={values.findings.includes(code)} onChange={() => toggle(code)} />
              {say(FINDINGS, code)}
            </label>
          ))}
        </fieldset>
        <Field label={t`Epinephrine doses given`} name="epinephrine_doses" type="number" inputMode="numeric" min="0" max="10" errors={form.fields} value={values.epinephrine_doses} onInput={(e) => setValues({ ...values, epinephrine_doses: e.currentTarget.value })} />
        <label class="check">
          <input type="checkbox" checked={values.emergency_visit} onChange={(e) => setValues({ ...values, emergency_visit: e.currentTarget.checked })} />
          {t`Went to an emergency department`}
        </label>
        <Field as="textarea" label={t`Note (optional)`} name="note" rows="2" errors={form.fields} value={values.note} onInput={(e) => setValues({ ...values, note: e.currentTarget.value })} />
        <FormError error={form.error} shown={['onset_at', 'epinephrine_doses', 'note']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Save episode`}
        </button>
      </form>
    </>
  );
}

// After an episode with epinephrine: which pen was it? Marking it used links it to the episode,
// tells the caregivers and shows what to do next (the pen screen's guidance).
function WhichPen({ patient, episodeId, unmarked }) {
  const pens = useData(() => api(patientPath(patient.id, 'pens/')), [patient.id], { cache: `pens:${patient.id}` });
  return (
    <section class="card" aria-labelledby="which-pen">
      <h2 id="which-pen">{t`Which pen was used?`}</h2>
      <p>{plural(unmarked, { one: '# dose has no pen marked yet.', other: '# doses have no pen marked yet.' })}</p>
      <Loaded state={pens} empty={t`No pens on the list. Add the new pen on the Pens screen.`}>
        {(list) => (
          <ul class="list">
            {list
              .filter((pen) => pen.state === 'in_use')
              .map((pen) => (
                <li key={pen.id} class="item">
                  <span>
                    {pen.brand || t`Pen`} {pen.dose_mg} mg
                    <br />
                    <span class="muted">{t`Expires ${formatDate(pen.expires_on)}`}</span>
                  </span>
                  <button type="button" class="button button--small" onClick={() => navigate(`/pens/${pen.id}/used?episode=${episodeId}`)}>
                    {t`This one`}
                  </button>
                </li>
              ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

export function LabLog({ patient }) {
  const [values, setValues] = useState({ analyte: 'tryptase', value: '', sampled_at: localInput(), is_baseline: false, note: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const unit = LAB_ANALYTES[values.analyte][1];
  const form = useSyncedForm(patient, 'lab-results/', 'lab_result', () => `${say(LAB_ANALYTES, values.analyte)} ${values.value} ${unit}`, () => ({
    analyte: values.analyte,
    value: values.value.replace(',', '.'),
    sampled_at: toIso(values.sampled_at),
    ...(values.analyte === 'tryptase' && values.is_baseline ? { is_baseline: true } : {}),
    ...(values.note ? { note: values.note } : {}),
  }));
  if (patient.my_role === undefined) return null;
  if (form.saved) return (<><h1>{t`Lab result`}</h1><Saved result={form.saved} again={form.reset} /></>);
  return (
    <>
      <h1>{t`Lab result`}</h1>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field as="select" label={t`Test`} name="analyte" errors={form.fields} value={values.analyte} onChange={set('analyte')}>
          {Object.entries(LAB_ANALYTES).map(([code, [, u]]) => (
            <option key={code} value={code}>
              {say(LAB_ANALYTES, code)} ({u})
            </option>
          ))}
        </Field>
        <Field label={t`Result, in ${unit}`} name="value" inputMode="decimal" errors={form.fields} value={values.value} onInput={set('value')} />
        <Field label={t`When the sample was taken`} name="sampled_at" type="datetime-local" errors={form.fields} value={values.sampled_at} onInput={set('sampled_at')} />
        {values.analyte === 'tryptase' && (
          <label class="check">
            <input type="checkbox" checked={values.is_baseline} onChange={(e) => setValues({ ...values, is_baseline: e.currentTarget.checked })} />
            {t`Baseline: taken away from any reaction`}
          </label>
        )}
        <Field as="textarea" label={t`Note (optional)`} name="note" rows="2" errors={form.fields} value={values.note} onInput={set('note')} />
        <FormError error={form.error} shown={['analyte', 'value', 'sampled_at', 'note']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Save result`}
        </button>
      </form>
    </>
  );
}
