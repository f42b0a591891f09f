"""The door volunteer in the browser tests: their password, and the verdict screen once
it shows a word."""

from __future__ import annotations

from playwright.sync_api import expect

PASSWORD = "door password 1"
WAIT_MS = 20_000  # a verdict comes in far faster; this only bounds a broken test


def verdict(page, word: str):
    """The verdict screen, once it shows ``word``."""
    screen = page.locator("#verdict:not([hidden])")
    expect(screen.locator(".verdict-word")).to_have_text(word, timeout=WAIT_MS)
    return screen
