"""The French catalogue is complete, and the compiled one matches it."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from school.paths import PACKAGE_DIR

CATALOGUE = PACKAGE_DIR / "translations" / "fr" / "LC_MESSAGES"


def _messages(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_every_interface_string_is_translated_to_french():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        source = _messages(read_po(fh))
    with open(CATALOGUE / "messages.mo", "rb") as fh:
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
    with open(CATALOGUE / "messages.po", "rb") as fh:
        known = {m.id for m in read_po(fh) if m.id}
    assert extracted - known == set(), "run pybabel extract and update, then translate"
