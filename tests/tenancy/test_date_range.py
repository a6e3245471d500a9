"""Every date the portal accepts lies from 2000-01-01 to 2099-12-31, through the API, pages and CSV alike,
so nothing stored can break a page that shows it or a sum that adds a term to it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Contract, Product
from polyplus.tenancy.dates import RANGE_MESSAGE, validate_portal_date
from polyplus.tenancy.models import Certification, ServiceCategory
from tests import factories
from tests.tickets import DAY, cover, open_case
from tickets.models import OnsiteDispatch

VISIT = {"purpose": "hardware_repair", "remote_diagnostics_summary": "Swapped cables and PSU; the camera fails.",
         "partner_engineer_name": "Anna Lind", "technician": "Poly field services"}


@pytest.fixture
def onsite_case(partner_a_engineer, site_a):
    cover(site_a, onsite=True)
    return open_case(partner_a_engineer, site_a)


@pytest.mark.parametrize("when", ["9999-12-31T10:00:00Z", "9999-12-31T23:00:00-05:00", "2100-01-01T00:00:00Z",
                                  "0001-01-01T00:00:00Z"])
def test_an_onsite_visit_outside_the_range_is_a_400_naming_the_field_and_the_case_page_still_works(
        api_for, client_for, partner_a_engineer, onsite_case, when):
    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{onsite_case.pk}/onsite-dispatches/",
                                                {**VISIT, "scheduled_for": when}, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"scheduled_for"}
    assert not OnsiteDispatch.objects.exists()
    assert client_for(partner_a_engineer).get(f"/cases/{onsite_case.pk}/").status_code == 200
    assert api_for(partner_a_engineer).get(f"/api/v1/cases/{onsite_case.pk}/").status_code == 200


def test_a_visit_on_the_last_day_of_the_range_is_accepted(api_for, partner_a_engineer, onsite_case):
    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{onsite_case.pk}/onsite-dispatches/",
                                                {**VISIT, "scheduled_for": "2099-12-31T12:00:00Z"}, format="json")
    assert response.status_code == 201, response.content


def test_the_visit_form_names_a_date_outside_the_range_next_to_the_field(client_for, partner_a_engineer,
                                                                        onsite_case):
    response = client_for(partner_a_engineer).post(f"/cases/{onsite_case.pk}/onsite/",
                                                   {**VISIT, "scheduled_for": "9999-12-31T10:00"})

    assert response.status_code in (200, 400)
    assert response.context["onsite_form"].errors == {"scheduled_for": [RANGE_MESSAGE]}
    assert not OnsiteDispatch.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("certified_on", "1999-12-31"), ("expires_on", "9999-01-01")])
def test_a_certification_outside_the_range_is_refused_by_the_api_and_the_page(api_for, client_for, poly_admin,
                                                                              partner_a, field, value):
    body = {"category": ServiceCategory.VIDEO, "certified_on": "2025-01-01", "expires_on": "2027-01-01",
            field: value}
    response = api_for(poly_admin).post(f"/api/v1/partners/{partner_a.pk}/certifications/", body, format="json")
    page = client_for(poly_admin).post(f"/partners/{partner_a.pk}/certifications/", body)

    assert response.status_code == 400 and set(response.json()) == {field}
    assert page.status_code in (200, 400) and RANGE_MESSAGE in page.content.decode()
    assert not Certification.objects.filter(partner=partner_a).exists()


def test_a_contract_outside_the_range_is_refused(api_for, partner_a, partner_a_admin, customer_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    body = {"customer": customer_a.pk, "offering": "poly_plus_enterprise", "start_date": "2026-01-01",
            "end_date": "9999-12-31", "lines": [{"category": "video", "installed": 120, "growth": 0,
                                                 "annual_unit_price": "99.50"}]}

    response = api_for(partner_a_admin).post("/api/v1/contracts/", body, format="json")

    assert response.status_code == 400 and set(response.json()) == {"end_date"}
    assert not Contract.objects.exists()


def test_a_product_outside_the_range_is_refused_by_the_api_and_the_csv_import(api_for, poly_admin):
    client = api_for(poly_admin)
    product = {"sku": "CCX-600", "name": "Poly CCX 600", "category": "voice", "list_price": "499.00",
               "currency": "USD", "end_of_service": "9999-01-01"}
    csv = (b"sku,name,category,list_price,currency,end_of_sale,end_of_service\n"
           b"A-1,A,video,1,USD,,2024-01-01\nB-2,B,video,1,USD,0999-01-01,\n")

    response = client.post("/api/v1/products/", product, format="json")
    imported = client.post("/api/v1/products/import/",
                           {"file": SimpleUploadedFile("catalogue.csv", csv, "text/csv")}, format="multipart")

    assert response.status_code == 400 and set(response.json()) == {"end_of_service"}
    assert imported.status_code == 400
    assert imported.json()["file"] == [f"Line 3, column end_of_sale: {RANGE_MESSAGE}"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(("on", "status"), [("1999-12-31", 400), ("2000-01-01", 200), ("2099-12-31", 200),
                                            ("2100-01-01", 400), ("9999-12-31", 400)])
def test_the_coverage_question_takes_a_day_inside_the_range_only(api_for, partner_a_engineer, site_a, on, status):
    response = api_for(partner_a_engineer).get("/api/v1/coverage/", {"site_id": site_a.site_id,
                                                                     "category": "video", "on": on})
    assert response.status_code == status, response.content
    if status == 400:
        assert set(response.json()) == {"on"}


def test_the_coverage_page_names_a_day_outside_the_range(client_for, partner_a_engineer, site_a):
    response = client_for(partner_a_engineer).get("/coverage/", {"site_id": site_a.site_id,
                                                                 "category": "video", "on": "9999-01-01"})
    assert response.status_code in (200, 400) and RANGE_MESSAGE in response.content.decode()


@pytest.mark.parametrize("value", [
    datetime.date(1999, 12, 31), datetime.date(2100, 1, 1), datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.UTC),
    datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
])
def test_the_validator_refuses_days_outside_the_range_without_overflowing(value):
    with pytest.raises(ValidationError, match="2000-01-01 to 2099-12-31"):
        validate_portal_date(value)


def test_the_validator_accepts_the_range_ends_and_today():
    for value in (datetime.date(2000, 1, 1), datetime.date(2099, 12, 31), timezone.now() + DAY):
        validate_portal_date(value)
