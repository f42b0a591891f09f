"""What this process has already built, by a key that names it exactly: feeds, the
programme's timetable, the programme JSON.

A key covers everything the output is made of (the edition's change stamps, the
language, the address), so a hit is the output a build would give. Each worker keeps
its own copy and can always rebuild: nothing here is needed by another process.
Bounded in bytes, least recently used out first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app


class RenderCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, bytes | str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes | str) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.size += len(value)
            while self.size > self.max_bytes:
                _old, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)


RENDER_CACHE = "school.render_cache"  # its name in the app's extensions


def render_cache() -> RenderCache:
    cache = current_app.extensions.get(RENDER_CACHE)
    if cache is None:
        cache = RenderCache(current_app.config.get("RENDER_CACHE_BYTES", 16 * 1024 * 1024))
        current_app.extensions[RENDER_CACHE] = cache
    return cache
