// Badge forgotten at the hotel: find the person by name in the roster (so it works
// offline too), without minding accents or case, and check them in from the result.

import { say, whereFrom } from "./page.js";
import { REGISTRATION_STATUS } from "./vocabulary.js";

const MAX_RESULTS = 8;

// Letters that carry their mark inside them (no decomposition strips it): typed without
// it on a phone's keyboard all the same ("lukasiewicz" for "Łukasiewicz").
const PLAIN = { ł: "l", ø: "o", đ: "d", ħ: "h", ı: "i", ß: "ss", æ: "ae", œ: "oe", þ: "th" };

export function fold(text) {
  return (text || "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[łøđħıßæœþ]/g, (letter) => PLAIN[letter])
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

// Two letters at least, or one ideograph: a Chinese surname is often one ("王").
export function enough(query) {
  const folded = fold(query);
  return folded.length >= 2 || /\p{Script=Han}/u.test(folded);
}

// Registrations in force first: someone who cancelled and registered again is found
// twice, and the first "Check in" a volunteer reaches must be the one that lets them in.
export function find(participants, query) {
  const words = fold(query).split(" ").filter(Boolean);
  if (!words.length || !enough(query)) return [];
  const current = [];
  const cancelled = [];
  for (const person of participants) {
    const haystack = ` ${fold(`${person.first_name} ${person.last_name} ${whereFrom(person)}`)}`;
    if (!words.every((word) => haystack.includes(` ${word}`))) continue;
    (person.status === REGISTRATION_STATUS.CANCELLED ? cancelled : current).push(person);
    if (current.length === MAX_RESULTS) break;
  }
  return current.concat(cancelled).slice(0, MAX_RESULTS);
}

export class Search {
  constructor(input, list, { participants, onCheckIn }) {
    this.input = input;
    this.list = list;
    this.participants = participants;
    this.onCheckIn = onCheckIn;
    input.addEventListener("input", () => this.render());
  }

  render() {
    const query = this.input.value;
    const found = find(this.participants(), query);
    const items = found.map((person) => {
      const item = document.createElement("li");
      const who = document.createElement("span");
      const name = document.createElement("strong");
      name.textContent = `${person.first_name} ${person.last_name}`;
      who.append(name, document.createElement("br"), whereFrom(person));
      if (person.status === REGISTRATION_STATUS.CANCELLED) {
        const tag = document.createElement("em");
        tag.textContent = ` (${say("cancelled_tag")})`;
        who.append(tag);
      }
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = say("check_in");
      button.setAttribute("aria-label", `${say("check_in")}: ${person.first_name} ${person.last_name}`);
      button.addEventListener("click", () => {
        this.input.value = "";
        this.list.replaceChildren();
        this.onCheckIn(person);
      });
      item.append(who, button);
      return item;
    });
    if (!items.length && enough(query)) {
      const none = document.createElement("li");
      none.textContent = say("no_match");
      items.push(none);
    }
    this.list.replaceChildren(...items);
  }
}
