"""Every write to devices and to the serial list of Poly+ contracts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from contracts.models import Contract, ContractStatus, Offering, Product
from installbase.models import ContractDevice, Device, DeviceSource
from polyplus.tenancy.models import Site, User


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
    if not serial or len(serial) > 60:
        raise ValidationError({"serial": ["Enter the serial number printed on the unit (at most 60 characters)."]})
    device = Device(partner_id=site.partner_id, customer_id=site.customer_id, site=site, product=product,
                    serial=serial, source=source)
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise ValidationError({"serial": [f"Serial {serial} of {product.sku} is already registered."]}) from None
    return device


@transaction.atomic
def contract_device_add(*, by: User, contract: Contract, device: Device) -> ContractDevice:
    """List a serial on a Poly+ contract (the partner notifies Poly of new devices this way)."""
    require_partner_member_of(by, contract.partner_id)
    if contract.offering != Offering.POLY_PLUS:
        raise ValidationError({"device": ["Poly+ Enterprise covers by Master Account ID; it lists no serials."]})
    if contract.status not in {ContractStatus.DRAFT, ContractStatus.ACTIVE}:
        raise ValidationError({"device": ["Only a draft or active contract can take devices."]})
    if device.customer_id != contract.customer_id:
        raise ValidationError({"device": ["The device belongs to another customer."]})
    entry, created = ContractDevice.objects.get_or_create(
        contract=contract, device=device, defaults={"partner_id": contract.partner_id}
    )
    if not created:
        raise ValidationError({"device": [f"Serial {device.serial} is already on the contract."]})
    return entry


@transaction.atomic
def contract_device_remove(*, by: User, entry: ContractDevice) -> None:
    require_partner_member_of(by, entry.partner_id)
    entry.delete()
