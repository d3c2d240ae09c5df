// One patient for their clinician: flags with evidence, symptom burden per domain, quality of life,
// doses on one timeline, anaphylaxis episodes and labs as charts (each with its numbers), the
// clinician's notes, who saw the record (when the clinician may see that), and the downloads.
import { msg, t } from '@lingui/core/macro';
import { i18n } from '../lib/i18n.js';
import { useState } from 'preact/hooks';
import { Link } from '../lib/router.jsx';
import { Field, FormError, humanize, useSubmit } from '../lib/ui.jsx';
import { patientApi } from './api.js';
import { describeSeries, DoseTimeline, LabCharts, LineChart } from './clinic-charts.jsx';
import { daysAgo, FlagList, formatDate, formatDateTime, isoDay, patientFacts, Problem } from './util.jsx';
import { useData } from '../lib/data.js';

export const PERIODS = [
  [90, msg`Last 3 months`],
  [182, msg`Last 6 months`],
  [365, msg`Last 12 months`],
];

export const EXPORTS = [
  ['symptoms', msg`Symptoms`],
  ['check-ins', msg`Daily check-ins`],
  ['triggers', msg`Triggers`],
  ['episodes', msg`Anaphylaxis episodes`],
  ['labs', msg`Lab results`],
  ['doses', msg`Doses`],
];

export function overviewPath(days) {
  const params = new URLSearchParams({ from: daysAgo(days), to: isoDay(new Date()) });
  return `clinic/overview?${params}`;
}

export function burdenSeries(burden) {
  return Object.entries(burden?.domains || {})
    .map(([domain, values]) => ({ label: humanize(domain), values }))
    // A day with a check-in but no symptom of a domain counts 0: only domains with symptoms are drawn.
    .filter((s) => s.values.some((v) => v != null && Number(v) > 0));
}

