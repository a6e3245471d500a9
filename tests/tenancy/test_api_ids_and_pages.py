"""Ids, filters and pages read the same way everywhere: one answer for a missing id, another
customer's id and an id in another script's digits; `page` from 1, as the schema says."""

import pytest

from polyplus.tenancy import selectors
from tests import factories

MISSING_ID = 987654


@pytest.fixture
def second_customer_a(partner_a):
    customer = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
    factories.SiteFactory(customer=customer, site_id="SE-KIS-001")
    return customer


def full_width(number: int) -> str:
    """The same number in full-width digits ("１２" for 12), which Python's int() reads."""
    return "".join(chr(0xFF10 + int(digit)) for digit in str(number))


# ---- a customer viewer and its partner's certifications --------------------------------------

def test_a_customer_viewer_reads_none_of_its_partners_certifications(api_for, customer_viewer, partner_a,
                                                                     partner_a_engineer):
    factories.CertificationFactory(partner=partner_a, category="video")

    response = api_for(customer_viewer).get(f"/api/v1/partners/{partner_a.pk}/certifications/")

    assert response.status_code == 200 and response.json() == []
    assert not selectors.certifications_visible_to(customer_viewer).exists()
    # The partner's own people still read them.
    assert [c["category"] for c in api_for(partner_a_engineer).get(
        f"/api/v1/partners/{partner_a.pk}/certifications/").json()] == ["video"]


# ---- filtering by an id the caller may not see ---------------------------------------------------

@pytest.mark.parametrize("path", ["sites/", "users/", "contracts/", "devices/", "cases/"])
def test_a_customer_viewer_filtering_by_another_customer_of_its_partner_gets_the_missing_answer(
        api_for, customer_viewer, second_customer_a, path):
    client = api_for(customer_viewer)

    foreign = client.get(f"/api/v1/{path}", {"customer": second_customer_a.pk})
    missing = client.get(f"/api/v1/{path}", {"customer": MISSING_ID})

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json() == {"customer": ["No such customer."]}


def test_a_csm_filtering_by_a_customer_not_assigned_to_them_gets_the_missing_answer(api_for, csm, customer_a,
                                                                                   second_customer_a):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    client = api_for(csm)

    assert client.get("/api/v1/sites/", {"customer": customer_a.pk}).status_code == 200
    foreign = client.get("/api/v1/sites/", {"customer": second_customer_a.pk})
    missing = client.get("/api/v1/sites/", {"customer": MISSING_ID})
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())


# ---- ids in other scripts' digits ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["sites/", "users/", "contracts/", "devices/", "cases/"])
def test_a_filter_id_in_full_width_digits_is_no_id(api_for, partner_a_admin, customer_a, site_a, path):
    client = api_for(partner_a_admin)
    assert client.get(f"/api/v1/{path}", {"customer": customer_a.pk}).status_code == 200

    response = client.get(f"/api/v1/{path}", {"customer": full_width(customer_a.pk)})

    assert response.status_code == 400
    assert response.json() == {"customer": ["No such customer."]}


@pytest.mark.parametrize("path", ["customers/{}/", "users/{}/", "partners/{}/", "contracts/{}/", "devices/{}/",
                                  "contracts/{}/devices/"])
def test_a_path_id_in_full_width_digits_is_no_id(api_for, poly_admin, customer_a, partner_a_admin, path):
    contract = factories.ContractFactory(customer=customer_a)
    device = factories.DeviceFactory(site=factories.SiteFactory(customer=customer_a))
    real = {"customers": customer_a.pk, "users": partner_a_admin.pk, "partners": customer_a.partner_id,
            "contracts": contract.pk, "devices": device.pk}[path.split("/")[0]]

    response = api_for(poly_admin).get("/api/v1/" + path.format(full_width(real)))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_related_id_in_full_width_digits_is_refused_like_a_missing_one(api_for, partner_a_admin, customer_a):
    client = api_for(partner_a_admin)
    body = {"site_id": "SE-NEW-001", "name": "x", "address": "x", "country": "SE", "timezone": "Europe/Stockholm"}

    wide = client.post("/api/v1/sites/", {**body, "customer": full_width(customer_a.pk)}, format="json")
    missing = client.post("/api/v1/sites/", {**body, "customer": str(MISSING_ID)}, format="json")

    assert wide.status_code == missing.status_code == 400
    assert wide.json()["customer"] == [f'Invalid pk "{full_width(customer_a.pk)}" - object does not exist.']
    assert missing.json()["customer"] == [f'Invalid pk "{MISSING_ID}" - object does not exist.']
    assert client.post("/api/v1/sites/", {**body, "customer": str(customer_a.pk)}, format="json").status_code == 201


# ---- pages of a list --------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["0", "-1", "abc", "１", "1.5", ""])
def test_a_page_that_is_not_a_whole_number_from_one_answers_400(api_for, partner_a_admin, customer_a, page):
    response = api_for(partner_a_admin).get("/api/v1/customers/", {"page": page})

    if page == "":
        assert response.status_code == 200  # an empty page parameter is the first page
    else:
        assert response.status_code == 400
        assert response.json() == {"page": ["A page is a whole number from 1."]}


def test_the_first_and_last_pages_answer_and_a_page_past_the_last_answers_404(api_for, partner_a_admin,
                                                                              customer_a):
    client = api_for(partner_a_admin)
    assert client.get("/api/v1/customers/", {"page": 1}).json()["count"] == 1
    assert client.get("/api/v1/customers/", {"page": "last"}).status_code == 200

    response = client.get("/api/v1/customers/", {"page": 2})

    assert response.status_code == 404
    assert response.json() == {"detail": "No such page: there are fewer pages than that.", "code": "not_found"}


def test_the_schema_says_what_pages_and_ids_the_api_takes(api_for, poly_admin):
    schema = api_for(poly_admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    customers = schema["paths"]["/api/v1/customers/"]["get"]
    parameters = {p["name"]: p for p in customers["parameters"]}

    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["page_size"]["schema"]["minimum"] == 1
    assert {"200", "400", "404"} <= set(customers["responses"])
    detail = schema["paths"]["/api/v1/customers/{id}/"]["get"]["parameters"]
    assert [p["schema"].get("pattern") for p in detail if p["name"] == "id"] == ["^[0-9]{1,18}$"]
