"""Content fields kept per language (``title_fr``, ``title_en``, optionally ``title_it``…).

French is always written; English nearly always; Italian, Spanish and Portuguese only where
the organisers added them. A reader whose language is missing gets the edition's chosen
fallback (English unless the organisers chose French), then French: ``text_and_language``
says which language was shown, so pages can mark it (``lang=``) for screen readers.
"""

from __future__ import annotations

FALLBACK_DEFAULT = "en"


def fallback_order(wanted: str, fallback: str = FALLBACK_DEFAULT) -> tuple[str, ...]:
    """The languages to try, in order, for a reader of ``wanted``."""
    return tuple(dict.fromkeys((wanted, fallback, "fr")))


class Localized:
    def text(self, field: str, language: str) -> str:
        """The field in ``language``, else in the fallback language, else in French."""
        return self.text_and_language(field, language)[0]

    def text_and_language(self, field: str, language: str) -> tuple[str, str]:
        for lang in fallback_order(language, self.fallback_language()):
            value = getattr(self, f"{field}_{lang}", None)
            if value:
                return value, lang
        return "", language

    def fallback_language(self) -> str:
        edition = self if hasattr(self, "slug") else getattr(self, "edition", None)
        return getattr(edition, "content_fallback", None) or FALLBACK_DEFAULT
