"""The one coverage check: is this site's category, or this serial, covered today, and why.

Cases, RMAs, status pages and the API all ask here. The answer carries a reason code from
a fixed list, the contract that decided it, flags for Poly support, and a sentence a
person understands. Callers resolve the site or device through the actor-scoped
selectors first, so a foreign Site ID or serial never reaches this module.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from contracts.models import (
    QUOTE_ONLY_CATEGORIES,
    Contract,
    ContractStatus,
    CustomQuote,
    Offering,
    Product,
    ProductCategory,
    QuoteStatus,
)
from contracts.rules import categories_without_current_certification
from installbase.models import ContractDevice, Device
from polyplus.tenancy.models import Customer, ServiceCategory, Site


class Reason(models.TextChoices):
    COVERED = "covered", "Covered"
    NO_CONTRACT = "no_contract", "No contract"
    CONTRACT_NOT_ACTIVE = "contract_not_active", "Contract not active"
    CATEGORY_NOT_COVERED = "category_not_covered", "Category not covered"
    END_OF_SERVICE = "end_of_service", "Product at end of service"
    QUOTE_REQUIRED = "quote_required", "Custom quote required"
    NOT_ON_CONTRACT = "not_on_contract", "Device not on the contract"


class Flag(models.TextChoices):
    CUSTOMER_NON_COMPLIANT = "customer_non_compliant", "Customer non-compliant"
    PARTNER_CERTIFICATION_LAPSED = "partner_certification_lapsed", "Partner certification lapsed"


@dataclass(frozen=True)
class CoverageAnswer:
    covered: bool
    reason: Reason
    explanation: str
    site: Site
    category: str
    on_date: datetime.date
    contract: Contract | None = None
    device: Device | None = None
    flags: tuple[Flag, ...] = field(default_factory=tuple)


def _category_label(category: str) -> str:
    try:
        return ServiceCategory(category).label.lower()
    except ValueError:
        pass
    try:
        return ProductCategory(category).label
    except ValueError:
        return category


def _customer_contracts(customer: Customer) -> list[Contract]:
    return list(
        Contract.objects.filter(customer=customer)
        .exclude(status=ContractStatus.CANCELLED)
        .prefetch_related("lines")
        .order_by("-start_date")
    )


def non_compliant_devices(customer: Customer, on_date: datetime.date) -> models.QuerySet[Device]:
    """Poly+: devices in production, not at end of service, missing from every Poly+ contract in force."""
    in_force = Contract.objects.filter(
        customer=customer, offering=Offering.POLY_PLUS, status=ContractStatus.ACTIVE,
        start_date__lte=on_date, end_date__gte=on_date,
    )
    if not in_force.exists():
        return Device.objects.none()
    listed = ContractDevice.objects.filter(contract__in=in_force).values("device_id")
    return (
        Device.objects.filter(customer=customer, in_production=True)
        .exclude(product__end_of_service__lte=on_date)
        .exclude(pk__in=listed)
        .select_related("product", "site")
    )


def _flags(site: Site, category: str, on_date: datetime.date) -> tuple[Flag, ...]:
    flags = []
    if non_compliant_devices(site.customer, on_date).exists():
        flags.append(Flag.CUSTOMER_NON_COMPLIANT)
    if category in ServiceCategory.values and categories_without_current_certification(
        site.partner, [category], on_date
    ):
        flags.append(Flag.PARTNER_CERTIFICATION_LAPSED)
    return tuple(flags)


def _quote_approved(contracts: list[Contract], product: Product) -> Contract | None:
    quote = (
        CustomQuote.objects.filter(contract__in=contracts, status=QuoteStatus.APPROVED, products=product)
        .select_related("contract").first()
    )
    return quote.contract if quote else None


def check_coverage(
    *, site: Site, category: str, product: Product | None = None, device: Device | None = None,
    on_date: datetime.date | None = None,
) -> CoverageAnswer:
    """Decide coverage for a site and category (and, when known, a product or a device)."""
    on_date = on_date or timezone.localdate()
    if device is not None:
        product, site = device.product, device.site
    if product is not None:
        category = product.category  # a product is covered (or not) in its own category

    def answer(reason: Reason, explanation: str, contract: Contract | None = None) -> CoverageAnswer:
        return CoverageAnswer(
            covered=reason == Reason.COVERED, reason=reason, explanation=explanation, site=site, category=category,
            on_date=on_date, contract=contract, device=device, flags=_flags(site, category, on_date),
        )

    contracts = _customer_contracts(site.customer)
    if not contracts:
        return answer(Reason.NO_CONTRACT, f"{site.customer.name} has no Poly+ contract.")
    in_force = [contract for contract in contracts if contract.is_in_force(on_date)]
    if not in_force:
        latest = contracts[0]
        return answer(
            Reason.CONTRACT_NOT_ACTIVE,
            f"Contract {latest.number} is {latest.get_status_display().lower()} and covers "
            f"{latest.start_date.isoformat()} to {latest.end_date.isoformat()}; "
            f"it is not in force on {on_date.isoformat()}.",
            latest,
        )
    if product is not None and product.is_end_of_service(on_date):
        return answer(
            Reason.END_OF_SERVICE,
            f"{product.name} reached end of service on {product.end_of_service.isoformat()} and is never covered.",
            in_force[0],
        )
    if product is None and category in QUOTE_ONLY_CATEGORIES:
        return answer(
            Reason.QUOTE_REQUIRED,
            f"{_category_label(category)} products are covered only under an approved custom quote for the "
            "product; look up the product or its serial.",
            in_force[0],
        )
    if product is not None and product.quote_required:
        approved_under = _quote_approved(in_force, product)
        if approved_under is None:
            return answer(
                Reason.QUOTE_REQUIRED,
                f"{product.name} is covered only under an approved custom quote, and there is none.",
                in_force[0],
            )
        if approved_under.offering == Offering.POLY_PLUS and device is not None and not ContractDevice.objects.filter(
            contract=approved_under, device=device
        ).exists():
            # Poly+ covers serials: the quote names the product, the contract must still list the unit.
            return answer(
                Reason.NOT_ON_CONTRACT,
                f"Serial {device.serial} is not listed on Poly+ contract {approved_under.number}; "
                "add it to the contract.",
                approved_under,
            )
        return answer(Reason.COVERED, f"Covered by contract {approved_under.number} under an approved custom quote.",
                      approved_under)
    covering = [c for c in in_force if any(line.category == category for line in c.lines.all())]
    if not covering:
        numbers = ", ".join(contract.number for contract in in_force)
        return answer(Reason.CATEGORY_NOT_COVERED,
                      f"Contract {numbers} does not cover {_category_label(category)}.", in_force[0])
    contract = covering[0]
    if contract.offering == Offering.POLY_PLUS and device is not None:
        listed = ContractDevice.objects.filter(contract__in=covering, device=device).select_related("contract").first()
        if listed is None:
            return answer(
                Reason.NOT_ON_CONTRACT,
                f"Serial {device.serial} is not listed on Poly+ contract {contract.number}; add it to the contract.",
                contract,
            )
        contract = listed.contract
    return answer(
        Reason.COVERED,
        f"Covered by {contract.get_offering_display()} contract {contract.number} "
        f"until {contract.end_date.isoformat()}.",
        contract,
    )
