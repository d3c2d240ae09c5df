// The care team of the patient on screen, pending invitations, and inviting someone.
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { Field, FormError, formatWhen, Loading, useSubmit } from '../lib/ui.jsx';

export function Team({ patient }) {
  const [members, setMembers] = useState(null);
  const [invitations, setInvitations] = useState([]);
  const [version, setVersion] = useState(0);
  const [values, setValues] = useState({ email: '', role: 'caregiver' });
  const owner = patient.my_role === 'owner';
  useEffect(() => {
    api(patientPath(patient.id, 'members/')).then(setMembers).catch(() => setMembers([]));
    if (owner) api(patientPath(patient.id, 'invitations/')).then(setInvitations).catch(() => {});
  }, [patient.id, version]);
  const invite = useSubmit(async () => {
    await api(patientPath(patient.id, 'invitations/'), { method: 'POST', body: values });
    setValues({ email: '', role: 'caregiver' });
    setVersion((v) => v + 1);
  });
  const withdraw = async (id) => {
    await api(patientPath(patient.id, `invitations/${id}/`), { method: 'DELETE' }).catch(() => {});
    setVersion((v) => v + 1);
  };
  const pending = invitations.filter((i) => i.status === 'pending');
  return (
    <>
      <h1>Care team</h1>
      <p class="muted">Everyone who can see {patient.display_name}'s record.</p>
      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        {!members ? <Loading /> : (
          <ul class="list">
            {members.map((m) => (
              <li key={m.id} class="item">
                <span>{m.user.display_name}<br /><span class="muted">{m.user.email}</span></span>
                <span>{m.role}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {owner && (
        <section class="card" aria-labelledby="invite-title">
          <h2 id="invite-title">Invite someone</h2>
          <form onSubmit={invite.submit} noValidate>
            <Field label="Their email" name="email" type="email" errors={invite.fields} value={values.email} onInput={(e) => setValues({ ...values, email: e.currentTarget.value })} />
            <Field as="select" label="Role" name="role" errors={invite.fields} value={values.role} onChange={(e) => setValues({ ...values, role: e.currentTarget.value })}>
              <option value="caregiver">Caregiver (logs and gets alerts)</option>
              <option value="clinician">Clinician (reads, adds labs and clinic doses)</option>
              <option value="owner">Owner (full control)</option>
            </Field>
            <FormError error={invite.error} shown={['email', 'role']} />
            <button class="button" type="submit" disabled={invite.busy}>Send invitation</button>
          </form>
          {pending.length > 0 && (
            <>
              <h3>Waiting for an answer</h3>
              <ul class="list">
                {pending.map((i) => (
                  <li key={i.id} class="item">
                    <span>{i.email} ({i.role})<br /><span class="muted">until {formatWhen(i.expires_at)}</span></span>
                    <button type="button" class="button button--secondary button--small" onClick={() => withdraw(i.id)} aria-label={`Withdraw the invitation to ${i.email}`}>Withdraw</button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </>
  );
}
