// Form pieces that keep labels, hints and server field errors tied to their inputs.
import { useState } from 'preact/hooks';

let counter = 0;
const nextId = (prefix) => `${prefix}-${++counter}`;

export function Field({ label, name, errors, hint, as = 'input', children, ...input }) {
  const [id] = useState(() => nextId(name || 'field'));
  const messages = errors?.[name] || [];
  const describedBy = [hint && `${id}-hint`, messages.length && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const Tag = as;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <Tag id={id} name={name} aria-invalid={messages.length ? 'true' : undefined} aria-describedby={describedBy} {...input}>
        {children}
      </Tag>
      {messages.length > 0 && (
        <p class="field-error" id={`${id}-error`}>
          {messages.join(' ')}
        </p>
      )}
    </div>
  );
}

// The form-level message (detail, or fields that have no input on screen).
export function FormError({ error, shown = [] }) {
  if (!error) return null;
  const others = Object.entries(error.fields || {}).filter(([field]) => !shown.includes(field));
  return (
    <div class="form-error" role="alert">
      <p>{error.detail || error.message}</p>
      {others.map(([field, messages]) => (
        <p key={field}>
          {field}: {[].concat(messages).join(' ')}
        </p>
      ))}
    </div>
  );
}

// Submits a form, keeps its busy state and error; `fields` of an error are shown by <Field>.
export function useSubmit(action) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action(event);
    } catch (caught) {
      setError({ detail: caught.detail || caught.message, fields: caught.fields || {} });
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit, fields: error?.fields || {} };
}

export const humanize = (code) =>
  String(code || '')
    .replace(/^[a-z]+\./, '')
    .replace(/[_.]/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());

export function formatWhen(iso, timeZone) {
  if (!iso) return '—';
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString();
  }
}

// A datetime-local value for "now" in this phone's clock.
export function localNow() {
  const now = new Date();
  now.setSeconds(0, 0);
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export const toIso = (local) => new Date(local).toISOString();

// The patient's own calendar date (check-ins are per local day).
export function todayIn(timeZone) {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

export function Loading({ what = 'Loading…' }) {
  return <p class="muted">{what}</p>;
}
