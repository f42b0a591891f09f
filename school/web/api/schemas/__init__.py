"""JSON Schemas (OpenAPI 3.0 dialect) of what the API takes and returns, a module per
part of the API. Closed lists and lengths come from where they are defined
(``models.vocabulary``, the registration data's limits), so the document cannot drift
from what the API does."""

from __future__ import annotations

from typing import Any

from school.web.api.schemas import checkin, edition, network, report

SCHEMAS: dict[str, Any] = {
    **edition.SCHEMAS,
    **checkin.SCHEMAS,
    **report.SCHEMAS,
    **network.SCHEMAS,
}
