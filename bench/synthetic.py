"""Synthetic editions for benchmarks and scale tests: a programme file of any size.

python -m bench.synthetic --sessions 500 --speakers 300 > big.yaml
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta

from school.services.programme import yaml_io

KINDS = ["plenary", "conference", "round_table", "workshop", "visit", "meeting", "social", "break"]
WORDS = [
    "orientation",
    "emploi",
    "formation",
    "compétences",
    "territoire",
    "réseau",
    "métiers",
    "avenir",
    "numérique",
    "inclusion",
    "jeunesse",
    "transition",
    "partenariat",
    "innovation",
    "accompagnement",
    "conseil",
]
FIRST = [
    "Ada",
    "Ève",
    "Majda",
    "Zainoudine",
    "Raquel",
    "Jean-Michel",
    "Łucja",
    "Ñuño",
    "Sylvie",
    "Olivier",
    "Carolina",
    "Marja",
]
LAST = [
    "Jelenčić",
    "Younoussa",
    "O'Brien-Łukasiewicz",
    "Núñez",
    "Castello-Branco",
    "Evequoz",
    "Pudas",
    "Dandoy",
]


def programme(
    sessions: int,
    speakers: int,
    *,
    slug: str = "synthetic",
    days: int = 3,
    rooms: int = 12,
    seed: int = 1,
) -> dict:
    rng = random.Random(seed)
    start = date(2030, 6, 18)
    people = [
        {
            "id": f"p{n}",
            "first_name": rng.choice(FIRST),
            "last_name": f"{rng.choice(LAST)} {n}",
            "function": {"fr": "Directrice", "en": "Director"},
            "organisation": f"Cité des métiers n°{n % 40}",
        }
        for n in range(speakers)
    ]
    items = []
    per_day = max(1, sessions // days)
    for n in range(sessions):
        day = start + timedelta(days=min(n // per_day, days - 1))
        slot = (n % per_day) // rooms
        hour, minute = divmod(8 * 60 + (slot * 30) % (11 * 60), 60)
        title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
        kind = rng.choice(KINDS)
        item = {
            "id": f"s{n}",
            "date": day,
            "start": f"{hour:02d}:{minute:02d}",
            "end": f"{hour + 1:02d}:{minute:02d}",
            "kind": kind,
            "title": {"fr": title, "en": title.upper()},
            "description": {"fr": f"Description de la session {n}.", "en": f"Session {n}."},
            "room": f"r{n % rooms}",
        }
        if kind in ("workshop", "visit"):
            item["capacity"] = rng.choice([15, 20, 25])
            item["requires_registration"] = True
        if people:
            chosen = rng.sample(people, k=min(len(people), rng.randint(0, 3)))
            item["speakers"] = [{"person": p["id"], "role": "speaker"} for p in chosen]
        items.append(item)
    return {
        "edition": {
            "slug": slug,
            "title": {"fr": f"École synthétique {slug}", "en": f"Synthetic school {slug}"},
            "city": "Lisboa",
            "venue": "Centro de Congressos",
            "address": "Praça das Indústrias, 1300-249 Lisboa",
            "timezone": "Europe/Lisbon",
            "starts_on": start,
            "ends_on": start + timedelta(days=days - 1),
            "registration": {"opens_at": "2030-01-01 09:00"},
            "published": True,
        },
        "days": [
            {
                "date": start + timedelta(days=d),
                "theme": {"fr": f"Jour {d + 1}", "en": f"Day {d + 1}"},
            }
            for d in range(days)
        ],
        "rooms": [
            {"id": f"r{n}", "name": {"fr": f"Salle {n}", "en": f"Room {n}"}} for n in range(rooms)
        ],
        "people": people,
        "sessions": items,
    }


def programme_text(sessions: int, speakers: int, **kwargs) -> str:
    return yaml_io.dump(programme(sessions, speakers, **kwargs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--speakers", type=int, default=300)
    parser.add_argument("--slug", default="synthetic")
    args = parser.parse_args()
    print(programme_text(args.sessions, args.speakers, slug=args.slug), end="")


if __name__ == "__main__":
    main()
