"""Every symbol the pages show is one that phones' fonts have: a rare one (⧗, ⟳, ⋯) is
drawn as an empty box on many phones, and the mark it stood for is lost."""

from __future__ import annotations

import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Beyond letters: the punctuation and symbols of WGL4 (the set every core font covers,
# Roboto, San Francisco and Segoe UI among them) that the pages use, and a few marks that
# the phones' own symbol fonts hold (Noto Sans Symbols on Android, Apple Symbols, Segoe
# UI Symbol): the check, the cross, the warning sign, the star, the circle arrow.
COMMON = set("—–·…“”«»‘’•←→↑↓×÷±≤≥∞€£§°▲▼►◄■□●○") | set("✓✕⚠★↻")


def _shown_files():
    for folder, patterns in (
        ("templates", ("*.html", "*.txt")),
        ("static", ("*.css", "*.js")),
        ("school/web", ("*.py",)),
    ):
        for pattern in patterns:
            for path in (ROOT / folder).rglob(pattern):
                if "vendor" not in path.parts:
                    yield path


def test_no_page_uses_a_symbol_missing_from_common_fonts():
    rare = {}
    for path in _shown_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for char in line:
                symbol = ord(char) > 127 and unicodedata.category(char)[0] in "PS"
                if symbol and char not in COMMON:
                    rare.setdefault(char, f"{path.relative_to(ROOT)}:{number}")
    assert rare == {}, {f"{c} U+{ord(c):04X}": where for c, where in rare.items()}
