// The checkpoint list: while staff choose, this phone gets ready to scan offline.

import { keepPages, loadRoster, registerWorker } from "./offline.js";
import { config, say, sayCount, timeOf } from "./page.js";
import "./logout.js";

const status = document.getElementById("offline-readiness");

async function prepare() {
  const worker = await registerWorker();
  const kept = await loadRoster();
  if (!kept) {
    status.textContent = say("no_roster");
    return;
  }
  if (!worker) {
    status.textContent = say("no_worker");
    return;
  }
  if (kept.fresh) await keepPages(config.pages).catch(() => {});
  const time = timeOf(kept.saved_at);
  status.textContent = kept.fresh
    ? sayCount("ready", kept.roster.participants.length, { time })
    : say("stale", { time });
  status.dataset.ready = kept.fresh ? "true" : "stale";
}

prepare().catch((error) => {
  console.warn("scanner: not ready offline", error);
  status.textContent = say("no_roster");
});
