// What the server rendered into the page for the scanner: settings and the interface
// strings in the page's language (JSON data blocks: no inline script under the CSP).

function data(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : {};
}

export const config = data("scanner-config");
export const strings = data("scanner-i18n");

// "{name} …" templates, filled with plain text (never HTML).
export function say(key, values = {}) {
  const template = key.split(".").reduce((node, part) => (node ? node[part] : undefined), strings);
  return String(template ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function sayCount(key, count, values = {}) {
  const form = new Intl.PluralRules(config.language).select(count) === "one" ? "one" : "other";
  return say(`${key}.${form}`, { n: count, ...values });
}

const clock = new Intl.DateTimeFormat(config.language, {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: config.timezone,
});

export function timeOf(iso) {
  return iso ? clock.format(new Date(iso)) : "";
}

// The device's clock as ISO 8601 with its offset, as the API wants scanned_at.
export function isoWithOffset(moment) {
  const pad = (n, size = 2) => String(Math.trunc(Math.abs(n))).padStart(size, "0");
  const offset = -moment.getTimezoneOffset();
  return (
    `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}` +
    `T${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}` +
    `.${pad(moment.getMilliseconds(), 3)}${offset >= 0 ? "+" : "-"}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Pages served over plain http on a local network have no randomUUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function localized(text) {
  if (!text || typeof text === "string") return text || "";
  return text[config.language] || text[config.fallback] || text.fr || text.en || "";
}

// Where someone comes from, under their name in the search and on the verdict: their
// organisation and their Cité, either of which may be missing (never "null").
export function whereFrom(person) {
  return [person.organisation, person.cite]
    .filter(Boolean)
    .filter((value, i, all) => all.indexOf(value) === i)
    .join(" · ");
}
