// The verdict, unmistakable at arm's length: the whole screen in green, amber or red,
// a big word and an icon (not colour alone), a sound and a vibration; it clears itself
// for the next person, or sooner with a tap, Esc or Enter. When the check-in came from
// the keyboard (name search, typed code), the verdict takes the focus and gives it back
// to that field, so a volunteer serves the next person without the mouse.

import { localized, say, timeOf, whereFrom } from "./page.js";
import { VERDICT } from "./vocabulary.js";

const LOOK = {
  [VERDICT.OK]: { tone: "ok", icon: "✓" },
  [VERDICT.ALREADY]: { tone: "warn", icon: "↻" },
  [VERDICT.NOT_REGISTERED_FOR_SESSION]: { tone: "warn", icon: "!" },
  [VERDICT.CANCELLED]: { tone: "stop", icon: "✕" },
  [VERDICT.WRONG_EDITION]: { tone: "stop", icon: "✕" },
  [VERDICT.INVALID]: { tone: "stop", icon: "✕" },
};
const SHOWN_MS = { ok: 2500, warn: 3500, stop: 3500 };
const SOUNDS = {
  ok: [[880, 0.12]],
  warn: [[660, 0.1], [0, 0.06], [660, 0.1]],
  stop: [[220, 0.45]],
};
const VIBRATIONS = { ok: [80], warn: [80, 60, 80], stop: [350] };

let audio = null;

// Browsers let a page make sound only after a tap: the first one wakes the audio up.
export function wakeAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio = audio || new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
}

function beep(tone) {
  if (!audio || audio.state !== "running") return;
  let at = audio.currentTime;
  for (const [frequency, seconds] of SOUNDS[tone]) {
    if (frequency) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = tone === "stop" ? "square" : "sine";
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.2;
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + seconds);
    }
    at += seconds;
  }
}

function sessionLine(session) {
  const room = session.room ? ` · ${localized(session.room)}` : "";
  return `${timeOf(session.starts_at)} ${localized(session.title)}${room}`;
}

function details(result) {
  const lines = [];
  const person = result.participant;
  if (result.verdict === VERDICT.OK && person) {
    if (!person.attends_today) lines.push(say("not_today"));
    if (person.today.length) lines.push(`${say("today")} ${person.today.map(sessionLine).join(" ; ")}`);
    if (person.dietary) lines.push(`${say("dietary")} ${person.dietary}`);
  } else if (result.verdict === VERDICT.ALREADY) {
    const first = result.first_checkin;
    const at = first ? first.at : result.first_checkin_at;
    if (at) lines.push(first && first.by ? say("first_scan_by", { time: timeOf(at), who: first.by }) : say("first_scan", { time: timeOf(at) }));
  } else if (result.verdict === VERDICT.NOT_REGISTERED_FOR_SESSION) {
    if (result.waitlist_position) lines.push(say("waitlist", { position: result.waitlist_position }));
    else lines.push(say("no_seat"));
    if (result.expected.length) lines.push(`${say("expected")} ${result.expected.map(sessionLine).join(" ; ")}`);
  } else if (result.verdict === VERDICT.WRONG_EDITION && result.badge_edition) {
    lines.push(say("badge_for", { edition: localized(result.badge_edition.title) }));
  }
  if ((LOOK[result.verdict] || LOOK[VERDICT.INVALID]).tone === "stop") lines.push(say("send_to_desk"));
  if (result.no_roster) lines.push(say("no_roster"));
  if (result.local) lines.push(say("saved_offline"));
  return lines;
}

export class VerdictScreen {
  constructor(element) {
    this.element = element;
    this.timer = null;
    this.returnTo = null;
    element.addEventListener("click", () => this.clear());
    document.addEventListener("keydown", (event) => {
      if (element.hidden) return;
      const onVerdict = element.contains(document.activeElement);
      // The verdict covers the whole screen: Tab would take the focus to a link hidden
      // under it (Enter then left the scanner), so Tab puts the verdict away as Esc does.
      const away = event.key === "Escape" || event.key === "Tab";
      if (away || (onVerdict && (event.key === "Enter" || event.key === " "))) {
        event.preventDefault();
        this.clear();
      }
    });
  }

  show(result, { returnTo = null } = {}) {
    const person = result.participant;
    let look = LOOK[result.verdict] || LOOK[VERDICT.INVALID];
    // Let in, though not registered for this day (nor counted for its meals): amber, so
    // the note under the name is read, not a green glance.
    if (result.verdict === VERDICT.OK && person && !person.attends_today) look = { ...look, tone: "warn" };
    const element = this.element;
    element.className = `verdict verdict-${look.tone}`;
    element.dataset.verdict = result.verdict;
    element.querySelector(".verdict-icon").textContent = look.icon;
    element.querySelector(".verdict-word").textContent = say(`verdicts.${result.verdict}`);
    element.querySelector(".verdict-name").textContent = person ? `${person.first_name} ${person.last_name}` : "";
    element.querySelector(".verdict-organisation").textContent = person ? whereFrom(person) : "";
    const list = element.querySelector(".verdict-details");
    list.replaceChildren(
      ...details(result).map((line) => {
        const item = document.createElement("li");
        item.textContent = line;
        return item;
      }),
    );
    element.hidden = false;
    if (returnTo) {
      this.returnTo = returnTo;
      element.focus();
    }
    beep(look.tone);
    if (navigator.vibrate) navigator.vibrate(VIBRATIONS[look.tone]);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), SHOWN_MS[look.tone]);
  }

  clear() {
    clearTimeout(this.timer);
    const hadFocus = this.element.contains(document.activeElement) || document.activeElement === document.body;
    this.element.hidden = true;
    const field = this.returnTo;
    this.returnTo = null;
    if (field && hadFocus) field.focus();
  }
}
