// Today: logging a symptom in three taps, what is due and overdue, alerts, and the carry check.
// Everything here is cached on the phone with its "as of" time, so it opens without a signal.
import { plural, t } from '@lingui/core/macro';
import { useRef, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { formatWhen, todayIn } from '../lib/format.js';
import { i18n } from '../lib/i18n.js';
import { Link } from '../lib/router.jsx';
import { canWriteDiary } from '../lib/session.js';
import { submitSynced } from '../lib/sync.js';
import { Loaded } from '../lib/ui.jsx';
import { COMMON_SYMPTOMS } from '../lib/words.js';

const SEVERITIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function QuickLog({ patient }) {
  const [symptom, setSymptom] = useState(null);
  const [severity, setSeverity] = useState(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const severityRow = useRef(null);

  const choose = (code) => {
    setSymptom(code);
    setMessage('');
    // The severity row and Save must be on screen after the tap, without a swipe.
    requestAnimationFrame(() => severityRow.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  };

  const save = async () => {
    setBusy(true);
    const label = i18n._(COMMON_SYMPTOMS[symptom]);
    try {
      const result = await submitSynced({
        url: patientPath(patient.id, 'symptom-entries/'),
        label: t`${label}, ${severity} of 10`,
        kind: 'symptom',
        patientId: patient.id,
        body: { id: crypto.randomUUID(), occurred_at: new Date().toISOString(), symptom, severity },
      });
      setMessage(result.state === 'synced' ? t`Logged: ${label}, ${severity} of 10.` : t`Saved on this phone: ${label}, ${severity} of 10. It will sync when online.`);
      setSymptom(null);
      setSeverity(null);
    } catch (error) {
      setMessage(t`Not saved: ${error.detail}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="quick-title">
      <h2 id="quick-title">{t`Log a symptom`}</h2>
      <fieldset class="chips">
        <legend class="visually-hidden">{t`Symptom`}</legend>
        {Object.entries(COMMON_SYMPTOMS).map(([code, label]) => (
          <button key={code} type="button" class="chip" aria-pressed={symptom === code ? 'true' : 'false'} onClick={() => choose(code)}>
            {i18n._(label)}
          </button>
        ))}
        <Link class="chip chip--link" href="/log/symptom">
          {t`Other…`}
        </Link>
      </fieldset>
      {symptom && (
        <div ref={severityRow} class="quick-severity">
          <fieldset class="chips severity">
            <legend>{t`How bad, from 0 (none) to 10 (the worst)?`}</legend>
            {SEVERITIES.map((value) => (
              <button key={value} type="button" class="chip chip--num" aria-pressed={severity === value ? 'true' : 'false'} onClick={() => setSeverity(value)}>
                {value}
              </button>
            ))}
          </fieldset>
          <button type="button" class="button" disabled={severity === null || busy} onClick={save}>
            {t`Save`}
          </button>
        </div>
      )}
      <p class="notice" aria-live="polite">
        {message}
      </p>
      <ul class="links">
        <li>
          <Link href="/log/check-in">{t`Daily check-in`}</Link>
        </li>
        <li>
          <Link href="/log/trigger">{t`Log a trigger`}</Link>
        </li>
        <li>
          <Link href="/log/anaphylaxis">{t`Anaphylaxis episode`}</Link>
        </li>
      </ul>
    </section>
  );
}

// Medications are cached: they are what Due is computed from, and what a dose is logged against
// offline. The same cache key serves the Medications screen.
export const medicationsCacheKey = (patient) => `medications:${patient.id}`;

function Due({ patient, medications }) {
  const canLog = patient.my_role !== 'clinician';
  return (
    <Loaded state={medications} empty={t`No medications yet.`}>
      {(list) => {
        const now = Date.now();
        const soon = now + 36 * 3600_000;
        const active = list.filter((m) => !m.paused_at && m.next_dose_due_at);
        const due = active.filter((m) => new Date(m.next_dose_due_at).getTime() < soon).sort((a, b) => a.next_dose_due_at.localeCompare(b.next_dose_due_at));
        const later = active.filter((m) => new Date(m.next_dose_due_at).getTime() >= soon).sort((a, b) => a.next_dose_due_at.localeCompare(b.next_dose_due_at));
        return (
          <>
            {due.length === 0 && <p>{t`Nothing due in the next day and a half.`}</p>}
            <ul class="list">
              {due.map((m) => {
                const overdue = new Date(m.next_dose_due_at).getTime() < now;
                const when = formatWhen(m.next_dose_due_at, patient.time_zone);
                return (
                  <li key={m.id} class={overdue ? 'item item--overdue' : 'item'}>
                    <span>
                      <strong>{m.name}</strong>
                      {m.dose ? ` ${m.dose} ${m.dose_unit}` : ''}
                      <br />
                      {overdue ? t`Overdue since ${when}` : t`Due ${when}`}
                    </span>
                    {canLog && (
                      <Link class="button button--small" href={`/medications/${m.id}?log=1`} aria-label={t`Log a dose of ${m.name}`}>
                        {t`Log`}
                      </Link>
                    )}
                  </li>
                );
              })}
            </ul>
            {later.length > 0 && (
              <ul class="list list--quiet">
                {later.slice(0, 4).map((m) => {
                  const when = formatWhen(m.next_dose_due_at, patient.time_zone);
                  return (
                    <li key={m.id} class="muted">
                      {t`Next ${m.name}: ${when}`}
                    </li>
                  );
                })}
              </ul>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

function Alerts({ patient }) {
  const inbox = useData(() => api('notifications/?unread=true&page_size=20'), [patient.id], { cache: `unread:${patient.id}` });
  const alerts = (inbox.data?.results || []).filter((n) => n.patient === patient.id && n.urgency !== 'normal' && !n.resolved_at);
  if (inbox.status === 'failed') {
    return (
      <p class="muted" data-testid="alerts-failed">
        {t`Alerts could not be checked.`}{' '}
        <button type="button" class="link-button" onClick={inbox.reload}>
          {t`Try again`}
        </button>
      </p>
    );
  }
  if (!alerts.length) return null;
  return (
    <section class="alert" aria-labelledby="alerts-title">
      <h2 id="alerts-title">{plural(alerts.length, { one: '# alert', other: '# alerts' })}</h2>
      {alerts.map((alert) => (
        <p key={alert.id}>
          <Link href={`/inbox/${alert.id}`}>
            <strong>{alert.urgency === 'urgent' ? t`Urgent: ${alert.title}` : alert.title}</strong>
          </Link>
        </p>
      ))}
    </section>
  );
}

// The carry check: answered today, or the answer in one tap (queued when offline).
export function CarryToday({ patient, compact = false }) {
  const today = todayIn(patient.time_zone);
  const checks = useData(() => api(patientPath(patient.id, 'carry-checks?days=1')), [patient.id], { cache: `carry:${patient.id}`, isEmpty: () => false });
  const readiness = useData(() => api(patientPath(patient.id, 'pens/readiness/')), [patient.id], { cache: `readiness:${patient.id}`, isEmpty: () => false });
  const [answered, setAnswered] = useState(null);
  const [message, setMessage] = useState('');
  const stored = checks.data?.checks?.find((c) => c.date === today);
  const pens = answered ?? stored?.pens_with_me;
  const canAnswer = canWriteDiary(patient);

  const answer = async (count) => {
    try {
      const result = await submitSynced({
        url: patientPath(patient.id, 'carry-checks/answer'),
        body: { date: today, pens_with_me: count },
        label: t`Carry check: ${count} pens`,
        kind: 'carry_check',
        patientId: patient.id,
      });
      setAnswered(count);
      setMessage(result.state === 'synced' ? '' : t`Saved on this phone; it will sync when online.`);
      if (result.state === 'synced') checks.reload();
    } catch (error) {
      setMessage(t`Not saved: ${error.detail}`);
    }
  };

  return (
    <div data-testid="carry-today">
      {readiness.data && (
        <p class={readiness.data.two_pen_rule_met ? '' : 'alert'}>
          {plural(readiness.data.ready_pens, { one: '# pen ready', other: '# pens ready' })}
          {readiness.data.two_pen_rule_met ? '' : ` — ${t`carry two in-date pens at all times.`}`} <Link href="/pens">{t`Pens`}</Link>
        </p>
      )}
      {pens != null ? (
        <p role="status">{plural(pens, { one: 'Answered today: # pen with you.', other: 'Answered today: # pens with you.' })}</p>
      ) : checks.status === 'failed' && !compact ? (
        <p class="muted">{t`Could not check whether today's carry check is answered.`}</p>
      ) : null}
      {canAnswer && (pens == null || !compact) && (
        <>
          <p id={`carry-q-${patient.id}`}>{pens == null ? t`How many pens are with you today?` : t`Change today's answer:`}</p>
          <div class="actions" role="group" aria-labelledby={`carry-q-${patient.id}`}>
            {[0, 1, 2].map((n) => (
              <button key={n} type="button" class="button button--secondary button--small" aria-pressed={pens === n ? 'true' : 'false'} onClick={() => answer(n)}>
                {n === 2 ? t`2 or more` : String(n)}
              </button>
            ))}
          </div>
        </>
      )}
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </div>
  );
}

export function Today({ session, patient }) {
  const medications = useData(() => api(patientPath(patient.id, 'medications/')), [patient.id], { cache: medicationsCacheKey(patient) });
  const first = session.user?.display_name?.split(' ')[0];
  const role = patient.my_role;
  return (
    <>
      <h1>{t`Today`}</h1>
      <p class="muted">
        {first ? t`Hello ${first}.` : ''} {role === 'caregiver' ? t`You are a caregiver for ${patient.display_name}.` : role === 'clinician' ? t`You are a clinician for ${patient.display_name}.` : ''}
      </p>
      <Alerts patient={patient} />
      {canWriteDiary(patient) && <QuickLog patient={patient} />}
      <section class="card" aria-labelledby="due-title">
        <h2 id="due-title">{t`Due`}</h2>
        <Due patient={patient} medications={medications} />
      </section>
      <section class="card" aria-labelledby="carry-title">
        <h2 id="carry-title">{t`Carry check`}</h2>
        <CarryToday patient={patient} compact />
      </section>
      <p class="disclaimer">{t`Mastline is a tracker and reminder, not a doctor: it never suggests doses or treatment changes.`}</p>
    </>
  );
}
