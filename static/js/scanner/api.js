// The check-in API, called with the logged-in staff member's session cookie and, for
// what changes something, the page's CSRF token: the server refuses the cookie alone
// (another site could make the browser send it, never this header).

import { config } from "./page.js";

export class HttpError extends Error {
  constructor(response) {
    super(`HTTP ${response.status}`);
    this.status = response.status;
  }
}

async function call(url, { body, timeout = 10000, method = "POST" } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  const headers = { Accept: "application/json" };
  if (body) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = config.csrf_token;
  try {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers,
      body: body ? JSON.stringify(body) : undefined,
      signal: abort.signal,
    });
    if (!response.ok) throw new HttpError(response);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

// The body the server needs: the same client_id every time this scan is sent, so a
// retry or a late sync is recorded once.
function scanBody(scan) {
  return {
    token: scan.token,
    client_id: scan.client_id,
    session_id: scan.session_id,
    day: scan.day,
    scanned_at: scan.scanned_at,
    device: scan.device,
  };
}

export function postScan(scan, timeout) {
  return call(config.urls.checkins, { timeout, body: scanBody(scan) });
}

// The most scans the server takes in one request (BATCH_MAX in services/checkin/scanning.py).
export const BATCH_MAX = 100;

// Scans held (made offline, or not sent in time) sent together: each result, or its
// refusal (`error`), comes back in the order sent.
export function postScans(scans, timeout) {
  return call(config.urls.batch, { timeout, body: { scans: scans.map(scanBody) } });
}

export function undoCheckin(checkinId) {
  return call(config.urls.undo.replace("{id}", String(checkinId)), { timeout: 5000 });
}

// With `since` (the generated_at of the roster kept), only who changed since then.
export function fetchRoster(since = null) {
  const url = since ? `${config.urls.roster}?since=${encodeURIComponent(since)}` : config.urls.roster;
  return call(url, { method: "GET", timeout: 15000 });
}
