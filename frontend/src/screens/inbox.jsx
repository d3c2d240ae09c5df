// The inbox: every alert, push or not, with its full words (which the push never carries), who
// acknowledged an urgent one, and its repeats. /inbox/:id shows one; the email's link adds
// ?acknowledge=1 and acknowledges it once the person is signed in.
import { plural, t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { formatList, formatWhen } from '../lib/format.js';
import { Link, navigate } from '../lib/router.jsx';
import { refreshUnread } from '../lib/unread.js';
import { FormError, Loaded, useSubmit } from '../lib/ui.jsx';

const URGENCY = () => ({ urgent: t`Urgent`, important: t`Important` });

function heading(item) {
  const urgency = URGENCY()[item.urgency];
  return urgency ? `${urgency}: ${item.title}` : item.title;
}

// A moment of the patient's day, with the patient's zone label when it differs from mine.
const when = (iso, item) => formatWhen(iso, item.patient_time_zone || undefined);

function Acknowledged({ item }) {
  if (!item.acknowledged_at) return null;
  const at = when(item.acknowledged_at, item);
  const by = item.acknowledged_by?.name;
  return <p class="notice">{by ? t`Acknowledged by ${by}, ${at}.` : t`Acknowledged ${at}.`}</p>;
}

function Repeats({ item }) {
  if (!item.repeats?.length) return null;
  return <p class="muted">{plural(item.repeats.length, { one: `Sent again once: ${formatList(item.repeats.map((r) => when(r, item)))}.`, other: `Sent again # times: ${formatList(item.repeats.map((r) => when(r, item)))}.` })}</p>;
}

export function Inbox({ session }) {
  const inbox = useData(() => api('notifications/?page_size=50'), [session.user?.id], { cache: `inbox:${session.user?.id}` });
  const names = Object.fromEntries(session.patients.map((p) => [p.id, p.display_name]));
  const act = async (item, what) => {
    const updated = await api(`notifications/${item.id}/${what}`, { method: 'POST' }).catch(() => null);
    if (updated) inbox.set({ ...inbox.data, results: inbox.data.results.map((n) => (n.id === item.id ? { ...n, ...updated } : n)) });
    refreshUnread();
  };
  return (
    <>
      <h1>{t`Inbox`}</h1>
      <Loaded state={inbox} empty={t`No messages.`}>
        {(page) => (
          <ul class="list">
            {page.results.map((item) => (
              <li key={item.id} class={`card message ${item.read_at || item.resolved_at ? '' : 'message--unread'}`} data-testid="message">
                <h2>
                  <Link href={`/inbox/${item.id}`} onClick={() => !item.read_at && act(item, 'read')}>
                    {!item.read_at && !item.resolved_at && <span class="dot" aria-hidden="true" />}
                    {!item.read_at && !item.resolved_at && <span class="visually-hidden">{t`Unread:`} </span>}
                    {heading(item)}
                  </Link>
                </h2>
                <p class="muted">
                  {names[item.patient] ? `${names[item.patient]} · ` : ''}
                  {when(item.created_at, item)}
                  {item.resolved_at ? ` · ${t`dealt with`}` : ''}
                </p>
                <p>{item.body}</p>
                <Acknowledged item={item} />
                {item.urgency === 'urgent' && !item.acknowledged_at && !item.resolved_at && (
                  <div class="actions">
                    <button type="button" class="button button--small" onClick={() => act(item, 'acknowledge')}>
                      {t`I'm dealing with it`}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </>
  );
}

export function Message({ session, notificationId, query }) {
  const message = useData(() => api(`notifications/${notificationId}/`), [notificationId], { cache: `message:${notificationId}`, isEmpty: () => false });
  const [note, setNote] = useState('');
  const acknowledge = useSubmit(async () => {
    const updated = await api(`notifications/${notificationId}/acknowledge`, { method: 'POST' });
    message.set(updated);
    refreshUnread();
    setNote(t`Acknowledged: the others on the care team see that you are dealing with it, and the repeats stop.`);
  });
  const action = useSubmit(async (name) => {
    await api(`notifications/${notificationId}/actions/${name}`, { method: 'POST' });
    message.reload();
    refreshUnread();
    setNote(t`Done.`);
  });
  // Opening it reads it; the email's link acknowledges it too (once).
  useEffect(() => {
    if (message.status !== 'ready') return;
    if (!message.data.read_at) api(`notifications/${notificationId}/read`, { method: 'POST' }).then(refreshUnread).catch(() => {});
    if (query?.get('acknowledge') === '1' && !message.data.acknowledged_at) {
      acknowledge.submit();
      navigate(`/inbox/${notificationId}`, { replace: true });
    }
  }, [message.status]);
  const names = Object.fromEntries(session.patients.map((p) => [p.id, p.display_name]));
  return (
    <>
      <h1>{t`Message`}</h1>
      <p>
        <Link href="/inbox">{t`All messages`}</Link>
      </p>
      <Loaded state={message}>
        {(item) => {
          const target = item.url && new URL(item.url, location.origin);
          const actions = (item.actions || []).filter((a) => a.action !== 'acknowledge' && a.action !== 'log_dose');
          return (
            <article class={`card ${item.urgency === 'urgent' ? 'card--urgent' : ''}`} data-testid="message-detail">
              <h2>{heading(item)}</h2>
              <p class="muted">
                {names[item.patient] ? `${names[item.patient]} · ` : ''}
                {when(item.created_at, item)}
              </p>
              <p>{item.body}</p>
              <Repeats item={item} />
              <Acknowledged item={item} />
              <p class="notice" role="status">
                {note}
              </p>
              <div class="actions">
                {item.urgency === 'urgent' && !item.acknowledged_at && !item.resolved_at && (
                  <button type="button" class="button" onClick={acknowledge.submit} disabled={acknowledge.busy}>
                    {t`I'm dealing with it`}
                  </button>
                )}
                {actions.map((a) => (
                  <button key={a.action} type="button" class="button button--secondary" onClick={() => action.submit(a.action)} disabled={action.busy}>
                    {a.title}
                  </button>
                ))}
                {target && target.origin === location.origin && target.pathname !== location.pathname && (
                  <Link class="button button--secondary" href={target.pathname + target.search}>
                    {t`Open`}
                  </Link>
                )}
              </div>
              <FormError error={acknowledge.error || action.error} />
            </article>
          );
        }}
      </Loaded>
    </>
  );
}
