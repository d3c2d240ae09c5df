// Settings: notifications (channels, quiet hours, push on this phone and the other devices that
// get pushes), what is waiting to sync — and the entries that need a choice — and signing out
// (never silently losing what is waiting).
import { plural, t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { ConflictChoice } from '../lib/conflict.jsx';
import { useData } from '../lib/data.js';
import { formatDate, formatWhen } from '../lib/format.js';
import { i18n } from '../lib/i18n.js';
import { Link, navigate } from '../lib/router.jsx';
import { getSession, signedOut } from '../lib/session.js';
import { discard, replayNow, useOutbox } from '../lib/sync.js';
import { Field, FormError, Loaded, useSubmit } from '../lib/ui.jsx';
import { NOTIFICATION_CATEGORIES } from '../lib/words.js';

function urlBase64ToBytes(base64) {
  const padded = (base64 + '='.repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

const isIos = () => /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
const isStandalone = () => matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;

function Push({ onSubscribed }) {
  const [state, setState] = useState('');
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  if (isIos() && !isStandalone()) return <p>{t`On iPhone and iPad, notifications work only from the home screen: tap Share, then Add to Home Screen, open Mastline from there and come back to this page.`}</p>;
  if (!supported) return <p class="muted">{t`This browser cannot receive push notifications. The inbox and email still get every alert.`}</p>;
  // Must run from the button press: browsers ask for permission only after a user gesture.
  const subscribe = async () => {
    setState(t`Asking…`);
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        setState(t`Notifications are blocked for this site. Allow them in the browser settings.`);
        return;
      }
      const { public_key: key } = await api('push/vapid-public-key');
      const registration = await navigator.serviceWorker.ready;
      const subscription = (await registration.pushManager.getSubscription()) || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(key) }));
      await api('push/subscriptions', { method: 'POST', body: { ...subscription.toJSON(), label: navigator.userAgentData?.platform || t`This phone` } });
      setState(t`Push notifications are on for this phone.`);
      onSubscribed?.();
    } catch (error) {
      setState(t`Could not turn on notifications: ${error.message}`);
    }
  };
  return (
    <>
      <button type="button" class="button" onClick={subscribe}>
        {t`Turn on notifications on this phone`}
      </button>
      <p class="notice" aria-live="polite">
        {state}
      </p>
    </>
  );
}

