// Every date, time, number, list and duration a person reads, through Intl in their own locale.
// A patient's time shows the patient's zone label when it differs from the reader's zone (a
// parent abroad sees "09:00 CET" for a dose due at home).
import { plural, t } from '@lingui/core/macro';
import { userLocale } from './i18n.js';

const cache = new Map();
function formatter(kind, options) {
  const key = `${userLocale()}|${kind}|${JSON.stringify(options)}`;
  if (!cache.has(key)) {
    try {
      cache.set(key, new Intl[kind](userLocale(), options));
    } catch {
      // An unknown zone (a typo stored long ago) must not break the screen: drop it.
      const { timeZone: _ignored, ...rest } = options;
      cache.set(key, new Intl[kind](userLocale(), rest));
    }
  }
  return cache.get(key);
}

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

// True when this zone's clock differs from the reader's at that moment.
function otherZone(zone, date) {
  if (!zone || zone === viewerZone()) return false;
  const wall = (timeZone) => formatter('DateTimeFormat', { timeZone, hour: 'numeric', minute: 'numeric', day: 'numeric', hourCycle: 'h23' }).format(date);
  return wall(zone) !== wall(viewerZone());
}

const toDate = (value) => (value instanceof Date ? value : /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value));

// "15 Dec 2026" (a calendar date: no zone arithmetic, it is the same day everywhere).
export function formatDate(value, style = 'medium') {
  if (!value) return '—';
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const timeZone = /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'UTC' : undefined;
  return formatter('DateTimeFormat', { dateStyle: style, ...(timeZone ? { timeZone } : {}) }).format(date);
}

// "Mon 15 Dec" — a day in a list or on an axis.
export function formatDay(value, { weekday = true, year = false } = {}) {
  if (!value) return '—';
  const date = toDate(value);
  return formatter('DateTimeFormat', { timeZone: 'UTC', day: 'numeric', month: 'short', ...(weekday ? { weekday: 'short' } : {}), ...(year ? { year: 'numeric' } : {}) }).format(date);
}

// A moment, in the patient's zone when one is given, labelled with that zone when it is not the
// reader's.
export function formatWhen(iso, zone) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const label = otherZone(zone, date);
  // dateStyle/timeStyle cannot be combined with timeZoneName (Intl throws): the labelled form
  // spells its fields out.
  const style = label ? { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' } : { dateStyle: 'medium', timeStyle: 'short' };
  return formatter('DateTimeFormat', { ...style, ...(zone ? { timeZone: zone } : {}) }).format(date);
}

export function formatTime(iso, zone) {
  if (!iso) return '—';
  const date = new Date(iso);
  const label = otherZone(zone, date);
  const style = label ? { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' } : { timeStyle: 'short' };
  return formatter('DateTimeFormat', { ...style, ...(zone ? { timeZone: zone } : {}) }).format(date);
}

export const formatNumber = (value, options = {}) => (value == null || value === '' ? '—' : formatter('NumberFormat', options).format(Number(value)));

export const formatList = (items, type = 'conjunction') => formatter('ListFormat', { style: 'long', type }).format(items.filter(Boolean));

// "3 hours ago", "in 2 days".
export function formatRelative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const units = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  const rtf = formatter('RelativeTimeFormat', { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(0, 'minute');
}

// A duration in minutes, in words: "1 hour 30 minutes".
export function formatDuration(minutes) {
  if (minutes == null || minutes === '') return '—';
  const total = Math.round(Number(minutes));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const rest = total % 60;
  if (typeof Intl.DurationFormat === 'function') {
    return new Intl.DurationFormat(userLocale(), { style: 'long' }).format({ days, hours, minutes: rest });
  }
  const parts = [
    days && plural(days, { one: '# day', other: '# days' }),
    hours && plural(hours, { one: '# hour', other: '# hours' }),
    (rest || !total) && plural(rest, { one: '# minute', other: '# minutes' }),
  ];
  return formatList(parts, 'unit');
}

// "as of 14:05" today, "as of 12 Dec, 14:05" before.
export function formatAsOf(at) {
  const date = new Date(at);
  const sameDay = date.toDateString() === new Date().toDateString();
  const when = sameDay ? formatter('DateTimeFormat', { timeStyle: 'short' }).format(date) : formatter('DateTimeFormat', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  return t`as of ${when}`;
}

// The patient's own calendar date (check-ins and carry checks are per local day), as YYYY-MM-DD.
export function todayIn(timeZone, now = new Date()) {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export const addDays = (isoDate, days) => new Date(Date.parse(`${isoDate}T12:00:00Z`) + days * 86400_000).toISOString().slice(0, 10);

// A datetime-local input's value for a moment, in this phone's clock.
export function localInput(date = new Date()) {
  const copy = new Date(date);
  copy.setSeconds(0, 0);
  return new Date(copy.getTime() - copy.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export const toIso = (local) => new Date(local).toISOString();
