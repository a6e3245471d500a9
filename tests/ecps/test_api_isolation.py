"""Isolation for every endpoint and method of ecps/, cloud-agreements/ and cloud-authorisations/.

Partner A's customer has an agreement, a signed authorisation and an escalation opened with the
provider, with public and internal updates and a joint call. Outsiders (partner B's people, B's
customer viewer, a viewer of A's other customer, a CSM of another customer) try every read, write
and action, by forced authentication and by a real token: each answer equals the answer for an id
that does not exist, and nothing changes. Lists and filters never show A's rows.
"""

import io

import pytest

from ecps import services
from ecps.models import CloudAgreement, CloudAuthorisation, Escalation, EscalationUpdate, JointCall
from tests import isolation
from tests.ecps import DAY, PDF, agreement, authorise, escalate, teams, today_at, webex
from tests.isolation import answer, filled

MISSING = {"escalation": 987654, "agreement": 987654, "authorisation": 987654, "call": 987654, "case": 987654,
           "customer": 987654}
A_TEXT = ("Volvo", "SE-GOT", "TEAMS-INC-A1", "Göteborg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world_a(site_a, partner_a_engineer, poly_support):
    today = today_at(site_a)
    deal = agreement(site_a.customer, teams(), valid_until=today + 300 * DAY)
    signed = authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today, valid_until=today + 300 * DAY)
    escalation = escalate(partner_a_engineer, site_a, teams(), problem="Göteborg Teams rooms drop calls")
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="TEAMS-INC-A1")
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Public A")
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Internal A", internal=True)
    call = services.joint_call_request(by=partner_a_engineer, escalation=escalation)
    return {"escalation": escalation.pk, "agreement": deal.pk, "authorisation": signed.pk, "call": call.pk,
            "case": escalation.case_id, "customer": site_a.customer_id}


@pytest.fixture
def world_b(site_b, partner_b_engineer):
    return {"escalation": escalate(partner_b_engineer, site_b, webex()).pk}


def snapshot() -> list:
    return [
        list(Escalation.objects.order_by("pk").values_list("pk", "status", "provider_incident_number", "findings",
                                                            "closed_at")),
        list(EscalationUpdate.objects.order_by("pk").values_list("pk", "body", "internal")),
        list(JointCall.objects.order_by("pk").values_list("pk", "status", "scheduled_for")),
        list(CloudAgreement.objects.order_by("pk").values_list("pk", "reference", "valid_until")),
        list(CloudAuthorisation.objects.order_by("pk").values_list("pk", "valid_until")),
    ]


REQUESTS = [
    ("get", "ecps/{escalation}/", None),
    ("put", "ecps/{escalation}/", {"status": "resolved"}),
    ("patch", "ecps/{escalation}/", {"provider_incident_number": "X"}),
    ("delete", "ecps/{escalation}/", None),
    ("post", "ecps/{escalation}/open-incident/", {"provider_incident_number": "HIJACK"}),
    ("post", "ecps/{escalation}/open-incident/", {}),
    ("post", "ecps/{escalation}/add-update/", {"body": "Planted"}),
    ("post", "ecps/{escalation}/add-update/", {"body": "Planted", "internal": True}),
    ("post", "ecps/{escalation}/add-update/", {"body": ""}),
    ("post", "ecps/{escalation}/refer/", {"findings": "Planted"}),
    ("post", "ecps/{escalation}/resolve/", {}),
    ("post", "ecps/{escalation}/cancel/", {"reason": "Planted"}),
    ("post", "ecps/{escalation}/request-joint-call/", {}),
    ("post", "ecps/{escalation}/schedule-joint-call/", {"joint_call": "{call}", "scheduled_for": "2030-01-01T10:00Z"}),
    ("get", "cloud-agreements/{agreement}/", None),
    ("patch", "cloud-agreements/{agreement}/", {"reference": "X"}),
    ("delete", "cloud-agreements/{agreement}/", None),
    ("get", "cloud-authorisations/{authorisation}/", None),
    ("get", "cloud-authorisations/{authorisation}/file/", None),
    ("delete", "cloud-authorisations/{authorisation}/", None),
]


