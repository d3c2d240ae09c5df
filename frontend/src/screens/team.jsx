// The care team of the patient on screen: who is on it and in what role, changing a role,
// removing someone or leaving, invitations, and (for owners) who saw or changed the record.
import { t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { formatDate, formatWhen } from '../lib/format.js';
import { i18n } from '../lib/i18n.js';
import { Link, navigate } from '../lib/router.jsx';
import { isOwner, reloadPatients } from '../lib/session.js';
import { Confirm, Field, FormError, Loaded, useSubmit } from '../lib/ui.jsx';
import { ROLE_HINTS, ROLES, say } from '../lib/words.js';

function Member({ patient, member, me, onChanged }) {
  const [mode, setMode] = useState(null);
  const owner = isOwner(patient);
  const self = member.user.id === me?.id;
  const change = useSubmit(async (role) => {
    const updated = await api(patientPath(patient.id, `members/${member.id}/`), { method: 'PATCH', body: { role } });
    onChanged(updated);
    setMode(null);
  });
  const remove = useSubmit(async () => {
    await api(patientPath(patient.id, `members/${member.id}/`), { method: 'DELETE' });
    onChanged(null);
  });
  const leave = useSubmit(async () => {
    await api(patientPath(patient.id, 'members/leave/'), { method: 'POST' });
    await reloadPatients();
    navigate('/today', { replace: true });
  });
  const name = member.user.display_name;
  return (
    <li class="entry" data-testid="member">
      <p class="entry__what">
        <strong>{name}</strong>
        {self ? ` (${t`you`})` : ''} <span class="tag">{say(ROLES, member.role)}</span>
      </p>
      <p class="muted entry__email">{member.user.email}</p>
      {mode === 'role' && (
        <div class="actions" role="group" aria-label={t`New role for ${name}`}>
          {Object.keys(ROLES)
            .filter((role) => role !== member.role)
            .map((role) => (
              <button key={role} type="button" class="button button--secondary button--small" onClick={() => change.submit(role)}>
                {t`Make ${say(ROLES, role).toLowerCase()}`}
              </button>
            ))}
          <button type="button" class="button button--secondary button--small" onClick={() => setMode(null)}>
            {t`Cancel`}
          </button>
        </div>
      )}
      {mode === 'remove' && <Confirm question={t`Remove ${name} from the care team? They lose access at once.`} yes={t`Remove`} danger onYes={remove.submit} onNo={() => setMode(null)} />}
      {mode === 'leave' && <Confirm question={t`Leave ${patient.display_name}'s care team? You lose access at once.`} yes={t`Leave`} danger onYes={leave.submit} onNo={() => setMode(null)} />}
      {!mode && (
        <div class="actions">
          {owner && !self && (
            <>
              <button type="button" class="button button--secondary button--small" onClick={() => setMode('role')} aria-label={t`Change role: ${name}`}>
                {t`Change role`}
              </button>
              <button type="button" class="button button--secondary button--small" onClick={() => setMode('remove')} aria-label={t`Remove ${name}`}>
                {t`Remove`}
              </button>
            </>
          )}
          {self && (
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('leave')}>
              {t`Leave this care team`}
            </button>
          )}
        </div>
      )}
      <FormError error={change.error || remove.error || leave.error} />
    </li>
  );
}

