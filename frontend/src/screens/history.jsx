// History: everything logged, by day, filtered by kind and day; each entry can be changed (with
// the version it was read at, so a change made elsewhere meanwhile is shown, not overwritten) or
// deleted, with a few seconds to undo.
import { t } from '@lingui/core/macro';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { ConflictChoice } from '../lib/conflict.jsx';
import { remember, useData } from '../lib/data.js';
import { formatDay, formatDuration, formatTime, formatWhen, localInput, todayIn, toIso } from '../lib/format.js';
import { i18n } from '../lib/i18n.js';
import { Link, navigate } from '../lib/router.jsx';
import { canWriteDiary } from '../lib/session.js';
import { submitSynced } from '../lib/sync.js';
import { Field, FormError, Loaded, useSubmit } from '../lib/ui.jsx';
import { BODY_AREAS, DIARY_KINDS, DOMAINS, FINDINGS, LAB_ANALYTES, say, SITES, TRIGGER_CATEGORIES } from '../lib/words.js';
import { BodyAreas, useCatalogue } from './log.jsx';

export const ENDPOINTS = {
  symptom: 'symptom-entries',
  check_in: 'check-ins',
  trigger_exposure: 'trigger-exposures',
  anaphylaxis_episode: 'anaphylaxis-episodes',
  lab_result: 'lab-results',
  dose: 'doses',
};

const UNDO_MS = 8000;

// One line that says what the entry was.
function summary(kind, r, medicationNames) {
  switch (kind) {
    case 'symptom':
      return t`${r.symptom_name}, ${r.severity} of 10`;
    case 'check_in':
      return t`Check-in: symptoms ${r.overall_severity} of 10, quality of life ${r.quality_of_life} of 100`;
    case 'trigger_exposure':
      return r.detail ? `${r.trigger_name}: ${r.detail}` : r.trigger_name;
    case 'anaphylaxis_episode':
      return r.epinephrine_doses ? t`Anaphylaxis, epinephrine ${r.epinephrine_doses}×` : t`Anaphylaxis`;
    case 'lab_result': {
      const name = say(LAB_ANALYTES, r.analyte);
      return `${name}: ${r.value} ${r.unit}`;
    }
    case 'dose': {
      const name = medicationNames[r.medication] || t`A medication`;
      return r.status === 'skipped' ? t`${name} skipped` : t`${name} taken`;
    }
    default:
      return kind;
  }
}

function details(kind, r) {
  const parts = [];
  if (r.duration_minutes) parts.push(formatDuration(r.duration_minutes));
  if (r.body_areas?.length) parts.push(r.body_areas.map((a) => say(BODY_AREAS, a)).join(', '));
  if (kind === 'anaphylaxis_episode' && r.findings?.length) parts.push(r.findings.map((f) => say(FINDINGS, f)).join(', '));
  if (r.injection_site) parts.push(say(SITES, r.injection_site));
  if (r.skip_reason) parts.push(r.skip_reason);
  if (r.note) parts.push(r.note);
  return parts.join(' · ');
}

