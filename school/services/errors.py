"""Errors the domain raises, carrying the user-facing reason and a stable code."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action. ``code`` is stable (API, tests); ``message`` is for people."""

    code = "error"

    def __init__(self, message: str, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class NotFound(DomainError):
    code = "not_found"
