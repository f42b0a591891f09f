"""What a process keeps between requests: values by key (``keep``, ``Kept``), each used
only while the tables it was read from keep the versions it was read under
(``school.data_versions``), and detached copies of ORM objects to keep (``snapshot``),
which each request takes into its own session (``attach``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from school import data_versions
from school.data_versions import DataVersions
from school.database import engine_of
from school.watched_tables import check_watched

NOT_KEPT = object()  # what ``peek`` gives when nothing current is kept
# How long a request waits for another thread loading what it asks for before it loads
# it itself (a loader stuck on the database must not hold everyone else).
LOAD_WAIT_SECONDS = 30.0

T = TypeVar("T")


def peek(versions: DataVersions, name: str, key: Hashable) -> Any:
    """What the store ``name`` holds for ``key`` under the versions that stand now, or
    ``NOT_KEPT``: for a caller that has no database session to load it with."""
    found = versions.stores.get(name)
    return NOT_KEPT if found is None else found.peek(key)


def store(versions: DataVersions, name: str, tables: Iterable[str], max_items: int = 4096) -> Kept:
    """The process's store ``name`` (made at first use)."""
    found = versions.stores.get(name)
    if found is None:
        found = versions.stores.setdefault(name, Kept(versions, tables, max_items))
    return found


def keep(db: Any, name: str, tables: Iterable[str], key: Hashable, load: Callable[[], T]) -> T:
    """``load()``, or what it gave under the same versions of ``tables`` (the process's
    store ``name``; nothing is kept when the session's engine was not installed)."""
    versions = data_versions.of_engine(engine_of(db))
    return load() if versions is None else store(versions, name, tables).get(key, load)


class Kept:
    """Values this process keeps by key, each as long as the versions of ``tables`` it was
    read under stand. Bounded: least recently used out first. The values are shared by
    every thread of the process: keep immutable ones (or detached ORM objects that are
    only ever merged into a session, never changed)."""

    def __init__(self, versions: DataVersions, tables: Iterable[str], max_items: int = 4096):
        self.versions = versions
        self.tables = tuple(tables)
        check_watched(self.tables)
        self.max_items = max_items
        self._items: OrderedDict[Hashable, tuple[tuple, Any]] = OrderedDict()
        self._loading: dict[tuple[Hashable, tuple], _Loading] = {}
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> Any:
        stamp = self.versions.stamp(self.tables)
        if stamp is None:
            return NOT_KEPT
        with self._lock:
            found = self._items.get(key)
        return found[1] if found is not None and found[0] == stamp else NOT_KEPT

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The value kept for ``key`` under the versions that stand, or ``load()``'s. One
        thread loads it while the others asking for the same key under the same versions
        wait for its value: after a change at the door, every scanner of the process asks
        for the roster at once, and each built it (10,000 people: 300 ms each, side by
        side on the same cores)."""
        stamp = self.versions.stamp(self.tables)
        if stamp is None:
            return load()
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] == stamp:
                self._items.move_to_end(key)
                return found[1]
            loading = self._loading.get((key, stamp))
            mine = loading is None
            if mine:
                loading = self._loading[(key, stamp)] = _Loading()
        # A thread loading something never waits for another: two loads asking for
        # each other's keys would each wait for the other.
        waits = not mine and not _LOADING_HERE.depth
        if waits and loading.done.wait(LOAD_WAIT_SECONDS) and loading.loaded:
            return loading.value
        # Its loader failed (each of those waiting then tries on its own, at once), is
        # stuck, or this thread is loading something already.
        _LOADING_HERE.depth += 1
        try:
            value = load()
            if mine:
                loading.value, loading.loaded = value, True
            with self._lock:
                self._items[key] = (stamp, value)
                self._items.move_to_end(key)
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        finally:
            _LOADING_HERE.depth -= 1
            if mine:
                with self._lock:
                    self._loading.pop((key, stamp), None)
                loading.done.set()
        return value


class _Depth(threading.local):
    depth = 0


_LOADING_HERE = _Depth()


class _Loading:
    """A value one thread is loading, for those waiting for it."""

    def __init__(self):
        self.done = threading.Event()
        self.loaded = False
        self.value: Any = None


def snapshot(instance: Any, *relationships: str) -> Any:
    """A detached copy of a loaded ORM object (its columns, and the named relationships'
    objects copied the same way), to keep: each request gets its own with ``attach``.
    The original, tied to the request that read it, is left alone."""
    from sqlalchemy.orm import make_transient_to_detached

    made: list[Any] = []
    copy = _transient_copy(instance, relationships, made)
    for item in made:  # once all are linked: each as if just loaded, nothing to flush
        make_transient_to_detached(item)
    return copy


def _transient_copy(instance: Any, relationships: Iterable[str], made: list[Any]) -> Any:
    from sqlalchemy import inspect

    mapper = inspect(instance).mapper
    copy = mapper.class_manager.new_instance()
    for column in mapper.column_attrs:
        setattr(copy, column.key, getattr(instance, column.key))
    for name in relationships:
        setattr(copy, name, [_transient_copy(item, (), made) for item in getattr(instance, name)])
    made.append(copy)
    return copy


def attach(db: Any, kept_copy: Any) -> Any:
    """This request's own instance of a kept copy, in its session, without a query."""
    return db.merge(kept_copy, load=False)
