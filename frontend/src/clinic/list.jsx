// Every patient who shared their record with this clinician, most urgent first, with the flags that
// make them urgent; each flag opens the records behind it. Sorting, the flag filter, the search and
// the page live in the address, so a view can be bookmarked and Back returns to it.
import { msg, plural, t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { Link, navigate } from '../lib/router.jsx';
import { clinicApi } from './api.js';
import { Evidence, FLAGS, FlagButton, formatDateTime, percent, Problem, SUBTYPE_LABEL, word } from './util.jsx';
import { useData } from '../lib/data.js';

const PAGE_SIZE = 25;
// The server's order for each sort key; a header says which one is in force (aria-sort).
const SORTS = {
  urgency: { label: msg`Priority`, direction: 'descending', says: msg`most urgent first` },
  name: { label: msg`Patient`, direction: 'ascending', says: msg`by name, A to Z` },
  last_activity: { label: msg`Last activity`, direction: 'descending', says: msg`most recent activity first` },
};

function SortHeader({ sortKey, ordering, onSort, children }) {
  const sort = SORTS[sortKey];
  const active = ordering === sortKey;
  return (
    <th scope="col" aria-sort={active ? sort.direction : undefined}>
      <button type="button" class="sort" onClick={() => onSort(sortKey)}>
        {children || word(sort.label)}
        <span class="sort__mark" aria-hidden="true">
          {active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
        </span>
        <span class="visually-hidden">{active ? t`, sorted ${word(sort.says)}` : t`, sort ${word(sort.says)}`}</span>
      </button>
    </th>
  );
}

// The priority in words, with its reasons: the flags by severity (the score only orders the list:
// 100 per urgent flag, 10 per warning, 1 per note — apps/clinic/flags.py).
function Priority({ flags }) {
  const count = (severity) => flags.filter((f) => f.severity === severity).length;
  const [urgent, warning, info] = [count('urgent'), count('warning'), count('info')];
  const level = urgent ? t`High` : warning ? t`Medium` : info ? t`Low` : t`None`;
  const reasons = [
    urgent && plural(urgent, { one: '# urgent flag', other: '# urgent flags' }),
    warning && plural(warning, { one: '# warning', other: '# warnings' }),
    info && plural(info, { one: '# note', other: '# notes' }),
  ].filter(Boolean);
  return (
    <span class={`priority priority--${urgent ? 'high' : warning ? 'medium' : info ? 'low' : 'none'}`} data-testid="priority">
      <strong>{level}</strong>
      {reasons.length > 0 && <span class="row-sub">{reasons.join(', ')}</span>}
    </span>
  );
}

function PatientRow({ patient, openFlag, onToggleFlag }) {
  const evidenceId = `evidence-${patient.id}`;
  const flag = patient.flags.find((f) => f.code === openFlag);
  return (
    <>
      <tr data-testid="patient-row" data-patient={patient.id}>
        <th scope="row">
          <Link href={`/clinic/patients/${patient.id}`}>{patient.display_name}</Link>
          <span class="row-sub">
            {[patient.age_years != null && `${patient.age_years} y`, patient.sm_subtype && (word(SUBTYPE_LABEL[patient.sm_subtype]) || patient.sm_subtype)].filter(Boolean).join(' · ')}
          </span>
        </th>
        <td>
          {patient.flags.length ? (
            <ul class="flag-list">
              {patient.flags.map((f) => (
                <li key={f.code}>
                  <FlagButton flag={f} expanded={openFlag === f.code} controls={evidenceId} onToggle={() => onToggleFlag(f.code)} />
                </li>
              ))}
            </ul>
          ) : (
            <span class="muted">{t`None`}</span>
          )}
        </td>
        <td>
          <Priority flags={patient.flags} />
        </td>
        <td class="num">{patient.days_since_last_injection == null ? '—' : `${patient.days_since_last_injection} d`}</td>
        <td class="num">{percent(patient.adherence_30d)}</td>
        <td>{formatDateTime(patient.last_activity_at)}</td>
      </tr>
      {flag && (
        <tr class="evidence-row">
          <td colSpan={6}>
            <Evidence flag={flag} patientName={patient.display_name} id={evidenceId} headingLevel={2} onClose={() => onToggleFlag(null)} />
          </td>
        </tr>
      )}
    </>
  );
}

export function PatientList({ query }) {
  const [search, setSearch] = useState(query.get('search') || '');
  const flag = query.get('flag') || '';
  const ordering = SORTS[query.get('ordering')] ? query.get('ordering') : 'urgency';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const term = query.get('search') || '';
  const [open, setOpen] = useState(null); // [patientId, flagCode]

  const update = (changes) => {
    const params = new URLSearchParams(location.search);
    Object.entries(changes).forEach(([key, value]) => (value ? params.set(key, value) : params.delete(key)));
    if (!('page' in changes)) params.delete('page');
    if (params.get('ordering') === 'urgency') params.delete('ordering');
    const text = params.toString();
    navigate(`/clinic/patients${text ? `?${text}` : ''}`, { replace: true });
  };

  // The search box asks the server once typing pauses.
  useEffect(() => {
    if (search === term) return undefined;
    const timer = setTimeout(() => update({ search: search.trim() }), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const params = new URLSearchParams({ ordering, page: String(page), page_size: String(PAGE_SIZE) });
  if (flag) params.set('flag', flag);
  if (term) params.set('search', term);
  const { data, error, loading } = useData(() => clinicApi(`clinic/patients/?${params}`), [params.toString()]);
  const pages = data ? Math.max(1, Math.ceil(data.count / PAGE_SIZE)) : 1;
  const filterLabel = word(FLAGS.find(([code]) => code === flag)?.[1]);

  return (
    <>
      <h1>{t`Patients`}</h1>
      <p class="lede">{t`Everyone who shared their record with you, ${word(SORTS[ordering].says)}. Open a flag to see the records behind it.`}</p>
      <div class="list-tools">
        <div class="field list-tools__search">
          <label for="patient-search">{t`Search patients`}</label>
          <input id="patient-search" type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} autocomplete="off" />
        </div>
        <div role="group" aria-labelledby="flag-filter-label" class="chips">
          <span id="flag-filter-label" class="chips__label">
            {t`Show only`}
          </span>
          <button type="button" class="chip" aria-pressed={flag ? 'false' : 'true'} onClick={() => update({ flag: '' })}>
            {t`All patients`}
          </button>
          {FLAGS.map(([code, label]) => (
            <button key={code} type="button" class="chip" aria-pressed={flag === code ? 'true' : 'false'} onClick={() => update({ flag: flag === code ? '' : code })}>
              {word(label)}
            </button>
          ))}
        </div>
      </div>
      <p role="status" class="list-count" data-testid="list-count">
        {data
          ? `${plural(data.count, { one: '# patient', other: '# patients' })}${filterLabel ? t` flagged “${filterLabel}”` : ''}${term ? t` matching “${term}”` : ''}.`
          : loading
            ? t`Loading patients…`
            : ''}
      </p>
      <Problem error={error} what={t`The patient list could not be loaded`} />
      {data && data.results.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="patients-caption">
          <table class="patients" aria-busy={loading ? 'true' : 'false'}>
            <caption id="patients-caption" class="visually-hidden">
              {t`Patients who shared their record with you, ${word(SORTS[ordering].says)}`}
            </caption>
            <thead>
              <tr>
                <SortHeader sortKey="name" ordering={ordering} onSort={(key) => update({ ordering: key })} />
                <th scope="col">{t`Flags`}</th>
                <SortHeader sortKey="urgency" ordering={ordering} onSort={(key) => update({ ordering: key })} />
                <th scope="col">{t`Since last injection`}</th>
                <th scope="col">{t`Adherence, 30 days`}</th>
                <SortHeader sortKey="last_activity" ordering={ordering} onSort={(key) => update({ ordering: key })} />
              </tr>
            </thead>
            <tbody>
              {data.results.map((patient) => (
                <PatientRow
                  key={patient.id}
                  patient={patient}
                  openFlag={open?.[0] === patient.id ? open[1] : null}
                  onToggleFlag={(code) => setOpen(code && !(open?.[0] === patient.id && open[1] === code) ? [patient.id, code] : null)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && pages > 1 && (
        <nav class="pager" aria-label={t`Pages`}>
          <button type="button" class="button button--secondary button--small" disabled={!data.previous} onClick={() => update({ page: String(page - 1) })}>
            {t`Previous page`}
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" class="button button--secondary button--small" disabled={!data.next} onClick={() => update({ page: String(page + 1) })}>
            {t`Next page`}
          </button>
        </nav>
      )}
    </>
  );
}
