// Two versions of one record: the one on the server (someone else's, or another phone's) and the
// one made here. Shown side by side; the person keeps one, or both — the two notes joined — and
// nothing anyone wrote is dropped without them choosing it.
import { t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { formatDuration, formatWhen } from './format.js';
import { discard, resolveConflict } from './sync.js';
import { humanize } from './ui.jsx';
import { BODY_AREAS, FINDINGS, say } from './words.js';

// The fields a person reads, by record kind, in the order they read them.
const FIELDS = {
  check_in: () => [
    ['overall_severity', t`Overall symptoms`, (v) => t`${v} of 10`],
    ['quality_of_life', t`Quality of life`, (v) => t`${v} of 100`],
    ['note', t`Note`],
  ],
  symptom: () => [
    ['symptom_name', t`Symptom`],
    ['severity', t`Severity`, (v) => t`${v} of 10`],
    ['occurred_at', t`When`, (v) => formatWhen(v)],
    ['duration_minutes', t`How long`, formatDuration],
    ['body_areas', t`Where`, (v) => v.map((a) => say(BODY_AREAS, a)).join(', ')],
    ['note', t`Note`],
  ],
  trigger_exposure: () => [
    ['trigger_name', t`Trigger`],
    ['occurred_at', t`When`, (v) => formatWhen(v)],
    ['detail', t`Detail`],
    ['note', t`Note`],
  ],
  anaphylaxis_episode: () => [
    ['onset_at', t`When it started`, (v) => formatWhen(v)],
    ['findings', t`What happened`, (v) => v.map((f) => say(FINDINGS, f)).join(', ')],
    ['epinephrine_doses', t`Epinephrine doses`],
    ['note', t`Note`],
  ],
  dose: () => [
    ['status', t`Dose`],
    ['taken_at', t`When`, (v) => formatWhen(v)],
    ['note', t`Note`],
  ],
};

function fieldsOf(kind, mine, theirs) {
  const known = FIELDS[kind]?.() || [];
  const names = new Set(known.map(([name]) => name));
  const extra = Object.keys(mine || {})
    .filter((name) => !names.has(name) && !['id', 'version', 'patient', 'local_date', 'medication'].includes(name))
    .map((name) => [name, humanize(name)]);
  return [...known, ...extra].filter(([name]) => (mine && name in mine) || (theirs && theirs[name] != null && theirs[name] !== ''));
}

const shown = (value, format) => {
  if (value == null || value === '' || (Array.isArray(value) && !value.length)) return '—';
  return format ? format(value) : String(value);
};

export const joinNotes = (theirs = '', mine = '') => {
  const a = (theirs || '').trim();
  const b = (mine || '').trim();
  if (!a || a === b) return b;
  if (!b) return a;
  return `${a}\n\n${b}`;
};

function Version({ title, record, fields, testid }) {
  return (
    <div class="version" data-testid={testid}>
      <h3>{title}</h3>
      <dl>
        {fields.map(([name, label, format]) => (
          <div key={name}>
            <dt>{label}</dt>
            <dd>{shown(record?.[name], format)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

// item: the outbox item that conflicted ({body, kind, url, …}); current: the server's record.
// `mine` may be given when the body is not the whole of the user's version (an edit sends only
// the changed fields; `mine` then is the record as the user left it).
export function ConflictChoice({ item, current, mine = item.body, kind = item.kind, onDone, recordUrl }) {
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const fields = fieldsOf(kind, mine, current);
  const hasNote = Boolean(mine?.note || current?.note) && (mine?.note || '').trim() !== (current?.note || '').trim();
  const url = recordUrl || (item.method === 'POST' ? `${item.url.replace(/^\/api\/v1\//, '')}${current.id}/` : item.url.replace(/^\/api\/v1\//, ''));
  // What is sent: the fields this phone wrote (an edit's changes, or a new record's values).
  const changed = Object.fromEntries(Object.entries(item.body || {}).filter(([name]) => !['id', 'version', 'local_date'].includes(name)));

  const run = async (choice) => {
    setBusy(true);
    try {
      if (choice === 'theirs') {
        await discard(item.id);
        onDone?.('theirs');
        return;
      }
      const body = choice === 'both' ? { ...changed, note: joinNotes(current.note, mine?.note) } : changed;
      const result = await resolveConflict(item, { url, body, ifMatch: current.version });
      if (result.state === 'conflict') {
        setMessage(t`It changed again meanwhile: here is the newest version.`);
        onDone?.('again', result);
        return;
      }
      onDone?.(choice, result);
    } catch (error) {
      setMessage(t`Not saved: ${error.detail}`);
    } finally {
      setBusy(false);
    }
  };

  const when = current?.updated_at ? formatWhen(current.updated_at) : null;
  return (
    <section class="card conflict" aria-labelledby={`conflict-${item.id}`} data-testid="conflict">
      <h2 id={`conflict-${item.id}`}>{kind === 'check_in' ? t`This day already has a check-in` : t`This entry was changed elsewhere`}</h2>
      <p>{when ? t`Someone saved another version at ${when}. Both are kept until you choose.` : t`Another version is on the server. Both are kept until you choose.`}</p>
      <div class="versions">
        <Version title={t`Saved on the server`} record={current} fields={fields} testid="version-theirs" />
        <Version title={t`Yours, from this phone`} record={mine} fields={fields} testid="version-mine" />
      </div>
      <div class="actions">
        {hasNote && (
          <button type="button" class="button" disabled={busy} onClick={() => run('both')}>
            {t`Keep both notes (your other answers)`}
          </button>
        )}
        <button type="button" class="button button--secondary" disabled={busy} onClick={() => run('mine')}>
          {t`Keep mine`}
        </button>
        <button type="button" class="button button--secondary" disabled={busy} onClick={() => run('theirs')}>
          {t`Keep the saved one`}
        </button>
      </div>
      <p class="notice" aria-live="polite">
        {message}
      </p>
    </section>
  );
}
