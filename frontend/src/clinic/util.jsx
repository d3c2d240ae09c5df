// Pieces the clinician screens share: flags and their evidence, record tables, dates.
import { msg, plural, t } from '@lingui/core/macro';
import { i18n } from '../lib/i18n.js';
import { useState } from 'preact/hooks';
import { useData } from '../lib/data.js';
import { humanize } from '../lib/ui.jsx';
import { apiPathOf, clinicApi } from './api.js';

export const FLAGS = [
  ['overdue_injection', msg`Overdue injection`],
  ['relapse_window', msg`In the relapse window`],
  ['recent_anaphylaxis', msg`Anaphylaxis in 30 days`],
  ['pens_missing', msg`No or expired pens`],
  ['worsening_symptoms', msg`Worsening symptoms`],
  ['no_data', msg`No recent data`],
];

// apps.careteam.models.SMSubtype / KitStatus, short enough for a table row.
export const SUBTYPE_LABEL = {
  ISM: msg`Indolent SM`,
  BMM: msg`Bone-marrow mastocytosis`,
  SSM: msg`Smoldering SM`,
  ASM: msg`Aggressive SM`,
  'SM-AHN': 'SM-AHN',
  MCL: msg`Mast cell leukaemia`,
  CM: msg`Cutaneous mastocytosis`,
  MCAS: 'MCAS',
  unknown: msg`Subtype not yet classified`,
};
const KIT_LABEL = { positive: msg`KIT D816V detected`, negative: msg`KIT D816V not detected`, not_tested: msg`KIT D816V not tested` };
// Symptom domains in the clinician's words (docs/glossary.md, the clinical word of each).
export const DOMAIN_LABEL = {
  skin: msg`Skin`,
  gastrointestinal: msg`Gastrointestinal`,
  cardiovascular: msg`Cardiovascular`,
  respiratory: msg`Respiratory`,
  musculoskeletal: msg`Musculoskeletal`,
  neuropsychological: msg`Neuropsychological`,
  constitutional: msg`Constitutional`,
};
// A word of the tables above (a message, or a code shown as it is).
export const word = (entry) => (entry == null ? entry : typeof entry === 'string' ? entry : i18n._(entry));
export const domainWord = (code) => word(DOMAIN_LABEL[code]) || humanize(code);

export function patientFacts(patient) {
  if (!patient) return '';
  return [
    patient.age_years != null && plural(patient.age_years, { one: '# year', other: '# years' }),
    patient.sm_subtype && (word(SUBTYPE_LABEL[patient.sm_subtype]) || patient.sm_subtype),
    word(KIT_LABEL[patient.kit_d816v_status]),
  ]
    .filter(Boolean)
    .join(' · ');
}

export const SEVERITY_LABEL = { urgent: msg`Urgent`, warning: msg`Warning`, info: msg`Note` };

export function formatDate(value) {
  if (!value) return '—';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(date);
}

