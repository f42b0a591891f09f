// What the scanner keeps on this phone, in IndexedDB: the roster of each edition (to
// decide offline) and this device's scans (the queue to sync, the last one to undo).
// Deleted on logout (see logout.js).

export const DATABASE = "school-scanner";

let opening = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function open() {
  if (!opening) {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("rosters", { keyPath: "slug" });
      const scans = db.createObjectStore("scans", { keyPath: "client_id" });
      scans.createIndex("slug", "slug");
    };
    opening = promised(request);
  }
  return opening;
}

async function run(storeName, mode, work) {
  const db = await open();
  const transaction = db.transaction(storeName, mode);
  const result = work(transaction.objectStore(storeName));
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result instanceof IDBRequest ? result.result : result;
}

export function getRoster(slug) {
  return run("rosters", "readonly", (store) => store.get(slug));
}

export function putRoster(slug, roster) {
  return run("rosters", "readwrite", (store) => store.put({ slug, roster, saved_at: new Date().toISOString() }));
}

export async function scansOf(slug) {
  const scans = await run("scans", "readonly", (store) => store.index("slug").getAll(slug));
  return scans.sort((a, b) => a.scanned_at_ms - b.scanned_at_ms);
}

export function putScan(scan) {
  return run("scans", "readwrite", (store) => store.put(scan));
}

export function deleteScan(clientId) {
  return run("scans", "readwrite", (store) => store.delete(clientId));
}

export async function forget() {
  if (opening) {
    (await opening).close();
    opening = null;
  }
  await promised(indexedDB.deleteDatabase(DATABASE)).catch(() => {});
}
