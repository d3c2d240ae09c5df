// Medications: the list with the next due dose, logging a dose (with the injection site for
// injections), adding a medication, and the next weeks' schedule.
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { submitSynced } from '../lib/sync.js';
import { Field, FormError, formatWhen, humanize, localNow, Loading, todayIn, toIso, useSubmit } from '../lib/ui.jsx';

const SITES = ['abdomen_left', 'abdomen_right', 'thigh_left', 'thigh_right', 'upper_arm_left', 'upper_arm_right'];
const INJECTED = new Set(['subcutaneous', 'intramuscular']);

function DoseForm({ patient, medication, onDone }) {
  const injected = INJECTED.has(medication.route);
  const [values, setValues] = useState({ status: 'taken', taken_at: localNow(), location: 'home', injection_site: medication.suggested_injection_site || (injected ? 'abdomen_left' : ''), skip_reason: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const [saved, setSaved] = useState(null);
  const form = useSubmit(async () => {
    const body = {
      id: crypto.randomUUID(),
      medication: medication.id,
      status: values.status,
      taken_at: toIso(values.taken_at),
      given_by: patient.my_role === 'owner' ? 'patient' : patient.my_role === 'clinician' ? 'clinic' : 'caregiver',
      location: values.location,
    };
    if (values.status === 'taken' && injected && values.injection_site) body.injection_site = values.injection_site;
    if (values.status === 'skipped') body.skip_reason = values.skip_reason;
    const result = await submitSynced({ url: patientPath(patient.id, 'doses/'), body, label: `${medication.name} ${values.status}` });
    setSaved(result.state);
    onDone?.(result);
  });
  if (saved) return <p class="notice" role="status">{saved === 'synced' ? `Dose of ${medication.name} logged.` : `Dose of ${medication.name} saved on this phone; it will sync when online.`}</p>;
  return (
    <form onSubmit={form.submit} noValidate aria-label={`Log a dose of ${medication.name}`}>
      <fieldset class="chips">
        <legend>Dose</legend>
        {['taken', 'skipped'].map((status) => (
          <button key={status} type="button" class="chip" aria-pressed={values.status === status ? 'true' : 'false'} onClick={() => setValues({ ...values, status })}>
            {status === 'taken' ? 'Taken' : 'Skipped'}
          </button>
        ))}
      </fieldset>
      <Field label="When" name="taken_at" type="datetime-local" errors={form.fields} value={values.taken_at} onInput={set('taken_at')} />
      {values.status === 'skipped' && <Field label="Why was it skipped?" name="skip_reason" errors={form.fields} value={values.skip_reason} onInput={set('skip_reason')} />}
      {values.status === 'taken' && injected && (
        <Field as="select" label="Injection site" name="injection_site" hint={medication.suggested_injection_site ? `Next in the rotation: ${humanize(medication.suggested_injection_site)}` : undefined} errors={form.fields} value={values.injection_site} onChange={set('injection_site')}>
          {SITES.map((site) => (
            <option key={site} value={site}>{humanize(site)}</option>
          ))}
        </Field>
      )}
      <Field as="select" label="Where" name="location" errors={form.fields} value={values.location} onChange={set('location')}>
        <option value="home">At home</option>
        <option value="clinic">At the clinic</option>
      </Field>
      <FormError error={form.error} shown={['taken_at', 'skip_reason', 'injection_site', 'location']} />
      <button class="button" type="submit" disabled={form.busy}>Save dose</button>
    </form>
  );
}

function AddMedication({ patient, onAdded }) {
  const [catalogue, setCatalogue] = useState([]);
  const [values, setValues] = useState({ catalogue: '', name: '', regimen_kind: 'interval', interval: '4', interval_unit: 'weeks', interval_anchor: 'last_dose', times_of_day: '09:00', start_date: todayIn(patient.time_zone), dose: '', dose_unit: 'mg' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  useEffect(() => {
    api(patientPath(patient.id, 'medications/catalogue/')).then(setCatalogue).catch(() => {});
  }, [patient.id]);
  const form = useSubmit(async () => {
    const body = { regimen_kind: values.regimen_kind, start_date: values.start_date };
    if (values.catalogue) body.catalogue = values.catalogue;
    if (values.name) body.name = values.name;
    if (values.dose) Object.assign(body, { dose: values.dose, dose_unit: values.dose_unit });
    if (values.regimen_kind !== 'as_needed') body.times_of_day = values.times_of_day.split(/[ ,]+/).filter(Boolean);
    if (values.regimen_kind === 'interval') Object.assign(body, { interval: Number(values.interval), interval_unit: values.interval_unit, interval_anchor: values.interval_anchor });
    const created = await api(patientPath(patient.id, 'medications/'), { method: 'POST', body });
    onAdded(created);
  });
  return (
    <form onSubmit={form.submit} class="card" noValidate aria-labelledby="add-title">
      <h2 id="add-title">Add a medication</h2>
      <Field as="select" label="From the list" name="catalogue" errors={form.fields} value={values.catalogue} onChange={set('catalogue')}>
        <option value="">Not in the list (type a name)</option>
        {catalogue.map((drug) => (
          <option key={drug.id} value={drug.id}>{drug.name}</option>
        ))}
      </Field>
      {!values.catalogue && <Field label="Name" name="name" errors={form.fields} value={values.name} onInput={set('name')} />}
      <Field as="select" label="How often" name="regimen_kind" errors={form.fields} value={values.regimen_kind} onChange={set('regimen_kind')}>
        <option value="daily">Every day at set times</option>
        <option value="interval">Every N hours, days or weeks</option>
        <option value="as_needed">As needed</option>
      </Field>
      {values.regimen_kind === 'interval' && (
        <>
          <Field label="Every" name="interval" type="number" inputMode="numeric" min="1" max="366" errors={form.fields} value={values.interval} onInput={set('interval')} />
          <Field as="select" label="Unit" name="interval_unit" errors={form.fields} value={values.interval_unit} onChange={set('interval_unit')}>
            <option value="hours">hours</option>
            <option value="days">days</option>
            <option value="weeks">weeks</option>
          </Field>
          <Field as="select" label="Counted from" name="interval_anchor" errors={form.fields} value={values.interval_anchor} onChange={set('interval_anchor')}>
            <option value="last_dose">the last dose actually given</option>
            <option value="calendar">the start date (fixed calendar)</option>
          </Field>
        </>
      )}
      {values.regimen_kind !== 'as_needed' && <Field label="Time of day (HH:MM, several separated by commas)" name="times_of_day" errors={form.fields} value={values.times_of_day} onInput={set('times_of_day')} />}
      <Field label="Dose (optional)" name="dose" inputMode="decimal" errors={form.fields} value={values.dose} onInput={set('dose')} />
      <Field label="Start date" name="start_date" type="date" errors={form.fields} value={values.start_date} onInput={set('start_date')} />
      <FormError error={form.error} shown={['catalogue', 'name', 'regimen_kind', 'interval', 'interval_unit', 'interval_anchor', 'times_of_day', 'dose', 'start_date']} />
      <button class="button" type="submit" disabled={form.busy}>Add medication</button>
    </form>
  );
}

function regimenText(m) {
  if (m.regimen_kind === 'interval') return `Every ${m.interval} ${m.interval_unit}${m.interval_anchor === 'last_dose' ? ', counted from the last dose' : ''}`;
  if (m.regimen_kind === 'as_needed') return 'As needed';
  if (m.regimen_kind === 'weekdays') return `On set weekdays at ${m.times_of_day.join(', ')}`;
  return `Daily at ${m.times_of_day.join(', ')}`;
}

function Schedule({ patient, version }) {
  const [schedule, setSchedule] = useState(null);
  useEffect(() => {
    const start = todayIn(patient.time_zone);
    const end = new Date(Date.parse(start) + 13 * 86400_000).toISOString().slice(0, 10);
    api(patientPath(patient.id, `medications/schedule/?start=${start}&end=${end}`)).then(setSchedule).catch(() => setSchedule({ occurrences: [] }));
  }, [patient.id, version]);
  if (!schedule) return <Loading />;
  const upcoming = schedule.occurrences.slice(0, 12);
  return (
    <section class="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Next two weeks</h2>
      {upcoming.length === 0 ? <p class="muted">Nothing scheduled.</p> : (
        <ul class="list">
          {upcoming.map((o) => (
            <li key={`${o.medication}-${o.due_at}`} class="item">
              <span>{formatWhen(o.due_at, patient.time_zone)}</span>
              <span>{humanize(o.state)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Medications({ patient, query, medicationId }) {
  const [medications, setMedications] = useState(null);
  const [logging, setLogging] = useState(query?.get('log') || medicationId || null);
  const [adding, setAdding] = useState(false);
  const [version, setVersion] = useState(0);
  const canWrite = patient.my_role !== 'clinician';
  useEffect(() => {
    api(patientPath(patient.id, 'medications/')).then(setMedications).catch((error) => setMedications({ error }));
  }, [patient.id, version]);

  return (
    <>
      <h1>Medications</h1>
      {!medications && <Loading />}
      {medications?.error && <p class="muted">Offline: the list shows once you are back online. Doses you log are kept and synced.</p>}
      {Array.isArray(medications) && medications.length === 0 && <p>No medications yet.</p>}
      {Array.isArray(medications) && (
        <ul class="list">
          {medications.map((m) => (
            <li key={m.id} class="card">
              <h2>{m.name}</h2>
              <p class="muted">
                {regimenText(m)}
                {m.paused_at ? ' · paused' : ''}
              </p>
              <p>Next dose: {m.next_dose_due_at ? formatWhen(m.next_dose_due_at, patient.time_zone) : '—'}</p>
              {logging === m.id ? (
                <DoseForm patient={patient} medication={m} onDone={() => setVersion((v) => v + 1)} />
              ) : (
                canWrite && !m.paused_at && (
                  <button type="button" class="button button--small" onClick={() => setLogging(m.id)} aria-label={`Log a dose of ${m.name}`}>
                    Log a dose
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && !adding && (
        <button type="button" class="button button--secondary" onClick={() => setAdding(true)}>
          Add a medication
        </button>
      )}
      {adding && (
        <AddMedication
          patient={patient}
          onAdded={(created) => {
            setAdding(false);
            setVersion((v) => v + 1);
            setLogging(created.id);
          }}
        />
      )}
      {Array.isArray(medications) && medications.length > 0 && <Schedule patient={patient} version={version} />}
    </>
  );
}
