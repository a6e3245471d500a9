"""The contract rules of DOMAIN.md, each a small function that says why it refuses.

Services call these before writing; the coverage check reads the same facts. A refusal
is a ValidationError keyed by the field a person would correct.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError

from contracts.models import Contract, ContractStatus, Offering
from polyplus.tenancy.models import Certification, Partner, ServiceCategory
from polyplus.tenancy.policy import policy_value


def categories_without_current_certification(
    partner: Partner, categories: Iterable[str], on_date: datetime.date
) -> list[str]:
    """The categories in which `partner` holds no certification valid on `on_date`."""
    current = set(
        Certification.objects.filter(
            partner=partner, certified_on__lte=on_date, expires_on__gte=on_date
        ).values_list("category", flat=True)
    )
    return [category for category in categories if category not in current]


def require_certified(partner: Partner, categories: Iterable[str], on_date: datetime.date) -> None:
    """A partner sells only in categories where its certification is current (DOMAIN.md)."""
    missing = categories_without_current_certification(partner, categories, on_date)
    if missing:
        labels = ", ".join(str(ServiceCategory(category).label) for category in missing)
        raise ValidationError(
            {"lines": [f"{partner.name} holds no current Poly service certification for: {labels}."]}
        )


def require_enterprise_eligible(offering: str, installed_by_category: dict[str, int]) -> None:
    """Enterprise needs at least one picked category at or above the minimum device count."""
    if offering != Offering.POLY_PLUS_ENTERPRISE:
        return
    minimum = policy_value("enterprise_min_devices")
    if not any(count >= minimum for count in installed_by_category.values()):
        raise ValidationError({"lines": [
            f"Poly+ Enterprise needs at least {minimum} installed devices in at least one picked category."
        ]})


def require_no_overlapping_term(
    *, customer_id: int, categories: Iterable[str], start_date: datetime.date, end_date: datetime.date,
    excluding_contract_id: int | None = None,
) -> None:
    """One customer cannot have two live contracts covering the same category on the same day."""
    overlapping = (
        Contract.objects.filter(customer_id=customer_id, start_date__lte=end_date, end_date__gte=start_date,
                                lines__category__in=list(categories))
        .exclude(status=ContractStatus.CANCELLED)
        .exclude(pk=excluding_contract_id)
        .values_list("number", "lines__category")
        .distinct()
    )
    clashes = sorted(overlapping)
    if clashes:
        described = "; ".join(f"{number} ({ServiceCategory(category).label})" for number, category in clashes)
        raise ValidationError({"start_date": [f"The term overlaps contract {described} for the same category."]})


def require_offering_options(*, offering: str, csm_hour_blocks: int, technical_account_management: bool) -> None:
    """CSM hours and Technical Account Management are paid options of Poly+ Enterprise only."""
    errors = {}
    if offering != Offering.POLY_PLUS_ENTERPRISE:
        if csm_hour_blocks:
            errors["csm_hour_blocks"] = ["CSM hours are an option of Poly+ Enterprise only."]
        if technical_account_management:
            errors["technical_account_management"] = [
                "Technical Account Management is an option of Poly+ Enterprise only."
            ]
    if errors:
        raise ValidationError(errors)


# Countries whose currency is the euro: the euro area, and the states that use it by agreement.
EURO_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL",
    "PT", "SI", "SK", "AD", "MC", "SM", "VA", "ME", "XK",
})
COUNTRY_CURRENCIES = {"SE": "SEK", "PL": "PLN"}


def currency_for_country(country: str) -> str:
    """The currency a partner in `country` prices its contracts in unless told otherwise:
    SEK for Sweden, PLN for Poland, EUR in the euro countries, else USD."""
    code = (country or "").strip().upper()
    if code in EURO_COUNTRIES:
        return "EUR"
    return COUNTRY_CURRENCIES.get(code, "USD")
