"""What each web worker does once its app is built, whatever starts it (gunicorn's
``post_worker_init``: the production configuration and the benchmarks)."""

from __future__ import annotations

import gc


def post_worker_init(_worker=None) -> None:
    # The app's own objects (routes, templates, ORM mappers, translations) live as long as
    # the worker. Out of the collector's sight, a full collection no longer walks them all,
    # which paused a request now and then: the roster's p99 at one connection went from
    # ~190 to ~60 ms (bench/README.md, "Gunicorn configuration").
    gc.freeze()
