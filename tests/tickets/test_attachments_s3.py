"""Attachments in an S3-compatible store (moto's server, in this process, on 127.0.0.1): what one
portal process writes, another reads; downloads go through the portal's permission check."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import environ
import pytest
from django.db import transaction
from moto.server import ThreadedMotoServer

from polyplus.settings import file_storage
from tests.tickets import LOG, PNG, cover, open_case, upload
from tickets import services

pytestmark = pytest.mark.s3

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint, tmp_path) -> dict[str, str]:
    """The environment a portal process gets to store files in a new, empty bucket."""
    variables = {
        "POLYPLUS_S3_BUCKET": f"polyplus-test-{uuid.uuid4().hex[:12]}",
        "POLYPLUS_S3_ENDPOINT_URL": s3_endpoint,
        "POLYPLUS_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        # Local disk must stay unused: a file found here would not be on another host.
        "DJANGO_MEDIA_ROOT": str(tmp_path / "local-media"),
    }
    bucket_client(variables).create_bucket(Bucket=variables["POLYPLUS_S3_BUCKET"])
    return variables


def bucket_client(variables: dict[str, str]):
    return boto3.client("s3", endpoint_url=variables["POLYPLUS_S3_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id=variables["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=variables["AWS_SECRET_ACCESS_KEY"])


def objects_in(variables: dict[str, str]) -> dict[str, bytes]:
    client, bucket = bucket_client(variables), variables["POLYPLUS_S3_BUCKET"]
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listed}


@pytest.fixture
def s3_storage(s3_env, settings, monkeypatch):
    """This test process stores files the way settings.py configures S3 from the environment."""
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = s3_env["DJANGO_MEDIA_ROOT"]
    settings.STORAGES = {**settings.STORAGES, "default": file_storage(environ.Env())}
    return s3_env


def run_portal_process(code: str, variables: dict[str, str], stdin: bytes = b"") -> bytes:
    """Run `code` in a separate Python process with the portal's settings and `variables`."""
    prelude = "import django, sys\ndjango.setup()\nfrom django.core.files.storage import default_storage\n"
    done = subprocess.run([sys.executable, "-c", prelude + code], input=stdin, capture_output=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "polyplus.settings", **variables})
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


WRITE_ATTACHMENT = """
from django.core.files.base import ContentFile
from tickets.models import CaseAttachment
from django.core.files.storage import storages
assert type(storages["default"]).__name__ == "S3Storage", storages["default"]
field = CaseAttachment._meta.get_field("file")
name = field.generate_filename(CaseAttachment(partner_id=7, case_id=42), "attachment-from-host-1")
sys.stdout.write(default_storage.save(name, ContentFile(sys.stdin.buffer.read())))
"""

READ_ATTACHMENT = """
with default_storage.open(sys.stdin.read(), "rb") as stored:
    sys.stdout.buffer.write(stored.read())
"""


def test_an_attachment_written_by_one_process_is_read_by_another(s3_env):
    name = run_portal_process(WRITE_ATTACHMENT, s3_env, stdin=LOG).decode()
    read_back = run_portal_process(READ_ATTACHMENT, s3_env, stdin=name.encode())

    assert name == "case-attachments/7/42/attachment-from-host-1"
    assert read_back == LOG
    assert objects_in(s3_env) == {name: LOG}
    assert not Path(s3_env["DJANGO_MEDIA_ROOT"]).exists()


def test_an_attachment_is_downloaded_from_s3_through_the_permission_check(
        s3_storage, client_for, api_for, partner_a_engineer, partner_b_engineer, site_a):
    cover(site_a)
    case = open_case(partner_a_engineer, site_a, uploads=(upload("room.png", PNG),))
    attachment = case.attachments.get()
    page_url = f"/cases/{case.pk}/attachments/{attachment.pk}/"

    page = client_for(partner_a_engineer).get(page_url)
    api = api_for(partner_a_engineer).get(f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}/")

    assert objects_in(s3_storage) == {attachment.file.name: PNG}
    assert page.status_code == 200 and b"".join(page.streaming_content) == PNG
    assert page["Content-Type"] == "image/png" and page["Cache-Control"] == "private, no-store"
    assert api.status_code == 200 and b"".join(api.streaming_content) == PNG
    assert client_for(partner_b_engineer).get(page_url).status_code == 404
    assert not Path(s3_storage["DJANGO_MEDIA_ROOT"]).exists()


def test_an_attachment_missing_from_the_bucket_is_not_found_not_an_error(s3_storage, client_for, api_for,
                                                                         partner_a_engineer, site_a):
    cover(site_a)
    case = open_case(partner_a_engineer, site_a, uploads=(upload("codec.log", LOG),))
    attachment = case.attachments.get()
    bucket_client(s3_storage).delete_object(Bucket=s3_storage["POLYPLUS_S3_BUCKET"], Key=attachment.file.name)

    assert client_for(partner_a_engineer).get(f"/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    assert api_for(partner_a_engineer).get(
        f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_rolled_back_attachment_leaves_no_object_in_the_bucket(s3_storage, partner_a_engineer, site_a):
    cover(site_a)
    case = open_case(partner_a_engineer, site_a)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_attach(by=partner_a_engineer, case=case, upload=upload("codec.log", LOG))
        assert len(objects_in(s3_storage)) == 1
        raise RuntimeError("a later step of the same request fails")

    assert objects_in(s3_storage) == {}
