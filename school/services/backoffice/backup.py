"""Backups of the whole database, and their restore into an empty one.

- SQLite (small installs): sqlite3's online backup API copies a consistent snapshot
  while the app keeps serving. Copying the file with ``cp`` is not a backup: in WAL
  mode the latest transactions sit in ``school.db-wal``, and a copy taken during a
  write can hold half of it.
- PostgreSQL: ``pg_dump`` in its custom format (one consistent snapshot, compressed,
  restored by ``pg_restore``), so the client tools must be installed, at the server's
  major version or newer.

A backup is written under a temporary name, checked, then renamed: a crash or a full
disk never leaves a truncated file under a backup's name. It holds personal data, so
only its owner may read it. Moving data between SQLite and PostgreSQL is not a
restore: each backup goes back into the kind of database it came from.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from school import data_versions
from school.database import utcnow

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
# The names `create` gives in a folder, which `prune` may delete; nothing else is touched.
NAME = re.compile(r"^school-\d{8}T\d{6}Z\.(sqlite3|pgdump)$")


class BackupError(Exception):
    """A backup or a restore that cannot be done, with the reason for the operator."""


@dataclass(frozen=True)
class Database:
    """What a backup needs to know of a SQLAlchemy database URL."""

    kind: str  # "sqlite" or "postgresql"
    url: sa.engine.URL

    @classmethod
    def from_url(cls, url: str) -> Database:
        parsed = sa.engine.make_url(url)
        kind = parsed.get_backend_name()
        if kind not in SUFFIXES:
            raise BackupError(f"backups of {kind} databases are not supported")
        if kind == "sqlite" and parsed.database in (None, "", ":memory:"):
            raise BackupError("an in-memory SQLite database has nothing to back up")
        return cls(kind, parsed)

    @property
    def path(self) -> Path:  # SQLite
        return Path(self.url.database or "")

    def describe(self) -> str:
        if self.kind == "sqlite":
            return str(self.path)
        return self.url.render_as_string(hide_password=True)


def create(url: str, destination: Path, *, now: datetime | None = None) -> Path:
    """Back up the database at ``url`` into ``destination``: a file, or an existing
    folder where a name with the time is chosen. Returns the backup's path."""
    database = Database.from_url(url)
    if destination.is_dir():
        stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
        destination = destination / f"school-{stamp}{SUFFIXES[database.kind]}"
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    old_umask = os.umask(0o077)
    try:
        if database.kind == "sqlite":
            _sqlite_backup(database.path, partial)
        else:
            _pg_dump(database.url, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.umask(old_umask)
    partial.replace(destination)
    return destination


def restore(url: str, source: Path, *, replace: bool = False) -> None:
    """Restore ``source`` into the database at ``url``, which must hold no tables
    unless ``replace`` (then what it holds is lost). Stop the app servers first."""
    database = Database.from_url(url)
    kind = backup_kind(source)
    if kind != database.kind:
        raise BackupError(
            f"{source} is a {kind} backup; it restores into a {kind} database, "
            f"not into {database.describe()}"
        )
    if kind == "sqlite":
        database.path.parent.mkdir(parents=True, exist_ok=True)
    tables = existing_tables(url)
    if tables and not replace:
        raise BackupError(
            f"{database.describe()} already holds {len(tables)} tables; restore into an "
            "empty database, or pass --replace to overwrite it"
        )
    if kind == "sqlite":
        _sqlite_restore(source, database.path)
    else:
        _pg_restore(database.url, source, clean=bool(tables))
        _announce_restore(database.url)


def _announce_restore(url: sa.engine.URL) -> None:
    """Processes still running (they should not be) read everything again."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            data_versions.announce_everything(connection)
    finally:
        engine.dispose()


def backup_kind(path: Path) -> str:
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump custom-format file")


def existing_tables(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups that ``create`` named in ``folder``."""
    backups = sorted(p for p in folder.iterdir() if NAME.match(p.name))
    doomed = backups[: max(len(backups) - keep, 0)]
    for path in doomed:
        path.unlink()
    return doomed


# SQLite ---------------------------------------------------------------------------


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    # Read-only: a wrong path must not create an empty database.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # A backup in WAL mode would need its -wal file beside it; make it one file.
        dst.execute("PRAGMA journal_mode = DELETE")
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy of {source} is damaged: {check}")
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# PostgreSQL -----------------------------------------------------------------------


def _libpq(url: sa.engine.URL) -> tuple[str, dict[str, str]]:
    """The connection as a libpq URI without its password, which goes in PGPASSWORD:
    the command line of a running process is visible to every user of the machine."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    bare = url.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools "
            "(Debian: postgresql-client), at the server's major version or newer"
        )
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        name = Path(args[0]).name
        raise BackupError(f"{name} failed:\n{(result.stderr or result.stdout).strip()}")


def _pg_dump(url: sa.engine.URL, target: Path) -> None:
    dsn, env = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={dsn}"], env)
    # The archive's table of contents reads back: the file is whole.
    _run([_tool("pg_restore"), "--list", str(target)], env)


def _pg_restore(url: sa.engine.URL, source: Path, *, clean: bool) -> None:
    dsn, env = _libpq(url)
    args = [
        _tool("pg_restore"),
        # Objects belong to whoever restores (the app's role), whatever role owned them
        # where the backup was made; all or nothing.
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={dsn}",
    ]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, str(source)], env)