// The timeline comes in pages (`next`); the history lists the whole period it shows.
async function withLaterPages(first) {
  const items = [...first.items];
  for (let page = first; page.next; ) {
    const next = new URL(page.next, location.origin);
    page = await api(next.pathname.replace(/^\/api\/v1\//, '') + next.search);
    items.push(...page.items);
  }
  return { ...first, items };
}

export function History({ patient, query }) {
  const [kind, setKind] = useState(query?.get('kind') || '');
  const [day, setDay] = useState(query?.get('day') || '');
  const [hidden, setHidden] = useState({}); // deleted, waiting for the undo time to pass
  const [undo, setUndo] = useState(null);
  const pending = useRef({});
  const writable = canWriteDiary(patient);
  const range = day ? `?from=${day}&to=${day}` : '';
  const timeline = useData(
    async () => {
      const [diary, doses, medications] = await Promise.all([
        kind === 'dose' ? { items: [] } : api(patientPath(patient.id, `timeline${range}`)).then(withLaterPages),
        kind && kind !== 'dose' ? { results: [] } : api(patientPath(patient.id, 'doses/?page_size=100')),
        kind && kind !== 'dose' ? [] : api(patientPath(patient.id, 'medications/')),
      ]);
      const from = diary.from ? new Date(diary.from).getTime() : Date.now() - 30 * 86400_000;
      const to = diary.to ? new Date(diary.to).getTime() : Date.now();
      const doseItems = doses.results.filter((d) => (!day || todayIn(patient.time_zone, new Date(d.taken_at)) === day) && (day || new Date(d.taken_at).getTime() >= from) && new Date(d.taken_at).getTime() <= to).map((record) => ({ kind: 'dose', at: record.taken_at, record }));
      const items = [...diary.items.filter((i) => !kind || i.kind === kind), ...doseItems].sort((a, b) => b.at.localeCompare(a.at));
      return { items, medicationNames: Object.fromEntries(medications.map((m) => [m.id, m.name])) };
    },
    [patient.id, kind, day],
    { cache: `history:${patient.id}:${kind}:${day}`, isEmpty: (data) => !data.items.length },
  );

  // Deletions wait UNDO_MS for an undo, then go through the outbox (offline too). Leaving the
  // screen sends what is waiting at once.
  const send = (key) => {
    const entry = pending.current[key];
    if (!entry) return;
    clearTimeout(entry.timer);
    delete pending.current[key];
    const { item } = entry;
    submitSynced({ url: patientPath(patient.id, `${ENDPOINTS[item.kind]}/${item.record.id}/`), method: 'DELETE', ifMatch: item.record.version, label: t`Delete: ${entry.label}`, kind: item.kind, patientId: patient.id }).catch(() => {});
  };
  useEffect(() => () => Object.keys(pending.current).forEach(send), []);
  const remove = (item, label) => {
    const key = `${item.kind}:${item.record.id}`;
    pending.current[key] = { item, label, timer: setTimeout(() => { send(key); setUndo((u) => (u?.key === key ? null : u)); }, UNDO_MS) };
    setHidden((h) => ({ ...h, [key]: true }));
    setUndo({ key, label });
  };
  const restore = () => {
    const entry = pending.current[undo.key];
    if (entry) clearTimeout(entry.timer);
    delete pending.current[undo.key];
    setHidden((h) => ({ ...h, [undo.key]: false }));
    setUndo(null);
  };
  const edit = async (item) => {
    await remember(`entry:${item.kind}:${item.record.id}`, item.record);
    navigate(`/history/${item.kind}/${item.record.id}`);
  };

  return (
    <>
      <h1>{t`History`}</h1>
      <form class="card filters" onSubmit={(e) => e.preventDefault()}>
        <Field as="select" label={t`What`} name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          <option value="">{t`Everything`}</option>
          {Object.entries(DIARY_KINDS).map(([code, label]) => (
            <option key={code} value={code}>
              {i18n._(label)}
            </option>
          ))}
        </Field>
        <Field label={t`Day`} name="day" type="date" hint={t`Empty: the last 30 days.`} value={day} max={todayIn(patient.time_zone)} onInput={(e) => setDay(e.currentTarget.value)} />
      </form>
      {undo && (
        <div class="undo" role="status" data-testid="undo">
          <span>{t`Deleted: ${undo.label}.`}</span>
          <button type="button" class="button button--secondary button--small" onClick={restore}>
            {t`Undo`}
          </button>
        </div>
      )}
      <Loaded state={timeline} empty={day ? t`Nothing logged that day.` : t`Nothing logged in the last 30 days.`}>
        {({ items, medicationNames }) => {
          const visible = items.filter((item) => !hidden[`${item.kind}:${item.record.id}`]);
          const days = {};
          for (const item of visible) {
            const local = item.kind === 'check_in' ? item.record.local_date : todayIn(patient.time_zone, new Date(item.at));
            (days[local] ||= []).push(item);
          }
          return Object.entries(days).map(([date, list]) => (
            <section key={date} class="card" aria-label={formatDay(date, { year: true })}>
              <h2 class="day-heading">{formatDay(date, { year: true })}</h2>
              <ul class="list">
                {list.map((item) => {
                  const label = summary(item.kind, item.record, medicationNames);
                  const more = details(item.kind, item.record);
                  return (
                    <li key={`${item.kind}:${item.record.id}`} class="entry" data-testid="history-entry">
                      <p class="entry__what">
                        <span class="tag">{say(DIARY_KINDS, item.kind)}</span> {label}
                      </p>
                      <p class="muted entry__when">
                        {item.kind === 'check_in' ? '' : formatTime(item.at, patient.time_zone)}
                        {more ? `${item.kind === 'check_in' ? '' : ' · '}${more}` : ''}
                      </p>
                      {writable && (
                        <div class="actions">
                          <button type="button" class="button button--secondary button--small" onClick={() => edit(item)} aria-label={t`Change: ${label}`}>
                            {t`Change`}
                          </button>
                          <button type="button" class="button button--secondary button--small" onClick={() => remove(item, label)} aria-label={t`Delete: ${label}`}>
                            {t`Delete`}
                          </button>
                        </div>
                      )}
                    </li>
                  );
                })}
              </ul>
            </section>
          ));
        }}
      </Loaded>
    </>
  );
}

const DATE_FIELDS = ['occurred_at', 'onset_at', 'sampled_at', 'taken_at'];

function editableOf(kind, r) {
  const base = { note: r.note || '' };
  switch (kind) {
    case 'symptom':
      return { ...base, symptom: r.symptom, severity: r.severity, occurred_at: localInput(new Date(r.occurred_at)), duration_minutes: r.duration_minutes ?? '', body_areas: r.body_areas || [] };
    case 'check_in':
      return { ...base, overall_severity: r.overall_severity, quality_of_life: r.quality_of_life };
    case 'trigger_exposure':
      return { ...base, trigger: r.trigger, occurred_at: localInput(new Date(r.occurred_at)), detail: r.detail || '' };
    case 'anaphylaxis_episode':
      return { ...base, onset_at: localInput(new Date(r.onset_at)), findings: r.findings || [], epinephrine_doses: r.epinephrine_doses, emergency_visit: r.emergency_visit };
    case 'lab_result':
      return { ...base, value: r.value, sampled_at: localInput(new Date(r.sampled_at)) };
    case 'dose':
      return { ...base, status: r.status, taken_at: localInput(new Date(r.taken_at)), skip_reason: r.skip_reason || '', injection_site: r.injection_site || '' };
    default:
      return base;
  }
}

// What the server gets: the changed fields only, in its shapes.
function changes(kind, before, after) {
  const body = {};
  for (const [name, value] of Object.entries(after)) {
    if (JSON.stringify(value) === JSON.stringify(before[name])) continue;
    if (DATE_FIELDS.includes(name)) body[name] = toIso(value);
    else if (['severity', 'overall_severity', 'quality_of_life', 'epinephrine_doses'].includes(name)) body[name] = Number(value);
    else if (name === 'duration_minutes') body[name] = value === '' ? null : Number(value);
    else body[name] = value;
  }
  return body;
}

export function EditEntry({ patient, kind, entryId }) {
  const record = useData(() => api(patientPath(patient.id, `${ENDPOINTS[kind]}/${entryId}/`)), [patient.id, kind, entryId], { cache: `entry:${kind}:${entryId}`, isEmpty: () => false });
  return (
    <>
      <h1>{t`Change an entry`}</h1>
      <p>
        <Link href="/history">{t`Back to History`}</Link>
      </p>
      {!ENDPOINTS[kind] ? (
        <p>{t`This kind of entry cannot be changed here.`}</p>
      ) : (
        <Loaded state={record}>{(r) => <EditForm key={r.version} patient={patient} kind={kind} record={r} />}</Loaded>
      )}
    </>
  );
}

function EditForm({ patient, kind, record }) {
  const before = editableOf(kind, record);
  const [values, setValues] = useState(before);
  const [outcome, setOutcome] = useState(null);
  const symptoms = useCatalogue(patient, kind === 'trigger_exposure' ? 'triggers' : 'symptoms');
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.type === 'checkbox' ? event.currentTarget.checked : event.currentTarget.value });
  const form = useSubmit(async () => {
    const body = changes(kind, before, values);
    if (!Object.keys(body).length) {
      navigate('/history');
      return;
    }
    const result = await submitSynced({
      url: patientPath(patient.id, `${ENDPOINTS[kind]}/${record.id}/`),
      method: 'PATCH',
      ifMatch: record.version,
      body,
      label: t`Change: ${summary(kind, record, {})}`,
      kind,
      patientId: patient.id,
    });
    setOutcome(result);
  });
  if (!canWriteDiary(patient)) return <p>{t`Only the patient and their caregivers change the diary.`}</p>;
  if (outcome?.state === 'conflict') {
    const mine = { ...record, ...changes(kind, before, values) };
    return <ConflictFor outcome={outcome} mine={mine} kind={kind} onDone={(choice, result) => setOutcome(choice === 'again' ? result : { state: 'resolved' })} />;
  }
  if (outcome) {
    return (
      <div class="card" role="status">
        <p class="notice">{outcome.state === 'queued' ? t`Saved on this phone. It will sync when you are online.` : t`Saved.`}</p>
        <Link class="button" href="/history">
          {t`Back to History`}
        </Link>
      </div>
    );
  }
  const F = (props) => <Field errors={form.fields} value={values[props.name]} onInput={set(props.name)} {...props} />;
  return (
    <form class="card" onSubmit={form.submit} noValidate>
      <p class="muted">{say(DIARY_KINDS, kind)}</p>
      {kind === 'symptom' && (
        <>
          <Field as="select" label={t`Symptom`} name="symptom" errors={form.fields} value={values.symptom} onChange={set('symptom')}>
            {symptoms.map((e) => (
              <option key={e.code} value={e.code}>
                {e.name}
                {e.group ? ` (${say(DOMAINS, e.group)})` : ''}
              </option>
            ))}
          </Field>
          {F({ name: 'severity', label: t`How bad: ${values.severity} of 10`, type: 'range', min: 0, max: 10, 'aria-valuetext': t`${values.severity} of 10` })}
          {F({ name: 'occurred_at', label: t`When`, type: 'datetime-local' })}
          {F({ name: 'duration_minutes', label: t`How long, in minutes (optional)`, type: 'number', min: 0, inputMode: 'numeric' })}
          <BodyAreas value={values.body_areas} onChange={(body_areas) => setValues({ ...values, body_areas })} />
        </>
      )}
      {kind === 'check_in' && (
        <>
          {F({ name: 'overall_severity', label: t`Overall symptoms: ${values.overall_severity} of 10`, type: 'range', min: 0, max: 10, 'aria-valuetext': t`${values.overall_severity} of 10` })}
          {F({ name: 'quality_of_life', label: t`Quality of life: ${values.quality_of_life} of 100`, type: 'range', min: 0, max: 100, 'aria-valuetext': t`${values.quality_of_life} of 100` })}
        </>
      )}
      {kind === 'trigger_exposure' && (
        <>
          <Field as="select" label={t`Trigger`} name="trigger" errors={form.fields} value={values.trigger} onChange={set('trigger')}>
            {symptoms.map((e) => (
              <option key={e.code} value={e.code}>
                {e.name}
                {e.group ? ` (${say(TRIGGER_CATEGORIES, e.group)})` : ''}
              </option>
            ))}
          </Field>
          {F({ name: 'occurred_at', label: t`When`, type: 'datetime-local' })}
          {F({ name: 'detail', label: t`Detail (optional)`, maxLength: 200 })}
        </>
      )}
      {kind === 'anaphylaxis_episode' && (
        <>
          {F({ name: 'onset_at', label: t`When it started`, type: 'datetime-local' })}
          <fieldset>
            <legend>{t`What happened`}</legend>
            {Object.keys(FINDINGS).map((code) => (
              <label class="check" key={code}>
                <input type="checkbox" checked={values.findings.includes(code)} onChange={() => setValues({ ...values, findings: values.findings.includes(code) ? values.findings.filter((c) => c !== code) : [...values.findings, code] })} />
                {say(FINDINGS, code)}
              </label>
            ))}
          </fieldset>
          {F({ name: 'epinephrine_doses', label: t`Epinephrine doses given`, type: 'number', min: 0, max: 10, inputMode: 'numeric' })}
          <label class="check">
            <input type="checkbox" checked={values.emergency_visit} onChange={set('emergency_visit')} />
            {t`Went to an emergency department`}
          </label>
        </>
      )}
      {kind === 'lab_result' && (
        <>
          {F({ name: 'value', label: t`Result, in ${record.unit}`, inputMode: 'decimal' })}
          {F({ name: 'sampled_at', label: t`When the sample was taken`, type: 'datetime-local' })}
        </>
      )}
      {kind === 'dose' && (
        <>
          <Field as="select" label={t`Dose`} name="status" errors={form.fields} value={values.status} onChange={set('status')}>
            <option value="taken">{t`Taken`}</option>
            <option value="skipped">{t`Skipped`}</option>
          </Field>
          {F({ name: 'taken_at', label: t`When`, type: 'datetime-local' })}
          {values.status === 'skipped' && F({ name: 'skip_reason', label: t`Why was it skipped?` })}
          {values.status === 'taken' && record.injection_site && (
            <Field as="select" label={t`Injection site`} name="injection_site" errors={form.fields} value={values.injection_site} onChange={set('injection_site')}>
              {Object.keys(SITES).map((code) => (
                <option key={code} value={code}>
                  {say(SITES, code)}
                </option>
              ))}
            </Field>
          )}
        </>
      )}
      {F({ name: 'note', label: t`Note (optional)`, as: 'textarea', rows: 3 })}
      <FormError error={form.error} shown={Object.keys(values)} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Save changes`}
      </button>
      <p class="muted">{t`Last saved ${formatWhen(record.updated_at)}.`}</p>
    </form>
  );
}

function ConflictFor({ outcome, mine, kind, onDone }) {
  const [item, setItem] = useState(null);
  useEffect(() => {
    import('../lib/outbox.js').then(({ listOutbox }) => listOutbox()).then((items) => setItem(items.find((i) => i.id === outcome.id) || null));
  }, [outcome.id]);
  if (!item) return null;
  return <ConflictChoice item={item} current={outcome.current} mine={mine} kind={kind} onDone={onDone} />;
}
