// The scanner page: read a badge, show the verdict, keep the queue moving offline.
//
// Online, each scan is sent to the server and its verdict shown; when the request fails
// or takes more than ONLINE_WAIT_MS, the verdict is decided on this phone from the
// roster (decide.js) and the scan waits in IndexedDB. Waiting scans are sent when the
// network is back, each with the client_id and scanned_at it got when it was read: the
// server records a replay once, and the earliest of two devices' scans wins.

import { BATCH_MAX, HttpError, postScan, postScans, undoCheckin } from "./api.js";
import { Camera } from "./camera.js";
import { decide, indexRoster, isStanding } from "./decide.js";
import "./logout.js";
import { keepPages, loadRoster, registerWorker } from "./offline.js";
import { config, isoWithOffset, newId, say, sayCount, timeOf } from "./page.js";
import { Search } from "./search.js";
import * as store from "./store.js";
import { VerdictScreen, wakeAudio } from "./verdict.js";
import { VERDICT } from "./vocabulary.js";

const ONLINE_WAIT_MS = 1500;
const SYNC_TIMEOUT_MS = 10000;
const RETRY_EVERY_MS = 10000;
const ROSTER_EVERY_MS = 60000;
const RECENT = 5;

const checkpoint = config.checkpoint;
const $ = (id) => document.getElementById(id);
const screen = new VerdictScreen($("verdict"));
const state = {
  index: indexRoster({ edition: { id: config.edition_id }, participants: [], sessions: [] }, { placeholder: true }),
  scans: [], // this phone's scans in this edition, oldest first
  arrivals: config.arrivals, // the server's last count at this checkpoint
  offline: !navigator.onLine,
  needsLogin: false,
  syncing: false,
};

function device() {
  let id = localStorage.getItem("school-scanner-device");
  if (!id) {
    id = `scanner-${newId().slice(0, 8)}`;
    localStorage.setItem("school-scanner-device", id);
  }
  return id;
}

const waiting = () => state.scans.filter((scan) => scan.state === "waiting");
const here = () => state.scans.filter((scan) => scan.checkpoint === checkpoint.key);

function render() {
  const network = $("network");
  network.textContent = state.offline ? say("offline") : say("online");
  network.className = `network ${state.offline ? "is-offline" : "is-online"}`;
  const count = waiting().length;
  const pending = $("pending");
  pending.textContent = state.needsLogin
    ? say("login_again")
    : count
      ? sayCount("waiting", count)
      : "";
  pending.dataset.count = String(count);
  const unsent = here().filter((scan) => scan.state === "waiting" && isStanding(scan));
  const arrivals = state.arrivals + unsent.length;
  $("arrivals").textContent = String(arrivals);
  $("arrivals-label").textContent = sayCount("arrivals", arrivals);
  renderRecent();
}

function renderRecent() {
  const list = $("recent");
  const items = here()
    .slice(-RECENT)
    .reverse()
    .map((scan) => {
      const item = document.createElement("li");
      item.className = `recent-${scan.verdict}${scan.undone ? " is-undone" : ""}`;
      item.dataset.verdict = scan.verdict;
      const word = say(`verdicts.${scan.verdict}`);
      item.textContent = `${timeOf(scan.scanned_at)} ${scan.name || ""} — ${word}${scan.state === "waiting" ? " …" : ""}`;
      return item;
    });
  list.replaceChildren(...items);
}

// The arrivals here as far as this phone knows, when the server cannot say: the kept
// roster's check-ins and this phone's own sent check-ins (the unsent ones are added in
// render).
function arrivalsKnownHere() {
  const ids = new Set(
    state.index.roster.participants.filter((p) => p.checked_in[checkpoint.key]).map((p) => p.id),
  );
  for (const scan of here()) {
    if (scan.state === "sent" && scan.verdict === VERDICT.OK && scan.registration_id) {
      if (scan.undone) ids.delete(scan.registration_id);
      else ids.add(scan.registration_id);
    }
  }
  return ids.size;
}

function notice(text) {
  $("notice").textContent = text;
}

function setOffline(offline) {
  const back = state.offline && !offline;
  state.offline = offline;
  render();
  if (back) sync();
}

