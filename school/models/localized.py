"""Content fields kept in French and English (``title_fr`` / ``title_en``)."""


class Localized:
    def text(self, field: str, language: str) -> str:
        """The field in ``language``, falling back to French (always present)."""
        value = getattr(self, f"{field}_{language}", None) if language != "fr" else None
        return value or getattr(self, f"{field}_fr") or ""
