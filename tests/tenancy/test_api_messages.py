"""Messages people read: a date that is not on the calendar says so, years print with four digits,
and a category takes the article its sound needs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contract, Product
from polyplus.tenancy.dates import RANGE_MESSAGE, missing_day_message
from polyplus.tenancy.wording import indefinite_article
from tests import factories


@pytest.mark.parametrize(("on", "message"), [
    ("2026-02-30", "2026-02-30 does not exist: February 2026 has 28 days."),
    ("2026-02-29", "2026-02-29 does not exist: February 2026 has 28 days."),
    ("2026-04-31", "2026-04-31 does not exist: April 2026 has 30 days."),
    ("2026-13-01", "2026-13-01 does not exist: there is no month 13."),
    ("2026-00-10", "2026-00-10 does not exist: there is no month 00."),
    ("0999-12-31", RANGE_MESSAGE),
    ("0001-02-30", "0001-02-30 does not exist: February 0001 has 28 days."),
])
def test_a_day_not_on_the_calendar_is_named_as_such_not_as_a_wrong_format(api_for, partner_a_engineer, site_a,
                                                                          on, message):
    response = api_for(partner_a_engineer).get("/api/v1/coverage/", {"site_id": site_a.site_id,
                                                                     "category": "video", "on": on})
    assert (response.status_code, response.json()) == (400, {"on": [message]})


def test_a_leap_day_is_a_day(api_for, partner_a_engineer, site_a):
    response = api_for(partner_a_engineer).get("/api/v1/coverage/", {"site_id": site_a.site_id,
                                                                     "category": "video", "on": "2028-02-29"})
    assert response.status_code == 200


def test_text_that_is_no_date_at_all_still_says_the_format(api_for, partner_a_engineer, site_a):
    response = api_for(partner_a_engineer).get("/api/v1/coverage/", {"site_id": site_a.site_id,
                                                                     "category": "video", "on": "yesterday"})
    assert response.status_code == 400 and "format" in response.json()["on"][0]


def test_a_contract_body_names_its_missing_day(api_for, partner_a, partner_a_admin, customer_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    body = {"customer": customer_a.pk, "offering": "poly_plus", "start_date": "2026-04-31",
            "end_date": "2027-04-30", "lines": [{"category": "video", "installed": 1, "growth": 0,
                                                 "annual_unit_price": "1"}]}
    response = api_for(partner_a_admin).post("/api/v1/contracts/", body, format="json")
    assert (response.status_code, response.json()) == (
        400, {"start_date": ["2026-04-31 does not exist: April 2026 has 30 days."]})
    assert not Contract.objects.exists()


def test_the_coverage_page_names_a_missing_day(client_for, partner_a_engineer, site_a):
    response = client_for(partner_a_engineer).get("/coverage/", {"site_id": site_a.site_id, "category": "video",
                                                                 "on": "2026-02-30"})
    assert "2026-02-30 does not exist: February 2026 has 28 days." in response.content.decode()


def test_a_csv_row_names_a_missing_day(api_for, poly_admin):
    content = b"sku,name,category,list_price,end_of_sale\nA-1,Codec,video,1,2025-02-29\n"
    response = api_for(poly_admin).post("/api/v1/products/import/",
                                        {"file": SimpleUploadedFile("catalogue.csv", content, "text/csv")},
                                        format="multipart")
    assert response.json() == {
        "file": ["Line 2, column end_of_sale: 2025-02-29 does not exist: February 2025 has 28 days."]}
    assert not Product.objects.exists()


def test_a_category_of_another_product_takes_the_right_article(api_for, partner_a_engineer, site_a):
    factories.ProductFactory(sku="ITP-1", name="Poly Studio ITP", category="itp")
    factories.ProductFactory(sku="SX-50", name="Poly Studio X50", category="video")
    client = api_for(partner_a_engineer)

    itp = client.get("/api/v1/coverage/", {"site_id": site_a.site_id, "product": "ITP-1", "category": "video"})
    video = client.get("/api/v1/coverage/", {"site_id": site_a.site_id, "product": "SX-50", "category": "voice"})

    assert itp.json()["category"][0].startswith("ITP-1 is an Immersive Telepresence (ITP) product;")
    assert video.json()["category"][0].startswith("SX-50 is a Video product;")


@pytest.mark.parametrize(("phrase", "article"), [
    ("Immersive Telepresence (ITP)", "an"), ("immersive telepresence (itp)", "an"), ("Infrastructure", "an"),
    ("Video", "a"), ("Voice", "a"), ("Headsets and personal devices", "a"), ("Poly Medialign", "a"),
    ("Vertical solution", "a"), ("ITP room", "an"), ("SX-50", "an"), ("CCX 600", "a"), ("USB hub", "a"),
    ("unit", "a"), ("user", "a"), ("European site", "a"), ("hour", "an"), ("office", "an"), ("", "a"),
])
def test_the_article_follows_the_sound(phrase, article):
    assert indefinite_article(phrase) == article


def test_a_well_formed_real_day_has_no_missing_day_message():
    assert missing_day_message("2024-02-29") is None and missing_day_message("tomorrow") is None
