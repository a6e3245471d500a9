"""Query counts of products/, contracts/, devices/ and a contract's serial list are pinned, and
do not grow with the rows listed (see tests/tenancy/test_api_queries.py for the fixed
overhead of one request: the tenancy middleware's savepoints and context switches)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Offering
from tests import factories


def add_products(n, **_):
    for _ in range(n):
        factories.ProductFactory()


def add_contracts(n, *, customer, **_):
    for _ in range(n):
        contract = factories.ContractFactory(customer=customer, offering=Offering.POLY_PLUS_ENTERPRISE)
        factories.ContractLineFactory(contract=contract, category="video")
        factories.ContractLineFactory(contract=contract, category="voice")


def add_devices(n, *, customer, **_):
    site = factories.SiteFactory(customer=customer)
    for _ in range(n):
        factories.DeviceFactory(site=site, product=factories.ProductFactory())


def add_listed_devices(n, *, contract, **_):
    site = factories.SiteFactory(customer=contract.customer)
    for _ in range(n):
        factories.ContractDeviceFactory(contract=contract, device=factories.DeviceFactory(site=site))


# (list path, who asks, how rows are added, the pinned number of queries)
CASES = [
    ("products/", "partner_a_engineer", add_products, 8),
    ("products/", "poly_admin", add_products, 8),
    ("contracts/", "partner_a_admin", add_contracts, 9),
    ("contracts/", "customer_viewer", add_contracts, 9),
    ("contracts/", "poly_support", add_contracts, 9),
    ("devices/", "partner_a_engineer", add_devices, 8),
    ("devices/", "customer_viewer", add_devices, 8),
    ("devices/", "poly_support", add_devices, 8),
    ("contracts/{contract}/devices/", "partner_a_engineer", add_listed_devices, 10),
]


def queries_for(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()["count"]


@pytest.mark.parametrize(("path", "persona", "add_rows", "pinned"), CASES,
                         ids=[f"{path}-{persona}" for path, persona, _, _ in CASES])
def test_a_list_costs_the_same_queries_for_3_rows_as_for_30(request, api_for, customer_a, path, persona, add_rows,
                                                           pinned):
    actor = request.getfixturevalue(persona)
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    url = "/api/v1/" + path.format(contract=contract.pk)
    client = api_for(actor)
    add_rows(3, customer=customer_a, contract=contract)
    few, few_count = queries_for(client, url)

    add_rows(27, customer=customer_a, contract=contract)
    many, many_count = queries_for(client, url)

    assert many_count == few_count + 27
    assert many == few == pinned, (few, many)
