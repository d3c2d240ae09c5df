// The visit summary: the overview on a few A4 pages, black on white, for the clinic's paper or a
// PDF ("Print / save as PDF" opens the browser's print dialog; clinic.css has the print rules).
import { t } from '@lingui/core/macro';
import { Link } from '../lib/router.jsx';
import { patientApi } from './api.js';
import { describeSeries, DoseTimeline, LabCharts, LineChart } from './clinic-charts.jsx';
import { burdenSeries, EpisodesTable, overviewPath, PERIODS } from './clinic-patient.jsx';
import { flagDetail, formatDate, patientFacts, Problem, SEVERITY_LABEL, word } from './util.jsx';
import { useData } from '../lib/data.js';

// The width of an A4 page's text block at 96 dpi with 15 mm margins (180 mm ≈ 680 px).
const A4_WIDTH = 680;

// "Period: 1 Sep 2026 to 30 Nov 2026. Prepared on 30 Nov 2026 by Dr …".
function periodLine(from, by) {
  const start = formatDate(from.toISOString());
  const today = formatDate(new Date().toISOString());
  return by ? t`Period: ${start} to ${today}. Prepared on ${today} by ${by}.` : t`Period: ${start} to ${today}. Prepared on ${today}.`;
}

export function VisitSummary({ patientId, session, query }) {
  const days = PERIODS.some(([value]) => value === Number(query.get('days'))) ? Number(query.get('days')) : 182;
  const overview = useData(() => patientApi(patientId, overviewPath(days)), [patientId, days]);
  const notes = useData(() => patientApi(patientId, 'clinical-notes/?page_size=5'), [patientId]);
  const data = overview.data;
  const name = data?.patient?.display_name || t`Patient`;
  const burden = burdenSeries(data?.burden);
  const qol = data?.qol?.values?.some((v) => v != null) ? [{ label: t`Quality of life`, values: data.qol.values }] : [];
  const noteList = notes.data ? (Array.isArray(notes.data) ? notes.data : notes.data.results).slice(0, 5) : [];
  const from = new Date(Date.now() - days * 86400_000);

  return (
    <>
      <div class="summary-toolbar no-print">
        <Link href={`/clinic/patients/${patientId}`}>{t`← Back to ${name}`}</Link>
        <button type="button" class="button" onClick={() => window.print()} disabled={!data}>
          {t`Print / save as PDF`}
        </button>
      </div>
      {overview.loading && !data && <p class="muted">{t`Loading the record…`}</p>}
      <Problem error={overview.error} what={t`The record could not be loaded`} />
      {data && (
        <article class="summary-paper" data-testid="visit-summary">
          <header class="summary-head">
            <h1>{t`Visit summary: ${name}`}</h1>
            <p>{patientFacts(data.patient)}</p>
            {data.medications?.length > 0 && (
              <p>
                {t`Medications:`}{' '}
                {data.medications
                  .filter((m) => !m.end_date)
                  .map((m) => `${m.name} (${m.regimen})`)
                  .join(', ')}
                .
              </p>
            )}
            <p>
              {periodLine(from, session.user?.display_name)}
            </p>
          </header>

          <section class="summary-section" aria-labelledby="s-flags">
            <h2 id="s-flags">{t`Flags`}</h2>
            {data.flags?.length ? (
              <ul class="summary-flags">
                {data.flags.map((flag) => (
                  <li key={flag.code}>
                    <strong>{word(SEVERITY_LABEL[flag.severity]) || flag.severity}: {flag.label}</strong>
                    {flag.detail && ` — ${flagDetail(flag)}`}
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t`No flags.`}</p>
            )}
          </section>

          <section class="summary-section" aria-labelledby="s-symptoms">
            <h2 id="s-symptoms">{t`Symptoms and quality of life`}</h2>
            {burden.length ? (
              <LineChart title={t`Symptom burden per domain (0–10)`} days={data.burden.dates} series={burden} yRange={[0, 10]} summary={describeSeries(data.burden.dates, burden)} light fixedWidth={A4_WIDTH} height={200} testid="summary-burden" />
            ) : (
              <p>{t`No symptoms logged in this period.`}</p>
            )}
            {qol.length ? (
              <LineChart title={t`Quality of life, from 0 (worst) to 100 (best)`} days={data.qol.dates} series={qol} yRange={[0, 100]} summary={describeSeries(data.qol.dates, qol)} light fixedWidth={A4_WIDTH} height={160} />
            ) : (
              <p>{t`No daily check-ins in this period.`}</p>
            )}
          </section>

          <section class="summary-section page-break" aria-labelledby="s-doses">
            <h2 id="s-doses">{t`Doses`}</h2>
            <DoseTimeline doses={data.doses || []} light fixedWidth={A4_WIDTH} />
          </section>

          <section class="summary-section" aria-labelledby="s-episodes">
            <h2 id="s-episodes">{t`Anaphylaxis episodes`}</h2>
            <EpisodesTable episodes={data.episodes} />
          </section>

          <section class="summary-section page-break" aria-labelledby="s-labs">
            <h2 id="s-labs">{t`Lab results`}</h2>
            <LabCharts labs={data.labs} period={data} light fixedWidth={A4_WIDTH} />
          </section>

          <section class="summary-section" aria-labelledby="s-notes">
            <h2 id="s-notes">{t`Latest clinical notes`}</h2>
            {noteList.length ? (
              <ul class="summary-notes">
                {noteList.map((note) => (
                  <li key={note.id}>
                    <strong>{formatDate(note.visit_date)}</strong>: {note.text}
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t`No notes.`}</p>
            )}
          </section>
          <p class="summary-foot">{t`From the patient's own Mastline diary. Mastline is a tracker and reminder, not a doctor.`}</p>
        </article>
      )}
    </>
  );
}
