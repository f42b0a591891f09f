// Readying a phone for the venue Wi-Fi dropping: the service worker keeps the pages and
// their files, IndexedDB keeps the roster. Used by the checkpoint list and the scanner.

import { fetchRoster } from "./api.js";
import { config } from "./page.js";
import * as store from "./store.js";

export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return false;
  try {
    await navigator.serviceWorker.register(config.urls.worker, { scope: config.urls.worker_scope });
    await navigator.serviceWorker.ready;
    return true;
  } catch (error) {
    console.warn("scanner: no service worker", error);
    return false;
  }
}

// Pages are fetched one after the other, with the staff member's cookie, and kept
// under their path (the service worker answers with them when the network is gone).
export async function keepPages(paths) {
  if (!("caches" in window)) return;
  const cache = await caches.open(config.pages_cache);
  for (const path of paths) {
    const response = await fetch(path, { credentials: "same-origin" });
    if (response.ok && !response.redirected) await cache.put(path, response);
  }
}

// A roster kept this long is fetched whole again rather than brought up to date.
const WHOLE_AFTER_MS = 6 * 60 * 60 * 1000;

// The roster from the server, kept; or the one kept before when the server cannot be
// reached. Returns {roster, saved_at, fresh}. A phone that keeps a recent roster asks
// only for who changed since (a few kB at the door instead of the whole list).
export async function loadRoster() {
  try {
    const kept = await store.getRoster(config.slug);
    const since = kept && kept.roster.generated_at;
    const recent = since && Date.now() - Date.parse(since) < WHOLE_AFTER_MS;
    const answer = await fetchRoster(recent ? since : null);
    const roster = recent ? mergeRoster(kept.roster, answer) : answer;
    await store.putRoster(config.slug, roster);
    return { roster, saved_at: new Date().toISOString(), fresh: true };
  } catch (error) {
    const kept = await store.getRoster(config.slug);
    if (error.status === 401 || error.status === 403) throw error;
    return kept ? { roster: kept.roster, saved_at: kept.saved_at, fresh: false } : null;
  }
}

// The kept roster brought up to date: the participants sent take the place of the kept
// ones with the same id (new ones are added); sessions and the edition are the server's.
export function mergeRoster(kept, answer) {
  if (answer.complete !== false || !kept || kept.edition.id !== answer.edition.id) return answer;
  const changed = new Map(answer.participants.map((p) => [p.id, p]));
  const participants = kept.participants.map((p) => changed.get(p.id) || p);
  const known = new Set(kept.participants.map((p) => p.id));
  for (const p of answer.participants) if (!known.has(p.id)) participants.push(p);
  return { ...answer, participants, complete: true };
}
