"""Which tables a statement writes, and which tables processes keep values from
(``watched``, declared where the values are kept): the writes ``school.data_versions``
announces to every process, and the ones a statement on the bare driver may not make
(``school.bare_statements``: its commit would announce nothing)."""

from __future__ import annotations

import re

EVERYTHING = "*"
_DML = re.compile(
    r'^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|truncate(?:\s+table)?)\s+"?(\w+)',
    re.IGNORECASE,
)
_READS = re.compile(
    r"^\s*(?:select|pragma|begin|commit|rollback|savepoint|release|show|set|explain|listen"
    r"|notify|values|vacuum|analyze)\b",
    re.IGNORECASE,
)
_WRITES_ANYWHERE = re.compile(r"\b(?:insert|update|delete|truncate)\b", re.IGNORECASE)

# The tables some kept value is read from, declared where it is kept (``watched``), at
# import: every process builds the whole app, so each knows them all. Only writes to them
# are announced, so a scan or a queued e-mail (nothing is kept from them) costs no NOTIFY.
WATCHED: set[str] = set()


def watched(*tables: str) -> tuple[str, ...]:
    """Declare that values are kept from ``tables``: their writes are announced."""
    WATCHED.update(tables)
    return tables


def check_watched(tables: tuple[str, ...]) -> None:
    if not WATCHED.issuperset(tables):
        unknown = ", ".join(sorted(set(tables) - WATCHED))
        raise ValueError(f"kept from {unknown}, which no module declared with watched()")


def touched_table(statement: str) -> str | None:
    """The table a statement writes to, ``*`` when it cannot tell (DDL, a ``WITH`` that
    may write), None when it only reads."""
    if _READS.match(statement):
        return None
    if statement.lstrip()[:4].upper() == "WITH" and not _WRITES_ANYWHERE.search(statement):
        return None
    found = _DML.match(statement)
    return found.group(1).lower() if found else EVERYTHING


def announced(statement: str) -> str | None:
    """The table whose change ``statement`` makes worth announcing: one something is kept
    from, ``EVERYTHING`` when it cannot tell, None for a read or a table nothing is kept
    from (a scan, a queued e-mail)."""
    table = touched_table(statement)
    if table is not None and (table == EVERYTHING or table in WATCHED):
        return table
    return None
