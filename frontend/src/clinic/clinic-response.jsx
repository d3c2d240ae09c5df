// Treatment response: one patient's symptom burden per domain at baseline and at months 3 and 6 of
// a medication, with the server's classification; and the same classification over every patient
// of this clinician on that drug (the cohort table of the published omalizumab series).
import { msg, plural, t } from '@lingui/core/macro';
import { i18n } from '../lib/i18n.js';
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { getSession } from '../lib/session.js';
import { Link, navigate } from '../lib/router.jsx';
import { humanize } from '../lib/ui.jsx';
import { clinicApi, patientApi } from './api.js';
import { domainWord, formatDate, Problem } from './util.jsx';
import { useData } from '../lib/data.js';

const MONTHS = ['3', '6'];
const categoryLabels = () => ({
  complete: t`Complete control`,
  major: t`Major response`,
  partial: t`Partial response`,
  none: t`No response`,
  stopped: t`Stopped`,
  not_evaluable: t`Not yet evaluable`,
});
// Why a patient got their category (apps/clinic/response.py, Reason).
const reasonLabel = (reason) =>
  ({
    month_6: t`at month 6`,
    month_3: t`at month 3`,
    ended: t`the medication ended before month 3`,
    no_dose_within_intervals: t`no dose within two dose intervals after the first`,
    excluded: t`excluded: concomitant cytoreductive therapy`,
    no_dose: t`no dose taken yet`,
    too_early: t`too early: the month-3 window is not over`,
    no_baseline: t`no baseline: too little diary data in the 4 weeks before the start`,
    too_little_data: t`too little diary data at months 3 and 6`,
  })[reason] || humanize(reason);
const LABS = [
  ['tryptase', msg`Serum tryptase (ng/mL)`],
  ['kit_d816v', msg`KIT D816V allele burden (%)`],
  ['total_ige', msg`Total IgE (kU/L)`],
];

const isNumber = (v) => typeof v === 'number' || (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)));
const show = (v) => (isNumber(v) ? String(Math.round(Number(v) * 10) / 10) : '—');
export const category = (value) => (value ? categoryLabels()[value] || humanize(value) : t`Not classified`);

// The evidence a classification rests on: doses, days and burden at baseline, month 3 and 6.
function Evidence({ evidence }) {
  if (!evidence) return null;
  const e = evidence;
  const burden = (v) => (isNumber(v) ? show(v) : t`no data`);
  return (
    <ul class="response-evidence" data-testid="response-evidence">
      <li>
        {plural(e.doses_taken, { one: '# dose taken', other: '# doses taken' })}
        {e.first_dose ? t` (first ${formatDate(e.first_dose)}, last ${formatDate(e.last_dose)})` : ''}
      </li>
      <li>
        {plural(e.days_on_treatment, { one: '# day since the start', other: '# days since the start' })}
        {e.days_since_last_dose != null ? `; ${plural(e.days_since_last_dose, { one: '# day since the last dose', other: '# days since the last dose' })}` : ''}
        {e.interval_days ? `; ${plural(e.interval_days, { one: 'a dose every day', other: 'a dose every # days' })}` : ''}
      </li>
      <li>{t`Symptom burden: baseline ${burden(e.burden_baseline)}, month 3 ${burden(e.burden_month_3)}, month 6 ${burden(e.burden_month_6)} (of 10)`}</li>
    </ul>
  );
}

function reduction(base, value) {
  if (!isNumber(base) || !isNumber(value) || Number(base) === 0) return '';
  const pct = Math.round(((Number(base) - Number(value)) / Number(base)) * 100);
  const less = pct;
  const more = -pct;
  return pct >= 0 ? t`, ${less}% less` : t`, ${more}% more`;
}

