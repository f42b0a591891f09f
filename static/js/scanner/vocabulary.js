// The words of the server's vocabulary the scanner decides and speaks with, as the
// server writes them (school/models/vocabulary.py): tests/test_shared_rules.py checks
// that every list here is the server's, word for word.

export const VERDICT = Object.freeze({
  OK: "ok",
  ALREADY: "already",
  NOT_REGISTERED_FOR_SESSION: "not_registered_for_session",
  CANCELLED: "cancelled",
  WRONG_EDITION: "wrong_edition",
  INVALID: "invalid",
});

export const ADMISSION = Object.freeze({
  EVERYONE: "everyone",
  MEMBERS: "members",
  SEAT: "seat",
  MEAL: "meal",
  CLOSED: "closed",
});

export const CATEGORY = Object.freeze({
  MEMBER: "member",
  PARTNER: "partner",
  GUEST: "guest",
  SPEAKER: "speaker",
  STAFF: "staff",
  PRESS: "press",
});

export const REGISTRATION_STATUS = Object.freeze({
  CONFIRMED: "confirmed",
  CANCELLED: "cancelled",
});
