"""Text PostgreSQL cannot store (NUL, lone surrogates) is a 400 naming the field, in the API, forms and
CSV uploads alike, and nothing is written. The test client re-raises server errors, so a 500 fails loudly."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contract, Product
from installbase.models import Device
from polyplus.tenancy.text import first_unstorable, unstorable_reason
from tests import factories


@pytest.fixture
def studio():
    return factories.ProductFactory(sku="SX-50", category="video")


def post_json(client, path, raw: str):
    """POST a JSON document as written, so it can hold escapes such as a lone surrogate."""
    return client.generic("POST", path, raw.encode(), content_type="application/json")


@pytest.mark.parametrize("site", ["SE-GOT-001\x00", "\x00"])
def test_a_site_id_with_nul_in_a_device_post_is_a_400_naming_it(api_for, partner_a_engineer, site_a, studio, site):
    response = api_for(partner_a_engineer).post("/api/v1/devices/", {"site": site, "product": "SX-50",
                                                                   "serial": "SN-1"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["site"] and "NUL" in response.json()["site"][0]
    assert not Device.objects.exists()


def test_a_lone_surrogate_in_json_is_a_400_naming_the_field(api_for, partner_a_engineer, site_a, studio):
    raw = json.dumps({"site": site_a.site_id, "product": "SX-50"})[:-1] + ', "serial": "SN-\\ud800"}'
    response = post_json(api_for(partner_a_engineer), "/api/v1/devices/", raw)
    assert response.status_code == 400
    assert list(response.json()) == ["serial"] and "surrogate" in response.json()["serial"][0]
    assert not Device.objects.exists()


def test_a_nul_deep_in_a_body_names_its_field_and_where(api_for, partner_a, partner_a_admin, customer_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    body = {"customer": customer_a.pk, "offering": "poly_plus", "start_date": "2026-01-01",
            "end_date": "2026-12-31", "lines": [{"category": "vid\x00eo", "installed": 1, "growth": 0,
                                                 "annual_unit_price": "1"}]}
    response = api_for(partner_a_admin).post("/api/v1/contracts/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["lines"] and "lines[0].category" in response.json()["lines"][0]
    assert not Contract.objects.exists()


def test_a_field_name_with_nul_is_named_printably(api_for, partner_a_engineer):
    response = api_for(partner_a_engineer).post("/api/v1/devices/", {"se\x00rial": "x"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["se\\x00rial"]


@pytest.mark.parametrize("param", ["search", "site_id", "serial", "ordering", "page"])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(api_for, partner_a_engineer, param):
    response = api_for(partner_a_engineer).get("/api/v1/devices/", {param: "SE\x00"})
    assert response.status_code == 400 and list(response.json()) == [param]


def test_the_coverage_question_names_a_site_id_with_nul(api_for, partner_a_engineer, site_a):
    response = api_for(partner_a_engineer).get("/api/v1/coverage/", {"site_id": "SE-GOT-001\x00",
                                                                     "category": "video"})
    assert response.status_code == 400 and list(response.json()) == ["site_id"]


@pytest.mark.parametrize("field", ["site", "product", "serial"])
def test_the_device_form_names_a_field_with_nul_and_writes_nothing(client_for, partner_a_engineer, site_a,
                                                                  studio, field):
    data = {"site": str(site_a.pk), "product": str(studio.pk), "serial": "SN-1"}
    data[field] += "\x00"
    response = client_for(partner_a_engineer).post("/devices/new/", data)
    assert response.status_code in (200, 400)
    assert list(response.context["form"].errors) == [field]
    assert not Device.objects.exists()


def test_a_csv_row_with_nul_names_its_line_and_column(api_for, poly_admin):
    content = (b"sku,name,category,list_price\nA-1,Codec,video,1\nB-\x002,Phone,voice,2\n"
               b"C-3,Hub\x00,voice,3\n")
    response = api_for(poly_admin).post("/api/v1/products/import/",
                                        {"file": SimpleUploadedFile("catalogue.csv", content, "text/csv")},
                                        format="multipart")
    assert response.status_code == 400
    assert response.json()["file"] == [
        "Line 3, column sku: contains a NUL character (\\x00), which cannot be stored.",
        "Line 4, column name: contains a NUL character (\\x00), which cannot be stored.",
    ]
    assert not Product.objects.exists()


def test_the_check_finds_nul_and_lone_surrogates_in_keys_values_and_nesting():
    assert unstorable_reason("Göteborg ✓ 😀") is None
    assert first_unstorable({"a": "ok", "b": ["x", {"c": "\ud83d"}]}) == (
        "b", "This value contains an unpaired surrogate character, which is not valid Unicode text (at b[1].c).")
    assert first_unstorable({"a\x00": "x"})[0] == "a\\x00"
    assert first_unstorable(["ok", "fine"]) is None