// Baseline against months 3 and 6: mean daily peak severity per domain (and overall), the QoL
// VAS, and the server's classification of each month.
function ResponseTable({ report }) {
  const base = report.baseline || {};
  const months = MONTHS.map((m) => report.months?.[m] || {});
  const hasSymptoms = (v) => v != null && Number(v) > 0;
  const domains = Object.keys(base.domains || {}).filter((d) => hasSymptoms(base.domains[d]) || months.some((m) => hasSymptoms(m.domains?.[d])));
  const quiet = Object.keys(base.domains || {}).filter((d) => !domains.includes(d));
  const monthCell = (month, value, baseValue, classification) => {
    if (month.complete === false) return <td>{t`Window not over`}</td>;
    return (
      <td>
        {show(value)}
        {reduction(baseValue, value)}
        {classification && <span class="response-category">{category(classification)}</span>}
      </td>
    );
  };
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="response-table-caption">
      <table class="response-table" data-testid="response-table">
        <caption id="response-table-caption">{t`Mean daily symptom burden (0–10) and quality of life against baseline`}</caption>
        <thead>
          <tr>
            <th scope="col">{t`Domain`}</th>
            <th scope="col">
              {t`Baseline`} <span class="row-sub">{formatDate(base.from)} – {formatDate(base.to)}</span>
            </th>
            {MONTHS.map((m, i) => (
              <th scope="col" key={m}>
                {t`Month ${m}`} <span class="row-sub">{formatDate(months[i].from)} – {formatDate(months[i].to)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr class="response-overall">
            <th scope="row">{t`All domains`}</th>
            <td>{show(base.overall)}</td>
            {months.map((month, i) => (
              <Fragment key={MONTHS[i]}>{monthCell(month, month.overall, base.overall, month.classification)}</Fragment>
            ))}
          </tr>
          {domains.map((domain) => (
            <tr key={domain}>
              <th scope="row">{domainWord(domain)}</th>
              <td>{show(base.domains[domain])}</td>
              {months.map((month, i) => (
                <Fragment key={MONTHS[i]}>{monthCell(month, month.domains?.[domain], base.domains[domain], month.domain_classification?.[domain])}</Fragment>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">{t`Quality of life, from 0 (worst) to 100 (best)`}</th>
            <td>{show(base.qol)}</td>
            {months.map((month, i) =>
              month.complete === false ? (
                <td key={MONTHS[i]}>{t`Window not over`}</td>
              ) : (
                <td key={MONTHS[i]}>
                  {show(month.qol)}
                  {isNumber(month.qol_change) && `, ${Number(month.qol_change) >= 0 ? '+' : ''}${show(month.qol_change)}`}
                </td>
              ),
            )}
          </tr>
        </tbody>
      </table>
      {quiet.length > 0 && <p class="muted">{t`No symptoms in any window: ${quiet.map((d) => domainWord(d)).join(', ')}.`}</p>}
    </div>
  );
}

function LabsTable({ labs }) {
  const rows = LABS.filter(([key]) => labs?.[key] && Object.values(labs[key]).some((v) => v != null));
  if (!rows.length) return <p class="muted">{t`No tryptase, KIT D816V or IgE results around these dates.`}</p>;
  return (
    <table class="response-labs">
      <caption class="visually-hidden">{t`Labs at baseline and near months 3 and 6`}</caption>
      <thead>
        <tr>
          <th scope="col">{t`Lab`}</th>
          <th scope="col">{t`Baseline`}</th>
          <th scope="col">{t`Near month 3`}</th>
          <th scope="col">{t`Near month 6`}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, label]) => (
          <tr key={key}>
            <th scope="row">{typeof label === 'string' ? label : i18n._(label)}</th>
            <td>{show(labs[key].baseline)}</td>
            <td>{show(labs[key].m3)}</td>
            <td>{show(labs[key].m6)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Thresholds({ thresholds }) {
  const entries = Object.entries(thresholds || {}).filter(([, v]) => typeof v === 'string' || typeof v === 'number');
  if (!entries.length) return null;
  return (
    <details>
      <summary>{t`How the response is classified`}</summary>
      <dl class="thresholds">
        {entries.map(([key, value]) => (
          <Fragment key={key}>
            <dt>{categoryLabels()[key] || humanize(key)}</dt>
            <dd>{String(value)}</dd>
          </Fragment>
        ))}
      </dl>
    </details>
  );
}

function CohortTable({ cohort }) {
  const patients = cohort.patients || [];
  return (
    <>
      <p data-testid="cohort-evaluable">
        {plural(cohort.total ?? patients.length, {
          one: `${cohort.evaluable} of # patient on ${cohort.drug} evaluable`,
          other: `${cohort.evaluable} of # patients on ${cohort.drug} evaluable`,
        })}
        {cohort.not_evaluable ? `; ${plural(cohort.not_evaluable, { one: '# not yet evaluable', other: '# not yet evaluable' })}` : ''}.
      </p>
      <table class="cohort-table" data-testid="cohort-table">
        <caption class="visually-hidden">{t`Response to ${cohort.drug} among your patients`}</caption>
        <thead>
          <tr>
            <th scope="col">{t`Response`}</th>
            <th scope="col">{t`Patients`}</th>
            <th scope="col">{t`Share`}</th>
          </tr>
        </thead>
        <tbody>
          {cohort.rows.map((r) => (
            <tr key={r.category}>
              <th scope="row">{category(r.category)}</th>
              <td>{r.count}</td>
              <td>
                <span class="bar" aria-hidden="true">
                  <span class="bar__fill" style={{ width: `${Math.min(100, Number(r.percent) || 0)}%` }} />
                </span>
                {r.percent == null ? '—' : `${Math.round(Number(r.percent) * 10) / 10}%`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {patients.length > 0 && (
        <table class="cohort-patients" data-testid="cohort-patients">
          <caption>{t`Each patient`}</caption>
          <thead>
            <tr>
              <th scope="col">{t`Patient`}</th>
              <th scope="col">{t`Started`}</th>
              <th scope="col">{t`Response`}</th>
            </tr>
          </thead>
          <tbody>
            {patients.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  <Link href={`/clinic/patients/${p.id}/response?medication=${p.medication_id}`}>{p.display_name}</Link>
                </th>
                <td>{formatDate(p.start_date)}</td>
                <td>
                  {category(p.classification)}
                  {p.reason && <span class="row-sub">{reasonLabel(p.reason)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function CohortSection({ drug, headingLevel = 2 }) {
  const cohort = useData(() => (drug ? clinicApi(`clinic/response-cohort?${new URLSearchParams({ drug })}`) : Promise.resolve(null)), [drug]);
  const Heading = `h${headingLevel}`;
  return (
    <section class="card panel" aria-labelledby="cohort-title" data-testid="cohort">
      <Heading id="cohort-title">{t`All your patients on ${cohort.data?.drug || drug}`}</Heading>
      {cohort.loading && !cohort.data && <p class="muted">{t`Loading…`}</p>}
      <Problem error={cohort.error} what={t`The cohort could not be loaded`} />
      {cohort.data && <CohortTable cohort={cohort.data} />}
    </section>
  );
}

export function ResponseReport({ patientId, query }) {
  const medications = useData(() => patientApi(patientId, 'medications/'), [patientId]);
  const list = medications.data ? (Array.isArray(medications.data) ? medications.data : medications.data.results) : [];
  const chosen = query.get('medication') || (list.find((m) => m.drug_class === 'anti_ige') || list.find((m) => m.regimen_kind !== 'as_needed') || list[0])?.id;
  const report = useData(() => (chosen ? patientApi(patientId, `clinic/response?${new URLSearchParams({ medication: chosen })}`) : Promise.resolve(null)), [patientId, chosen]);
  const r = report.data;
  const medication = list.find((m) => m.id === chosen);
  const drugName = r?.medication?.name || medication?.name;
  const name = getSession().patients.find((p) => p.id === patientId)?.display_name;

  return (
    <>
      <p class="back">
        <Link href={`/clinic/patients/${patientId}`}>{name ? t`← Back to ${name}` : t`← Back to the patient`}</Link>
      </p>
      <h1>{name ? t`Treatment response: ${name}` : t`Treatment response`}</h1>
      <Problem error={medications.error} what={t`The medications could not be loaded`} />
      {list.length > 0 && (
        <div class="field field--inline">
          <label for="response-medication">{t`Medication`}</label>
          <select id="response-medication" value={chosen} onChange={(event) => navigate(`/clinic/patients/${patientId}/response?medication=${event.currentTarget.value}`, { replace: true })}>
            {list.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {medications.data && !list.length && <p>{t`No medications on record.`}</p>}
      {report.loading && !r && chosen && <p class="muted">{t`Loading the report…`}</p>}
      <Problem error={report.error} what={t`The report could not be loaded`} />
      {r && (
        <section class="card panel" aria-labelledby="report-title" data-testid="response-report">
          <h2 id="report-title">{drugName}</h2>
          <p>
            {t`Started ${formatDate(r.start_date)}`}
            {r.end_date ? t`, ended ${formatDate(r.end_date)}` : ''}.
          </p>
          <p class="response-verdict" data-testid="classification">
            <strong>{t`Overall: ${category(r.classification)}`}</strong>
            {r.reason && ` (${reasonLabel(r.reason)})`}.
          </p>
          <Evidence evidence={r.evidence} />
          <ResponseTable report={r} />
          <h3>{t`Labs`}</h3>
          <LabsTable labs={r.labs} />
          <Thresholds thresholds={r.thresholds} />
        </section>
      )}
      {drugName && <CohortSection drug={drugName} />}
    </>
  );
}

export function Cohort({ query }) {
  const drug = query.get('drug') || 'Omalizumab';
  const [value, setValue] = useState(drug);
  const [catalogue, setCatalogue] = useState([]);
  useEffect(() => {
    // The drug catalogue is shared; any patient of mine reaches it.
    const patient = getSession().patients[0];
    if (patient) api(`patients/${patient.id}/medications/catalogue`).then(setCatalogue).catch(() => {});
  }, []);
  const submit = (event) => {
    event.preventDefault();
    if (value.trim()) navigate(`/clinic/response?${new URLSearchParams({ drug: value.trim() })}`, { replace: true });
  };
  return (
    <>
      <h1>{t`Treatment response of my patients`}</h1>
      <p class="lede">{t`Response per patient at months 3 and 6 against baseline, over everyone who shared their record with you and takes this drug.`}</p>
      <form class="inline-form" onSubmit={submit}>
        <div class="field">
          <label for="cohort-drug">{t`Drug`}</label>
          <input id="cohort-drug" list="cohort-drugs" value={value} onInput={(event) => setValue(event.currentTarget.value)} autocomplete="off" />
          <datalist id="cohort-drugs">
            {catalogue.map((d) => (
              <option key={d.id} value={d.name} />
            ))}
          </datalist>
        </div>
        <button type="submit" class="button button--small">
          {t`Show`}
        </button>
      </form>
      <CohortSection drug={drug} />
    </>
  );
}
