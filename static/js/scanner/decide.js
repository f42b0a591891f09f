// The verdict when the server cannot be asked, from the roster the server made.
// Nothing is decided here that the server did not compute: each session's `admission`
// (everyone / members / seat / meal / closed) and the sessions it `overlaps`, and the
// participant's status, days, category, confirmed seats, meals and places in waiting lines. The few lines of `isAdmitted` mirror
// school.services.checkin.is_admitted; the server decides again when the scan syncs.

import { ADMISSION, REGISTRATION_STATUS, VERDICT } from "./vocabulary.js";

const TOKEN = /^[0-9A-Z]{1,4}:([0-9A-Z]{1,6}):([0-9A-Z]{1,8}):[A-Z2-7]{24}$/;

export function indexRoster(roster, { placeholder = false } = {}) {
  return {
    roster,
    placeholder, // no roster on this phone yet: every badge would look unknown
    byToken: new Map(roster.participants.map((p) => [p.token, p])),
    sessions: new Map(roster.sessions.map((s) => [s.id, s])),
  };
}

export function isAdmitted(person, checkpoint, session) {
  if (!session) return true; // anyone registered enters the venue; the day is a note
  const rule = session.admission;
  // A roster from before meals were listed has none: the server decides on sync.
  if (rule === ADMISSION.MEAL) return (person.meals || []).includes(session.id);
  if (person.seats.includes(session.id)) return rule !== ADMISSION.CLOSED;
  const attends = person.days.includes(checkpoint.day);
  if (rule === ADMISSION.EVERYONE) return attends;
  if (rule === ADMISSION.MEMBERS) return attends && person.member === true;
  return false;
}

function sessionJson(session) {
  return {
    session_id: session.id,
    title: session.title,
    starts_at: session.starts_at,
    ends_at: session.ends_at,
    room: session.room,
  };
}

// Whether one of this phone's scans counts as the person's check-in: let in, and not
// undone (the server's CheckIn.is_standing; the roster's `checked_in` lists those).
export function isStanding(scan) {
  return scan.verdict === VERDICT.OK && !scan.undone;
}

// The standing check-in of a person at a checkpoint: the server's, or one of this
// phone's scans not synced yet; the earliest wins, as on the server.
function standing(person, checkpoint, scans) {
  const times = [];
  if (person.checked_in[checkpoint.key]) times.push(person.checked_in[checkpoint.key]);
  for (const scan of scans) {
    if (scan.registration_id === person.id && scan.checkpoint === checkpoint.key && isStanding(scan)) {
      times.push(scan.scanned_at);
    }
  }
  times.sort((a, b) => Date.parse(a) - Date.parse(b));
  return times[0] || null;
}

export function decide(index, checkpoint, token, scans) {
  const result = {
    verdict: VERDICT.INVALID,
    participant: null,
    first_checkin_at: null,
    first_checkin: null,
    expected: [],
    waitlist_position: null,
    checkpoint: { id: checkpoint.key, session_id: checkpoint.session_id, day: checkpoint.day },
    local: true,
    no_roster: index.placeholder,
  };
  const person = index.byToken.get(token);
  if (!person) {
    const match = TOKEN.exec(token);
    const editionId = match ? parseInt(match[1], 36) : null;
    if (match && editionId !== index.roster.edition.id) {
      result.verdict = VERDICT.WRONG_EDITION;
      // Named as the server names it (school.services.checkin.other_editions).
      result.badge_edition = (index.roster.edition.others || []).find((e) => e.id === editionId) || null;
    }
    return result;
  }
  const seatsToday = person.seats
    .map((id) => index.sessions.get(id))
    .filter((s) => s && s.day === checkpoint.day)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  result.participant = {
    id: person.id,
    first_name: person.first_name,
    last_name: person.last_name,
    organisation: person.organisation,
    cite: person.cite,
    category: person.category,
    dietary: person.dietary,
    attends_today: person.days.includes(checkpoint.day),
    today: seatsToday.map(sessionJson),
  };
  if (person.status === REGISTRATION_STATUS.CANCELLED) {
    result.verdict = VERDICT.CANCELLED;
    return result;
  }
  const session = checkpoint.session_id ? index.sessions.get(checkpoint.session_id) : null;
  if (!isAdmitted(person, checkpoint, session)) {
    result.verdict = VERDICT.NOT_REGISTERED_FOR_SESSION;
    result.waitlist_position = person.waiting[String(session.id)] ?? null;
    // A roster kept before the server listed `overlaps` shows none until it is refreshed.
    const overlaps = new Set(session.overlaps || []);
    result.expected = seatsToday.filter((s) => overlaps.has(s.id)).map(sessionJson);
    return result;
  }
  const first = standing(person, checkpoint, scans);
  result.verdict = first ? VERDICT.ALREADY : VERDICT.OK;
  result.first_checkin_at = first;
  return result;
}
