"""Isolation for every endpoint and method of cases/ and health-events/.

Partner A owns a case with a public reply, an internal note, public and internal attachments, an
escalation and an onsite visit, plus a device and a site. Outsiders (partner B's admin and engineer,
B's customer viewer, a viewer of A's other customer, a CSM of another customer) try every read,
write and action on them, by forced authentication and by a real token: each answer equals the
answer for an id that does not exist, and nothing changes. Lists, searches and filters never
show A's rows.
"""

import io

import pytest
from django.utils import timezone

from tests import factories, isolation
from tests.isolation import answer, filled, without_ids
from tests.tickets import DAY, LOG, PNG, cover, open_case
from tickets import services
from tickets.models import (
    Case,
    CaseAttachment,
    CaseComment,
    CaseEscalation,
    CaseStatusChange,
    OnsiteDispatch,
)

MISSING = {"case": 987654, "attachment": 987654, "internal_attachment": 987654, "site": "NO-SUCH-SITE",
           "serial": "NOSUCHSERIAL"}
A_TEXT = ("NORDIC", "Volvo", "SE-GOT", "SEGOT", "Göteborg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(name, content):
    return services.Upload(name, io.BytesIO(content), len(content))


@pytest.fixture
def world_a(partner_a, site_a, partner_a_engineer, poly_support):
    cover(site_a, onsite=True)
    device = factories.DeviceFactory(site=site_a, product=factories.ProductFactory(sku="SX-50"), serial="SEGOT0001")
    case = open_case(partner_a_engineer, site_a, subject="Göteborg boardroom down")
    services.case_comment_add(by=poly_support, case=case, body="Send logs please.")
    services.case_comment_add(by=poly_support, case=case, body="Internal: PX-4411", internal=True,
                              uploads=(_upload("internal.log", LOG),))
    services.case_comment_add(by=partner_a_engineer, case=case, body="Here.", uploads=(_upload("room.png", PNG),))
    services.case_escalate(by=poly_support, case=case, reason="Needs tier 2")
    services.onsite_dispatch_request(by=partner_a_engineer, case=case, purpose="hardware_repair",
                                     remote_diagnostics_summary="Tried", partner_engineer_name="Anna",
                                     scheduled_for=timezone.now() + DAY)
    services.health_event_raise(by=partner_a_engineer, site=site_a, device=device, severity=3, message="Offline",
                                alert_kind="offline")
    return {"case": case.pk, "attachment": case.attachments.get(internal=False).pk,
            "internal_attachment": case.attachments.get(internal=True).pk, "site": site_a.site_id,
            "serial": device.serial}


@pytest.fixture
def world_b(partner_b, site_b, partner_b_engineer):
    """The outsider's own partner has a case too, so its lists are not empty."""
    case = open_case(partner_b_engineer, site_b, subject="Płock phones")
    return {"case": case.pk}


def snapshot() -> list:
    """Everything a foreign request could have changed, in comparable form."""
    return [
        list(Case.objects.order_by("pk").values_list("pk", "status", "severity", "subject", "escalation_level",
                                                      "first_response_at", "resolution_due", "paused_since")),
        list(CaseComment.objects.order_by("pk").values_list("pk", "case_id", "body", "internal")),
        list(CaseAttachment.objects.order_by("pk").values_list("pk", "case_id", "internal")),
        list(CaseEscalation.objects.order_by("pk").values_list("pk", "case_id", "to_level")),
        list(CaseStatusChange.objects.order_by("pk").values_list("pk", "case_id", "to_status")),
        list(OnsiteDispatch.objects.order_by("pk").values_list("pk", "case_id", "status")),
    ]


VISIT = {"purpose": "hardware_repair", "remote_diagnostics_summary": "Tried", "partner_engineer_name": "Eve",
         "scheduled_for": "2031-01-01T10:00:00Z"}
# (method, path after /api/v1/, body)
REQUESTS = [
    ("get", "cases/{case}/", None),
    ("put", "cases/{case}/", {"subject": "Hijacked"}),
    ("patch", "cases/{case}/", {"subject": "Hijacked"}),
    ("delete", "cases/{case}/", None),
    ("post", "cases/{case}/transition/", {"status": "resolved"}),
    ("post", "cases/{case}/transition/", {"status": "bogus"}),
    ("post", "cases/{case}/escalate/", {"reason": "Hijacked"}),
    ("post", "cases/{case}/escalate/", {}),
    ("get", "cases/{case}/comments/", None),
    ("post", "cases/{case}/comments/", {"body": "Planted"}),
    ("post", "cases/{case}/comments/", {"body": "Planted", "internal": True}),
    ("post", "cases/{case}/comments/", {"body": ""}),
    ("get", "cases/{case}/onsite-dispatches/", None),
    ("post", "cases/{case}/onsite-dispatches/", VISIT),
    ("post", "cases/{case}/onsite-dispatches/", {**VISIT, "purpose": "software_update"}),
    ("get", "cases/{case}/attachments/{attachment}/", None),
    ("get", "cases/{case}/attachments/{internal_attachment}/", None),
    ("delete", "cases/{case}/attachments/{attachment}/", None),
]


@pytest.fixture(params=isolation.OUTSIDERS)
def outsider(request, world_b, partner_a, customer_b):
    return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)


