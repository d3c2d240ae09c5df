// Settings: time zones, quiet hours and channels, push on this phone, what is waiting to sync,
// and signing out (never silently losing what is waiting).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.jsx';
import { getSession, reloadPatients, setSession, signedOut } from '../lib/session.js';
import { discard, replayNow, useOutbox } from '../lib/sync.js';
import { Field, FormError, humanize, useSubmit } from '../lib/ui.jsx';

const CATEGORIES = ['dose_reminder', 'dose_overdue', 'relapse_watch', 'pen_expiry', 'carry_check', 'pen_used'];

function urlBase64ToBytes(base64) {
  const padded = (base64 + '='.repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

const isIos = () => /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
const isStandalone = () => matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;

function Push() {
  const [state, setState] = useState('');
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  if (isIos() && !isStandalone()) {
    return (
      <p>
        On iPhone and iPad, notifications work only from the home screen: tap <strong>Share</strong>, then <strong>Add to Home Screen</strong>, open Mastline from there and come back to this page.
      </p>
    );
  }
  if (!supported) return <p class="muted">This browser cannot receive push notifications. The inbox and email still get every alert.</p>;
  // Must run from the button press: browsers ask for permission only after a user gesture.
  const subscribe = async () => {
    setState('Asking…');
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        setState('Notifications are blocked for this site. Allow them in the browser settings.');
        return;
      }
      const { public_key: key } = await api('push/vapid-public-key');
      const registration = await navigator.serviceWorker.ready;
      const subscription = (await registration.pushManager.getSubscription()) || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(key) }));
      await api('push/subscriptions', { method: 'POST', body: { ...subscription.toJSON(), label: navigator.userAgentData?.platform || 'This phone' } });
      setState('Push notifications are on for this phone.');
    } catch (error) {
      setState(`Could not turn on notifications: ${error.message}`);
    }
  };
  return (
    <>
      <button type="button" class="button" onClick={subscribe}>Turn on notifications on this phone</button>
      <p class="notice" aria-live="polite">{state}</p>
    </>
  );
}

function Preferences() {
  const [prefs, setPrefs] = useState(null);
  useEffect(() => {
    api('notification-preferences').then(setPrefs).catch(() => {});
  }, []);
  const form = useSubmit(async () => {
    const body = { channels: prefs.channels, quiet_hours_start: prefs.quiet_hours_start || null, quiet_hours_end: prefs.quiet_hours_end || null };
    setPrefs(await api('notification-preferences', { method: 'PATCH', body }));
  });
  if (!prefs) return null;
  const toggle = (category, channel) => (event) => setPrefs({ ...prefs, channels: { ...prefs.channels, [category]: { ...prefs.channels[category], [channel]: event.currentTarget.checked } } });
  return (
    <form onSubmit={form.submit} noValidate>
      <Field label="Quiet hours start" name="quiet_hours_start" type="time" hint={`In ${prefs.time_zone}. Urgent alerts still come through.`} errors={form.fields} value={prefs.quiet_hours_start?.slice(0, 5) || ''} onInput={(e) => setPrefs({ ...prefs, quiet_hours_start: e.currentTarget.value })} />
      <Field label="Quiet hours end" name="quiet_hours_end" type="time" errors={form.fields} value={prefs.quiet_hours_end?.slice(0, 5) || ''} onInput={(e) => setPrefs({ ...prefs, quiet_hours_end: e.currentTarget.value })} />
      {CATEGORIES.filter((c) => prefs.channels?.[c]).map((category) => (
        <fieldset key={category}>
          <legend>{humanize(category)}</legend>
          {['push', 'email'].map((channel) => (
            <label class="check" key={channel}>
              <input type="checkbox" checked={Boolean(prefs.channels[category][channel])} onChange={toggle(category, channel)} />
              {channel === 'push' ? 'Push' : 'Email'}
            </label>
          ))}
        </fieldset>
      ))}
      <FormError error={form.error} shown={['quiet_hours_start', 'quiet_hours_end']} />
      <button class="button" type="submit" disabled={form.busy}>Save notification settings</button>
    </form>
  );
}

