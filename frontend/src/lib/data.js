// The one way screens load data, in the patient app and the clinic alike.
//
//   const state = useData(() => api('…'), [deps], { cache: 'meds:<patient>' })
//
// state.status is one of
//   'loading'  — nothing to show yet (or a reload of data already shown: `data` is kept);
//   'ready'    — `data` came from the server just now;
//   'empty'    — it came, and there is nothing in it (`isEmpty`, by default an empty list/page);
//   'stale'    — the server could not be reached, `data` is what this phone last saw (`asOf`);
//   'failed'   — it could not be loaded and nothing was cached: `error`, and `reload()` retries.
// A failed load is never shown as an empty list. With `cache`, the last answer is kept in
// IndexedDB under that key (which names the patient, so one child's data never shows for the
// other) and shown at once while the fresh one loads.
import { useEffect, useRef, useState } from 'preact/hooks';
import { kvGet, kvSet } from './idb.js';

const CACHE_PREFIX = 'cache:';

export const defaultIsEmpty = (data) => data == null || (Array.isArray(data) ? data.length === 0 : Array.isArray(data?.results) && data.results.length === 0);

export async function cached(key) {
  return kvGet(CACHE_PREFIX + key).catch(() => null);
}

export async function remember(key, data) {
  await kvSet(CACHE_PREFIX + key, { data, at: Date.now() }).catch(() => {});
}

// Offline (no answer at all, or the service worker's network error) versus the server saying no.
export const isOffline = (error) => !error?.status;

export function useData(load, deps, { cache, isEmpty = defaultIsEmpty } = {}) {
  const identity = JSON.stringify(deps);
  const [state, setState] = useState({ identity, status: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let live = true;
    // Other deps (another patient, another filter): what was shown belongs to them, not to these.
    setState((previous) => (previous.identity === identity ? previous : { identity, status: 'loading' }));
    if (cache) {
      cached(cache).then((hit) => {
        if (live && hit) setState((previous) => (previous.fresh || previous.identity !== identity ? previous : { ...previous, data: hit.data, asOf: hit.at, fromCache: true }));
      });
    }
    Promise.resolve()
      .then(() => loadRef.current())
      .then(
        (data) => {
          if (!live) return;
          setState({ identity, status: isEmpty(data) ? 'empty' : 'ready', data, fresh: true, asOf: Date.now() });
          if (cache) remember(cache, data);
        },
        async (error) => {
          if (!live) return;
          const hit = cache && isOffline(error) ? await cached(cache) : null;
          if (!live) return;
          if (hit) setState({ identity, status: 'stale', data: hit.data, asOf: hit.at, error });
          else setState({ identity, status: 'failed', error });
        },
      );
    return () => {
      live = false;
    };
  }, [identity, tick]);

  const current = state.identity === identity ? state : { identity, status: 'loading' };
  return {
    ...current,
    loading: current.status === 'loading',
    error: current.status === 'failed' || current.status === 'stale' ? current.error : undefined,
    reload: () => setTick((n) => n + 1),
    // Replace what is shown (after a write the screen made itself), and the cached copy.
    set: (data) => {
      setState({ identity, status: isEmpty(data) ? 'empty' : 'ready', data, fresh: true, asOf: Date.now() });
      if (cache) remember(cache, data);
    },
  };
}