// The server's answer to a scan: it is now recorded there.
async function recorded(scan, answer) {
  scan.state = "sent";
  scan.verdict = answer.verdict;
  scan.checkin_id = answer.checkin_id;
  if (answer.participant) {
    // Someone who registered after the roster was kept is known to the server.
    scan.registration_id = answer.participant.id;
    scan.name = `${answer.participant.first_name} ${answer.participant.last_name}`;
  }
  if (answer.checkpoint.id === checkpoint.key) state.arrivals = answer.arrivals;
  const person = answer.participant && state.index.byToken.get(scan.token);
  if (person && answer.verdict === VERDICT.OK) person.checked_in[answer.checkpoint.id] = scan.scanned_at;
  await store.putScan(scan);
}

// Why a scan could not be sent: offline (try later), logged out, or refused for good.
async function notSent(scan, error) {
  if (!(error instanceof HttpError)) {
    setOffline(true);
    return "retry";
  }
  if (error.status === 401 || error.status === 403) {
    state.needsLogin = true;
    return "stop";
  }
  if (error.status >= 400 && error.status < 500) {
    await rejected(scan);
    return "next";
  }
  return "retry";
}

// The code printed under the QR code, as typed: any case, spaces where the badge groups
// it; what is left must look like a badge token (the server checks its signature).
const TYPED_TOKEN = /^[0-9A-Z]{1,4}:[0-9A-Z]{1,6}:[0-9A-Z]{1,8}:[A-Z2-7]{24}$/;
export function typedCode(text) {
  const token = (text || "").toUpperCase().replace(/[\s\-.]+/g, "").replace(/;/g, ":");
  return TYPED_TOKEN.test(token) ? token : null;
}

async function scanned(token, { returnTo = null } = {}) {
  const now = new Date();
  const local = decide(state.index, checkpoint, token, state.scans);
  const person = local.participant;
  const scan = {
    client_id: newId(),
    slug: config.slug,
    checkpoint: checkpoint.key,
    session_id: checkpoint.session_id,
    day: checkpoint.day,
    token,
    device: device(),
    scanned_at: isoWithOffset(now),
    scanned_at_ms: now.getTime(),
    registration_id: person ? person.id : null,
    name: person ? `${person.first_name} ${person.last_name}` : "",
    verdict: local.verdict,
    state: "waiting",
    checkin_id: null,
    undone: false,
  };
  state.scans.push(scan);
  await store.putScan(scan);
  let result = local;
  if (!state.offline && !state.needsLogin) {
    try {
      const answer = await postScan(scan, ONLINE_WAIT_MS);
      await recorded(scan, answer);
      result = answer;
    } catch (error) {
      await notSent(scan, error);
    }
  }
  screen.show(result, { returnTo });
  render();
}

async function sync() {
  if (state.syncing || state.needsLogin) return;
  state.syncing = true;
  try {
    // A queue of a hundred scans after an outage is a few requests, not a hundred.
    let batch;
    while ((batch = waiting().slice(0, BATCH_MAX)).length) {
      let answer;
      try {
        answer = await postScans(batch, SYNC_TIMEOUT_MS);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status >= 500 || [401, 403].includes(error.status)) {
          await notSent(batch[0], error); // offline, logged out, or the server's fault: later
          return;
        }
        // Refused as a whole (a scan it cannot read): each alone, so only that one is.
        if (!(await sendEach(batch))) return;
        continue;
      }
      if (state.offline) setOffline(false);
      for (const [index, item] of answer.results.entries()) {
        if (item.result) await recorded(batch[index], item.result);
        else await rejected(batch[index]); // refused alone: its id reused, or no such place
      }
      render();
    }
  } finally {
    state.syncing = false;
    render();
  }
  await refreshRoster();
}

// One by one; false when the rest must wait (offline, logged out).
async function sendEach(scans) {
  for (const scan of scans) {
    try {
      await recorded(scan, await postScan(scan, SYNC_TIMEOUT_MS));
    } catch (error) {
      if ((await notSent(scan, error)) !== "next") return false;
    }
    render();
  }
  return true;
}

async function rejected(scan) {
  scan.state = "rejected";
  await store.putScan(scan);
}

async function refreshRoster() {
  let kept;
  try {
    kept = await loadRoster();
  } catch {
    state.needsLogin = true;
    render();
    return;
  }
  if (!kept) {
    $("offline-readiness").textContent = say("no_roster");
    return;
  }
  state.index = indexRoster(kept.roster);
  if (kept.fresh) {
    state.arrivals = kept.roster.participants.filter((p) => p.checked_in[checkpoint.key]).length;
    if (state.offline) setOffline(false);
  } else {
    state.arrivals = arrivalsKnownHere();
  }
  const time = timeOf(kept.saved_at);
  $("offline-readiness").textContent = kept.fresh
    ? sayCount("ready", kept.roster.participants.length, { time })
    : say("stale", { time });
  render();
}

