"""Isolation for every endpoint and method: another tenant's object answers exactly like a missing one.

Partner A owns a partner record, a certification, customers, a site, users and a token.
Partner B's admin and engineer try every detail, update and action on them, by forced
authentication and by a real token; each answer must equal the answer for an id that
does not exist, and nothing of A's may change. Lists and searches must never show A's rows.
"""

import datetime

import pytest

from polyplus.tenancy import services
from polyplus.tenancy.models import ApiToken, Certification, Customer, Partner, Site, User
from tests import factories, isolation
from tests.isolation import without_ids

MISSING = {"partner": 987654, "customer": 987654, "site": "NO-SUCH-SITE", "user": 987654, "token": 987654}



@pytest.fixture
def world_a(partner_a, customer_a, site_a, partner_a_admin, partner_a_engineer):
    """Everything partner A owns that the API exposes, by kind."""
    factories.CertificationFactory(partner=partner_a)
    token, _ = services.api_token_create(user=partner_a_engineer, name="A's PSA")
    return {"partner": partner_a.pk, "customer": customer_a.pk, "site": site_a.site_id,
            "user": partner_a_engineer.pk, "token": token.pk}


def snapshot() -> list:
    """Everything a foreign request could have changed, in comparable form."""
    return [
        list(Partner.objects.order_by("pk").values_list("pk", "name", "slug", "is_active")),
        list(Certification.objects.order_by("pk").values_list("pk", "category", "expires_on")),
        list(Customer.objects.order_by("pk").values_list("pk", "name", "master_account_id")),
        list(Site.objects.order_by("pk").values_list("pk", "site_id", "name", "country")),
        list(User.objects.order_by("pk").values_list("pk", "full_name", "role", "is_active", "customer_id")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
    ]


TODAY = datetime.date.today().isoformat()
# (kind, method, path after /api/v1/, body)
REQUESTS = [
    ("partner", "get", "partners/{}/", None),
    ("partner", "put", "partners/{}/", {"name": "Hijacked", "slug": "hijacked", "is_active": False}),
    ("partner", "patch", "partners/{}/", {"name": "Hijacked"}),
    ("partner", "get", "partners/{}/certifications/", None),
    ("partner", "post", "partners/{}/certifications/",
     {"category": "voice", "certified_on": TODAY, "expires_on": TODAY}),
    ("customer", "get", "customers/{}/", None),
    ("customer", "put", "customers/{}/", {"name": "Hijacked", "master_account_id": "HIJACK"}),
    ("customer", "patch", "customers/{}/", {"name": "Hijacked"}),
    ("site", "get", "sites/{}/", None),
    ("site", "put", "sites/{}/", {"site_id": "HIJACKED", "customer": 1, "name": "x", "address": "x",
                                  "country": "PL", "timezone": "Europe/Warsaw"}),
    ("site", "patch", "sites/{}/", {"name": "Hijacked"}),
    ("user", "get", "users/{}/", None),
    ("user", "put", "users/{}/", {"email": "eng@nordic.example", "full_name": "Hijacked", "role": "partner_admin",
                                  "is_active": False}),
    ("user", "patch", "users/{}/", {"is_active": False}),
    ("token", "get", "tokens/{}/", None),
    ("token", "post", "tokens/{}/revoke/", None),
]


@pytest.fixture(params=isolation.PARTNER_B_PEOPLE)
def outsider(request, partner_a, customer_b, site_b):
    return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)


@pytest.fixture(params=isolation.AUTH_WAYS)
def client_as(request, api_for):
    return isolation.client_maker(request.param, api_for)


@pytest.mark.parametrize(("kind", "method", "path", "body"), REQUESTS,
                         ids=[f"{m.upper()} {p}" for _, m, p, _ in REQUESTS])
