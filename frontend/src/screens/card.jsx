// The emergency card: what a first responder needs (diagnosis, KIT D816V, baseline tryptase,
// medicines, triggers, intolerances, the anaphylaxis plan, contacts), kept on the phone once seen
// so it opens with no signal; its own text and contacts (owners); and share links with a QR code
// for first responders, with an expiry, that can be revoked.
import { t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { formatDate, formatNumber, formatWhen, localInput, toIso } from '../lib/format.js';
import { Link } from '../lib/router.jsx';
import { isOwner } from '../lib/session.js';
import { Confirm, Field, FormError, Loaded, useSubmit } from '../lib/ui.jsx';
import { CopyField } from './medications.jsx';
import { KIT, say } from '../lib/words.js';
import { i18n, LANGUAGES } from '../lib/i18n.js';

const STANDING_PLAN = () => t`Give epinephrine (auto-injector, outer thigh) at once and call the emergency number. Lie flat with the legs raised. A second dose after 5–15 minutes if there is no improvement.`;

export const useCard = (patient) => useData(() => api(patientPath(patient.id, 'emergency-card')), [patient.id], { cache: `card:${patient.id}`, isEmpty: () => false });

export function CardView({ card }) {
  return (
    <section class="card ecard" aria-labelledby="card-name" data-testid="emergency-card">
      <h2 id="card-name">{card.patient_name}</h2>
      {card.date_of_birth && <p>{t`Born ${formatDate(card.date_of_birth)}`}</p>}
      <p>
        <strong>{card.diagnosis}</strong>
        {card.diagnosis_note ? ` — ${card.diagnosis_note}` : ''}
      </p>
      <p>{card.kit_d816v_status ? say(KIT, card.kit_d816v_status) : card.kit_d816v}</p>
      {card.baseline_tryptase && <p>{t`Baseline tryptase: ${formatNumber(card.baseline_tryptase.value)} ${card.baseline_tryptase.unit} (${formatDate(card.baseline_tryptase.sampled_on)})`}</p>}
      <div class="alert">
        <h3>{t`Anaphylaxis`}</h3>
        <p class="pre">{card.action_plan || STANDING_PLAN()}</p>
      </div>
      <h3>{t`Medicines`}</h3>
      {card.medicines.length ? (
        <ul>
          {card.medicines.map((m) => (
            <li key={m.name}>
              {m.name}
              {m.dose ? `, ${m.dose}` : ''}
              {m.as_needed ? ` (${t`as needed`})` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t`None listed.`}</p>
      )}
      <h3>{t`Known triggers`}</h3>
      {card.known_triggers.length ? <p>{card.known_triggers.join(', ')}</p> : <p class="muted">{t`None listed.`}</p>}
      {card.drug_intolerances.length > 0 && (
        <>
          <h3>{t`Drugs not tolerated`}</h3>
          <p>{card.drug_intolerances.join(', ')}</p>
        </>
      )}
      <h3>{t`Emergency contacts`}</h3>
      {card.emergency_contacts.length ? (
        <ul>
          {card.emergency_contacts.map((c) => (
            <li key={c.phone}>
              {c.name}
              {c.relation ? ` (${c.relation})` : ''}: <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>{c.phone}</a>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t`None listed.`}</p>
      )}
    </section>
  );
}

export function EmergencyCard({ patient }) {
  const card = useCard(patient);
  return (
    <>
      <h1>{t`Emergency card`}</h1>
      <Loaded state={card}>{(data) => <CardView card={data} />}</Loaded>
      {isOwner(patient) && (
        <ul class="links">
          <li>
            <Link href="/card/edit">{t`Edit the card and contacts`}</Link>
          </li>
          <li>
            <Link href="/card/share">{t`Share with first responders (link and QR code)`}</Link>
          </li>
        </ul>
      )}
      <p class="muted">{t`Kept on this phone once seen, so it opens with no signal.`}</p>
    </>
  );
}

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);

export function CardEdit({ patient }) {
  const card = useCard(patient);
  return (
    <>
      <h1>{t`Edit the card`}</h1>
      <p>
        <Link href="/card">{t`Back to the card`}</Link>
      </p>
      {!isOwner(patient) ? <p>{t`Only the owners of the record change the card.`}</p> : <Loaded state={card}>{(data) => <CardEditForm patient={patient} card={data} onSaved={card.set} />}</Loaded>}
    </>
  );
}

function CardEditForm({ patient, card, onSaved }) {
  const [values, setValues] = useState({ diagnosis_note: card.diagnosis_note, action_plan: card.action_plan, drug_intolerances: card.drug_intolerances.join('\n'), extra_triggers: card.extra_triggers.join('\n') });
  const [contacts, setContacts] = useState(card.emergency_contacts.length ? card.emergency_contacts : []);
  const [message, setMessage] = useState('');
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSubmit(async () => {
    const saved = await api(patientPath(patient.id, 'emergency-card'), { method: 'PATCH', body: { ...values, drug_intolerances: lines(values.drug_intolerances), extra_triggers: lines(values.extra_triggers) } });
    onSaved(saved);
    setMessage(t`Saved.`);
  });
  const contactsForm = useSubmit(async () => {
    const cleaned = contacts.filter((c) => c.name || c.phone);
    await api(`patients/${patient.id}/`, { method: 'PATCH', body: { emergency_contacts: cleaned } });
    onSaved({ ...card, emergency_contacts: cleaned });
    setMessage(t`Contacts saved.`);
  });
  const setContact = (index, name) => (event) => setContacts(contacts.map((c, i) => (i === index ? { ...c, [name]: event.currentTarget.value } : c)));
  const contactErrors = (index) => {
    const errors = contactsForm.fields.emergency_contacts;
    return Array.isArray(errors) ? errors[index] || {} : {};
  };
  return (
    <>
      <p class="notice" role="status">
        {message}
      </p>
      <form class="card" onSubmit={form.submit} noValidate aria-labelledby="card-text">
        <h2 id="card-text">{t`The card's own words`}</h2>
        <Field label={t`About the diagnosis (optional)`} name="diagnosis_note" maxLength={300} errors={form.fields} value={values.diagnosis_note} onInput={set('diagnosis_note')} />
        <Field as="textarea" label={t`Anaphylaxis plan`} hint={t`What to do, in your or your doctor's words. Empty: the standard advice is shown.`} name="action_plan" rows="5" errors={form.fields} value={values.action_plan} onInput={set('action_plan')} />
        <Field as="textarea" label={t`Drugs not tolerated`} hint={t`One per line.`} name="drug_intolerances" rows="3" errors={form.fields} value={values.drug_intolerances} onInput={set('drug_intolerances')} />
        <Field as="textarea" label={t`Other triggers`} hint={t`One per line; triggers logged in the diary are listed anyway.`} name="extra_triggers" rows="3" errors={form.fields} value={values.extra_triggers} onInput={set('extra_triggers')} />
        <FormError error={form.error} shown={['diagnosis_note', 'action_plan', 'drug_intolerances', 'extra_triggers']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Save the card`}
        </button>
      </form>
      <form class="card" onSubmit={contactsForm.submit} noValidate aria-labelledby="contacts-title">
        <h2 id="contacts-title">{t`Emergency contacts`}</h2>
        {contacts.length === 0 && <p class="muted">{t`None yet.`}</p>}
        {contacts.map((contact, index) => (
          <fieldset key={index} class="card card--inner">
            <legend>{t`Contact ${index + 1}`}</legend>
            <Field label={t`Name`} name="name" errors={contactErrors(index)} value={contact.name} onInput={setContact(index, 'name')} autocomplete="off" />
            <Field label={t`Relation (optional)`} name="relation" hint={t`For example: mother, partner, GP.`} errors={contactErrors(index)} value={contact.relation || ''} onInput={setContact(index, 'relation')} />
            <Field label={t`Phone`} name="phone" type="tel" inputMode="tel" errors={contactErrors(index)} value={contact.phone} onInput={setContact(index, 'phone')} />
            <button type="button" class="button button--secondary button--small" onClick={() => setContacts(contacts.filter((_, i) => i !== index))}>
              {t`Remove this contact`}
            </button>
          </fieldset>
        ))}
        <div class="actions">
          <button type="button" class="button button--secondary" onClick={() => setContacts([...contacts, { name: '', relation: '', phone: '' }])}>
            {t`Add a contact`}
          </button>
          <button class="button" type="submit" disabled={contactsForm.busy}>
            {t`Save contacts`}
          </button>
        </div>
        <FormError error={contactsForm.error} shown={['emergency_contacts']} />
      </form>
      <CardLanguages patient={patient} card={card} onSaved={onSaved} />
    </>
  );
}

// The card's own words in other languages, for a first responder abroad: the public card shows
// them to a reader of that language (and the words as written to others). Written by the owner,
// never translated by machine.
function CardLanguages({ patient, card, onSaved }) {
  const others = LANGUAGES.filter(([code]) => code !== (card.words_language || i18n.locale));
  const [language, setLanguage] = useState(others[0][0]);
  const [all, setAll] = useState(card.translations || {});
  const [message, setMessage] = useState('');
  const words = all[language] || {};
  const relations = [...new Set(card.emergency_contacts.map((c) => c.relation).filter(Boolean))];
  const set = (name) => (event) => setAll({ ...all, [language]: { ...words, [name]: event.currentTarget.value } });
  const setRelation = (relation) => (event) => setAll({ ...all, [language]: { ...words, relations: { ...(words.relations || {}), [relation]: event.currentTarget.value } } });
  const form = useSubmit(async () => {
    const saved = await api(patientPath(patient.id, 'emergency-card'), { method: 'PATCH', body: { translations: all } });
    onSaved(saved);
    setAll(saved.translations || {});
    setMessage(t`Saved.`);
  });
  const fields = form.fields.translations?.[language] || {};
  return (
    <form class="card" onSubmit={form.submit} noValidate aria-labelledby="card-languages">
      <h2 id="card-languages">{t`The card in other languages`}</h2>
      <p class="muted">{t`A first responder abroad reads the card in their language. Give the plan in it yourself (or with your doctor): Mastline never translates your words.`}</p>
      <Field as="select" label={t`Language`} name="language" value={language} onChange={(event) => setLanguage(event.currentTarget.value)}>
        {others.map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </Field>
      <div lang={language}>
        <Field label={t`About the diagnosis (optional)`} name="diagnosis_note" maxLength={300} errors={fields} value={words.diagnosis_note || ''} onInput={set('diagnosis_note')} />
        <Field as="textarea" label={t`Anaphylaxis plan`} name="action_plan" rows="5" errors={fields} value={words.action_plan || ''} onInput={set('action_plan')} />
        {relations.map((relation) => (
          <Field key={relation} label={t`“${relation}” in this language`} name={`relation-${relation}`} value={words.relations?.[relation] || ''} onInput={setRelation(relation)} />
        ))}
      </div>
      <FormError error={form.error} shown={['translations']} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Save the words in this language`}
      </button>
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </form>
  );
}

const EXPIRY = () => [
  ['', t`Until I revoke it`],
  ['1', t`One day`],
  ['7', t`One week`],
  ['30', t`30 days`],
  ['custom', t`Until a date I choose`],
];

export function CardShare({ patient }) {
  const links = useData(() => api(patientPath(patient.id, 'emergency-card/links/')), [patient.id]);
  const [values, setValues] = useState({ label: '', expiry: '7', until: '' });
  const [made, setMade] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const create = useSubmit(async () => {
    let expires_at = null;
    if (values.expiry === 'custom') expires_at = values.until ? toIso(values.until) : null;
    else if (values.expiry) expires_at = new Date(Date.now() + Number(values.expiry) * 86400_000).toISOString();
    const link = await api(patientPath(patient.id, 'emergency-card/links/'), { method: 'POST', body: { label: values.label, expires_at } });
    setMade(link);
    links.reload();
  });
  const revoke = useSubmit(async (id) => {
    await api(patientPath(patient.id, `emergency-card/links/${id}/`), { method: 'DELETE' });
    setRevoking(null);
    if (made?.id === id) setMade(null);
    links.reload();
  });
  if (!isOwner(patient)) return (<><h1>{t`Share the card`}</h1><p>{t`Only the owners of the record share the card.`}</p></>);
  return (
    <>
      <h1>{t`Share the card`}</h1>
      <p>
        <Link href="/card">{t`Back to the card`}</Link>
      </p>
      <p class="muted">{t`Anyone with the link sees the emergency card, and only the card, without signing in, until it expires or you revoke it. Each opening is in the record's audit list.`}</p>
      {made && (
        <section class="card" aria-labelledby="made-title" data-testid="new-link">
          <h2 id="made-title">{t`New link`}</h2>
          <p>{t`Save or print it now: the link is shown only once.`}</p>
          <img class="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(made.qr_svg)}`} alt={t`QR code of the link to ${patient.display_name}'s emergency card`} width="200" height="200" />
          <CopyField label={t`Link`} value={made.url} />
        </section>
      )}
      <form class="card" onSubmit={create.submit} noValidate aria-labelledby="share-title">
        <h2 id="share-title">{t`Make a link`}</h2>
        <Field label={t`Name it (optional)`} name="label" hint={t`For example: school, holiday in Spain.`} errors={create.fields} value={values.label} onInput={(e) => setValues({ ...values, label: e.currentTarget.value })} />
        <Field as="select" label={t`It works`} name="expiry" value={values.expiry} onChange={(e) => setValues({ ...values, expiry: e.currentTarget.value })}>
          {EXPIRY().map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Field>
        {values.expiry === 'custom' && <Field label={t`Until`} name="expires_at" type="datetime-local" min={localInput()} errors={create.fields} value={values.until} onInput={(e) => setValues({ ...values, until: e.currentTarget.value })} />}
        <FormError error={create.error} shown={['label', 'expires_at']} />
        <button class="button" type="submit" disabled={create.busy}>
          {t`Make the link`}
        </button>
      </form>
      <section class="card" aria-labelledby="links-title">
        <h2 id="links-title">{t`Links made`}</h2>
        <Loaded state={links} empty={t`No links yet.`}>
          {(page) => (
            <ul class="list">
              {page.results.map((link) => (
                <li key={link.id} class="entry" data-testid="card-link">
                  <p class="entry__what">
                    <strong>{link.label || t`Link of ${formatDate(link.created_at)}`}</strong> <span class="tag">{link.active ? t`Works` : link.revoked_at ? t`Revoked` : t`Expired`}</span>
                  </p>
                  <p class="muted">
                    {link.expires_at ? t`Until ${formatWhen(link.expires_at)}` : t`No expiry`} · {link.views ? t`Opened ${link.views}×, last ${formatWhen(link.last_viewed_at)}` : t`Not opened yet`}
                  </p>
                  {link.active &&
                    (revoking === link.id ? (
                      <Confirm question={t`Revoke this link? It stops working at once.`} yes={t`Revoke`} danger onYes={() => revoke.submit(link.id)} onNo={() => setRevoking(null)} />
                    ) : (
                      <button type="button" class="button button--secondary button--small" onClick={() => setRevoking(link.id)}>
                        {t`Revoke`}
                      </button>
                    ))}
                </li>
              ))}
            </ul>
          )}
        </Loaded>
        <FormError error={revoke.error} />
      </section>
    </>
  );
}