export function EpisodesTable({ episodes }) {
  if (!episodes?.length) return <p class="muted">{t`No anaphylaxis episodes in this period.`}</p>;
  return (
    <table data-testid="episodes">
      <caption class="visually-hidden">{t`Anaphylaxis episodes`}</caption>
      <thead>
        <tr>
          <th scope="col">{t`Onset`}</th>
          <th scope="col">{t`Grade`}</th>
          <th scope="col">{t`Epinephrine doses`}</th>
        </tr>
      </thead>
      <tbody>
        {episodes.map((episode) => (
          <tr key={episode.id}>
            <th scope="row">{formatDateTime(episode.onset)}</th>
            <td>{episode.grade == null ? '—' : `${episode.grade}${['', ' (mild)', ' (moderate)', ' (severe)'][episode.grade] || ''}`}</td>
            <td>{episode.epinephrine_doses ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Notes({ patientId }) {
  const notes = useData(() => patientApi(patientId, 'clinical-notes/?page_size=100'), [patientId]);
  const [form, setForm] = useState({ text: '', visit_date: isoDay(new Date()) });
  const [editing, setEditing] = useState(null); // {id, text, visit_date, version}
  const [deleting, setDeleting] = useState(null);
  const [notice, setNotice] = useState('');
  const list = notes.data ? (Array.isArray(notes.data) ? notes.data : notes.data.results) : [];
  const sorted = [...list].sort((a, b) => String(b.visit_date).localeCompare(String(a.visit_date)) || String(b.created_at).localeCompare(String(a.created_at)));

  const add = useSubmit(async () => {
    await patientApi(patientId, 'clinical-notes/', { method: 'POST', body: { text: form.text, visit_date: form.visit_date } });
    setForm({ ...form, text: '' });
    setNotice(t`Note added.`);
    notes.reload();
  });
  const save = useSubmit(async () => {
    const headers = editing.version != null ? { 'If-Match': `"${editing.version}"` } : {};
    await patientApi(patientId, `clinical-notes/${editing.id}/`, { method: 'PATCH', body: { text: editing.text, visit_date: editing.visit_date }, headers });
    setEditing(null);
    setNotice(t`Note saved.`);
    notes.reload();
  });
  const remove = useSubmit(async () => {
    const note = list.find((n) => n.id === deleting);
    const headers = note?.version != null ? { 'If-Match': `"${note.version}"` } : {};
    await patientApi(patientId, `clinical-notes/${deleting}/`, { method: 'DELETE', headers });
    setDeleting(null);
    setNotice(t`Note deleted.`);
    notes.reload();
  });

  return (
    <section class="card panel" aria-labelledby="notes-title" data-testid="notes">
      <h2 id="notes-title">{t`Clinical notes`}</h2>
      <form onSubmit={add.submit} class="note-form" noValidate>
        <Field label={t`Visit date`} name="visit_date" type="date" errors={add.fields} value={form.visit_date} onInput={(e) => setForm({ ...form, visit_date: e.currentTarget.value })} required />
        <Field label={t`Note`} name="text" as="textarea" rows={3} errors={add.fields} value={form.text} onInput={(e) => setForm({ ...form, text: e.currentTarget.value })} required />
        <FormError error={add.error} shown={['text', 'visit_date']} />
        <button type="submit" class="button button--small" disabled={add.busy || !form.text.trim()}>
          {t`Add note`}
        </button>
      </form>
      <p class="notice" role="status">
        {notice}
      </p>
      <Problem error={notes.error} what={t`The notes could not be loaded`} />
      {notes.data && !sorted.length && <p class="muted">{t`No notes yet.`}</p>}
      <ul class="list notes">
        {sorted.map((note) =>
          editing?.id === note.id ? (
            <li key={note.id} class="note">
              <form onSubmit={save.submit} noValidate>
                <Field label={t`Visit date`} name="visit_date" type="date" errors={save.fields} value={editing.visit_date} onInput={(e) => setEditing({ ...editing, visit_date: e.currentTarget.value })} />
                <Field label={t`Note`} name="text" as="textarea" rows={3} errors={save.fields} value={editing.text} onInput={(e) => setEditing({ ...editing, text: e.currentTarget.value })} />
                <FormError error={save.error} shown={['text', 'visit_date']} />
                <div class="actions">
                  <button type="submit" class="button button--small" disabled={save.busy}>
                    {t`Save note`}
                  </button>
                  <button type="button" class="button button--secondary button--small" onClick={() => setEditing(null)}>
                    {t`Cancel`}
                  </button>
                </div>
              </form>
            </li>
          ) : (
            <li key={note.id} class="note">
              <p class="note__meta">
                <strong>{formatDate(note.visit_date)}</strong>
                {note.author_label || note.author ? ` · ${note.author_label || note.author}` : ''}
              </p>
              <p class="note__text">{note.text}</p>
              {deleting === note.id ? (
                <div class="actions">
                  <button type="button" class="button button--danger button--small" onClick={remove.submit} disabled={remove.busy}>
                    {t`Delete this note`}
                  </button>
                  <button type="button" class="button button--secondary button--small" onClick={() => setDeleting(null)}>
                    {t`Keep it`}
                  </button>
                  <FormError error={remove.error} />
                </div>
              ) : (
                <div class="actions">
                  <button type="button" class="link-button" onClick={() => setEditing({ id: note.id, text: note.text, visit_date: note.visit_date, version: note.version })}>
                    Edit<span class="visually-hidden"> the note of {formatDate(note.visit_date)}</span>
                  </button>
                  <button type="button" class="link-button" onClick={() => setDeleting(note.id)}>
                    Delete<span class="visually-hidden"> the note of {formatDate(note.visit_date)}</span>
                  </button>
                </div>
              )}
            </li>
          ),
        )}
      </ul>
    </section>
  );
}

// Owners see the whole trail; a clinician its clinical part (who among the clinicians opened what).
function Audit({ patientId }) {
  const audit = useData(() => patientApi(patientId, 'audit/?page_size=20'), [patientId]);
  if (audit.error?.status === 404 || audit.error?.status === 403) return null;
  const events = audit.data ? (Array.isArray(audit.data) ? audit.data : audit.data.results) : [];
  return (
    <section class="card panel" aria-labelledby="audit-title" data-testid="audit">
      <h2 id="audit-title">{t`Who saw this record`}</h2>
      <Problem error={audit.error} what={t`The audit log could not be loaded`} />
      {audit.data && !events.length && <p class="muted">{t`No clinician has opened it yet.`}</p>}
      {events.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={t`Clinicians who opened this record`}>
          <table class="audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t`When`}</th>
                <th scope="col">{t`Who`}</th>
                <th scope="col">{t`What`}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <th scope="row">{formatDateTime(event.created_at)}</th>
                  <td>
                    {event.actor_label}
                    {event.actor_role && ` (${humanize(event.actor_role).toLowerCase()})`}
                  </td>
                  <td>{event.summary || `${humanize(event.action)} ${humanize(event.resource).toLowerCase()}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function Downloads({ patientId }) {
  const base = `/api/v1/patients/${patientId}/export`;
  return (
    <section class="card panel" aria-labelledby="downloads-title">
      <h2 id="downloads-title">{t`Downloads`}</h2>
      <ul class="links downloads">
        {EXPORTS.map(([kind, label]) => (
          <li key={kind}>
            <a href={`${base}/${kind}.csv`} download>
              {i18n._(label)} (CSV)
            </a>
          </li>
        ))}
        <li>
          <a href={`${base}/fhir`} download>
            {t`Everything as FHIR (JSON)`}
          </a>
        </li>
      </ul>
    </section>
  );
}

export function PatientView({ patientId, query }) {
  const [days, setDays] = useState(Number(query.get('days')) || 182);
  const { data, error, loading } = useData(() => patientApi(patientId, overviewPath(days)), [patientId, days]);
  const patient = data?.patient;
  const name = patient?.display_name || t`Patient`;
  const burden = burdenSeries(data?.burden);
  const qol = data?.qol?.values?.some((v) => v != null) ? [{ label: t`Quality of life`, values: data.qol.values }] : [];

  return (
    <>
      <p class="back">
        <Link href="/clinic/patients">{t`← All patients`}</Link>
      </p>
      <div class="page-head">
        <div>
          <h1>{name}</h1>
          {patient && (
            <p class="lede">
              {patientFacts(patient)}
              {data.medications?.some((m) => !m.end_date) &&
                ` · on ${data.medications
                  .filter((m) => !m.end_date)
                  .map((m) => `${m.name} (${m.regimen})`)
                  .join(', ')}`}
            </p>
          )}
        </div>
        <div class="actions">
          <Link class="button" href={`/clinic/patients/${patientId}/summary?days=${days}`}>
            {t`Visit summary to print`}
          </Link>
          {data?.medications?.length > 0 && (
            <Link class="button button--secondary" href={`/clinic/patients/${patientId}/response`}>
              {t`Treatment response`}
            </Link>
          )}
        </div>
      </div>
      <div role="group" aria-label={t`Period shown`} class="chips period">
        {PERIODS.map(([value, label]) => (
          <button key={value} type="button" class="chip" aria-pressed={days === value ? 'true' : 'false'} onClick={() => setDays(value)}>
            {i18n._(label)}
          </button>
        ))}
      </div>
      {loading && !data && <p class="muted">{t`Loading the record…`}</p>}
      <Problem error={error} what={t`The record could not be loaded`} />
      {data && (
        <div class="patient-grid">
          <section class="card panel patient-flags" aria-labelledby="flags-title">
            <h2 id="flags-title">{t`Flags`}</h2>
            <FlagList flags={data.flags} patientName={name} idPrefix="patient-flag" />
          </section>
          <div class="patient-main">
            <section class="card panel" aria-labelledby="symptoms-title">
              <h2 id="symptoms-title">{t`Symptoms and quality of life`}</h2>
              {burden.length ? (
                <LineChart
                  testid="chart-burden"
                  title={t`Symptom burden per domain (0–10)`}
                  days={data.burden.dates}
                  series={burden}
                  yRange={[0, 10]}
                  summary={describeSeries(data.burden.dates, burden)}
                />
              ) : (
                <p class="muted">{t`No symptoms logged in this period.`}</p>
              )}
              {qol.length ? (
                <LineChart
                  testid="chart-qol"
                  title={t`Quality of life, from 0 (worst) to 100 (best)`}
                  days={data.qol.dates}
                  series={qol}
                  yRange={[0, 100]}
                  height={180}
                  summary={describeSeries(data.qol.dates, qol)}
                />
              ) : (
                <p class="muted">{t`No daily check-ins in this period.`}</p>
              )}
            </section>
            <section class="card panel" aria-labelledby="doses-title">
              <h2 id="doses-title">{t`Doses`}</h2>
              <DoseTimeline doses={data.doses || []} testid="chart-doses" />
            </section>
            <section class="card panel" aria-labelledby="labs-title">
              <h2 id="labs-title">{t`Lab results`}</h2>
              <LabCharts labs={data.labs} period={data} />
            </section>
            <section class="card panel" aria-labelledby="episodes-title">
              <h2 id="episodes-title">{t`Anaphylaxis episodes`}</h2>
              <EpisodesTable episodes={data.episodes} />
            </section>
          </div>
          <div class="patient-side">
            <Notes patientId={patientId} />
            <Downloads patientId={patientId} />
            <Audit patientId={patientId} />
          </div>
        </div>
      )}
    </>
  );
}
