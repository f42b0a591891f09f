"""What each web worker does with its memory (school/worker.py): the app built once and
kept out of the collector's sight, the collector paused while a roster is built."""

from __future__ import annotations

import gc
import threading

import pytest

from school.worker import collector_paused, post_worker_init


def test_a_worker_with_its_app_built_keeps_the_app_out_of_full_collections(app):
    assert gc.get_freeze_count() == 0
    try:
        post_worker_init()
        assert gc.get_freeze_count() > 10_000
        # The app itself is no longer among the objects a collection walks.
        assert all(o is not app for o in gc.get_objects())
    finally:
        gc.unfreeze()


def test_the_collector_pauses_while_any_thread_builds_and_resumes_after_the_last():
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def second():
        first_in.wait(5)
        with collector_paused():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = gc.isenabled()

    other = threading.Thread(target=second)
    other.start()
    with collector_paused():
        first_in.set()
        second_in.wait(5)
        seen["both in"] = gc.isenabled()
    first_out.set()
    other.join(5)
    assert seen == {"both in": False, "after the first left": False}
    assert gc.isenabled()
    # A block that fails still gives the collector back.
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the build failed")
    assert gc.isenabled()
