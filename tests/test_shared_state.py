"""Nothing a request needs lives on one web host: files go to the configured storage (S3 when a
bucket is named, local disk for `make run`), sessions to the shared Redis cache. Bad storage
settings stop the portal at start with a message naming the variable."""

import environ
import pytest
from django.contrib.sessions.backends.cache import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from polyplus.settings import file_storage

S3 = {
    "POLYPLUS_S3_BUCKET": "polyplus-files",
    "POLYPLUS_S3_ENDPOINT_URL": "http://minio:9000",
    "POLYPLUS_S3_REGION": "eu-north-1",
    "AWS_ACCESS_KEY_ID": "key",
    "AWS_SECRET_ACCESS_KEY": "secret",
}


@pytest.fixture
def environment(monkeypatch):
    for name in (*S3, "POLYPLUS_S3_PREFIX"):
        monkeypatch.delenv(name, raising=False)

    def configure(**variables) -> dict:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return file_storage(environ.Env())

    return configure


def test_without_a_bucket_files_stay_on_local_disk_for_make_run(environment):
    assert environment() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_named_bucket_stores_every_file_privately_in_s3(environment):
    storage = environment(**S3, POLYPLUS_S3_PREFIX="/portal/")

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"].items() >= {
        "bucket_name": "polyplus-files", "endpoint_url": "http://minio:9000", "region_name": "eu-north-1",
        "access_key": "key", "secret_key": "secret", "location": "portal", "addressing_style": "path",
        "default_acl": None, "file_overwrite": False,
    }.items()


def test_on_aws_the_bucket_needs_no_endpoint_and_credentials_may_come_from_the_instance(environment):
    options = environment(POLYPLUS_S3_BUCKET="polyplus-files")["OPTIONS"]

    assert (options["endpoint_url"], options["addressing_style"], options["region_name"]) == (None, None, None)
    assert "access_key" not in options and "secret_key" not in options


@pytest.mark.parametrize(("variables", "message"), [
    ({"POLYPLUS_S3_BUCKET": "Polyplus_Files"}, "POLYPLUS_S3_BUCKET 'Polyplus_Files' is not an S3 bucket name"),
    ({"POLYPLUS_S3_BUCKET": "ab"}, "POLYPLUS_S3_BUCKET 'ab' is not an S3 bucket name"),
    ({**S3, "POLYPLUS_S3_ENDPOINT_URL": "minio:9000"}, "POLYPLUS_S3_ENDPOINT_URL 'minio:9000' must be an http(s) URL"),
    ({**S3, "AWS_SECRET_ACCESS_KEY": ""}, "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither"),
])
def test_a_bad_storage_setting_stops_the_portal_naming_the_variable(environment, variables, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        environment(**variables)


def test_a_signed_in_session_lives_in_the_shared_redis_cache_not_on_a_web_host(client_for, partner_a_engineer):
    client = client_for(partner_a_engineer)

    assert client.get("/dashboard/").status_code == 200
    stored = cache.get(KEY_PREFIX + client.session.session_key)
    assert stored["_auth_user_id"] == str(partner_a_engineer.pk)
    assert not Session.objects.exists()
