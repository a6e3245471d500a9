"""Poly Lens inventory uploads: every bad row named, nothing half-imported, the month's count kept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from installbase.inventory import inventory_upload_create, inventory_upload_process
from installbase.models import Device, InventoryUpload, LensAccess, Reconciliation, TrueUp, UploadStatus
from tests import factories

D = datetime.date
TODAY = D(2026, 3, 10)
MONTH = D(2026, 2, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def catalogue(db):
    return {
        "video": factories.ProductFactory(sku="STUDIO-X50", category="video"),
        "headset": factories.ProductFactory(sku="VOYAGER-4320", category="headset"),
        "old": factories.ProductFactory(sku="GROUP-500", category="video", end_of_sale=D(2020, 1, 1),
                                        end_of_service=D(2026, 1, 31)),
    }


def csv_file(text: str | bytes, name="lens.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def upload_and_process(by, customer, text, month=MONTH):
    upload = inventory_upload_create(by=by, customer=customer, month=month, file=csv_file(text), today=TODAY)
    inventory_upload_process(upload_id=upload.pk, today=TODAY)
    upload.refresh_from_db()
    return upload


GOOD = (
    "Serial Number,SKU,Site ID,entered_production,left_production,Firmware\n"
    "sn-1,STUDIO-X50,{site},2025-06-01,,1.2\n"
    "SN-2,STUDIO-X50,{site},2026-02-28,,1.2\n"
    "SN-3,VOYAGER-4320,{site},,,\n"
    "SN-4,STUDIO-X50,{site},2025-01-01,2026-02-28,\n"
    "SN-5,GROUP-500,{site},2020-01-01,,\n"
)


def test_a_good_file_creates_the_devices_and_keeps_the_months_count(partner_a_engineer, customer_a, site_a,
                                                                    catalogue):
    upload = upload_and_process(partner_a_engineer, customer_a, GOOD.format(site=site_a.site_id))
    assert (upload.status, upload.rows_total, upload.rows_read, upload.rows_rejected, upload.errors) == (
        UploadStatus.SUCCEEDED, 5, 5, 0, [])
    # SN-2 entered on the last day counts; SN-4 left on it does not; GROUP-500 is at end of service.
    assert upload.counts == {"headset": 1, "video": 2}
    assert upload.devices_created == 5
    sn3 = Device.objects.get(serial="SN-3")
    assert (sn3.entered_production, sn3.source, sn3.customer) == (MONTH, "inventory_upload", customer_a)
    assert Device.objects.get(serial="SN-1").serial == "SN-1"


def test_a_second_upload_updates_what_changed(partner_a_engineer, customer_a, site_a, catalogue):
    upload_and_process(partner_a_engineer, customer_a, GOOD.format(site=site_a.site_id))
    again = upload_and_process(partner_a_engineer, customer_a,
                               f"serial,sku,site_id,left_production\nSN-1,STUDIO-X50,{site_a.site_id},2026-02-10\n")
    assert (again.status, again.devices_created, again.devices_updated) == (UploadStatus.SUCCEEDED, 0, 1)
    sn1 = Device.objects.get(serial="SN-1")
    assert (sn1.entered_production, sn1.left_production, sn1.in_production) == (D(2025, 6, 1), D(2026, 2, 10), False)


def test_every_bad_row_is_listed_with_line_and_column_and_nothing_is_written(
        partner_a_engineer, customer_a, site_a, catalogue, partner_b):
    other_customer_site = factories.SiteFactory(customer=factories.CustomerFactory(partner=customer_a.partner))
    other_partner_site = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_b, name="Secret AB"))
    site = site_a.site_id
    text = (
        "serial,sku,site_id,entered_production,left_production\n"
        f"OK-1,STUDIO-X50,{site},2025-01-01,\n"
        f"BAD-1,NO-SUCH-SKU,{site},,\n"
        f"BAD-2,STUDIO-X50,NO-SUCH-SITE,,\n"
        f"BAD-3,STUDIO-X50,{other_customer_site.site_id},,\n"
        f"BAD-4,STUDIO-X50,{other_partner_site.site_id},,\n"
        f"OK-1,STUDIO-X50,{site},,\n"
        f"BAD-5,STUDIO-X50,{site},2025-02-30,\n"
        f"BAD-6,STUDIO-X50,{site},2025-05-01,2025-04-01\n"
        f"BAD-7,STUDIO-X50\n"
    )
    upload = upload_and_process(partner_a_engineer, customer_a, text)
    assert upload.status == UploadStatus.FAILED
    where = [(error["line"], error["column"]) for error in upload.errors]
    assert where == [(3, "sku"), (4, "site_id"), (5, "site_id"), (6, "site_id"), (7, "serial"),
                     (8, "entered_production"), (9, "left_production"), (10, "-")]
    assert upload.rows_rejected == 8
    assert "also on line 2" in upload.errors[4]["reason"]
    assert "Secret AB" not in str(upload.errors)
    assert not Device.objects.exists()


def test_a_missing_column_is_named(partner_a_engineer, customer_a, site_a, catalogue):
    upload = upload_and_process(partner_a_engineer, customer_a, f"serial,site_id\nSN-1,{site_a.site_id}\n")
    assert upload.status == UploadStatus.FAILED
    assert [(e["line"], e["column"]) for e in upload.errors] == [(1, "sku")]
    assert not Device.objects.exists()


def test_a_wrong_encoding_is_named_with_its_line(partner_a_engineer, customer_a, site_a, catalogue):
    text = f"serial,sku,site_id\nSN-1,STUDIO-X50,{site_a.site_id}\nSN-\xe52,STUDIO-X50,{site_a.site_id}\n"
    upload = upload_and_process(partner_a_engineer, customer_a, text.encode("latin-1"))
    assert upload.status == UploadStatus.FAILED
    assert upload.errors[0]["line"] == 3 and "UTF-8" in upload.errors[0]["reason"]
    assert not Device.objects.exists()


def test_a_serial_of_another_partner_refuses_the_file_without_saying_whose(
        partner_a_engineer, customer_a, site_a, catalogue, site_b):
    factories.DeviceFactory(site=site_b, product=catalogue["video"], serial="TAKEN-1")
    text = f"serial,sku,site_id\nNEW-1,STUDIO-X50,{site_a.site_id}\nTAKEN-1,STUDIO-X50,{site_a.site_id}\n"
    upload = upload_and_process(partner_a_engineer, customer_a, text)
    assert upload.status == UploadStatus.FAILED
    assert [(e["line"], e["column"]) for e in upload.errors] == [(3, "serial")]
    assert site_b.customer.name not in str(upload.errors)
    assert list(Device.objects.filter(customer=customer_a)) == []


def test_a_nul_in_a_cell_is_a_row_error(partner_a_engineer, customer_a, site_a, catalogue):
    upload = upload_and_process(partner_a_engineer, customer_a,
                                f"serial,sku,site_id\nSN\x001,STUDIO-X50,{site_a.site_id}\n")
    assert upload.status == UploadStatus.FAILED and "NUL" in upload.errors[0]["reason"]


def test_an_empty_file_and_a_month_to_come_are_refused_at_once(partner_a_engineer, customer_a):
    with pytest.raises(ValidationError, match="empty"):
        inventory_upload_create(by=partner_a_engineer, customer=customer_a, month=MONTH, file=csv_file(""),
                                today=TODAY)
    with pytest.raises(ValidationError, match="month to come"):
        inventory_upload_create(by=partner_a_engineer, customer=customer_a, month=D(2026, 4, 1),
                                file=csv_file("serial\n"), today=TODAY)
    assert not InventoryUpload.objects.exists()


def test_only_the_partners_people_upload(partner_b_engineer, customer_viewer, csm, customer_a):
    for user in (partner_b_engineer, customer_viewer, csm):
        with pytest.raises(PermissionDenied):
            inventory_upload_create(by=user, customer=customer_a, month=MONTH, file=csv_file("x"), today=TODAY)


def test_an_upload_reconciles_the_month_and_a_closed_month_refuses_a_new_one(
        partner_a_engineer, partner_a_admin, customer_a, site_a, catalogue):
    contract = factories.ContractFactory(customer=customer_a, start_date=D(2025, 8, 15), end_date=D(2026, 8, 14))
    factories.ContractLineFactory(contract=contract, category="video", installed=18, growth=2)
    LensAccess.objects.create(partner=customer_a.partner, customer=customer_a, has_access=False)
    rows = "".join(f"V-{i},STUDIO-X50,{site_a.site_id},2025-01-01\n" for i in range(21))
    upload_and_process(partner_a_engineer, customer_a, "serial,sku,site_id,entered_production\n" + rows)
    row = Reconciliation.objects.get(contract=contract, month=MONTH)  # midpoint 2026-02-13
    assert (row.count, row.committed, row.over_threshold, row.is_adjustment_month) == (21, 20, True, True)
    from installbase.reconciliation import true_up_accept

    true_up_accept(by=partner_a_admin, true_up=TrueUp.objects.get(), po_number="PO-9")
    with pytest.raises(ValidationError, match="closed"):
        inventory_upload_create(by=partner_a_engineer, customer=customer_a, month=MONTH, file=csv_file("x"),
                                today=TODAY)
