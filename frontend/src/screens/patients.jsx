// Adding a patient record (yourself, or a child), and answering an invitation to someone's team.
import { t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.jsx';
import { reloadPatients } from '../lib/session.js';
import { Field, FormError, useSubmit } from '../lib/ui.jsx';
import { ROLES, say } from '../lib/words.js';
import { ZonePicker } from '../lib/zone.jsx';
import { DiagnosisChoice, KitChoice } from './profile.jsx';

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
      <h1>{t`Add a patient`}</h1>
      <form class="card" onSubmit={form.submit} noValidate>
        <Field label={t`Name`} name="display_name" hint={t`Yourself, or the child you care for.`} errors={form.fields} value={values.display_name} onInput={set('display_name')} required />
        <Field label={t`Date of birth (optional)`} name="date_of_birth" type="date" errors={form.fields} value={values.date_of_birth} onInput={set('date_of_birth')} />
        <DiagnosisChoice value={values.sm_subtype} onChange={(sm_subtype) => setValues({ ...values, sm_subtype })} />
        <KitChoice value={values.kit_d816v_status} errors={form.fields} onChange={(kit_d816v_status) => setValues({ ...values, kit_d816v_status })} />
        <ZonePicker label={t`Time zone`} hint={t`Reminders follow this zone. Type a city, then pick it.`} value={values.time_zone} errors={form.fields.time_zone} onChange={(time_zone) => setValues({ ...values, time_zone })} />
        <FormError error={form.error} shown={['display_name', 'date_of_birth', 'sm_subtype', 'kit_d816v_status', 'time_zone']} />
        <button class="button" type="submit" disabled={form.busy}>
          {t`Add patient`}
        </button>
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
    const result = await api(accept ? 'invitations/accept' : 'invitations/decline', { method: 'POST', body: { code } });
    if (accept) await reloadPatients(result.patient.id);
    navigate('/today');
  });
  return (
    <>
      <h1>{t`Invitation`}</h1>
      {!preview && (
        <form class="card" onSubmit={look.submit} noValidate>
          <Field label={t`Invitation code`} name="code" errors={look.fields} value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          <FormError error={look.error} shown={['code']} />
          <button class="button" type="submit" disabled={look.busy}>
            {t`Show invitation`}
          </button>
        </form>
      )}
      {preview && (
        <form class="card" onSubmit={answer.submit}>
          <p>{preview.invited_by ? t`${preview.invited_by} invites you to the care team of ${preview.patient_display_name} as ${say(ROLES, preview.role).toLowerCase()}.` : t`You are invited to the care team of ${preview.patient_display_name} as ${say(ROLES, preview.role).toLowerCase()}.`}</p>
          <FormError error={answer.error} />
          <div class="actions">
            <button class="button" type="submit" name="answer" value="accept" disabled={answer.busy}>
              {t`Accept`}
            </button>
            <button class="button button--secondary" type="submit" name="answer" value="decline" disabled={answer.busy}>
              {t`Decline`}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
