"""Every operation of the OpenAPI schema, driven with requests generated from the schema itself
(schemathesis), as a partner engineer and as a Poly admin, through the real WSGI application
and real token authentication. Any 5xx fails, and so does any answer the schema does not
describe: an undocumented status, content type or body.

The number of examples per operation is bounded (POLYPLUS_FUZZ_EXAMPLES, default 8) and the
generation is derandomized, so a run is quick and repeatable; raise it locally to dig deeper:
    POLYPLUS_FUZZ_EXAMPLES=200 make test PYTEST_ARGS="tests/test_schema_fuzz.py"
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from polyplus.tenancy import services
from tests import factories

EXAMPLES = int(os.environ.get("POLYPLUS_FUZZ_EXAMPLES", "8"))
# Valid and invalid requests alike; the coverage phase's hundreds of boundary cases per
# operation are left to a deliberate, longer run.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}, "generation": {"mode": "all"}})
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def api_schema():
    """The schema /api/schema/ serves, made in-process (no request: collection has no database)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, default=str)), config=CONFIG)
    loaded.app = get_wsgi_application()
    return loaded


schema = api_schema()


@pytest.fixture(autouse=True)
def _test_transaction_kept_open():
    """As Django's test client does: a request's end must not close the connection that holds
    the test's transaction."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(partner_a, customer_a, site_a, customer_b, site_b):
    """A little of everything, for both partners, so generated requests meet real rows too."""
    factories.CertificationFactory(partner=partner_a, category="video")
    product = factories.ProductFactory()
    factories.DeviceFactory(site=site_a, product=product)
    factories.ContractFactory(customer=customer_a)
    factories.ContractFactory(customer=customer_b)


@pytest.fixture(params=["partner_a_engineer", "poly_admin"])
def caller_headers(request, world):
    user = request.getfixturevalue(request.param)
    _, key = services.api_token_create(user=user, name="schema fuzz")
    return {"Authorization": f"Token {key}"}


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_schema_says(case, caller_headers):
    case.call_and_validate(headers=caller_headers, checks=CHECKS)


def test_a_400_about_a_field_called_code_matches_the_schema(poly_admin):
    """Found by the run above: a partner's `code` field errors as a list, which the error
    schema once promised would be a string."""
    _, key = services.api_token_create(user=poly_admin, name="schema check")
    case = schema["/api/v1/partners/"]["POST"].Case(body={"name": "Nordic", "slug": "nordic", "code": "X" * 9},
                                                  media_type="application/json")

    response = case.call(headers={"Authorization": f"Token {key}"})

    assert response.status_code == 400 and isinstance(response.json()["code"], list)
    case.validate_response(response, checks=CHECKS)


def test_a_body_without_a_content_type_answers_415_as_the_schema_says(poly_admin, customer_a):
    """Found by a longer run: a POST whose body has no Content-Type answers 415, undocumented."""
    _, key = services.api_token_create(user=poly_admin, name="schema check")
    contract = factories.ContractFactory(customer=customer_a)
    case = schema["/api/v1/contracts/{id}/cancel/"]["POST"].Case(path_parameters={"id": contract.pk},
                                                                  media_type="application/json", body={})

    response = case.call(headers={"Authorization": f"Token {key}", "Content-Type": ""}, data=b"--x--")

    assert response.status_code == 415
    case.validate_response(response, checks=CHECKS)
