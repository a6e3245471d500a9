"""Test set-up: a real PostgreSQL reached as the app role, so row-level security is live.

The test database is created and migrated as the schema owner; every test then runs as
`polyplus_app`, which owns no table and cannot bypass the policies. Test data is made
under an explicit staff context; requests made by the test client set their own
context (TenancyMiddleware), exactly as in production.
"""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from polyplus.celery import app as celery_app
from polyplus.tenancy.context import read_context, staff_context, tenant_context
from polyplus.tenancy.db import as_schema_owner
from polyplus.tenancy.models import Role
from tests import factories


def pytest_configure(config):
    """Test-wide settings: static URLs without a collectstatic manifest (built for deploys), fast hashing."""
    from django.conf import settings

    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # Real password hashing costs ~0.1 s a user; the hasher is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    from django.test.utils import setup_databases, teardown_databases

    keepdb = request.config.getvalue("reuse_db")  # --reuse-db: keep it between runs (mutation/run.py)
    with django_db_blocker.unblock(), as_schema_owner():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False, keepdb=keepdb)
    yield
    with django_db_blocker.unblock(), as_schema_owner():
        teardown_databases(db_cfg, verbosity=request.config.option.verbose, keepdb=keepdb)


@pytest.fixture(autouse=True)
def _staff_mfa_not_required(settings):
    """Staff must set up TOTP in production; tests of that rule turn it back on."""
    settings.POLYPLUS_REQUIRE_STAFF_MFA = False


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    """Each test counts sign-in failures, lock-outs and throttles in a cache namespace of its own,
    so the same named actors in another test start with a clean slate."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {name: {**config, "KEY_PREFIX": prefix} for name, config in settings.CACHES.items()}


@pytest.fixture(autouse=True)
def _test_data_context(request):
    """Tests that use the database make their data as Poly staff (an explicit, named context)."""
    if "db" not in request.fixturenames or "transactional_db" in request.fixturenames \
            or "live_server" in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")
    with staff_context(reason=f"test setup: {request.node.name}"):
        yield


@pytest.fixture
def partner_a(db):
    return factories.PartnerFactory(name="Nordic Collaboration AB", slug="nordic")


@pytest.fixture
def partner_b(db):
    return factories.PartnerFactory(name="Wisła Systemy sp. z o.o.", slug="wisla")


@pytest.fixture
def customer_a(partner_a):
    return factories.CustomerFactory(partner=partner_a, name="Volvo Cars Göteborg")


@pytest.fixture
def customer_b(partner_b):
    return factories.CustomerFactory(partner=partner_b, name="Orlen Płock")


@pytest.fixture
def site_a(customer_a):
    return factories.SiteFactory(customer=customer_a, site_id="SE-GOT-001")


@pytest.fixture
def site_b(customer_b):
    return factories.SiteFactory(customer=customer_b, site_id="PL-PLO-001", country="PL", subdivision="PL-14",
                                 timezone="Europe/Warsaw", address="ul. Chemików 7, 09-411 Płock")


@pytest.fixture
def partner_a_admin(partner_a):
    return factories.UserFactory(partner=partner_a, role=Role.PARTNER_ADMIN, email="admin@nordic.example")


@pytest.fixture
def partner_a_engineer(partner_a):
    return factories.UserFactory(partner=partner_a, role=Role.PARTNER_ENGINEER, email="eng@nordic.example")


@pytest.fixture
def partner_b_admin(partner_b):
    return factories.UserFactory(partner=partner_b, role=Role.PARTNER_ADMIN, email="admin@wisla.example")


@pytest.fixture
def partner_b_engineer(partner_b):
    return factories.UserFactory(partner=partner_b, role=Role.PARTNER_ENGINEER, email="eng@wisla.example")


@pytest.fixture
def poly_admin(db):
    return factories.PolyStaffFactory(role=Role.POLY_ADMIN, email="admin@poly.example")


@pytest.fixture
def poly_support(db):
    return factories.PolyStaffFactory(role=Role.POLY_SUPPORT, email="support@poly.example")


@pytest.fixture
def escalation_manager(db):
    return factories.PolyStaffFactory(role=Role.ESCALATION_MANAGER, email="escalations@poly.example")


@pytest.fixture
def csm(db):
    return factories.PolyStaffFactory(role=Role.CSM, email="csm@poly.example")


@pytest.fixture
def customer_viewer(customer_a):
    return factories.CustomerViewerFactory(customer=customer_a, email="it@volvo.example")


@pytest.fixture
def worker_queue(transactional_db, settings):
    """A real Celery worker (a thread of this process) consuming a queue of its own on the configured
    Redis; send tasks with `apply_async(queue=worker_queue)`. Data must be committed first
    (transactional_db): the worker reads it on its own connection. Mail goes to the locmem outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False,
                      queues=[queue], shutdown_timeout=30):
        yield queue


@pytest.fixture
def fast_retries(monkeypatch):
    """Retried tasks wait 1 s instead of their production backoff (30 s and more, with jitter).
    Celery reads a task's retry_backoff once, when the task is declared, so setting it on the task
    in a test changes nothing: the interval function it calls at each retry is replaced instead."""
    import celery.app.autoretry

    monkeypatch.setattr(celery.app.autoretry, "get_exponential_backoff_interval", lambda **kwargs: 1)


@pytest.fixture
def route_to_worker(worker_queue):
    """Send the named tasks (queued by a service, say with delay_on_commit) to this test's worker.
    Celery keeps its routing table once built, so it is rebuilt here and again afterwards."""
    amqp = celery_app.amqp
    saved = celery_app.conf.task_routes

    def use_routes(routes) -> None:
        celery_app.conf.task_routes = routes
        amqp.flush_routes()
        amqp.router = amqp.Router()

    yield lambda *names: use_routes({name: {"queue": worker_queue} for name in names})
    use_routes(saved)


@pytest.fixture
def client_for():
    """A browser session signed in as the given user."""

    def make(user) -> Client:
        client = Client()
        if connection.in_atomic_block:  # signing in leaves the test's own tenant context as it was
            with tenant_context(read_context()):
                client.force_login(user)
        else:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for():
    """An API client authenticated as the given user."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
