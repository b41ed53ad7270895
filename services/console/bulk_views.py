"""What the bulk enrollment and audit pages send and show. Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.console.views import MEMBER_ROLES, FormError, choice_in, list_in, number_in

#: Under the matcher's own limit for a bulk body (21 MiB): a larger file is refused here.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def bulk_filter_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /programs/{id}/enrollments/bulk`` by filter: at least one criterion."""
    criteria: dict[str, Any] = {
        "departments": list_in(form, "departments"),
        "business_units": list_in(form, "business_units"),
        "locations": list_in(form, "locations"),
        "languages": list_in(form, "languages"),
    }
    criteria = {name: values for name, values in criteria.items() if values}
    for bound in ("min_level", "max_level"):
        if form.get(bound, "").strip():
            criteria[bound] = int(number_in(form, bound, low=0, high=100))
    if not criteria:
        raise FormError(
            "Choose at least one criterion: a department, unit, location, language or level"
        )
    low, high = criteria.get("min_level"), criteria.get("max_level")
    if low is not None and high is not None and high < low:
        raise FormError("Max level: at least the min level")
    return {
        "filter": {
            "role": choice_in(form, "role", MEMBER_ROLES),
            "capacity": int(number_in(form, "capacity", low=1, high=20)),
            **criteria,
        }
    }
