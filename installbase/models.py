"""Devices at customers' sites, and the serials a Poly+ contract lists."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from contracts.models import Contract, Product
from polyplus.tenancy.audit import audited
from polyplus.tenancy.models import Customer, Partner, Site


class DeviceSource(models.TextChoices):
    REGISTRATION = "registration", "Product registration"
    INVENTORY_UPLOAD = "inventory_upload", "Poly Lens inventory upload"


@audited()
class Device(models.Model):
    """One unit: a serial number, unique per product."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="devices")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="devices")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="devices")
    serial = models.CharField(max_length=60)
    source = models.CharField(max_length=30, choices=DeviceSource.choices, default=DeviceSource.REGISTRATION)
    in_production = models.BooleanField(default=True)
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["serial"]
        constraints = [models.UniqueConstraint(fields=["product", "serial"], name="device_serial_unique_per_product")]
        indexes = [
            models.Index(fields=["partner", "customer"]),
            models.Index(fields=["site", "product"]),
            models.Index(fields=["serial"]),
        ]

    def __str__(self) -> str:
        return f"{self.serial} ({self.product.sku})"


@audited()
class ContractDevice(models.Model):
    """A serial a Poly+ contract covers (Enterprise covers by Master Account ID instead)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="covered_devices")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="contract_entries")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "device"], name="contract_device_once")]
        indexes = [models.Index(fields=["device", "contract"])]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.device_id}"
