"""What each web worker does once its app is built, whatever starts it (gunicorn's
``post_worker_init``: the production configuration and the benchmarks), and how the
few requests that build tens of thousands of objects at once keep the garbage collector
from walking them while they do (``collector_paused``)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def post_worker_init(_worker=None) -> None:
    # The app's own objects (routes, templates, ORM mappers, translations) live as long as
    # the worker. Out of the collector's sight, a full collection no longer walks them all,
    # which paused a request now and then: the roster's p99 at one connection went from
    # ~190 to ~60 ms (bench/README.md, "Gunicorn configuration").
    gc.freeze()


_paused = 0
_was_enabled = False
_pause_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the block runs (in any thread of the process),
    for a block that builds a great many objects which live until it ends and hold no
    cycles: each collection on the way would walk all those built so far, again and
    again. Building the roster of 10,000 people set off ~250 collections, two of them
    full: a sixth of its time (bench/README.md, ninth round). Reference counting still
    frees everything as usual; what cycles other threads make meanwhile are collected
    once the last block running ends."""
    global _paused, _was_enabled
    with _pause_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _pause_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
