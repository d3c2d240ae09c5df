// The in-app inbox: every alert, push or not, with its full words (which the push never carries).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.jsx';
import { formatWhen, Loading } from '../lib/ui.jsx';

export function Inbox({ session }) {
  const [items, setItems] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api('notifications/?page_size=50').then((page) => setItems(page.results)).catch(() => setItems([]));
  }, [version]);
  const names = Object.fromEntries(session.patients.map((p) => [p.id, p.display_name]));
  const act = async (item, what) => {
    await api(`notifications/${item.id}/${what}`, { method: 'POST' }).catch(() => {});
    setVersion((v) => v + 1);
  };
  const open = async (item) => {
    if (!item.read_at) await act(item, 'read');
    const url = new URL(item.url || '/today', location.origin);
    if (url.origin === location.origin) navigate(url.pathname + url.search);
  };
  return (
    <>
      <h1>Inbox</h1>
      {!items && <Loading />}
      {items?.length === 0 && <p>No messages.</p>}
      <ul class="list">
        {items?.map((item) => (
          <li key={item.id} class="card">
            <h2>{item.read_at ? '' : <span class="visually-hidden">Unread: </span>}{item.urgency !== 'normal' ? `${item.urgency === 'urgent' ? 'Urgent' : 'Important'}: ` : ''}{item.title}</h2>
            <p class="muted">{names[item.patient] ? `${names[item.patient]} · ` : ''}{formatWhen(item.created_at)}</p>
            <p>{item.body}</p>
            <div class="actions">
              <button type="button" class="button button--small" onClick={() => open(item)}>Open</button>
              {!item.acknowledged_at && <button type="button" class="button button--secondary button--small" onClick={() => act(item, 'acknowledge')}>Got it</button>}
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