@pytest.fixture(params=isolation.AUTH_WAYS)
def client_as(request, api_for):
    return isolation.client_maker(request.param, api_for)


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS,
                         ids=[f"{m.upper()} {p} {sorted(b or {})}" for m, p, b in REQUESTS])
def test_another_partners_case_answers_exactly_like_a_missing_one(world_a, outsider, client_as, method, path, body):
    client = client_as(outsider)
    before = snapshot()

    foreign = getattr(client, method)("/api/v1/" + filled(path, world_a), filled(body, world_a), format="json")
    missing = getattr(client, method)("/api/v1/" + filled(path, MISSING), filled(body, MISSING), format="json")

    assert answer(foreign) == answer(missing)
    if method in ("get", "post"):
        assert foreign.status_code == 404
    else:
        assert foreign.status_code == 405  # no such method on a case, for anyone
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["partner_b_admin", "partner_b_engineer"])
def test_my_case_with_another_partners_attachment_id_answers_like_a_missing_one(request, world_a, world_b, api_for,
                                                                               persona):
    client = api_for(request.getfixturevalue(persona))
    own = world_b["case"]
    for kind in ("attachment", "internal_attachment"):
        foreign = client.get(f"/api/v1/cases/{own}/attachments/{world_a[kind]}/")
        missing = client.get(f"/api/v1/cases/{own}/attachments/{MISSING[kind]}/")
        assert answer(foreign) == answer(missing)
        assert foreign.status_code == 404


CREATES = [
    ("cases/", {"site_id": "{site}", "category": "video", "severity": 2, "subject": "Planted", "description": "x"}),
    ("cases/", {"site_id": "{site}", "category": "video", "severity": 2, "subject": "Planted", "description": "x",
                "hardware_replacement": True, "serial": "{serial}"}),
    ("health-events/", {"serial": "{serial}", "severity": 2, "message": "Offline", "alert_kind": "offline"}),
    ("health-events/", {"serial": "{serial}", "severity": 2, "message": "Offline", "alert_kind": "new_kind"}),
    ("health-events/", {"site_id": "{site}", "category": "video", "severity": 2, "message": "Down",
                        "alert_kind": "site_down"}),
]


@pytest.mark.parametrize(("path", "body"), CREATES, ids=[f"{p} {sorted(b)}" for p, b in CREATES])
def test_creating_for_another_partners_site_or_serial_answers_like_a_missing_one(world_a, outsider, client_as,
                                                                                 path, body):
    client = client_as(outsider)
    before = snapshot()

    foreign = client.post(f"/api/v1/{path}", filled(body, world_a), format="json")
    missing = client.post(f"/api/v1/{path}", filled(body, MISSING), format="json")

    assert foreign.status_code == missing.status_code
    assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
    if outsider.is_partner_member:
        assert foreign.status_code == 400
    else:
        assert foreign.status_code == 403  # a reader never creates, whatever it names
    assert snapshot() == before


@pytest.mark.parametrize("search", ["NORDIC", "SE-GOT-001", "Göteborg", "PX-4411", None])
def test_lists_and_searches_never_show_another_partners_cases(world_a, outsider, client_as, search):
    client = client_as(outsider)
    params = {"page_size": 200, **({"search": search} if search else {})}
    response = client.get("/api/v1/cases/", params)
    assert response.status_code == 200
    assert not any(fragment in response.content.decode() for fragment in A_TEXT), response.content
    if search:
        assert response.json()["count"] == 0


@pytest.mark.parametrize(("param", "kind"), [("site_id", "site")])
def test_filtering_by_another_partners_site_finds_nothing_like_a_missing_one(world_a, outsider, client_as, param,
                                                                            kind):
    client = client_as(outsider)
    foreign = client.get("/api/v1/cases/", {param: world_a[kind]})
    missing = client.get("/api/v1/cases/", {param: MISSING[kind]})
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    assert foreign.json()["count"] == 0


def test_filtering_by_another_partner_answers_like_a_missing_partner(world_a, partner_a, partner_b_engineer, api_for):
    client = api_for(partner_b_engineer)
    foreign = client.get("/api/v1/cases/", {"partner": partner_a.pk})
    missing = client.get("/api/v1/cases/", {"partner": 987654})
    assert foreign.status_code == 400
    assert without_ids(foreign.content, {"p": partner_a.pk}) == without_ids(missing.content, {"p": 987654})


def test_a_viewer_of_another_customer_of_the_same_partner_sees_none_of_its_cases(world_a, partner_a, api_for):
    other = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
    viewer = factories.CustomerViewerFactory(customer=other, email="it@ericsson.example")
    assert api_for(viewer).get("/api/v1/cases/").json()["count"] == 0
