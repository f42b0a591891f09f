"""Every catalogue (French, Italian, Spanish, Portuguese; English is the source) is complete,
keeps the placeholders of its source, and the compiled one matches it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from school.paths import PACKAGE_DIR

TRANSLATIONS = PACKAGE_DIR / "translations"
TRANSLATED = ("fr", "it", "es", "pt")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def _messages(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_interface_string_is_translated(lang):
    catalog = _catalog(lang)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    """A translation that drops or renames ``%(name)s`` would fail (or lie) when shown."""
    wrong = []
    for m in _catalog(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        wanted = {p for i in ids for p in PLACEHOLDER.findall(i)}
        # Every name must be kept; only the number may be spelt out ("une place").
        needed = {p for p in PLACEHOLDER.findall(ids[0]) if p[0] not in ("num", "count")}
        for string in strings:
            found = set(PLACEHOLDER.findall(string or ""))
            if string and not (found <= wanted and needed <= found):
                wrong.append((m.id, string))
    assert wrong == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogue_matches_the_source(lang):
    source = _messages(_catalog(lang))
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = _messages(read_mo(fh))
    assert compiled == source, "run: pybabel compile -d school/translations"


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "school/translations/babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=PACKAGE_DIR.parent,
        check=True,
    )
    with open(pot, "rb") as fh:
        extracted = {m.id for m in read_po(fh) if m.id}
    for lang in TRANSLATED:
        known = {m.id for m in _catalog(lang) if m.id}
        assert extracted - known == set(), f"{lang}: run pybabel extract and update, then translate"


def test_french_names_each_thing_one_way():
    """A programme item is a "session" (never a "séance" on the next page, and a login is a
    "connexion", not a "session" of the programme's word), the event is
    never "l'École" here and "l'Université" there, and a word agrees with
    what it qualifies where one catalogue entry served several ("Toutes les Cités")."""
    said = {m.id: m.string for m in _catalog("fr") if m.id and isinstance(m.string, str)}
    strings = [s for s in said.values() if s]
    assert not [s for s in strings if re.search(r"\bséances?\b", s, re.I)]
    assert not [s for s in strings if re.search(r"\b(École|Université)\b", s)]
    assert said["All Cités"] == "Toutes les Cités" and said["All"] == "Tous"
    assert said["Confirmed seats"] == "Places confirmées"
    assert said["Full — waiting list"].startswith("Complète")  # a session
    assert said["Cancelled: %(title)s"].startswith("Annulée")  # a session
    assert said["Nobody found with that name."] == "Aucune personne trouvée à ce nom."
    signed_out = "Ends your sessions on every phone and computer, this one included"
    assert "vos connexions" in next(s for i, s in said.items() if i.startswith(signed_out))


# An edition's name is a proper noun of any gender and shape ("Spring School 2019",
# "École d'automne 2024"): French cannot put it bare after "à", "de", "pour" or "sur"
# ("l'appel à initiatives de Spring School 2019"), nor say "la School" on its own.
FRENCH_BARE_NAME = re.compile(r"\b(?:à|de|du|au|pour|sur)\s+%\(edition\)s")
FRENCH_BARE_SCHOOL = re.compile(r"\b(?:la|La|cette|Cette|une|de)\s+School\b")
# Those whose %(title)s is the edition's.
EDITION_TITLED = [
    "Your registration for %(title)s is confirmed.",
    "Your registration for %(title)s is cancelled, and your seats have been offered to the"
    " people waiting for them.",
    "Here is the private link of your registration for %(title)s. With it you can see or"
    " change your choices, cancel, and download your badge:",
]


def test_french_sentences_name_an_edition_as_french_does():
    messages = _messages(_catalog("fr"))
    bare = [
        text
        for msgid, text in messages.items()
        if isinstance(text, str)
        and (FRENCH_BARE_NAME.search(text) or FRENCH_BARE_SCHOOL.search(text))
    ]
    bare += [messages[msgid] for msgid in EDITION_TITLED if "l’édition «" not in messages[msgid]]
    assert bare == []
    assert messages["Register for the School"] == "S’inscrire"
