// Epinephrine pens (expiry, the two-pen rule) and the daily carry check (apps/epinephrine).
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { submitSynced } from '../lib/sync.js';
import { Field, FormError, Loading, useSubmit } from '../lib/ui.jsx';

export function CarryAnswer({ patient, onDone }) {
  const [message, setMessage] = useState('');
  const answer = async (pens) => {
    try {
      await api(patientPath(patient.id, 'carry-checks/answer'), { method: 'POST', body: { pens_with_me: pens } });
      setMessage(pens >= 2 ? 'Thanks: two pens with you.' : 'Noted. Keep two pens with you when you can.');
      onDone?.();
    } catch (error) {
      setMessage(error.message);
    }
  };
  return (
    <>
      <p>How many pens do you have with you today?</p>
      <div class="actions">
        {[0, 1, 2].map((n) => (
          <button key={n} type="button" class="button button--secondary button--small" onClick={() => answer(n)}>
            {n === 2 ? '2 or more' : n}
          </button>
        ))}
      </div>
      <p class="notice" aria-live="polite">{message}</p>
    </>
  );
}

function AddPen({ patient, onAdded }) {
  const [values, setValues] = useState({ brand: '', dose_mg: '0.3', expires_on: '', lot: '' });
  const set = (name) => (event) => setValues({ ...values, [name]: event.currentTarget.value });
  const form = useSubmit(async () => {
    const body = { id: crypto.randomUUID(), ...values };
    if (!body.lot) delete body.lot;
    await submitSynced({ url: patientPath(patient.id, 'pens/'), body, label: `Pen ${values.brand || ''} expiring ${values.expires_on}` });
    onAdded();
  });
  return (
    <form class="card" onSubmit={form.submit} noValidate aria-labelledby="add-pen">
      <h2 id="add-pen">Add a pen</h2>
      <Field label="Brand" name="brand" errors={form.fields} value={values.brand} onInput={set('brand')} />
      <Field as="select" label="Dose" name="dose_mg" errors={form.fields} value={values.dose_mg} onChange={set('dose_mg')}>
        <option value="0.15">0.15 mg</option>
        <option value="0.3">0.3 mg</option>
        <option value="0.5">0.5 mg</option>
      </Field>
      <Field label="Expires on" name="expires_on" type="date" errors={form.fields} value={values.expires_on} onInput={set('expires_on')} />
      <Field label="Lot (optional)" name="lot" errors={form.fields} value={values.lot} onInput={set('lot')} />
      <FormError error={form.error} shown={['brand', 'dose_mg', 'expires_on', 'lot']} />
      <button class="button" type="submit" disabled={form.busy}>Add pen</button>
    </form>
  );
}

export function Pens({ patient }) {
  const [data, setData] = useState(null);
  const [version, setVersion] = useState(0);
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    Promise.all([api(patientPath(patient.id, 'pens/')), api(patientPath(patient.id, 'pens/readiness/')).catch(() => null)])
      .then(([pens, readiness]) => setData({ pens, readiness }))
      .catch((error) => setData({ error }));
  }, [patient.id, version]);
  const refresh = () => setVersion((v) => v + 1);
  return (
    <>
      <h1>Epinephrine pens</h1>
      {!data && <Loading />}
      {data?.error && <p>{data.error.status ? data.error.message : 'Pens show once you are back online.'}</p>}
      {data?.readiness && (
        <p class={data.readiness.two_pen_rule_met ? 'card' : 'alert'}>
          {data.readiness.ready_pens} of {data.readiness.pens_needed} pens ready.
          {data.readiness.two_pen_rule_met ? '' : ' Carry two in-date pens at all times.'}
        </p>
      )}
      {data?.pens && (
        <ul class="list">
          {data.pens.map((pen) => (
            <li key={pen.id} class="item">
              <span>
                <strong>{pen.brand || 'Pen'}</strong> {pen.dose_mg} mg<br />
                <span class={pen.days_until_expiry < 30 ? 'field-error' : 'muted'}>
                  {pen.status === 'in_use' ? `Expires ${pen.expires_on} (${pen.days_until_expiry} days)` : pen.status.replace('_', ' ')}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {patient.my_role !== 'clinician' && (
        <section class="card" aria-labelledby="carry-title">
          <h2 id="carry-title">Carry check</h2>
          <CarryAnswer patient={patient} onDone={refresh} />
        </section>
      )}
      {patient.my_role !== 'clinician' && !adding && (
        <button type="button" class="button button--secondary" onClick={() => setAdding(true)}>Add a pen</button>
      )}
      {adding && <AddPen patient={patient} onAdded={() => { setAdding(false); refresh(); }} />}
    </>
  );
}
