// The emergency card: what a first responder needs, from the patient record and medications.
import { useEffect, useState } from 'preact/hooks';
import { api, patientPath } from '../lib/api.js';
import { Loading } from '../lib/ui.jsx';

export function EmergencyCard({ patient }) {
  const [data, setData] = useState(null);
  useEffect(() => {
    Promise.all([api(`patients/${patient.id}/`), api(patientPath(patient.id, 'medications/')).catch(() => [])])
      .then(([record, medications]) => setData({ record, medications }))
      .catch((error) => setData({ error }));
  }, [patient.id]);
  if (!data) return (<><h1>Emergency card</h1><Loading /></>);
  if (data.error) return (<><h1>Emergency card</h1><p>The card needs a connection the first time.</p></>);
  const { record, medications } = data;
  return (
    <>
      <h1>Emergency card</h1>
      <section class="card" aria-labelledby="card-name">
        <h2 id="card-name">{record.display_name}</h2>
        <p><strong>Mastocytosis</strong>{record.sm_subtype && record.sm_subtype !== 'unknown' ? ` (${record.sm_subtype})` : ''}. KIT D816V: {record.kit_d816v_status?.replace('_', ' ') || 'unknown'}.</p>
        <p class="alert"><strong>Anaphylaxis:</strong> give epinephrine (auto-injector, outer thigh) at once and call the emergency number. Lay flat, legs raised. A second dose after 5–15 minutes if no better.</p>
        <h3>Medications</h3>
        <ul>{medications.filter((m) => !m.paused_at).map((m) => <li key={m.id}>{m.name}</li>)}</ul>
        <h3>Emergency contacts</h3>
        {record.emergency_contacts?.length ? (
          <ul>{record.emergency_contacts.map((c) => <li key={c.phone}>{c.name}{c.relation ? ` (${c.relation})` : ''}: <a href={`tel:${c.phone}`}>{c.phone}</a></li>)}</ul>
        ) : <p class="muted">None yet.</p>}
      </section>
      <p class="muted">A link and QR code for first responders appear here once this server offers shareable cards.</p>
    </>
  );
}
