"""Inventory uploads imported by the real Celery worker on the real Redis; and 100,000 rows."""

import datetime
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from installbase.inventory import inventory_upload_create
from installbase.models import Device, InventoryUpload, UploadStatus
from polyplus.tenancy.context import staff_context
from tests import factories

pytestmark = pytest.mark.worker
MONTH = datetime.date(2025, 7, 1)


@pytest.fixture
def world(settings, tmp_path, route_to_worker):
    settings.MEDIA_ROOT = tmp_path
    route_to_worker("installbase.tasks.process_inventory_upload")
    with staff_context(reason="worker test data"):
        site = factories.SiteFactory(site_id="SE-GOT-0001")
        engineer = factories.UserFactory(partner=site.partner)
        factories.ProductFactory(sku="STUDIO-X50", category="video")
    return site, engineer


def queue(site, engineer, content: bytes) -> int:
    with staff_context(reason="worker test: upload"):
        return inventory_upload_create(by=engineer, customer=site.customer, month=MONTH,
                                       file=SimpleUploadedFile("lens.csv", content, content_type="text/csv")).pk


def wait_for(upload_id: int, seconds: float) -> InventoryUpload:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with staff_context(reason="worker test: poll"):
            upload = InventoryUpload.objects.get(pk=upload_id)
        if upload.is_finished:
            return upload
        time.sleep(0.2)
    raise AssertionError(f"upload {upload_id} still {upload.status} after {seconds} s")


def rows(n: int) -> bytes:
    return b"serial,sku,site_id,entered_production\n" + b"".join(
        b"SN-%07d,STUDIO-X50,SE-GOT-0001,2025-01-01\n" % i for i in range(n))


def test_the_worker_imports_an_upload_queued_on_commit(world):
    site, engineer = world
    upload = wait_for(queue(site, engineer, rows(30)), 60)
    assert (upload.status, upload.rows_read, upload.devices_created, upload.counts) == (
        UploadStatus.SUCCEEDED, 30, 30, {"video": 30})


def test_the_worker_refuses_a_bad_file_whole(world):
    site, engineer = world
    upload = wait_for(queue(site, engineer, rows(30) + b"SN-X,NOPE,SE-GOT-0001,2025-01-01\n"), 60)
    assert upload.status == UploadStatus.FAILED and upload.errors[0]["line"] == 32
    with staff_context(reason="worker test: check"):
        assert not Device.objects.exists()


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("POLYPLUS_SLOW_TESTS"), reason="100,000 rows: POLYPLUS_SLOW_TESTS=1")
def test_a_100000_row_file_is_imported_by_the_worker(world):
    site, engineer = world
    started = time.monotonic()
    upload = wait_for(queue(site, engineer, rows(100_000)), 300)
    print(f"100,000 rows imported in {time.monotonic() - started:.1f} s")  # noqa: T201
    assert (upload.status, upload.devices_created) == (UploadStatus.SUCCEEDED, 100_000)