def test_another_partners_object_answers_exactly_like_a_missing_one(world_a, outsider, client_as, kind, method,
                                                                    path, body):
    client = client_as(outsider)
    before = snapshot()

    foreign = getattr(client, method)("/api/v1/" + path.format(world_a[kind]), body, format="json")
    missing = getattr(client, method)("/api/v1/" + path.format(MISSING[kind]), body, format="json")

    assert foreign.status_code == 404
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "search"),
    [("partners/", "Nordic"), ("customers/", "Volvo"), ("sites/", "SE-GOT"), ("users/", "nordic"),
     ("tokens/", None)],
)
def test_lists_and_searches_never_show_another_partners_rows(world_a, outsider, client_as, path, search):
    client = client_as(outsider)
    everything = client.get(f"/api/v1/{path}").json()["results"]
    assert everything or path == "tokens/"  # the outsider sees its own
    text = str(everything)
    assert "Nordic" not in text and "Volvo" not in text and "SE-GOT" not in text and "nordic.example" not in text
    if search:
        found = client.get(f"/api/v1/{path}", {"search": search}).json()
        assert found["count"] == 0


@pytest.mark.parametrize(
    ("path", "param", "kind"),
    [("customers/", "partner", "partner"), ("users/", "partner", "partner"), ("users/", "customer", "customer"),
     ("sites/", "customer", "customer")],
)
def test_filtering_by_another_partners_id_answers_like_a_missing_id(world_a, outsider, client_as, path, param,
                                                                    kind):
    client = client_as(outsider)
    foreign = client.get(f"/api/v1/{path}", {param: world_a[kind]})
    missing = client.get(f"/api/v1/{path}", {param: MISSING[kind]})
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    assert foreign.status_code == 400


@pytest.mark.parametrize(
    ("path", "body"),
    [("customers/", {"partner": "{partner}", "name": "Planted"}),
     ("sites/", {"customer": "{customer}", "site_id": "PLANTED-1", "name": "x", "address": "x", "country": "SE",
                 "timezone": "Europe/Stockholm"}),
     ("users/", {"email": "planted@x.example", "full_name": "P", "role": "partner_engineer",
                 "partner": "{partner}"}),
     ("users/", {"email": "planted@x.example", "full_name": "P", "role": "customer_viewer",
                 "customer": "{customer}"})],
)
def test_creating_under_another_partners_object_answers_like_a_missing_one(world_a, partner_b_admin, api_for, path,
                                                                           body):
    client = api_for(partner_b_admin)
    before = snapshot()

    def filled(ids):
        return {k: ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}

    foreign = client.post(f"/api/v1/{path}", filled(world_a), format="json")
    missing = client.post(f"/api/v1/{path}", filled(MISSING), format="json")

    assert foreign.status_code == 400
    # The message names the id it was given, and nothing else.
    assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
    assert snapshot() == before


# ---- who sees what within the portal ---------------------------------------------------------

@pytest.fixture
def second_customer_a(partner_a):
    customer = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
    factories.SiteFactory(customer=customer, site_id="SE-KIS-001")
    return customer


def ids(client, path, key="id"):
    return sorted(row[key] for row in client.get(f"/api/v1/{path}", {"page_size": 200}).json()["results"])


def test_a_customer_viewer_sees_only_its_own_customer(api_for, customer_viewer, site_a, second_customer_a,
                                                       customer_b, site_b):
    client = api_for(customer_viewer)
    assert ids(client, "customers/") == [customer_viewer.customer_id]
    assert ids(client, "sites/", "site_id") == [site_a.site_id]
    assert ids(client, "users/") == [customer_viewer.pk]
    assert ids(client, "partners/") == [customer_viewer.partner_id]
    assert client.get(f"/api/v1/customers/{second_customer_a.pk}/").status_code == 404
    assert client.get("/api/v1/sites/SE-KIS-001/").status_code == 404
    assert client.get("/api/v1/customers/", {"search": "Ericsson"}).json()["count"] == 0


def test_a_csm_sees_only_the_customers_assigned_to_them(api_for, csm, customer_a, site_a, second_customer_a,
                                                         customer_b, site_b):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    factories.CsmAssignmentFactory(customer=second_customer_a)  # another CSM's
    client = api_for(csm)
    listed = client.get("/api/v1/customers/").json()["results"]
    assert [c["id"] for c in listed] == [customer_a.pk]
    assert listed[0]["csm"] == csm.full_name
    assert ids(client, "sites/", "site_id") == [site_a.site_id]
    assert ids(client, "partners/") == [customer_a.partner_id]
    for path in (f"customers/{second_customer_a.pk}/", f"customers/{customer_b.pk}/", "sites/SE-KIS-001/",
                 f"sites/{site_b.site_id}/", f"partners/{customer_b.partner_id}/"):
        assert client.get(f"/api/v1/{path}").status_code == 404, path