@pytest.fixture(params=isolation.OUTSIDERS)
def outsider(request, world_b, partner_a, customer_b):
    return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)


@pytest.fixture(params=isolation.AUTH_WAYS)
def client_as(request, api_for):
    return isolation.client_maker(request.param, api_for)


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS,
                         ids=[f"{m.upper()} {p} {sorted(b or {})}" for m, p, b in REQUESTS])
def test_another_partners_escalation_answers_exactly_like_a_missing_one(world_a, outsider, client_as, method, path,
                                                                        body):
    client = client_as(outsider)
    before = snapshot()
    foreign = getattr(client, method)("/api/v1/" + filled(path, world_a), filled(body, world_a), format="json")
    missing = getattr(client, method)("/api/v1/" + filled(path, MISSING), filled(body, MISSING), format="json")
    assert answer(foreign) == answer(missing)
    # 404 for what may be acted on, 405 for a method no one has, 403 for a role that may write none of it
    assert foreign.status_code in (403, 404, 405)
    assert snapshot() == before


@pytest.mark.parametrize("path", ["ecps/", "ecps/?search=TEAMS-INC-A1", "ecps/?provider_incident_number=TEAMS-INC-A1",
                                  "ecps/?open=true", "cloud-agreements/", "cloud-authorisations/"])
def test_lists_never_show_another_partners_rows(world_a, outsider, client_as, path):
    response = client_as(outsider).get("/api/v1/" + path)
    assert response.status_code == 200
    text = response.content.decode()
    assert not any(word in text for word in A_TEXT), text
    ids = {row["id"] for row in response.json()["results"]}
    assert world_a["escalation"] not in ids or not path.startswith("ecps")


@pytest.mark.parametrize("path", ["ecps/?case={case}", "ecps/?customer={customer}",
                                  "cloud-agreements/?customer={customer}"])
def test_filters_by_another_partners_ids_answer_like_missing_ones(world_a, outsider, client_as, path):
    client = client_as(outsider)
    foreign = client.get("/api/v1/" + filled(path, world_a))
    missing = client.get("/api/v1/" + filled(path, MISSING))
    assert foreign.status_code == missing.status_code
    if foreign.status_code == 200:
        assert foreign.json()["count"] == missing.json()["count"] == 0


@pytest.mark.parametrize("persona", ["partner_b_admin", "partner_b_engineer"])
def test_writes_naming_another_partners_customer_or_case_answer_like_missing_ones(request, world_a, api_for, persona):
    client = api_for(request.getfixturevalue(persona))
    before = snapshot()
    for path, body_for in [
        ("ecps/", lambda ids: {"case": ids["case"], "cloud_provider": teams().pk, "problem": "Planted"}),
        ("cloud-agreements/", lambda ids: {"customer": ids["customer"], "cloud_provider": teams().pk,
                                           "reference": "P", "valid_until": "2030-01-01"}),
    ]:
        foreign = client.post("/api/v1/" + path, body_for(world_a), format="json")
        missing = client.post("/api/v1/" + path, body_for(MISSING), format="json")
        assert foreign.status_code == missing.status_code == 400
        assert foreign.content.decode().replace(str(world_a["case"]), "<id>").replace(
            str(world_a["customer"]), "<id>") == missing.content.decode().replace(
            str(MISSING["case"]), "<id>").replace(str(MISSING["customer"]), "<id>")
    upload = {"customer": world_a["customer"], "cloud_provider": teams().pk, "signed_on": "2026-01-01",
              "valid_until": "2030-01-01", "file": io.BytesIO(PDF)}
    upload["file"].name = "signed.pdf"
    response = client.post("/api/v1/cloud-authorisations/", upload, format="multipart")
    assert response.status_code == 400 and "customer" in response.json()
    assert snapshot() == before


def test_internal_updates_stay_out_of_the_partner_admins_audit_log(world_a, client_for, partner_a_admin):
    from polyplus.tenancy.selectors import audit_events_visible_to

    texts = [str(event.pgh_data) for event in audit_events_visible_to(partner_a_admin)]
    assert any("Public A" in text for text in texts)
    assert not any("Internal A" in text for text in texts)