function Devices({ devices }) {
  const remove = useSubmit(async (id) => {
    await api(`push/subscriptions/${id}/`, { method: 'DELETE' });
    devices.reload();
  });
  return (
    <Loaded state={devices} empty={t`No device gets push notifications yet.`}>
      {(list) => (
        <ul class="list" aria-label={t`Devices that get push notifications`}>
          {list.map((device) => (
            <li key={device.id} class="item">
              <span>
                {device.label || t`A device`}
                <br />
                <span class="muted">{device.last_success_at ? t`Last reached ${formatWhen(device.last_success_at)}` : t`Added ${formatDate(device.created_at)}`}</span>
              </span>
              <button type="button" class="button button--secondary button--small" onClick={() => remove.submit(device.id)} aria-label={t`Stop notifications to ${device.label || 'this device'}`}>
                {t`Stop`}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Loaded>
  );
}

function Preferences() {
  const prefs = useData(() => api('notification-preferences'), [], { isEmpty: () => false });
  return <Loaded state={prefs}>{(data) => <PreferencesForm initial={data} onSaved={prefs.set} />}</Loaded>;
}

function PreferencesForm({ initial, onSaved }) {
  const [prefs, setPrefs] = useState(initial);
  const [message, setMessage] = useState('');
  const form = useSubmit(async () => {
    const body = { channels: prefs.channels, quiet_hours_start: prefs.quiet_hours_start || null, quiet_hours_end: prefs.quiet_hours_end || null };
    onSaved(await api('notification-preferences', { method: 'PATCH', body }));
    setMessage(t`Saved.`);
  });
  const toggle = (category, channel) => (event) => setPrefs({ ...prefs, channels: { ...prefs.channels, [category]: { ...prefs.channels[category], [channel]: event.currentTarget.checked } } });
  return (
    <form onSubmit={form.submit} noValidate>
      <div class="row">
        <Field label={t`Quiet from`} name="quiet_hours_start" type="time" errors={form.fields} value={prefs.quiet_hours_start?.slice(0, 5) || ''} onInput={(e) => setPrefs({ ...prefs, quiet_hours_start: e.currentTarget.value })} />
        <Field label={t`until`} name="quiet_hours_end" type="time" errors={form.fields} value={prefs.quiet_hours_end?.slice(0, 5) || ''} onInput={(e) => setPrefs({ ...prefs, quiet_hours_end: e.currentTarget.value })} />
      </div>
      <p class="hint">{t`In your time zone (${prefs.time_zone}). Urgent alerts still come through.`}</p>
      {Object.keys(NOTIFICATION_CATEGORIES)
        .filter((c) => prefs.channels?.[c])
        .map((category) => (
          <fieldset key={category}>
            <legend>{i18n._(NOTIFICATION_CATEGORIES[category])}</legend>
            <div class="row">
              {[
                ['push', t`Push`],
                ['email', t`Email`],
              ].map(([channel, label]) => (
                <label class="check" key={channel}>
                  <input type="checkbox" checked={Boolean(prefs.channels[category][channel])} onChange={toggle(category, channel)} />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
        ))}
      <FormError error={form.error} shown={['quiet_hours_start', 'quiet_hours_end']} />
      <button class="button" type="submit" disabled={form.busy}>
        {t`Save notification settings`}
      </button>
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </form>
  );
}

const STATUS_WORDS = (item) => {
  if (item.status === 'conflict') return t`Another version is on the server: choose below.`;
  if (item.status === 'failed') return t`Not saved: ${item.error}`;
  if (item.error) return t`The server is busy; trying again.`;
  return t`Waiting to sync`;
};

export function OutboxList() {
  const session = getSession();
  const items = useOutbox().filter((item) => !item.patientId || session.patients.some((p) => p.id === item.patientId));
  if (!items.length) return <p>{t`Nothing is waiting: everything is on the server.`}</p>;
  const names = Object.fromEntries(session.patients.map((p) => [p.id, p.display_name]));
  return (
    <>
      {items
        .filter((item) => item.status === 'conflict' && item.current)
        .map((item) => (
          <ConflictChoice key={item.id} item={item} current={item.current} onDone={() => replayNow()} />
        ))}
      <ul class="list" aria-label={t`Waiting to sync`}>
        {items.map((item) => (
          <li key={item.id} class="entry" data-testid="outbox-item">
            <p class="entry__what">
              {item.label || item.url}
              {item.patientId && names[item.patientId] && session.patients.length > 1 ? <span class="muted"> · {names[item.patientId]}</span> : ''}
            </p>
            <p class={item.status === 'failed' || item.status === 'conflict' ? 'field-error' : 'muted'}>{STATUS_WORDS(item)}</p>
            {(item.status === 'failed' || (item.status === 'conflict' && !item.current)) && (
              <button type="button" class="button button--secondary button--small" onClick={() => discard(item.id)} aria-label={t`Discard ${item.label || 'entry'}`}>
                {t`Discard`}
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

export function WaitingToSync() {
  return (
    <>
      <h1>{t`Waiting to sync`}</h1>
      <OutboxList />
    </>
  );
}

export function SignOut() {
  const items = useOutbox();
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState('');
  const signOut = async (force) => {
    setMessage('');
    if (!force) {
      await replayNow();
      const { listOutbox } = await import('../lib/outbox.js');
      if ((await listOutbox()).some((i) => i.status !== 'failed')) {
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
  const waiting = items.filter((i) => i.status !== 'failed').length;
  return (
    <>
      {confirming ? (
        <div role="alert">
          <p>
            <strong>{plural(waiting, { one: '# entry has not reached the server.', other: '# entries have not reached the server.' })}</strong> {t`Signing out now deletes them from this phone.`}
          </p>
          <div class="actions">
            <button type="button" class="button button--danger" onClick={() => signOut(true)}>
              {t`Delete and sign out`}
            </button>
            <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
              {t`Keep them`}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="button button--secondary" onClick={() => signOut(false)}>
          {t`Sign out`}
        </button>
      )}
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </>
  );
}

export function Settings({ session }) {
  const devices = useData(() => api('push/subscriptions'), []);
  return (
    <>
      <h1>{t`Settings`}</h1>
      <section class="card" aria-labelledby="push-title">
        <h2 id="push-title">{t`Notifications`}</h2>
        <Push onSubscribed={devices.reload} />
        <Preferences />
      </section>
      <section class="card" aria-labelledby="devices-title">
        <h2 id="devices-title">{t`Devices`}</h2>
        <Devices devices={devices} />
      </section>
      <section class="card" aria-labelledby="outbox-title">
        <h2 id="outbox-title">{t`Waiting to sync`}</h2>
        <OutboxList />
      </section>
      <section class="card" aria-labelledby="account-title">
        <h2 id="account-title">{t`Account`}</h2>
        <p class="entry__email">{t`Signed in as ${session.user?.email}.`}</p>
        <p>
          <Link href="/account">{t`Your name, time zone, password and two-step sign-in`}</Link>
        </p>
        <SignOut />
      </section>
    </>
  );
}
