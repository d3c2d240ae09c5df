// A very small IndexedDB wrapper shared by the page and the service worker (both import it).
// Two stores: `kv` (the CSRF token, the signed-in session hint, cached catalogues) and `outbox`
// (writes waiting for the server). No health data read from the API is kept here: only what the
// user wrote on this phone and has not yet been accepted by the server.
const DB_NAME = 'mastline';
const DB_VERSION = 1;

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'id' });
      };
      request.onsuccess = () => {
        const db = request.result;
        // Clear-Site-Data on sign-out deletes the database: let it go, reopen next time.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        db.onclose = () => {
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Runs fn(store) in one transaction and resolves with its result once the transaction commits.
// A readwrite transaction is exclusive on its store across the page and the service worker, which
// is what makes claiming an outbox item (read, check, write) safe between the two.
export async function withStore(name, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    const store = tx.objectStore(name);
    let result;
    Promise.resolve(fn(store, done)).then(
      (value) => {
        result = value;
      },
      (error) => {
        tx.abort();
        reject(error);
      },
    );
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

export const kvGet = (key) => withStore('kv', 'readonly', (store) => done(store.get(key)));
export const kvSet = (key, value) => withStore('kv', 'readwrite', (store) => done(store.put(value, key)));
export const kvDelete = (key) => withStore('kv', 'readwrite', (store) => done(store.delete(key)));
export const kvClear = () => withStore('kv', 'readwrite', (store) => done(store.clear()));
