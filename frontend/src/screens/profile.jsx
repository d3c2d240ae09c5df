// The patient's profile (name, birth date, diagnosis in words, KIT D816V, time zone), downloading
// the record, deleting it, and the patient's own symptoms and triggers for the diary.
import { t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { i18n } from '../lib/i18n.js';
import { Link, navigate } from '../lib/router.jsx';
import { canWriteDiary, isOwner, reloadPatients } from '../lib/session.js';
import { Confirm, Field, FormError, Loaded, useSubmit } from '../lib/ui.jsx';
import { DOMAINS, KIT, say, SUBTYPES, TRIGGER_CATEGORIES } from '../lib/words.js';
import { ZonePicker } from '../lib/zone.jsx';
import { CATALOGUES } from './log.jsx';

export function DiagnosisChoice({ value, onChange }) {
  return (
    <fieldset>
      <legend>{t`Diagnosis`}</legend>
      {Object.entries(SUBTYPES).map(([code, [, explanation]]) => (
        <label class="check check--top" key={code}>
          <input type="radio" name="sm_subtype" value={code} checked={value === code} onChange={() => onChange(code)} />
          <span>
            {say(SUBTYPES, code)}
            <br />
            <span class="muted">{i18n._(explanation)}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

export function KitChoice({ value, onChange, errors }) {
  return (
    <Field as="select" label={t`KIT D816V (a gene change found in most adults with SM)`} name="kit_d816v_status" errors={errors} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      {Object.entries(KIT).map(([code, label]) => (
        <option key={code} value={code}>
          {i18n._(label)}
        </option>
      ))}
    </Field>
  );
}

export function Profile({ patient }) {
  const record = useData(() => api(`patients/${patient.id}/`), [patient.id], { cache: `patient:${patient.id}`, isEmpty: () => false });
  return (
    <>
      <h1>{t`Profile`}</h1>
      <Loaded state={record}>{(data) => <ProfileForm patient={patient} record={data} onSaved={record.set} />}</Loaded>
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">{t`Download the record`}</h2>
        <p class="muted">{t`For another doctor, a spreadsheet or your own copy.`}</p>
        <ul class="links">
          {[
            ['symptoms', t`Symptoms (CSV)`],
            ['check-ins', t`Check-ins (CSV)`],
            ['triggers', t`Triggers (CSV)`],
            ['episodes', t`Anaphylaxis episodes (CSV)`],
            ['labs', t`Lab results (CSV)`],
            ['doses', t`Doses (CSV)`],
          ].map(([kind, label]) => (
            <li key={kind}>
              <a href={`/api/v1/${patientPath(patient.id, `export/${kind}.csv`)}`} download>
                {label}
              </a>
            </li>
          ))}
          <li>
            <a href={`/api/v1/${patientPath(patient.id, 'export/fhir')}`} download>
              {t`Everything, for health records (FHIR)`}
            </a>
          </li>
        </ul>
      </section>
      {canWriteDiary(patient) && (
        <p>
          <Link href="/catalogue">{t`Your own symptoms and triggers`}</Link>
        </p>
      )}
      {isOwner(patient) && <DeleteRecord patient={patient} />}
    </>
  );
}

function ProfileForm({ patient, record, onSaved }) {
  const owner = isOwner(patient);
  const [values, setValues] = useState({ display_name: record.display_name, date_of_birth: record.date_of_birth || '', sm_subtype: record.sm_subtype, kit_d816v_status: record.kit_d816v_status, time_zone: record.time_zone });
  const [message, setMessage] = useState('');
  const form = useSubmit(async () => {
    const body = { ...values, date_of_birth: values.date_of_birth || null };
    const saved = await api(`patients/${patient.id}/`, { method: 'PATCH', body });
    onSaved(saved);
    await reloadPatients(patient.id);
    setMessage(t`Saved.`);
  });
  if (!owner) {
    return (
      <section class="card">
        <h2>{record.display_name}</h2>
        <p>{say(SUBTYPES, record.sm_subtype)}</p>
        <p>{say(KIT, record.kit_d816v_status)}</p>
        <p class="muted">{t`Time zone: ${record.time_zone}`}</p>
        <p class="muted">{t`Only the owners of the record change the profile.`}</p>
      </section>
    );
  }
  return (
    <form class="card" onSubmit={form.submit} noValidate>
      <Field label={t`Name`} name="display_name" errors={form.fields} value={values.display_name} onInput={(e) => setValues({ ...values, display_name: e.currentTarget.value })} />
      <Field label={t`Date of birth (optional)`} name="date_of_birth" type="date" errors={form.fields} value={values.date_of_birth} onInput={(e) => setValues({ ...values, date_of_birth: e.currentTarget.value })} />
      <DiagnosisChoice value={values.sm_subtype} onChange={(sm_subtype) => setValues({ ...values, sm_subtype })} />
      <KitChoice value={values.kit_d816v_status} errors={form.fields} onChange={(kit_d816v_status) => setValues({ ...values, kit_d816v_status })} />
      <ZonePicker label={t`Time zone`} hint={t`Reminders, check-ins and "today" follow this zone. Type a city, then pick it.`} value={values.time_zone} errors={form.fields.time_zone} onChange={(time_zone) => setValues({ ...values, time_zone })} />
      <FormError error={form.error} shown={['display_name', 'date_of_birth', 'sm_subtype', 'kit_d816v_status', 'time_zone']} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Save profile`}
      </button>
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </form>
  );
}

function DeleteRecord({ patient }) {
  const [asking, setAsking] = useState(false);
  const form = useSubmit(async () => {
    await api(`patients/${patient.id}/`, { method: 'DELETE' });
    await reloadPatients();
    navigate('/today', { replace: true });
  });
  return (
    <section class="card" aria-labelledby="delete-title">
      <h2 id="delete-title">{t`Delete the record`}</h2>
      {asking ? (
        <Confirm question={t`Delete ${patient.display_name}'s whole record, for everyone on the care team? This cannot be undone.`} yes={t`Delete the record`} danger onYes={form.submit} onNo={() => setAsking(false)} />
      ) : (
        <button type="button" class="button button--secondary" onClick={() => setAsking(true)}>
          {t`Delete the record…`}
        </button>
      )}
      <FormError error={form.error} />
    </section>
  );
}

function CatalogueSection({ patient, kind, title, groups, groupField }) {
  const entries = useData(() => api(patientPath(patient.id, `${CATALOGUES[kind]}/`)), [patient.id, kind], { cache: `own-${kind}:${patient.id}` });
  const [values, setValues] = useState({ name: '', group: Object.keys(groups)[0] });
  const [editing, setEditing] = useState(null);
  const add = useSubmit(async () => {
    const created = await api(patientPath(patient.id, `${CATALOGUES[kind]}/`), { method: 'POST', body: { id: crypto.randomUUID(), name: values.name, [groupField]: values.group } });
    entries.set([...(entries.data || []), created]);
    setValues({ ...values, name: '' });
  });
  const rename = useSubmit(async () => {
    const entry = entries.data.find((e) => e.id === editing.id);
    const saved = await api(patientPath(patient.id, `${CATALOGUES[kind]}/${entry.id}/`), { method: 'PATCH', body: { name: editing.name }, headers: { 'If-Match': `"${entry.version}"` } });
    entries.set(entries.data.map((e) => (e.id === saved.id ? saved : e)));
    setEditing(null);
  });
  const remove = useSubmit(async (entry) => {
    await api(patientPath(patient.id, `${CATALOGUES[kind]}/${entry.id}/`), { method: 'DELETE', headers: { 'If-Match': `"${entry.version}"` } });
    entries.set(entries.data.filter((e) => e.id !== entry.id));
  });
  return (
    <section class="card" aria-labelledby={`own-${kind}`}>
      <h2 id={`own-${kind}`}>{title}</h2>
      <Loaded state={entries}>
        {(list) => {
          const own = list.filter((e) => e.is_custom);
          return own.length === 0 ? (
            <p class="muted">{t`None yet.`}</p>
          ) : (
            <ul class="list">
              {own.map((entry) => (
                <li key={entry.id} class="entry">
                  {editing?.id === entry.id ? (
                    <form onSubmit={rename.submit} noValidate>
                      <Field label={t`New name`} name="name" errors={rename.fields} value={editing.name} onInput={(e) => setEditing({ ...editing, name: e.currentTarget.value })} />
                      <div class="actions">
                        <button class="button button--small" type="submit">
                          {t`Save`}
                        </button>
                        <button class="button button--secondary button--small" type="button" onClick={() => setEditing(null)}>
                          {t`Cancel`}
                        </button>
                      </div>
                    </form>
                  ) : (
                    <>
                      <p class="entry__what">
                        {entry.name} <span class="muted">({say(groups, entry[groupField])})</span>
                      </p>
                      <div class="actions">
                        <button type="button" class="button button--secondary button--small" onClick={() => setEditing({ id: entry.id, name: entry.name })} aria-label={t`Rename ${entry.name}`}>
                          {t`Rename`}
                        </button>
                        <button type="button" class="button button--secondary button--small" onClick={() => remove.submit(entry)} aria-label={t`Delete ${entry.name}`}>
                          {t`Delete`}
                        </button>
                      </div>
                    </>
                  )}
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
      <form onSubmit={add.submit} noValidate>
        <Field label={t`Name`} name="name" errors={add.fields} value={values.name} onInput={(e) => setValues({ ...values, name: e.currentTarget.value })} />
        <Field as="select" label={kind === 'symptoms' ? t`Part of the body` : t`Kind`} name={groupField} errors={add.fields} value={values.group} onChange={(e) => setValues({ ...values, group: e.currentTarget.value })}>
          {Object.keys(groups).map((code) => (
            <option key={code} value={code}>
              {say(groups, code)}
            </option>
          ))}
        </Field>
        <FormError error={add.error || remove.error} shown={['name', groupField]} />
        <button class="button button--secondary" type="submit" disabled={add.busy}>
          {kind === 'symptoms' ? t`Add symptom` : t`Add trigger`}
        </button>
      </form>
    </section>
  );
}

export function Catalogue({ patient }) {
  if (!canWriteDiary(patient)) return (<><h1>{t`Your own symptoms and triggers`}</h1><p>{t`Only the patient and their caregivers add to the diary's lists.`}</p></>);
  return (
    <>
      <h1>{t`Your own symptoms and triggers`}</h1>
      <p class="muted">{t`Add what the lists lack, in your own words: only ${patient.display_name}'s diary uses them.`}</p>
      <CatalogueSection patient={patient} kind="symptoms" title={t`Symptoms`} groups={DOMAINS} groupField="domain" />
      <CatalogueSection patient={patient} kind="triggers" title={t`Triggers`} groups={TRIGGER_CATEGORIES} groupField="category" />
    </>
  );
}