export function Team({ session, patient }) {
  const owner = isOwner(patient);
  const members = useData(() => api(patientPath(patient.id, 'members/')), [patient.id], { cache: `members:${patient.id}` });
  const invitations = useData(() => (owner ? api(patientPath(patient.id, 'invitations/')) : Promise.resolve([])), [patient.id]);
  const [values, setValues] = useState({ email: '', role: 'caregiver' });
  const [sent, setSent] = useState('');
  const invite = useSubmit(async () => {
    await api(patientPath(patient.id, 'invitations/'), { method: 'POST', body: values });
    setSent(t`Invitation sent to ${values.email}.`);
    setValues({ email: '', role: 'caregiver' });
    invitations.reload();
  });
  const withdraw = useSubmit(async (id) => {
    await api(patientPath(patient.id, `invitations/${id}/`), { method: 'DELETE' });
    invitations.reload();
  });
  const pending = (invitations.data || []).filter((i) => i.status === 'pending');
  return (
    <>
      <h1>{t`Care team`}</h1>
      <p class="muted">{t`Everyone who can see ${patient.display_name}'s record.`}</p>
      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">{t`Members`}</h2>
        <Loaded state={members}>
          {(list) => (
            <ul class="list">
              {list.map((m) => (
                <Member key={m.id} patient={patient} member={m} me={session.user} onChanged={(updated) => members.set(updated ? list.map((x) => (x.id === m.id ? updated : x)) : list.filter((x) => x.id !== m.id))} />
              ))}
            </ul>
          )}
        </Loaded>
      </section>
      {owner && (
        <section class="card" aria-labelledby="invite-title">
          <h2 id="invite-title">{t`Invite someone`}</h2>
          <form onSubmit={invite.submit} noValidate>
            <Field label={t`Their email`} name="email" type="email" errors={invite.fields} value={values.email} onInput={(e) => setValues({ ...values, email: e.currentTarget.value })} />
            <fieldset>
              <legend>{t`Role`}</legend>
              {Object.entries(ROLES).map(([role, label]) => (
                <label class="check check--top" key={role}>
                  <input type="radio" name="role" value={role} checked={values.role === role} onChange={() => setValues({ ...values, role })} />
                  <span>
                    {i18n._(label)}
                    <br />
                    <span class="muted">{i18n._(ROLE_HINTS[role])}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            <FormError error={invite.error} shown={['email', 'role']} />
            <button class="button" type="submit" disabled={invite.busy}>
              {t`Send invitation`}
            </button>
            <p class="notice" aria-live="polite">
              {sent}
            </p>
          </form>
          {pending.length > 0 && (
            <>
              <h3>{t`Waiting for an answer`}</h3>
              <ul class="list">
                {pending.map((i) => (
                  <li key={i.id} class="entry">
                    <p class="entry__what entry__email">
                      {i.email} <span class="tag">{say(ROLES, i.role)}</span>
                    </p>
                    <p class="muted">{t`Until ${formatDate(i.expires_at)}`}</p>
                    <button type="button" class="button button--secondary button--small" onClick={() => withdraw.submit(i.id)} aria-label={t`Withdraw the invitation to ${i.email}`}>
                      {t`Withdraw`}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p>
            <Link href="/audit">{t`Who saw or changed the record`}</Link>
          </p>
        </section>
      )}
    </>
  );
}

const ACTIONS = () => ({ read: t`looked at`, create: t`added`, update: t`changed`, delete: t`deleted` });

export function Audit({ patient }) {
  const [pages, setPages] = useState(['']);
  const audit = useData(() => api(patientPath(patient.id, `audit/?page_size=50${pages[pages.length - 1]}`)), [patient.id, pages.length]);
  return (
    <>
      <h1>{t`Who saw the record`}</h1>
      <p class="muted">{t`Every read or change of ${patient.display_name}'s record by a caregiver, a clinician or someone using a shared emergency card, newest first.`}</p>
      {isOwner(patient) || patient.my_role === 'clinician' ? (
        <Loaded state={audit} empty={t`Nobody but the owners has opened the record yet.`}>
          {(page) => (
            <>
              <ul class="list">
                {page.results.map((event) => (
                  <li key={event.id} class="entry" data-testid="audit-event">
                    <p class="entry__what">
                      <strong>{event.actor_label}</strong> {event.actor_role ? `(${say(ROLES, event.actor_role)})` : ''} {ACTIONS()[event.action] || event.action} {event.resource.replace(/[_-]/g, ' ')}
                    </p>
                    <p class="muted">
                      {formatWhen(event.created_at)}
                      {event.ip_address ? ` · ${event.ip_address}` : ''}
                    </p>
                  </li>
                ))}
              </ul>
              {page.next && (
                <button type="button" class="button button--secondary" onClick={() => setPages([...pages, `&cursor=${new URL(page.next).searchParams.get('cursor')}`])}>
                  {t`Older`}
                </button>
              )}
            </>
          )}
        </Loaded>
      ) : (
        <p>{t`Only the owners of the record see this list.`}</p>
      )}
    </>
  );
}
