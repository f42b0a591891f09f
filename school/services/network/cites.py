"""The Cités des métiers of the network, suggested on the registration form."""

from __future__ import annotations

from functools import cache

from school.paths import DATA_DIR


@cache
def known_cites() -> tuple[str, ...]:
    lines = (DATA_DIR / "cites.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
