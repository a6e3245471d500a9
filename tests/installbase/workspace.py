"""A partner's Enterprise customer with a reconciled term, shared by the workspace's tests."""

import datetime

from installbase.models import Device, InventoryUpload, UploadStatus
from installbase.reconciliation import reconcile
from tests import factories

D = datetime.date
JULY = D(2025, 7, 1)  # the adjustment month of a 2025 calendar-year term


def enterprise_term(customer, site, *, devices=110, committed=100, prefix="A"):
    """A 2025 term, video Q = `committed`, `devices` video units in production since 2024."""
    contract = factories.ContractFactory(customer=customer, start_date=D(2025, 1, 1), end_date=D(2025, 12, 31),
                                         currency="SEK")
    factories.ContractLineFactory(contract=contract, category="video", installed=committed, growth=0,
                                  annual_unit_price="120.00")
    product = factories.ProductFactory(category="video")
    Device.objects.bulk_create([
        Device(partner=site.partner, customer=customer, site=site, product=product, serial=f"{prefix}{i:06d}",
               entered_production=D(2024, 1, 1))
        for i in range(devices)
    ])
    return contract


def reconciled_world(customer, site, engineer, *, prefix="A"):
    contract = enterprise_term(customer, site, prefix=prefix)
    result = reconcile(contract_id=contract.pk, month=JULY)
    reconcile(contract_id=contract.pk, month=D(2025, 6, 1))
    upload = InventoryUpload.objects.create(
        partner=customer.partner, customer=customer, month=JULY, file="inventory-uploads/x.csv",
        original_name=f"{customer.name}.csv", status=UploadStatus.FAILED, rows_total=2, rows_read=2,
        rows_rejected=1, errors=[{"line": 2, "column": "site_id", "reason": f"not a Site ID of {customer.name}."}],
        uploaded_by=engineer)
    return {"contract": contract.pk, "reconciliation": result.rows[0].pk, "true_up": result.true_ups[0].pk,
            "upload": upload.pk, "customer": customer.pk}
