"""Every write to devices and to the serial list of Poly+ contracts."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from contracts.models import QUOTE_ONLY_CATEGORIES, Contract, ContractStatus, Offering, Product
from installbase.models import ContractDevice, Device, DeviceSource
from polyplus.tenancy.models import ServiceCategory, Site, User

# What is printed on a Poly unit's label: letters and digits, perhaps with hyphens, dots or slashes.
SERIAL_PATTERN = re.compile(r"^[A-Z0-9](?:[A-Z0-9./-]{0,58}[A-Z0-9])?$")
LIST_CHANGES_IN = frozenset({ContractStatus.DRAFT, ContractStatus.ACTIVE})


def require_partner_member_of(actor: User, partner_id: int) -> None:
    """Partner admins and engineers act for their own partner; Poly admins for any."""
    if actor.is_poly_admin or (actor.is_partner_member and actor.partner_id == partner_id):
        return
    raise PermissionDenied("Only the partner's admins and engineers or a Poly admin may do this.")


@transaction.atomic
def device_register(*, by: User, site: Site, product: Product, serial: str,
                    source: str = DeviceSource.REGISTRATION) -> Device:
    """Register a unit at a customer's site (product registration)."""
    require_partner_member_of(by, site.partner_id)
    serial = serial.strip().upper()
    if not SERIAL_PATTERN.match(serial):
        raise ValidationError({"serial": [
            "Enter the serial number printed on the unit: letters and digits (hyphens, dots and slashes "
            "between them), at most 60 characters."
        ]})
    device = Device(partner_id=site.partner_id, customer_id=site.customer_id, site=site, product=product,
                    serial=serial, source=source)
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        # The same answer whoever registered it: the message never says which partner has it.
        raise ValidationError({"serial": [f"Serial {serial} of {product.sku} is already registered."]}) from None
    return device


@transaction.atomic
def contract_device_add(*, by: User, contract: Contract, device: Device) -> ContractDevice:
    """List a serial on a Poly+ contract (the partner notifies Poly of new devices this way)."""
    require_partner_member_of(by, contract.partner_id)
    if contract.offering != Offering.POLY_PLUS:
        raise ValidationError({"device": ["Poly+ Enterprise covers by Master Account ID; it lists no serials."]})
    if contract.status not in LIST_CHANGES_IN:
        raise ValidationError({"device": ["Only a draft or active contract can take devices."]})
    if device.customer_id != contract.customer_id:
        raise ValidationError({"device": ["The device belongs to another customer."]})
    category = device.product.category
    if category not in QUOTE_ONLY_CATEGORIES and not contract.lines.filter(category=category).exists():
        # Listing it would make the customer look compliant without buying the category.
        raise ValidationError({"device": [
            f"Contract {contract.number} does not cover {ServiceCategory(category).label}; "
            "add the category to the contract first."
        ]})
    entry, created = ContractDevice.objects.get_or_create(
        contract=contract, device=device, defaults={"partner_id": contract.partner_id}
    )
    if not created:
        raise ValidationError({"device": [f"Serial {device.serial} is already on the contract."]})
    return entry


@transaction.atomic
def contract_device_remove(*, by: User, entry: ContractDevice) -> None:
    require_partner_member_of(by, entry.partner_id)
    if entry.contract.status not in LIST_CHANGES_IN:
        raise ValidationError({"device": ["The serial list of an expired or cancelled contract is its record; "
                                          "it does not change."]})
    entry.delete()


def carry_serials_into_renewal(*, previous: Contract, renewal: Contract, **_) -> int:
    """A renewed Poly+ contract keeps covering the serials its last term listed (still in
    production, not at end of service); the renewal is drafted in the same transaction."""
    if renewal.offering != Offering.POLY_PLUS:
        return 0
    entries = (ContractDevice.objects.filter(contract=previous, device__in_production=True)
               .exclude(device__product__end_of_service__lte=renewal.start_date)
               .values_list("device_id", flat=True))
    ContractDevice.objects.bulk_create(
        [ContractDevice(partner_id=renewal.partner_id, contract=renewal, device_id=device_id) for device_id in entries],
        ignore_conflicts=True,
    )
    return len(entries)
