"""Countries as ISO 3166 alpha-2 codes, named in the reader's language (Babel's CLDR data)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel import Locale

# CLDR territories that are not countries: the European Union and eurozone, the UN,
# "unknown region", "outlying Oceania", pseudo-locales.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}


@cache
def country_names(language: str) -> dict[str, str]:
    territories = Locale.parse(language).territories
    return {
        code: name
        for code, name in territories.items()
        if re.fullmatch(r"[A-Z]{2}", code) and code not in _NOT_COUNTRIES
    }


def is_country(code: str) -> bool:
    return code in country_names("en")


def sorted_countries(language: str) -> list[tuple[str, str]]:
    names = country_names(language)
    return sorted(names.items(), key=lambda item: _fold(item[1]))


def _fold(name: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c)
    )
