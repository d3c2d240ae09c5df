// A time zone, picked from the IANA list by typing any part of it ("Stockholm", "new york"),
// never a free-text guess the server then refuses.
import { t } from '@lingui/core/macro';
import { useState } from 'preact/hooks';
import { formatTime } from './format.js';

let zones = null;
export function allZones() {
  if (!zones) {
    try {
      zones = Intl.supportedValuesOf('timeZone');
    } catch {
      zones = ['UTC', 'Europe/London', 'Europe/Rome', 'Europe/Berlin', 'Europe/Paris', 'Europe/Madrid', 'Europe/Stockholm', 'America/New_York', 'America/Chicago', 'America/Los_Angeles'];
    }
    if (!zones.includes('UTC')) zones = [...zones, 'UTC'];
  }
  return zones;
}

const simple = (text) => text.toLowerCase().replace(/[_\s/]+/g, ' ').trim();

export function matchingZones(text, limit = 6) {
  const wanted = simple(text);
  if (!wanted) return [];
  return allZones()
    .filter((zone) => simple(zone).includes(wanted))
    .slice(0, limit);
}

let counter = 0;

export function ZonePicker({ label, value, onChange, hint, errors = [] }) {
  const [id] = useState(() => `zone-${++counter}`);
  const [text, setText] = useState(value || '');
  const known = allZones().includes(text);
  const matches = known ? [] : matchingZones(text);
  const choose = (zone) => {
    setText(zone);
    onChange(zone);
  };
  const messages = [].concat(errors || []);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <p class="hint" id={`${id}-hint`}>
        {hint || t`Type a city or region, then pick it from the list.`}
      </p>
      <input
        id={id}
        aria-describedby={`${id}-hint${messages.length || (!known && text) ? ` ${id}-error` : ''}`}
        aria-invalid={messages.length || (!known && text && !matches.length) ? 'true' : undefined}
        autocomplete="off"
        spellcheck={false}
        value={text}
        onInput={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          if (allZones().includes(next)) onChange(next);
        }}
      />
      {known && <p class="hint">{t`Local time there now: ${formatTime(new Date().toISOString(), text)}`}</p>}
      {matches.length > 0 && (
        <div class="chips zone-list" role="group" aria-label={t`Matching time zones`}>
          {matches.map((zone) => (
            <button key={zone} type="button" class="chip" onClick={() => choose(zone)}>
              {zone}
            </button>
          ))}
        </div>
      )}
      {(messages.length > 0 || (!known && text && !matches.length)) && (
        <p class="field-error" id={`${id}-error`}>
          {messages.length ? messages.join(' ') : t`No time zone matches “${text}”. Try the nearest big city, e.g. Europe/Stockholm.`}
        </p>
      )}
    </div>
  );
}
