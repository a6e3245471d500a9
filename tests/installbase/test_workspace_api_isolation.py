"""Isolation for inventory-uploads/, reconciliations/ and true-ups/: outsiders (partner B's people,
viewers, a CSM of another customer) get exactly the answer for an id that does not exist, and
nothing changes; lists never show partner A's rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import ContractLine
from installbase.models import InventoryUpload, Reconciliation, TrueUp
from tests import isolation
from tests.installbase.workspace import reconciled_world
from tests.isolation import answer, filled, without_ids

MISSING = {"contract": 987654, "reconciliation": 987654, "true_up": 987654, "upload": 987654, "customer": 987654}
A_TEXT = ("Volvo", "SE-GOT", "A000")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world_a(customer_a, site_a, partner_a_engineer):
    return reconciled_world(customer_a, site_a, partner_a_engineer)


@pytest.fixture
def world_b(customer_b, site_b, partner_b_engineer):
    return reconciled_world(customer_b, site_b, partner_b_engineer, prefix="B")


@pytest.fixture(params=isolation.OUTSIDERS)
def outsider(request, world_b, partner_a, customer_b):
    return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)


@pytest.fixture(params=isolation.AUTH_WAYS)
def client_as(request, api_for):
    return isolation.client_maker(request.param, api_for)


def snapshot() -> list:
    return [
        list(Reconciliation.objects.order_by("pk").values_list("pk", "count", "committed", "computed_at")),
        list(TrueUp.objects.order_by("pk").values_list("pk", "status", "po_number", "amount")),
        list(ContractLine.objects.order_by("pk").values_list("pk", "committed")),
        list(InventoryUpload.objects.order_by("pk").values_list("pk", "status")),
    ]


REQUESTS = [
    ("get", "inventory-uploads/{upload}/", None),
    ("put", "inventory-uploads/{upload}/", {"month": "2025-07"}),
    ("delete", "inventory-uploads/{upload}/", None),
    ("get", "reconciliations/{reconciliation}/", None),
    ("delete", "reconciliations/{reconciliation}/", None),
    ("get", "true-ups/{true_up}/", None),
    ("post", "true-ups/{true_up}/accept/", {"po_number": "PO-HIJACK"}),
    ("post", "true-ups/{true_up}/accept/", {}),
    ("post", "true-ups/{true_up}/reject/", {"reason": "Hijacked"}),
    ("patch", "true-ups/{true_up}/", {"status": "accepted"}),
]


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS,
                         ids=[f"{m.upper()} {p} {sorted(b or {})}" for m, p, b in REQUESTS])
def test_another_partners_rows_answer_exactly_like_missing_ones(world_a, outsider, client_as, method, path, body):
    client = client_as(outsider)
    before = snapshot()
    foreign = getattr(client, method)("/api/v1/" + filled(path, world_a), filled(body, world_a), format="json")
    missing = getattr(client, method)("/api/v1/" + filled(path, MISSING), filled(body, MISSING), format="json")
    assert answer(foreign) == answer(missing)
    assert foreign.status_code == (404 if method in ("get", "post") else 405)
    assert snapshot() == before


def test_running_another_partners_contract_answers_like_a_missing_one(world_a, outsider, client_as):
    client = client_as(outsider)
    before = snapshot()
    foreign = client.post("/api/v1/reconciliations/run/", {"contract": world_a["contract"], "month": "2025-07"},
                          format="json")
    missing = client.post("/api/v1/reconciliations/run/", {"contract": MISSING["contract"], "month": "2025-07"},
                          format="json")
    assert foreign.status_code == missing.status_code
    assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
    assert foreign.status_code == (400 if outsider.role == "csm" else 403)
    assert snapshot() == before


def test_uploading_for_another_partners_customer_answers_like_a_missing_one(world_a, outsider, client_as):
    client = client_as(outsider)

    def post(customer):
        file = SimpleUploadedFile("lens.csv", b"serial,sku,site_id\nX,Y,Z\n", content_type="text/csv")
        return client.post("/api/v1/inventory-uploads/", {"customer": customer, "month": "2025-07", "file": file},
                           format="multipart")

    before = snapshot()
    foreign, missing = post(world_a["customer"]), post(MISSING["customer"])
    assert foreign.status_code == missing.status_code
    assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
    assert foreign.status_code == (400 if outsider.is_partner_member else 403)
    assert snapshot() == before


@pytest.mark.parametrize("path", ["inventory-uploads/", "reconciliations/", "true-ups/"])
def test_lists_never_show_another_partners_rows(world_a, outsider, client_as, path):
    response = client_as(outsider).get(f"/api/v1/{path}", {"page_size": 200})
    assert response.status_code == 200
    assert not any(fragment in response.content.decode() for fragment in A_TEXT), response.content


@pytest.mark.parametrize("path", ["inventory-uploads/", "reconciliations/", "true-ups/"])
def test_filtering_by_another_partners_customer_answers_like_a_missing_one(world_a, partner_b_engineer, api_for,
                                                                          path):
    client = api_for(partner_b_engineer)
    foreign = client.get(f"/api/v1/{path}", {"customer": world_a["customer"]})
    missing = client.get(f"/api/v1/{path}", {"customer": MISSING["customer"]})
    assert answer(foreign) == answer(missing) and foreign.status_code == 400


def test_a_csm_sees_only_the_customers_assigned_to_them(world_a, world_b, csm, api_for, customer_a):
    from tests import factories

    client = api_for(csm)
    assert client.get("/api/v1/reconciliations/").json()["count"] == 0
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    rows = client.get("/api/v1/reconciliations/").json()["results"]
    assert {row["customer"] for row in rows} == {world_a["customer"]}
