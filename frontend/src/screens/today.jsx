// Today: what is due, what is overdue, the carry check, and logging a symptom in three taps.
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { Link } from '../lib/router.jsx';
import { submitSynced } from '../lib/sync.js';
import { formatWhen } from '../lib/ui.jsx';

// The common case: one of these, a severity, Save. Codes of the shared symptom catalogue, so this
// works offline without fetching it.
export const COMMON_SYMPTOMS = [
  ['skin.flushing', 'Flushing'],
  ['skin.itching', 'Itching'],
  ['skin.hives', 'Hives'],
  ['gi.abdominal_pain', 'Abdominal pain'],
  ['gi.diarrhoea', 'Diarrhoea'],
  ['neuro.headache', 'Headache'],
  ['const.fatigue', 'Fatigue'],
  ['neuro.brain_fog', 'Brain fog'],
];

function QuickLog({ patient }) {
  const [symptom, setSymptom] = useState(null);
  const [severity, setSeverity] = useState(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    const label = COMMON_SYMPTOMS.find(([code]) => code === symptom)[1];
    try {
      const result = await submitSynced({
        url: patientPath(patient.id, 'symptom-entries/'),
        label: `${label}, severity ${severity}`,
        body: { id: crypto.randomUUID(), occurred_at: new Date().toISOString(), symptom, severity },
      });
      setMessage(result.state === 'synced' ? `Logged: ${label}, ${severity}/10.` : `Saved on this phone: ${label}, ${severity}/10. It will sync when online.`);
      setSymptom(null);
      setSeverity(null);
    } catch (error) {
      setMessage(`Not saved: ${error.detail}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="quick-title">
      <h2 id="quick-title">Log a symptom</h2>
      <fieldset class="chips">
        <legend>Symptom</legend>
        {COMMON_SYMPTOMS.map(([code, label]) => (
          <button key={code} type="button" class="chip" aria-pressed={symptom === code ? 'true' : 'false'} onClick={() => { setSymptom(code); setMessage(''); }}>
            {label}
          </button>
        ))}
        <Link class="chip chip--link" href="/log/symptom">
          Other…
        </Link>
      </fieldset>
      {symptom && (
        <fieldset class="chips severity">
          <legend>How bad, 1 (mild) to 10 (worst)?</legend>
          {[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((value) => (
            <button key={value} type="button" class="chip chip--num" aria-pressed={severity === value ? 'true' : 'false'} onClick={() => setSeverity(value)}>
              {value}
            </button>
          ))}
        </fieldset>
      )}
      {symptom && (
        <button type="button" class="button" disabled={!severity || busy} onClick={save}>
          Save
        </button>
      )}
      <p class="notice" aria-live="polite">
        {message}
      </p>
      <ul class="links">
        <li><Link href="/log/check-in">Daily check-in</Link></li>
        <li><Link href="/log/trigger">Log a trigger</Link></li>
        <li><Link href="/log/anaphylaxis">Anaphylaxis episode</Link></li>
      </ul>
    </section>
  );
}

function useToday(patient) {
  const [data, setData] = useState({ loading: true });
  useEffect(() => {
    if (!patient) return undefined;
    let live = true;
    setData({ loading: true });
    Promise.all([
      api(patientPath(patient.id, 'medications/')),
      api('notifications/?unread=true&page_size=20').catch(() => ({ results: [] })),
      api(patientPath(patient.id, 'pens/readiness/')).catch(() => null),
    ])
      .then(([medications, inbox, readiness]) => live && setData({ medications, alerts: inbox.results.filter((n) => n.patient === patient.id && n.urgency !== 'normal'), readiness }))
      .catch((error) => live && setData({ error }));
    return () => {
      live = false;
    };
  }, [patient?.id]);
  return data;
}

function Due({ data, patient }) {
  if (data.loading) return <p class="muted">Loading what is due…</p>;
  if (data.error) return <p class="muted">{data.error.status ? data.error.message : 'Offline: what is due shows once you are back online. You can still log.'}</p>;
  const now = Date.now();
  const soon = now + 36 * 3600_000;
  const due = data.medications.filter((m) => !m.paused_at && m.next_dose_due_at && new Date(m.next_dose_due_at).getTime() < soon);
  const upcoming = data.medications.filter((m) => !m.paused_at && m.next_dose_due_at && new Date(m.next_dose_due_at).getTime() >= soon);
  return (
    <>
      {data.alerts.length > 0 && (
        <div class="alert" role="region" aria-label="Alerts">
          {data.alerts.map((alert) => (
            <p key={alert.id}>
              <strong>{alert.title}</strong> {alert.body}
            </p>
          ))}
          <Link href="/inbox">Open the inbox</Link>
        </div>
      )}
      {due.length === 0 && <p>Nothing due in the next day and a half.</p>}
      <ul class="list">
        {due.map((m) => {
          const overdue = new Date(m.next_dose_due_at).getTime() < now;
          return (
            <li key={m.id} class={overdue ? 'item item--overdue' : 'item'}>
              <span>
                <strong>{m.name}</strong>
                <br />
                {overdue ? 'Overdue since ' : 'Due '}
                {formatWhen(m.next_dose_due_at, patient.time_zone)}
              </span>
              <Link class="button button--small" href={`/medications?log=${m.id}`} aria-label={`Log ${m.name}`}>
                Log
              </Link>
            </li>
          );
        })}
      </ul>
      {upcoming.length > 0 && (
        <p class="muted">
          Next: {upcoming.map((m) => `${m.name} ${formatWhen(m.next_dose_due_at, patient.time_zone)}`).join('; ')}
        </p>
      )}
    </>
  );
}

function CarryCheck({ readiness }) {
  if (!readiness) {
    return (
      <p>
        <Link href="/pens">Epinephrine pens and the carry check</Link>
      </p>
    );
  }
  return (
    <p class={readiness.two_pen_rule_met ? '' : 'alert'}>
      {readiness.ready_pens} of {readiness.pens_needed} pens ready. <Link href="/pens">Answer the carry check</Link>
    </p>
  );
}

export function Today({ session, patient }) {
  const data = useToday(patient);
  const first = session.user?.display_name?.split(' ')[0];
  return (
    <>
      <h1>Today</h1>
      <p class="muted">
        {first ? `Hello ${first}. ` : ''}
        {patient.my_role === 'owner' ? '' : `You are ${patient.my_role} for ${patient.display_name}.`}
      </p>
      <section class="card" aria-labelledby="due-title">
        <h2 id="due-title">Due</h2>
        <Due data={data} patient={patient} />
      </section>
      <QuickLog patient={patient} />
      <section class="card" aria-labelledby="carry-title">
        <h2 id="carry-title">Carry check</h2>
        <CarryCheck readiness={data.readiness} />
      </section>
      <p class="disclaimer">Mastline is a tracker and reminder, not a doctor: it never suggests doses or treatment changes.</p>
    </>
  );
}
