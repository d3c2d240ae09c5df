// Medications: the list with dose and next due time, adding one (with the last dose given, for a
// regimen counted from it), changing, pausing or stopping one, logging a dose (offline too), the
// next two weeks, and a calendar feed of upcoming doses.
import { msg, plural, t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { addDays, formatDate, formatNumber, formatDay, formatTime, formatWhen, localInput, todayIn, toIso } from '../lib/format.js';
import { i18n } from '../lib/i18n.js';
import { Link, navigate } from '../lib/router.jsx';
import { canWriteDiary } from '../lib/session.js';
import { submitSynced } from '../lib/sync.js';
import { Confirm, Field, FormError, Loaded, SaveOrCancel, useSubmit } from '../lib/ui.jsx';
import { ROUTES_OF_GIVING, say, SITES } from '../lib/words.js';
import { medicationsCacheKey } from './today.jsx';

const INJECTED = new Set(['subcutaneous', 'intramuscular']);
const DOSE_UNITS = ['mg', 'µg', 'g', 'mL', 'IU', 'units', 'tablets', 'capsules', 'puffs', 'drops'];
// The units stored by their English code; the words ones are shown in the reader's language.
const DOSE_UNIT_WORDS = { units: msg`units`, tablets: msg`tablets`, capsules: msg`capsules`, puffs: msg`puffs`, drops: msg`drops` };
const unitWord = (unit) => (DOSE_UNIT_WORDS[unit] ? i18n._(DOSE_UNIT_WORDS[unit]) : unit);
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

// "Monday" … in the reader's language (0 = Monday, as the server counts).
const weekdayName = (n) => formatDay(`2024-01-0${n + 1}`, { weekday: true }).split(/[ ,]/)[0];

export function regimenText(m) {
  const times = (m.times_of_day || []).join(', ');
  if (m.regimen_kind === 'interval') {
    const every = m.interval_unit === 'hours' ? plural(m.interval, { one: 'Every hour', other: 'Every # hours' }) : m.interval_unit === 'days' ? plural(m.interval, { one: 'Every day', other: 'Every # days' }) : plural(m.interval, { one: 'Every week', other: 'Every # weeks' });
    return m.interval_anchor === 'last_dose' ? t`${every}, counted from the last dose given` : t`${every}, from the start date`;
  }
  if (m.regimen_kind === 'as_needed') return t`As needed`;
  if (m.regimen_kind === 'weekdays') return t`On ${(m.weekdays || []).map(weekdayName).join(', ')} at ${times}`;
  return t`Every day at ${times}`;
}

export const doseText = (m) => (m.dose ? `${formatNumber(m.dose)} ${unitWord(m.dose_unit)}`.trim() : '');

function useMedications(patient) {
  return useData(() => api(patientPath(patient.id, 'medications/')), [patient.id], { cache: medicationsCacheKey(patient) });
}

export function DoseForm({ patient, medication, onDone }) {
  const injected = INJECTED.has(medication.route);
  const [values, setValues] = useState({ status: 'taken', taken_at: localInput(), location: 'home', injection_site: medication.suggested_injection_site || (injected ? 'abdomen_left' : ''), skip_reason: '', note: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const [saved, setSaved] = useState(null);
  const form = useSubmit(async () => {
    const body = {
      id: crypto.randomUUID(),
      medication: medication.id,
      status: values.status,
      taken_at: toIso(values.taken_at),
      given_by: patient.my_role === 'owner' ? 'patient' : patient.my_role === 'clinician' ? 'clinic' : 'caregiver',
      location: patient.my_role === 'clinician' ? 'clinic' : values.location,
    };
    if (values.status === 'taken' && injected && values.injection_site) body.injection_site = values.injection_site;
    if (values.status === 'skipped') body.skip_reason = values.skip_reason;
    if (values.note) body.note = values.note;
    const label = values.status === 'taken' ? t`${medication.name} taken` : t`${medication.name} skipped`;
    const result = await submitSynced({ url: patientPath(patient.id, 'doses/'), body, label, kind: 'dose', patientId: patient.id });
    setSaved(result.state);
    onDone?.(result);
  });
  if (saved) return <p class="notice" role="status">{saved === 'synced' ? t`Dose of ${medication.name} logged.` : t`Dose of ${medication.name} saved on this phone; it will sync when online.`}</p>;
  return (
    <form onSubmit={form.submit} noValidate aria-label={t`Log a dose of ${medication.name}`}>
      <fieldset class="chips">
        <legend>{t`Dose`}</legend>
        {[
          ['taken', t`Taken`],
          ['skipped', t`Skipped`],
        ].map(([status, label]) => (
          <button key={status} type="button" class="chip" aria-pressed={values.status === status ? 'true' : 'false'} onClick={() => setValues({ ...values, status })}>
            {label}
          </button>
        ))}
      </fieldset>
      <Field label={t`When`} name="taken_at" type="datetime-local" errors={form.fields} value={values.taken_at} onInput={set('taken_at')} />
      {values.status === 'skipped' && <Field label={t`Why was it skipped?`} name="skip_reason" errors={form.fields} value={values.skip_reason} onInput={set('skip_reason')} />}
      {values.status === 'taken' && injected && (
        <Field as="select" label={t`Injection site`} name="injection_site" hint={medication.suggested_injection_site ? t`Next in the rotation: ${say(SITES, medication.suggested_injection_site)}` : undefined} errors={form.fields} value={values.injection_site} onChange={set('injection_site')}>
          {Object.keys(SITES).map((site) => (
            <option key={site} value={site}>
              {say(SITES, site)}
            </option>
          ))}
        </Field>
      )}
      {patient.my_role !== 'clinician' && (
        <Field as="select" label={t`Where`} name="location" errors={form.fields} value={values.location} onChange={set('location')}>
          <option value="home">{t`At home`}</option>
          <option value="clinic">{t`At the clinic`}</option>
        </Field>
      )}
      <FormError error={form.error} shown={['taken_at', 'skip_reason', 'injection_site', 'location']} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Save dose`}
      </button>
    </form>
  );
}

function MedicationCard({ patient, medication: m, children }) {
  const stopped = m.end_date && m.end_date < todayIn(patient.time_zone);
  return (
    <li class="card" data-testid="medication">
      <h2>
        <Link href={`/medications/${m.id}`}>{m.name}</Link>
      </h2>
      <p>
        {doseText(m) && <strong>{doseText(m)}</strong>}
        {doseText(m) ? ' · ' : ''}
        {say(ROUTES_OF_GIVING, m.route)}
      </p>
      <p class="muted">
        {regimenText(m)}
        {m.paused_at ? ` · ${t`paused`}` : ''}
        {stopped ? ` · ${t`stopped ${formatDate(m.end_date)}`}` : m.end_date ? ` · ${t`until ${formatDate(m.end_date)}`}` : ''}
      </p>
      {!m.paused_at && !stopped && m.regimen_kind !== 'as_needed' && <p>{m.next_dose_due_at ? t`Next dose: ${formatWhen(m.next_dose_due_at, patient.time_zone)}` : t`Next dose: once the first dose is logged.`}</p>}
      {children}
    </li>
  );
}

export function Medications({ patient }) {
  const medications = useMedications(patient);
  const [logging, setLogging] = useState(null);
  const canWrite = canWriteDiary(patient);
  return (
    <>
      <h1>{t`Medications`}</h1>
      <Loaded state={medications} empty={t`No medications yet.`}>
        {(list) => (
          <ul class="list">
            {list.map((m) => (
              <MedicationCard key={m.id} patient={patient} medication={m}>
                {logging === m.id ? (
                  <DoseForm patient={patient} medication={m} onDone={(result) => result.state === 'synced' && medications.reload()} />
                ) : (
                  canWrite &&
                  !m.paused_at && (
                    <button type="button" class="button button--small" onClick={() => setLogging(m.id)} aria-label={t`Log a dose of ${m.name}`}>
                      {t`Log a dose`}
                    </button>
                  )
                )}
              </MedicationCard>
            ))}
          </ul>
        )}
      </Loaded>
      {canWrite && (
        <p>
          <Link class="button button--secondary" href="/medications/new">
            {t`Add a medication`}
          </Link>
        </p>
      )}
      {medications.data?.length > 0 && <Schedule patient={patient} medications={medications.data} />}
      <CalendarFeed patient={patient} />
    </>
  );
}

function Schedule({ patient, medications }) {
  const start = todayIn(patient.time_zone);
  const end = addDays(start, 13);
  const schedule = useData(() => api(patientPath(patient.id, `medications/schedule/?start=${start}&end=${end}`)), [patient.id, start], { cache: `schedule:${patient.id}`, isEmpty: (d) => !d.occurrences.length });
  const names = Object.fromEntries(medications.map((m) => [m.id, m.name]));
  const STATES = { taken: t`taken`, taken_late: t`taken late`, skipped: t`skipped`, missed: t`missed`, due: t`due`, upcoming: '' };
  return (
    <section class="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">{t`Next two weeks`}</h2>
      <Loaded state={schedule} empty={t`Nothing scheduled.`}>
        {(data) => (
          <ul class="list">
            {data.occurrences.slice(0, 14).map((o) => (
              <li key={`${o.medication}-${o.due_at}`} class="item">
                <span>
                  <strong>{names[o.medication] || t`A medication`}</strong>
                  <br />
                  <span class="muted">
                    {formatDay(todayIn(patient.time_zone, new Date(o.due_at)))}, {formatTime(o.due_at, patient.time_zone)}
                  </span>
                </span>
                <span>{STATES[o.state] ?? o.state}</span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function CalendarFeed({ patient }) {
  const feed = useData(() => api(patientPath(patient.id, 'medications/calendar-feed')), [patient.id], { isEmpty: () => false });
  const [url, setUrl] = useState(null);
  const create = useSubmit(async () => {
    const made = await api(patientPath(patient.id, 'medications/calendar-feed'), { method: 'POST' });
    setUrl(made.url);
    feed.set(made);
  });
  const revoke = useSubmit(async () => {
    await api(patientPath(patient.id, 'medications/calendar-feed'), { method: 'DELETE' });
    setUrl(null);
    feed.reload();
  });
  return (
    <section class="card" aria-labelledby="calendar-title">
      <h2 id="calendar-title">{t`Doses in your calendar`}</h2>
      <p class="muted">{t`A private link your phone's calendar can subscribe to: upcoming doses with the medicine's name and time only.`}</p>
      <Loaded state={feed}>
        {(data) => (
          <>
            {url && (
              <div class="share-url">
                <p>{t`Add this link to your calendar app now: it is shown only once.`}</p>
                <CopyField label={t`Calendar link`} value={url} />
              </div>
            )}
            {data.active && !url && <p>{t`A calendar link is active (made ${formatDate(data.created_at)}).`}</p>}
            <div class="actions">
              <button type="button" class="button button--secondary button--small" onClick={create.submit} disabled={create.busy}>
                {data.active ? t`Make a new link` : t`Make a calendar link`}
              </button>
              {data.active && (
                <button type="button" class="button button--secondary button--small" onClick={revoke.submit} disabled={revoke.busy}>
                  {t`Stop the link`}
                </button>
              )}
            </div>
            <FormError error={create.error || revoke.error} />
          </>
        )}
      </Loaded>
    </section>
  );
}

export function CopyField({ label, value }) {
  const [copied, setCopied] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(t`Copied.`);
    } catch {
      setCopied(t`Select the link and copy it.`);
    }
  };
  return (
    <div class="copy">
      <Field label={label} name="copy" value={value} readOnly onFocus={(e) => e.currentTarget.select()} />
      <button type="button" class="button button--secondary button--small" onClick={copy}>
        {t`Copy`}
      </button>
      <span class="notice" aria-live="polite">
        {copied}
      </span>
    </div>
  );
}

// The medication form's fields, shared by adding and changing one.
function RegimenFields({ values, set, setValues, form, adding }) {
  const toggleDay = (day) => setValues({ ...values, weekdays: values.weekdays.includes(day) ? values.weekdays.filter((d) => d !== day) : [...values.weekdays, day].sort() });
  return (
    <>
      <div class="row">
        <Field label={t`Dose (optional)`} name="dose" inputMode="decimal" hint={t`A number, e.g. 300`} errors={form.fields} value={values.dose} onInput={set('dose')} />
        <Field as="select" label={t`Unit`} name="dose_unit" errors={form.fields} value={values.dose_unit} onChange={set('dose_unit')}>
          {DOSE_UNITS.map((unit) => (
            <option key={unit} value={unit}>
              {unitWord(unit)}
            </option>
          ))}
        </Field>
      </div>
      <Field as="select" label={t`How it is given`} name="route" errors={form.fields} value={values.route} onChange={set('route')}>
        {Object.keys(ROUTES_OF_GIVING).map((code) => (
          <option key={code} value={code}>
            {say(ROUTES_OF_GIVING, code)}
          </option>
        ))}
      </Field>
      <Field as="select" label={t`How often`} name="regimen_kind" errors={form.fields} value={values.regimen_kind} onChange={set('regimen_kind')}>
        <option value="daily">{t`Every day at set times`}</option>
        <option value="weekdays">{t`On some days of the week`}</option>
        <option value="interval">{t`Every few hours, days or weeks`}</option>
        <option value="as_needed">{t`As needed`}</option>
      </Field>
      {values.regimen_kind === 'weekdays' && (
        <fieldset class="chips">
          <legend>{t`Which days`}</legend>
          {WEEKDAYS.map((day) => (
            <button key={day} type="button" class="chip" aria-pressed={values.weekdays.includes(day) ? 'true' : 'false'} onClick={() => toggleDay(day)}>
              {weekdayName(day)}
            </button>
          ))}
          {form.fields.weekdays && <p class="field-error">{[].concat(form.fields.weekdays).join(' ')}</p>}
        </fieldset>
      )}
      {values.regimen_kind === 'interval' && (
        <>
          <div class="row">
            <Field label={t`Every`} name="interval" type="number" inputMode="numeric" min="1" max="366" errors={form.fields} value={values.interval} onInput={set('interval')} />
            <Field as="select" label={t`Unit`} name="interval_unit" errors={form.fields} value={values.interval_unit} onChange={set('interval_unit')}>
              <option value="hours">{t`hours`}</option>
              <option value="days">{t`days`}</option>
              <option value="weeks">{t`weeks`}</option>
            </Field>
          </div>
          <Field as="select" label={t`Counted from`} name="interval_anchor" errors={form.fields} value={values.interval_anchor} onChange={set('interval_anchor')}>
            <option value="last_dose">{t`the last dose actually given`}</option>
            <option value="calendar">{t`the start date (fixed calendar)`}</option>
          </Field>
        </>
      )}
      {values.regimen_kind !== 'as_needed' && (
        <Field label={values.regimen_kind === 'interval' && values.interval_unit !== 'hours' ? t`Usual time of day` : t`Times of day`} hint={t`24-hour, several separated by commas, e.g. 08:00, 20:00`} name="times_of_day" errors={form.fields} value={values.times_of_day} onInput={set('times_of_day')} />
      )}
      <Field label={t`Start date`} name="start_date" type="date" errors={form.fields} value={values.start_date} onInput={set('start_date')} />
      {!adding && <Field label={t`End date (optional)`} name="end_date" type="date" errors={form.fields} value={values.end_date} onInput={set('end_date')} />}
    </>
  );
}

function bodyOf(values) {
  const body = { regimen_kind: values.regimen_kind, start_date: values.start_date, route: values.route };
  if (values.name) body.name = values.name;
  body.dose = values.dose === '' ? null : values.dose.replace(',', '.').replace(/\s/g, '');
  body.dose_unit = values.dose === '' ? '' : values.dose_unit;
  body.times_of_day = values.regimen_kind === 'as_needed' ? [] : values.times_of_day.split(/[ ,;]+/).filter(Boolean);
  if (values.regimen_kind === 'weekdays') body.weekdays = values.weekdays;
  if (values.regimen_kind === 'interval') Object.assign(body, { interval: Number(values.interval), interval_unit: values.interval_unit, interval_anchor: values.interval_anchor });
  if ('end_date' in values) body.end_date = values.end_date || null;
  return body;
}

// "300 mg" typed into the dose box: the number goes to `dose`, a unit we know to `dose_unit`.
function splitDose(values) {
  const found = String(values.dose).trim().match(/^([\d.,\s]+)\s*([^\d\s].*)?$/);
  if (!found) return values;
  const unit = found[2]?.trim();
  return { ...values, dose: found[1].trim(), dose_unit: unit && DOSE_UNITS.includes(unit) ? unit : values.dose_unit };
}

export function AddMedication({ patient }) {
  const catalogue = useData(() => api(patientPath(patient.id, 'medications/catalogue/')), [patient.id], { cache: 'drug-catalogue' });
  const [values, setValues] = useState({ catalogue: '', name: '', route: 'oral', regimen_kind: 'daily', interval: '4', interval_unit: 'weeks', interval_anchor: 'last_dose', times_of_day: '09:00', weekdays: [], start_date: todayIn(patient.time_zone), dose: '', dose_unit: 'mg', last_dose_at: '', last_dose_injection_site: '' });
  const set = (name) => (event) => {
    const value = event.currentTarget.value;
    const next = { ...values, [name]: value };
    if (name === 'catalogue') {
      const drug = catalogue.data?.find((d) => d.id === value);
      if (drug) Object.assign(next, { route: drug.route, ...(drug.route === 'subcutaneous' && /omalizumab/i.test(drug.name) ? { regimen_kind: 'interval', interval: '4', interval_unit: 'weeks', interval_anchor: 'last_dose' } : {}) });
    }
    setValues(name === 'dose' ? next : next);
  };
  const countsFromLastDose = values.regimen_kind === 'interval' && values.interval_anchor === 'last_dose';
  const form = useSubmit(async () => {
    const clean = splitDose(values);
    const body = bodyOf(clean);
    if (clean.catalogue) body.catalogue = clean.catalogue;
    if (body.dose === null) delete body.dose;
    if (countsFromLastDose && clean.last_dose_at) {
      body.last_dose_at = toIso(clean.last_dose_at);
      if (INJECTED.has(clean.route) && clean.last_dose_injection_site) body.last_dose_injection_site = clean.last_dose_injection_site;
    }
    // The server logs `last_dose_at` as a dose, and the cycle counts from it.
    const created = await api(patientPath(patient.id, 'medications/'), { method: 'POST', body });
    navigate(`/medications/${created.id}`, { replace: true });
  });
  return (
    <>
      <h1>{t`Add a medication`}</h1>
      <form onSubmit={form.submit} class="card" noValidate>
        <Field as="select" label={t`From the list`} name="catalogue" errors={form.fields} value={values.catalogue} onChange={set('catalogue')}>
          <option value="">{t`Not in the list (type a name)`}</option>
          {(catalogue.data || []).map((drug) => (
            <option key={drug.id} value={drug.id}>
              {drug.name}
            </option>
          ))}
        </Field>
        {!values.catalogue && <Field label={t`Name`} name="name" errors={form.fields} value={values.name} onInput={set('name')} />}
        <RegimenFields values={values} set={set} setValues={setValues} form={form} adding />
        {countsFromLastDose && (
          <fieldset class="card card--inner">
            <legend>{t`When was the last dose given?`}</legend>
            <p class="hint">{t`The next dose is counted from it. Leave it empty if there has been none yet.`}</p>
            <Field label={t`Last dose given`} name="last_dose_at" type="datetime-local" max={localInput()} errors={form.fields} value={values.last_dose_at} onInput={set('last_dose_at')} />
            {INJECTED.has(values.route) && values.last_dose_at && (
              <Field as="select" label={t`Where it was injected`} name="last_dose_injection_site" errors={form.fields} value={values.last_dose_injection_site} onChange={set('last_dose_injection_site')}>
                <option value="">{t`Not noted`}</option>
                {Object.keys(SITES).map((site) => (
                  <option key={site} value={site}>
                    {say(SITES, site)}
                  </option>
                ))}
              </Field>
            )}
          </fieldset>
        )}
        <FormError error={form.error} shown={['catalogue', 'name', 'route', 'regimen_kind', 'interval', 'interval_unit', 'interval_anchor', 'times_of_day', 'weekdays', 'dose', 'dose_unit', 'start_date', 'last_dose_at', 'last_dose_injection_site']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Add medication`}
        </button>
      </form>
    </>
  );
}

export function MedicationDetail({ patient, medicationId, query }) {
  const medications = useMedications(patient);
  const [mode, setMode] = useState(query?.get('log') ? 'log' : null);
  const canWrite = canWriteDiary(patient);
  return (
    <>
      <h1>{t`Medication`}</h1>
      <p>
        <Link href="/medications">{t`All medications`}</Link>
      </p>
      <Loaded state={medications}>
        {(list) => {
          const m = list.find((x) => x.id === medicationId);
          if (!m) return <p>{t`This medication is not on ${patient.display_name}'s list.`}</p>;
          return (
            <>
              <ul class="list">
                <MedicationCard patient={patient} medication={m}>
                  {mode === 'log' && <DoseForm patient={patient} medication={m} onDone={(result) => result.state === 'synced' && medications.reload()} />}
                  {mode !== 'log' && (canWrite || patient.my_role === 'clinician') && !m.paused_at && (
                    <button type="button" class="button button--small" onClick={() => setMode('log')}>
                      {t`Log a dose`}
                    </button>
                  )}
                </MedicationCard>
              </ul>
              {canWrite && <Manage patient={patient} medication={m} onChanged={(changed) => medications.set(list.map((x) => (x.id === changed.id ? changed : x)))} mode={mode} setMode={setMode} />}
              <RecentDoses patient={patient} medication={m} />
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function Manage({ patient, medication: m, onChanged, mode, setMode }) {
  const [message, setMessage] = useState('');
  const action = useSubmit(async (what) => {
    const request = {
      stop: () => api(patientPath(patient.id, `medications/${m.id}/`), { method: 'PATCH', body: { end_date: todayIn(patient.time_zone) } }),
      pause: () => api(patientPath(patient.id, `medications/${m.id}/pause/`), { method: 'POST' }),
      resume: () => api(patientPath(patient.id, `medications/${m.id}/resume/`), { method: 'POST' }),
    }[what]();
    onChanged(await request);
    setMode(null);
    setMessage({ pause: t`Paused: no reminders until you resume it.`, resume: t`Resumed: reminders are planned again.`, stop: t`Stopped as of today.` }[what]);
  });
  const stopped = m.end_date && m.end_date <= todayIn(patient.time_zone);
  return (
    <section class="card" aria-labelledby="manage-title">
      <h2 id="manage-title">{t`Change, pause or stop`}</h2>
      <p class="notice" role="status">
        {message}
      </p>
      {mode === 'edit' ? (
        <EditMedication patient={patient} medication={m} onSaved={(changed) => { onChanged(changed); setMode(null); setMessage(t`Saved.`); }} onCancel={() => setMode(null)} />
      ) : mode === 'stop' ? (
        <Confirm question={t`Stop ${m.name} as of today? Reminders end; the history stays.`} yes={t`Stop it`} danger onYes={() => action.submit('stop')} onNo={() => setMode(null)} />
      ) : (
        <div class="actions">
          <button type="button" class="button button--secondary button--small" onClick={() => setMode('edit')}>
            {t`Change`}
          </button>
          {m.paused_at ? (
            <button type="button" class="button button--secondary button--small" onClick={() => action.submit('resume')} disabled={action.busy}>
              {t`Resume`}
            </button>
          ) : (
            <button type="button" class="button button--secondary button--small" onClick={() => action.submit('pause')} disabled={action.busy}>
              {t`Pause`}
            </button>
          )}
          {!stopped && (
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('stop')}>
              {t`Stop`}
            </button>
          )}
        </div>
      )}
      <FormError error={action.error} />
    </section>
  );
}

function EditMedication({ patient, medication: m, onSaved, onCancel }) {
  const [values, setValues] = useState({
    name: m.name,
    route: m.route,
    regimen_kind: m.regimen_kind,
    interval: String(m.interval || 4),
    interval_unit: m.interval_unit || 'weeks',
    interval_anchor: m.interval_anchor || 'last_dose',
    times_of_day: (m.times_of_day || []).join(', '),
    weekdays: m.weekdays || [],
    start_date: m.start_date,
    end_date: m.end_date || '',
    dose: m.dose ? String(Number(m.dose)) : '',
    dose_unit: m.dose_unit || 'mg',
  });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSubmit(async () => {
    const changed = await api(patientPath(patient.id, `medications/${m.id}/`), { method: 'PATCH', body: bodyOf(splitDose(values)) });
    onSaved(changed);
  });
  return (
    <form onSubmit={form.submit} noValidate aria-label={t`Change ${m.name}`}>
      <Field label={t`Name`} name="name" errors={form.fields} value={values.name} onInput={set('name')} />
      <RegimenFields values={values} set={set} setValues={setValues} form={form} />
      <FormError error={form.error} shown={['name', 'route', 'regimen_kind', 'interval', 'interval_unit', 'interval_anchor', 'times_of_day', 'weekdays', 'dose', 'dose_unit', 'start_date', 'end_date']} />
      <SaveOrCancel busy={form.busy} onCancel={onCancel} />
    </form>
  );
}

function RecentDoses({ patient, medication }) {
  const doses = useData(() => api(patientPath(patient.id, `doses/?medication=${medication.id}&page_size=10`)), [patient.id, medication.id], { cache: `doses:${medication.id}` });
  return (
    <section class="card" aria-labelledby="recent-title">
      <h2 id="recent-title">{t`Recent doses`}</h2>
      <Loaded state={doses} empty={t`No doses logged yet.`}>
        {(page) => (
          <ul class="list">
            {page.results.map((d) => (
              <li key={d.id} class="item">
                <span>
                  {formatWhen(d.taken_at, patient.time_zone)}
                  <br />
                  <span class="muted">{d.status === 'skipped' ? t`Skipped: ${d.skip_reason}` : d.injection_site ? t`Taken · ${say(SITES, d.injection_site)}` : t`Taken`}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <p>
        <Link href="/history?kind=dose">{t`Change or delete a dose in History`}</Link>
      </p>
    </section>
  );
}
