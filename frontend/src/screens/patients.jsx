// Adding a patient record (yourself, or a child), and answering an invitation to someone's team.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.jsx';
import { reloadPatients } from '../lib/session.js';
import { Field, FormError, humanize, useSubmit } from '../lib/ui.jsx';

const SUBTYPES = ['ISM', 'BMM', 'SSM', 'ASM', 'SM-AHN', 'MCL', 'CM', 'MCAS', 'unknown'];

export function NewPatient({ session }) {
  const [values, setValues] = useState({ display_name: '', date_of_birth: '', sm_subtype: 'unknown', kit_d816v_status: 'unknown', time_zone: session.user?.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSubmit(async () => {
    const body = { ...values };
    if (!body.date_of_birth) delete body.date_of_birth;
    const patient = await api('patients/', { method: 'POST', body });
    await reloadPatients(patient.id);
    navigate('/today');
  });
  return (
    <>
      <h1>Add a patient</h1>
      <form class="card" onSubmit={form.submit} noValidate>
        <Field label="Name" name="display_name" hint="Yourself, or the child you care for." errors={form.fields} value={values.display_name} onInput={set('display_name')} required />
        <Field label="Date of birth (optional)" name="date_of_birth" type="date" errors={form.fields} value={values.date_of_birth} onInput={set('date_of_birth')} />
        <Field as="select" label="Diagnosis" name="sm_subtype" errors={form.fields} value={values.sm_subtype} onChange={set('sm_subtype')}>
          {SUBTYPES.map((code) => <option key={code} value={code}>{code === 'unknown' ? 'Not known yet' : code}</option>)}
        </Field>
        <Field as="select" label="KIT D816V" name="kit_d816v_status" errors={form.fields} value={values.kit_d816v_status} onChange={set('kit_d816v_status')}>
          {['positive', 'negative', 'not_tested', 'unknown'].map((code) => <option key={code} value={code}>{humanize(code)}</option>)}
        </Field>
        <Field label="Time zone" name="time_zone" hint="Reminders follow this zone." errors={form.fields} value={values.time_zone} onInput={set('time_zone')} />
        <FormError error={form.error} shown={['display_name', 'date_of_birth', 'sm_subtype', 'kit_d816v_status', 'time_zone']} />
        <button class="button" type="submit" disabled={form.busy}>Add patient</button>
      </form>
    </>
  );
}

export function AcceptInvitation({ query }) {
  const [code, setCode] = useState(query?.get('code') || '');
  const [preview, setPreview] = useState(null);
  const look = useSubmit(async () => setPreview(await api('invitations/preview', { method: 'POST', body: { code } })));
  useEffect(() => {
    if (code) look.submit();
  }, []);
  const answer = useSubmit(async (event) => {
    const accept = event.submitter?.value !== 'decline';
    const result = await api(`invitations/${accept ? 'accept' : 'decline'}`, { method: 'POST', body: { code } });
    if (accept) await reloadPatients(result.patient.id);
    navigate('/today');
  });
  return (
    <>
      <h1>Invitation</h1>
      {!preview && (
        <form class="card" onSubmit={look.submit} noValidate>
          <Field label="Invitation code" name="code" errors={look.fields} value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          <FormError error={look.error} shown={['code']} />
          <button class="button" type="submit" disabled={look.busy}>Show invitation</button>
        </form>
      )}
      {preview && (
        <form class="card" onSubmit={answer.submit}>
          <p>
            {preview.invited_by || 'Someone'} invites you to the care team of <strong>{preview.patient_display_name}</strong> as {preview.role}.
          </p>
          <FormError error={answer.error} />
          <div class="actions">
            <button class="button" type="submit" name="answer" value="accept" disabled={answer.busy}>Accept</button>
            <button class="button button--secondary" type="submit" name="answer" value="decline" disabled={answer.busy}>Decline</button>
          </div>
        </form>
      )}
    </>
  );
}