@pytest.mark.parametrize("persona", ["poly_support", "escalation_manager", "poly_admin"])
def test_poly_support_sees_every_partners_customers_and_sites(request, db, api_for, persona, site_a, site_b,
                                                              second_customer_a):
    client = api_for(request.getfixturevalue(persona))
    assert ids(client, "customers/") == sorted([site_a.customer_id, site_b.customer_id, second_customer_a.pk])
    assert ids(client, "sites/", "site_id") == sorted([site_a.site_id, site_b.site_id, "SE-KIS-001"])
    assert ids(client, "partners/") == sorted([site_a.partner_id, site_b.partner_id])
    assert client.get(f"/api/v1/sites/{site_b.site_id.lower()}/").status_code == 200


def test_a_partner_user_sees_the_customers_csm_only_if_it_may_see_poly_staff(api_for, partner_a_admin, customer_a,
                                                                             csm):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    response = api_for(partner_a_admin).get("/api/v1/customers/")
    assert response.status_code == 200
    assert response.json()["results"][0]["csm"] is None


def test_only_poly_admins_see_every_user(api_for, poly_admin, poly_support, partner_a_admin, partner_a_engineer,
                                         partner_b_engineer, customer_viewer):
    assert len(ids(api_for(poly_admin), "users/")) == User.objects.count()
    assert ids(api_for(partner_a_admin), "users/") == sorted(
        [partner_a_admin.pk, partner_a_engineer.pk, customer_viewer.pk])
    for someone in (poly_support, partner_a_engineer, customer_viewer):
        assert ids(api_for(someone), "users/") == [someone.pk]


# ---- roles that may not act -----------------------------------------------------------------

@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "poly_support", "csm"])
def test_a_role_that_may_not_write_gets_403_and_nothing_is_written(request, db, api_for, persona, site_a,
                                                                   partner_a_admin):
    actor = request.getfixturevalue(persona)
    if persona == "csm":
        factories.CsmAssignmentFactory(customer=site_a.customer, csm=actor)
    client = api_for(actor)
    before = snapshot()
    attempts = [
        client.post("/api/v1/customers/", {"name": "New", "partner": site_a.partner_id}, format="json"),
        client.patch(f"/api/v1/customers/{site_a.customer_id}/", {"name": "Renamed"}, format="json"),
        client.post("/api/v1/sites/", {"customer": site_a.customer_id, "site_id": "NEW-1", "name": "x",
                                       "address": "x", "country": "SE", "timezone": "Europe/Stockholm"},
                    format="json"),
        client.patch(f"/api/v1/sites/{site_a.site_id}/", {"name": "Renamed"}, format="json"),
        client.post("/api/v1/users/", {"email": "new@x.example", "full_name": "N", "role": "partner_engineer",
                                       "partner": site_a.partner_id}, format="json"),
        client.patch(f"/api/v1/users/{actor.pk}/", {"full_name": "Renamed"}, format="json"),
        client.post("/api/v1/partners/", {"name": "New", "slug": "new"}, format="json"),
        client.patch(f"/api/v1/partners/{site_a.partner_id}/", {"name": "Renamed"}, format="json"),
        client.post(f"/api/v1/partners/{site_a.partner_id}/certifications/",
                    {"category": "voice", "certified_on": TODAY, "expires_on": TODAY}, format="json"),
    ]
    visible = [r for r in attempts if r.status_code != 404]
    assert visible and {r.status_code for r in visible} == {403}, [(r.status_code, r.content) for r in attempts]
    assert all(set(r.json()) == {"detail", "code"} for r in attempts)
    assert snapshot() == before


def test_a_partner_admin_may_not_write_partners_or_certifications(api_for, partner_a_admin):
    client = api_for(partner_a_admin)
    partner = partner_a_admin.partner_id
    assert client.patch(f"/api/v1/partners/{partner}/", {"name": "Mine now"}, format="json").status_code == 403
    assert client.post("/api/v1/partners/", {"name": "New", "slug": "new"}, format="json").status_code == 403
    response = client.post(f"/api/v1/partners/{partner}/certifications/",
                           {"category": "voice", "certified_on": TODAY, "expires_on": TODAY}, format="json")
    assert response.status_code == 403
    assert not Certification.objects.exists()
