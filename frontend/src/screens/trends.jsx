// Trends over the last 8 weeks: symptom burden per domain, quality of life, doses taken and missed.
// uPlot is imported here only, so it is fetched when this screen first opens. Each chart has its
// numbers in a table for screen readers.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, patientPath } from '../lib/api.js';
import { humanize, Loading, todayIn } from '../lib/ui.jsx';

const COLOURS = ['#0b5d6b', '#b3261e', '#7a4d00', '#4a3aa8', '#1f7a3a', '#8a2b6b', '#3d5257'];
const dark = () => matchMedia('(prefers-color-scheme: dark)').matches;

function Chart({ title, days, series }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current || !days.length) return undefined;
    const axis = { stroke: dark() ? '#e6eef0' : '#14252a', grid: { stroke: dark() ? '#2e4347' : '#dde6e8' } };
    const plot = new uPlot(
      {
        width: ref.current.clientWidth || 320,
        height: 200,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false }))],
        axes: [axis, axis],
        legend: { show: true },
      },
      [days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000), ...series.map((s) => s.values)],
      ref.current,
    );
    return () => plot.destroy();
  }, [days, series]);
  return (
    <figure class="card">
      <figcaption><h2>{title}</h2></figcaption>
      <div class="chart" ref={ref} aria-hidden="true" />
      <details>
        <summary class="links">The numbers</summary>
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead><tr><th scope="col">Day</th>{series.map((s) => <th scope="col" key={s.label}>{s.label}</th>)}</tr></thead>
          <tbody>
            {days.map((day, i) => series.some((s) => s.values[i] != null) && (
              <tr key={day}><th scope="row">{day}</th>{series.map((s) => <td key={s.label}>{s.values[i] ?? '—'}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function Trends({ patient }) {
  const [data, setData] = useState(null);
  useEffect(() => {
    const to = todayIn(patient.time_zone);
    const from = new Date(Date.parse(to) - 55 * 86400_000).toISOString().slice(0, 10);
    Promise.all([
      api(patientPath(patient.id, `insights?from=${from}T00:00:00Z&to=${to}T23:59:59Z`)),
      api(patientPath(patient.id, `check-ins/?from=${from}&page_size=100`)).catch(() => ({ results: [] })),
      api(patientPath(patient.id, `medications/schedule/?start=${from}&end=${to}`)).catch(() => ({ adherence: [] })),
    ])
      .then(([insights, checkIns, schedule]) => setData({ insights, checkIns: checkIns.results, adherence: schedule.adherence }))
      .catch((error) => setData({ error }));
  }, [patient.id]);

  if (!data) return (<><h1>Trends</h1><Loading /></>);
  if (data.error) return (<><h1>Trends</h1><p>{data.error.status ? data.error.message : 'Trends need a connection.'}</p></>);
  const { burden } = data.insights;
  const domains = Object.entries(burden.domains).filter(([, values]) => values.some((v) => v != null));
  const byDay = Object.fromEntries(data.checkIns.map((c) => [c.local_date, c.quality_of_life]));
  return (
    <>
      <h1>Trends</h1>
      {domains.length ? (
        <Chart title="Symptom burden per domain (highest severity of the day)" days={burden.days} series={domains.map(([domain, values]) => ({ label: humanize(domain), values }))} />
      ) : (
        <p class="card">No symptoms logged in the last 8 weeks.</p>
      )}
      {data.checkIns.length ? (
        <Chart title="Quality of life (0–100)" days={burden.days} series={[{ label: 'Quality of life', values: burden.days.map((d) => byDay[d] ?? null) }]} />
      ) : (
        <p class="card">No check-ins yet: the daily check-in draws the quality-of-life line.</p>
      )}
      <section class="card" aria-labelledby="adherence-title">
        <h2 id="adherence-title">Doses in the last 8 weeks</h2>
        {data.adherence.length === 0 ? <p class="muted">No scheduled doses.</p> : (
          <table>
            <thead><tr><th scope="col">Medication</th><th scope="col">Taken</th><th scope="col">Missed</th><th scope="col">Skipped</th></tr></thead>
            <tbody>
              {data.adherence.map((a) => (
                <tr key={a.medication}><th scope="row">{a.name}</th><td>{a.taken + a.taken_late}</td><td>{a.missed}</td><td>{a.skipped}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <p class="disclaimer">{data.insights.disclaimer}</p>
    </>
  );
}
