// Form pieces that keep labels, hints and server field errors tied to their inputs, and the one
// way a screen shows data it loads (<Loaded>, for lib/data.js's useData).
import { t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { formatAsOf } from './format.js';

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
          {[].concat(messages).join(' ')}
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
        <p key={field}>{[].concat(messages).join(' ')}</p>
      ))}
    </div>
  );
}

// Submits a form, keeps its busy state and error; `fields` of an error are shown by <Field>.
export function useSubmit(action) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event?.preventDefault?.();
    setBusy(true);
    setError(null);
    try {
      await action(event);
    } catch (caught) {
      setError({ detail: caught.detail || caught.message, fields: caught.fields || {}, status: caught.status });
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit, fields: error?.fields || {}, setError };
}

// A code we have no words for (a custom catalogue entry's code, a new server value).
export const humanize = (code) =>
  String(code || '')
    .replace(/^[a-z]+\./, '')
    .replace(/[_.]/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());

export function Loading({ what }) {
  return (
    <p class="muted" role="status">
      {what || t`Loading…`}
    </p>
  );
}

// Why a load failed, with a way to try again: never an empty list.
export function LoadFailed({ state }) {
  const offline = !state.error?.status;
  return (
    <div class="form-error" role="alert" data-testid="load-failed">
      <p>{offline ? t`No connection to the server, and nothing saved on this phone yet.` : t`This could not be loaded: ${state.error.message}`}</p>
      <button type="button" class="button button--secondary button--small" onClick={state.reload}>
        {t`Try again`}
      </button>
    </div>
  );
}

// Shows what useData() loaded: loading, failed with a retry, empty, or the data — with an
// "as of" line when it is what this phone saw last rather than the server's answer now.
export function Loaded({ state, empty, children }) {
  if (state.data === undefined) {
    if (state.status === 'failed') return <LoadFailed state={state} />;
    return <Loading />;
  }
  const asOf = state.status === 'stale' || (state.status === 'loading' && state.fromCache);
  const isEmpty = state.status === 'empty' || (Array.isArray(state.data) && state.data.length === 0) || (Array.isArray(state.data?.results) && state.data.results.length === 0);
  return (
    <>
      {asOf && (
        <p class="stale" role="status" data-testid="stale">
          {state.status === 'stale' ? t`Offline: showing what this phone saw, ${formatAsOf(state.asOf)}.` : t`Saved on this phone, ${formatAsOf(state.asOf)}; updating…`}{' '}
          {state.status === 'stale' && (
            <button type="button" class="link-button" onClick={state.reload}>
              {t`Try again`}
            </button>
          )}
        </p>
      )}
      {isEmpty && empty !== undefined ? <p class="muted">{empty}</p> : children(state.data)}
    </>
  );
}

// A question with Yes/No that replaces a confirm() dialog (which screen readers and tests handle
// badly, and which blocks the page).
export function Confirm({ question, yes, no = t`Cancel`, onYes, onNo, danger = false }) {
  return (
    <div class="confirm" role="group" aria-label={question}>
      <p>{question}</p>
      <div class="actions">
        <button type="button" class={`button button--small ${danger ? 'button--danger' : ''}`} onClick={onYes}>
          {yes}
        </button>
        <button type="button" class="button button--secondary button--small" onClick={onNo}>
          {no}
        </button>
      </div>
    </div>
  );
}

// The buttons under a form that changes something already there.
export function SaveOrCancel({ busy, onCancel }) {
  return (
    <div class="actions">
      <button class="button" type="submit" disabled={busy}>
        {t`Save changes`}
      </button>
      <button class="button button--secondary" type="button" onClick={onCancel}>
        {t`Cancel`}
      </button>
    </div>
  );
}
