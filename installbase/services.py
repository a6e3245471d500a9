"""Every write to devices and to the serial list of Poly+ contracts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import QUOTE_ONLY_CATEGORIES, Contract, ContractStatus, Offering, Product
from installbase.models import ContractDevice, CsmHourEntry, Device, DeviceSource
from polyplus.tenancy.models import CsmAssignment, Role, ServiceCategory, Site, User
from polyplus.tenancy.text import unstorable_reason

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


# ---- CSM hours ------------------------------------------------------------------------------------

QUARTER_HOUR = Decimal("0.25")
MAX_HOURS_A_DAY = Decimal("24")


def _hours_value(hours) -> Decimal:
    try:
        value = hours if isinstance(hours, Decimal) else Decimal(str(hours).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"hours": ["Give the hours as a number, in quarter hours (e.g. 1.25)."]}) from None
    if not value.is_finite() or value <= 0 or value > MAX_HOURS_A_DAY:
        raise ValidationError({"hours": ["Give more than 0 and at most 24 hours for a day."]})
    if value % QUARTER_HOUR:
        raise ValidationError({"hours": ["Log hours in quarter hours (0.25, 0.5, 0.75 …)."]})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def csm_hours_log(*, by: User, contract: Contract, day: datetime.date, hours, note: str = "") -> CsmHourEntry:
    """The customer's CSM (or a Poly admin) logs hours worked on a day against the blocks bought."""
    if not (by.is_poly_admin or (by.role == Role.CSM and CsmAssignment.objects.filter(
            customer_id=contract.customer_id, csm=by).exists())):
        raise PermissionDenied("Only the customer's Customer Success Manager or a Poly admin may log CSM hours.")
    if not contract.is_enterprise or contract.status not in {ContractStatus.ACTIVE, ContractStatus.EXPIRED}:
        raise ValidationError({"contract": ["CSM hours are logged on an active or expired Poly+ Enterprise "
                                            "contract only."]})
    if contract.csm_hour_blocks <= 0:
        raise ValidationError({"contract": ["This contract has no CSM hour blocks bought: there is nothing to "
                                            "log hours against."]})
    value = _hours_value(hours)
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationError({"day": ["Give the day worked as YYYY-MM-DD."]})
    if day > timezone.localdate():
        raise ValidationError({"day": ["The day worked cannot be in the future."]})
    if not contract.start_date <= day <= contract.end_date:
        raise ValidationError({"day": [f"Give a day within the contract's term, {contract.start_date:%Y-%m-%d} "
                                       f"to {contract.end_date:%Y-%m-%d}."]})
    note = (note or "").strip()
    if len(note) > 200 or unstorable_reason(note):
        raise ValidationError({"note": ["Write a note of at most 200 plain characters."]})
    return CsmHourEntry.objects.create(partner_id=contract.partner_id, customer_id=contract.customer_id,
                                       contract=contract, day=day, hours=value, note=note, logged_by=by,
                                       logged_by_name=(by.full_name or by.email)[:200])
