"""libical (the C library Evolution and many calendar servers use) reading a feed, through
ctypes: the errors it finds in it, as its own ``X-LIC-ERROR`` properties."""

from __future__ import annotations

import ctypes
import ctypes.util
import re

_lib = ctypes.CDLL(ctypes.util.find_library("ical") or "libical.so.3")
_lib.icalparser_parse_string.restype = ctypes.c_void_p
_lib.icalparser_parse_string.argtypes = [ctypes.c_char_p]
_lib.icalrestriction_check.argtypes = [ctypes.c_void_p]
_lib.icalcomponent_as_ical_string.restype = ctypes.c_char_p
_lib.icalcomponent_as_ical_string.argtypes = [ctypes.c_void_p]
_lib.icalcomponent_free.argtypes = [ctypes.c_void_p]


def errors(body: bytes) -> list[str]:
    """What libical objects to in the calendar (empty: valid), after RFC 5545's
    restrictions are checked too; and the calendar as libical writes it back."""
    return read(body)[0]


def read(body: bytes) -> tuple[list[str], str]:
    component = _lib.icalparser_parse_string(body)
    if not component:
        return ["libical could not parse it"], ""
    try:
        _lib.icalrestriction_check(component)
        text = _lib.icalcomponent_as_ical_string(component).decode("utf-8")
    finally:
        _lib.icalcomponent_free(component)
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    found = re.findall(r"^X-LIC-ERROR[^:]*:(.*?)\r?$", unfolded, flags=re.M)
    return found, unfolded


def check(body: bytes) -> tuple[bool, str]:
    """(True, report) when libical parses the calendar with no error and its restriction
    check passes; the report lists what libical found."""
    found = errors(body)
    return not found, "\n".join(found)