async function undoLast() {
  const scan = here()
    .filter((s) => isStanding(s) && s.state !== "rejected")
    .pop();
  if (!scan) {
    notice(say("nothing_to_undo"));
    return;
  }
  if (scan.state === "waiting") {
    // Not sent yet: the server will never hear of it.
    state.scans = state.scans.filter((s) => s !== scan);
    await store.deleteScan(scan.client_id);
  } else {
    try {
      const answer = await undoCheckin(scan.checkin_id);
      state.arrivals = answer.arrivals;
    } catch (error) {
      notice(error instanceof HttpError ? say("undo_failed") : say("undo_needs_network"));
      if (!(error instanceof HttpError)) setOffline(true);
      return;
    }
    scan.undone = true;
    await store.putScan(scan);
    const person = state.index.byToken.get(scan.token);
    if (person) delete person.checked_in[checkpoint.key];
  }
  notice(say("undone", { name: scan.name }));
  render();
}

async function startCamera(camera) {
  const message = $("camera-message");
  const button = $("camera-start");
  message.textContent = say("camera_starting");
  button.hidden = true;
  try {
    await camera.start();
    message.textContent = "";
    $("camera").hidden = false;
  } catch (error) {
    $("camera").hidden = true; // an empty black box helps nobody: the message says what to do
    const reason = error.name || error.message || "";
    const key = { NotAllowedError: "camera_refused", SecurityError: "camera_refused", NotFoundError: "camera_missing", OverconstrainedError: "camera_missing" }[reason] || "camera_failed";
    message.textContent = say(key);
    message.dataset.reason = reason;
    button.hidden = key === "camera_missing";
  }
}

// The screen stays on while the scanner is shown; the camera is let go when the phone
// goes in a pocket (page hidden) and taken again when it comes out.
let screenLock = null;
function keepScreenOn() {
  if (!("wakeLock" in navigator) || screenLock) return;
  navigator.wakeLock.request("screen").then(
    (lock) => {
      screenLock = lock;
      lock.addEventListener("release", () => (screenLock = null));
    },
    () => {},
  );
}

async function main() {
  render();
  const camera = new Camera($("camera"), { wasmUrl: config.urls.wasm, onCode: scanned });
  $("camera-start").addEventListener("click", () => startCamera(camera));
  startCamera(camera);
  keepScreenOn();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      camera.stop();
    } else {
      keepScreenOn();
      if (!camera.running) startCamera(camera);
    }
  });
  document.addEventListener("pointerdown", wakeAudio);
  document.addEventListener("keydown", wakeAudio);
  $("undo").addEventListener("click", undoLast);
  new Search($("search"), $("search-results"), {
    participants: () => state.index.roster.participants,
    onCheckIn: (person) => scanned(person.token, { returnTo: $("search") }),
  });
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = $("code");
    const token = typedCode(field.value);
    const error = $("code-error");
    if (!token) {
      error.textContent = field.value.trim() ? say("code_invalid") : "";
      field.setAttribute("aria-invalid", field.value.trim() ? "true" : "false");
      field.focus();
      return;
    }
    error.textContent = "";
    field.removeAttribute("aria-invalid");
    field.value = "";
    scanned(token, { returnTo: field });
  });
  window.addEventListener("online", () => setOffline(false));
  window.addEventListener("offline", () => setOffline(true));

  state.scans = await store.scansOf(config.slug);
  const kept = await store.getRoster(config.slug);
  if (kept) {
    state.index = indexRoster(kept.roster);
    // A page kept by the service worker shows the count of when it was kept.
    if (state.offline) state.arrivals = arrivalsKnownHere();
  }
  render();
  if (!state.offline) {
    await sync();
    if (await registerWorker()) keepPages([config.page]).catch(() => {});
  } else {
    await refreshRoster();
  }
  setInterval(() => {
    // Also after a 401: the staff member may have logged in again in another tab.
    state.needsLogin = false;
    if (state.offline || waiting().length) sync();
  }, RETRY_EVERY_MS);
  setInterval(() => {
    if (!state.offline && !state.syncing) refreshRoster();
  }, ROSTER_EVERY_MS);
}

main();
