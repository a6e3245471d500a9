"""Helpers for the RMA tests: a covered headset or video world and RMAs in any state."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from contracts.models import Offering
from rma import services
from rma.models import Rma
from tests import factories
from tests.tickets import cover, open_case

UTC = datetime.UTC
D = datetime.date
TERM_START = datetime.date(2026, 1, 1)
TERM_END = datetime.date(2027, 12, 31)
FAULT = "No audio in the left ear after a firmware update."


def covered_world(site, *, category="headset", offering=Offering.POLY_PLUS_ENTERPRISE, committed=200,
                  start=TERM_START, end=TERM_END, sku=None, list_price=Decimal("289.00")):
    """A contract of `site`'s customer covering `category` (Q = `committed`) and a product in it."""
    contract = cover(site, offering=offering, categories=(category,), start=start, end=end)
    contract.lines.update(committed=committed)
    product = factories.ProductFactory(sku=sku or f"P-{category.upper()}-{site.pk}", category=category,
                                       name=f"Poly {category} unit", list_price=list_price)
    return contract, product


def failed_unit(site, product, contract=None, serial=None):
    device = factories.DeviceFactory(site=site, product=product, **({"serial": serial} if serial else {}))
    if contract is not None and contract.offering == Offering.POLY_PLUS:
        factories.ContractDeviceFactory(contract=contract, device=device)
    return device


def request_rma(by, site, product, *, contract=None, serial=None) -> Rma:
    device = failed_unit(site, product, contract, serial)
    case = open_case(by, site, category=product.category, subject="Unit failed")
    return services.rma_request(by=by, case=case, serial=device.serial, fault=FAULT)


def approved(by_partner, poly, site, product, *, at=None, contract=None) -> Rma:
    rma = request_rma(by_partner, site, product, contract=contract)
    return services.rma_approve(by=poly, rma=rma, at=at or timezone.now())


def delivered(by_partner, poly, site, product, *, delivered_on=None) -> Rma:
    rma = approved(by_partner, poly, site, product)
    rma = services.rma_ship(by=poly, rma=rma, carrier="DHL Express", tracking_number="JD014600006281230704")
    return services.rma_deliver(by=poly, rma=rma, delivered_on=delivered_on or timezone.localdate())