export function formatDateTime(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export const isoDay = (date) => date.toISOString().slice(0, 10);
export const daysAgo = (days) => isoDay(new Date(Date.now() - days * 86400_000));

export function percent(value) {
  if (value == null) return '—';
  // Adherence may come as a fraction (0.83) or a percentage (83).
  const number = Number(value);
  return `${Math.round(number <= 1 ? number * 100 : number)}%`;
}

export function Problem({ error, what }) {
  if (!error || error.handled) return null;
  return (
    <p class="form-error" role="alert">
      {error.status ? `${what}: ${error.message}` : `${what}: no connection to the server.`}
    </p>
  );
}

// Bookkeeping a reader of the evidence does not need; ids are links between records, not facts.
const HIDDEN_FIELDS = new Set(['id', 'patient', 'patient_id', 'version', 'deleted', 'deleted_at', 'url', 'created_by', 'updated_at', 'digest']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function cell(value) {
  if (value == null || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? cell(v) : humanize(v))).join(', ') || '—';
  if (typeof value === 'object') return value.name || value.label || value.display_name || value.code || describe(value);
  if (typeof value === 'string' && DATE_TIME.test(value)) return formatDateTime(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
  return String(value);
}

// A record in one line: its readable fields as "Field: value".
function describe(record) {
  return Object.entries(record)
    .filter(([key, value]) => !HIDDEN_FIELDS.has(key) && value != null && value !== '' && !(typeof value === 'string' && UUID.test(value)) && !/_at$|_by$/.test(key))
    .slice(0, 6)
    .map(([key, value]) => `${humanize(key)}: ${cell(value)}`)
    .join('; ');
}

// Any list of records (a plain array or a page of `results`) as a table: evidence of a flag.
export function RecordsTable({ records, caption }) {
  const rows = Array.isArray(records) ? records : records?.results || (records ? [records] : []);
  if (!rows.length) return <p class="muted">{t`No records.`}</p>;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter(
    (key) => !HIDDEN_FIELDS.has(key) && rows.some((row) => row[key] != null && row[key] !== '' && !(typeof row[key] === 'string' && UUID.test(row[key]))),
  );
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={`${caption}: table`}>
      <table class="records">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {humanize(column)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={row.id || i}>
              {columns.map((column) => (
                <td key={column}>{cell(row[column])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The evidence endpoints answer record lists (doses, episodes, pens), the diary timeline
// ({items: [{kind, at, record}]}) or the insights ({burden: {days, domains}}).
function EvidenceBody({ data, caption }) {
  if (Array.isArray(data?.items)) {
    if (!data.items.length) return <p>Nothing logged since {formatDate(data.from)}.</p>;
    return <RecordsTable records={data.items.map((item) => ({ at: item.at, kind: humanize(item.kind), entry: describe(item.record || {}) }))} caption={caption} />;
  }
  if (data?.burden?.days) {
    const domains = Object.entries(data.burden.domains || {}).filter(([, values]) => values.some((v) => v != null));
    const rows = data.burden.days
      .map((day, i) => ({ day, ...Object.fromEntries(domains.map(([domain, values]) => [domain, values[i]])) }))
      .filter((row) => domains.some(([domain]) => row[domain] != null));
    if (!rows.length) return <p>No symptoms logged since {formatDate(data.from)}.</p>;
    return (
      <>
        <p>{t`Highest severity of each day per domain (0–10).`}</p>
        <RecordsTable records={rows} caption={caption} />
      </>
    );
  }
  return <RecordsTable records={data} caption={caption} />;
}

// The timeline comes in pages: the first with the evidence, the next ones when asked for.
function useMorePages(first) {
  const [more, setMore] = useState({ items: [], next: null, loading: false, error: null, of: null });
  const current = more.of === first ? more : { items: [], next: first?.next || null, loading: false, error: null, of: first };
  const loadMore = async () => {
    if (!current.next) return;
    setMore({ ...current, loading: true, error: null });
    try {
      const page = await clinicApi(apiPathOf(current.next));
      setMore({ ...current, items: [...current.items, ...(page.items || [])], next: page.next || null, loading: false });
    } catch (error) {
      setMore({ ...current, loading: false, error });
    }
  };
  const data = first && Array.isArray(first.items) ? { ...first, items: [...first.items, ...current.items] } : first;
  return { data, next: current.next, loading: current.loading, error: current.error, loadMore };
}

export function Evidence({ flag, patientName, id, onClose, headingLevel = 3 }) {
  const Heading = `h${headingLevel}`;
  const first = useData(() => clinicApi(apiPathOf(flag.evidence_url)), [flag.evidence_url]);
  const { error, loading } = first;
  const pages = useMorePages(first.data);
  const data = pages.data;
  const title = `Evidence: ${flag.label}${patientName ? ` — ${patientName}` : ''}`;
  return (
    <section class="evidence" id={id} aria-labelledby={`${id}-title`} data-testid="evidence">
      <div class="evidence__head">
        <Heading id={`${id}-title`}>{title}</Heading>
        {onClose && (
          <button type="button" class="button button--secondary button--small" onClick={onClose}>
            {t`Close`}
          </button>
        )}
      </div>
      {flag.detail && <p>{flagDetail(flag)}</p>}
      {loading && !data && <p class="muted">{t`Loading the records…`}</p>}
      <Problem error={error} what={t`The evidence could not be loaded`} />
      {data && <EvidenceBody data={data} caption={title} />}
      {pages.next && (
        <button type="button" class="button button--secondary button--small" onClick={pages.loadMore} disabled={pages.loading} data-testid="evidence-more">
          {pages.loading ? t`Loading…` : t`Show more`}
        </button>
      )}
      <Problem error={pages.error} what={t`The next records could not be loaded`} />
    </section>
  );
}

// A flag's detail as the server words it, in the reader's language (apps/clinic/flags.py).
export function flagDetail(flag) {
  return flag.detail || '';
}

// A flag as a toggle that shows its evidence; the severity is in words, not only in colour.
export function FlagButton({ flag, expanded, controls, onToggle }) {
  return (
    <button
      type="button"
      class={`flag flag--${flag.severity}`}
      aria-expanded={expanded ? 'true' : 'false'}
      aria-controls={expanded ? controls : undefined}
      onClick={onToggle}
      data-flag={flag.code}
    >
      <span class="flag__severity">{word(SEVERITY_LABEL[flag.severity]) || humanize(flag.severity)}:</span> {flag.label}
      {flag.detail && <span class="flag__detail"> — {flagDetail(flag)}</span>}
    </button>
  );
}

// Flags of one patient, each opening its evidence below the list.
export function FlagList({ flags, patientName, idPrefix }) {
  const [open, setOpen] = useState(null);
  if (!flags?.length) return <p class="muted">{t`No flags.`}</p>;
  const current = flags.find((flag) => flag.code === open);
  return (
    <div>
      <ul class="flag-list">
        {flags.map((flag) => (
          <li key={flag.code}>
            <FlagButton
              flag={flag}
              expanded={open === flag.code}
              controls={`${idPrefix}-evidence`}
              onToggle={() => setOpen(open === flag.code ? null : flag.code)}
            />
          </li>
        ))}
      </ul>
      {current && <Evidence flag={current} patientName={patientName} id={`${idPrefix}-evidence`} onClose={() => setOpen(null)} />}
    </div>
  );
}