function TimeZones({ session, patient }) {
  const [zone, setZone] = useState(session.user?.time_zone || '');
  const [patientZone, setPatientZone] = useState(patient?.time_zone || '');
  const [done, setDone] = useState('');
  const form = useSubmit(async () => {
    const user = await api('auth/me', { method: 'PATCH', body: { time_zone: zone } });
    setSession({ user });
    if (patient && patient.my_role === 'owner' && patientZone !== patient.time_zone) {
      await api(`patients/${patient.id}/`, { method: 'PATCH', body: { time_zone: patientZone } });
      await reloadPatients();
    }
    setDone('Saved.');
  });
  return (
    <form onSubmit={form.submit} noValidate>
      <Field label="Your time zone" name="time_zone" hint="For example Europe/Rome." errors={form.fields} value={zone} onInput={(e) => setZone(e.currentTarget.value)} />
      {patient?.my_role === 'owner' && <Field label={`${patient.display_name}'s time zone (reminder times follow it)`} name="patient_time_zone" errors={form.fields} value={patientZone} onInput={(e) => setPatientZone(e.currentTarget.value)} />}
      <FormError error={form.error} shown={['time_zone']} />
      <button class="button" type="submit" disabled={form.busy}>Save time zones</button>
      <p class="notice" aria-live="polite">{done}</p>
    </form>
  );
}

export function Outbox() {
  const items = useOutbox();
  if (!items.length) return <p>Nothing is waiting: everything is on the server.</p>;
  return (
    <ul class="list" aria-label="Waiting to sync">
      {items.map((item) => (
        <li key={item.id} class="item">
          <span>
            {item.label || item.url}
            <br />
            <span class={item.status === 'failed' || item.status === 'conflict' ? 'field-error' : 'muted'}>
              {item.status === 'failed' || item.status === 'conflict' ? `Not saved: ${item.error}` : 'Waiting to sync'}
            </span>
          </span>
          {(item.status === 'failed' || item.status === 'conflict') && (
            <button type="button" class="button button--secondary button--small" onClick={() => discard(item.id)} aria-label={`Discard ${item.label || 'entry'}`}>Discard</button>
          )}
        </li>
      ))}
    </ul>
  );
}

function SignOut() {
  const items = useOutbox();
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState('');
  const signOut = async (force) => {
    setMessage('');
    if (!force) {
      await replayNow();
      const { listOutbox } = await import('../lib/outbox.js');
      if ((await listOutbox()).some((i) => i.status === 'pending' || i.status === 'sending')) {
        setConfirming(true);
        return;
      }
    }
    try {
      // The answer carries Clear-Site-Data: caches, storage (the outbox too) and cookies go.
      await api('auth/logout', { method: 'POST' });
    } catch (error) {
      setMessage(error.message);
      return;
    }
    await signedOut();
    navigate('/', { replace: true });
  };
  const waiting = items.filter((i) => i.status === 'pending' || i.status === 'sending').length;
  return (
    <>
      {confirming ? (
        <div role="alert">
          <p><strong>{waiting} {waiting === 1 ? 'entry has' : 'entries have'} not reached the server.</strong> Signing out now deletes {waiting === 1 ? 'it' : 'them'} from this phone.</p>
          <div class="actions">
            <button type="button" class="button button--danger" onClick={() => signOut(true)}>Delete and sign out</button>
            <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>Keep them</button>
          </div>
        </div>
      ) : (
        <button type="button" class="button button--secondary" onClick={() => signOut(false)}>Sign out</button>
      )}
      <p class="notice" aria-live="polite">{message}</p>
    </>
  );
}

export function Settings({ session, patient }) {
  return (
    <>
      <h1>Settings</h1>
      <section class="card" aria-labelledby="zones-title">
        <h2 id="zones-title">Time zones</h2>
        <TimeZones session={session} patient={patient} />
        <p class="muted">Reminder times are set per medication, in Medications.</p>
      </section>
      <section class="card" aria-labelledby="push-title">
        <h2 id="push-title">Notifications</h2>
        <Push />
        <Preferences />
      </section>
      <section class="card" aria-labelledby="outbox-title">
        <h2 id="outbox-title">Waiting to sync</h2>
        <Outbox />
      </section>
      <section class="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <p>Signed in as {getSession().user?.email}.</p>
        <SignOut />
      </section>
    </>
  );
}
