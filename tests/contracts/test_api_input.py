"""Bad input to products/ and contracts/: refused with a clear 400, nothing written, never a 500.

Each case posts one bad body and checks the field the error is keyed by, and that no product,
contract or line was written (or changed). The test client re-raises server errors, so a
500 fails the test loudly.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contract, ContractLine, ContractStatus, Offering, Product
from polyplus.tenancy.models import PolicySetting
from tests import factories

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def snapshot() -> list:
    return [
        list(Product.objects.order_by("pk").values_list("pk", "sku", "name", "list_price", "currency",
                                                         "end_of_sale", "end_of_service")),
        list(Contract.objects.order_by("pk").values_list("pk", "status", "status_reason", "start_date", "end_date")),
        list(ContractLine.objects.order_by("pk").values_list("pk", "category", "installed", "growth", "committed")),
    ]


@pytest.fixture
def certified_a(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    factories.CertificationFactory(partner=partner_a, category="voice")
    return partner_a


def video(**overrides) -> dict:
    return {"category": "video", "installed": 120, "growth": 8, "annual_unit_price": "99.50", **overrides}


def contract_body(customer, /, **overrides) -> dict:
    return {"customer": customer.pk, "offering": "poly_plus_enterprise", "start_date": TODAY.isoformat(),
            "end_date": (TODAY + 364 * DAY).isoformat(), "lines": [video()], **overrides}


@pytest.fixture
def admin_client(api_for, certified_a, partner_a_admin):
    return api_for(partner_a_admin)


def refused(client, path, body, field, contains="", format="json"):
    """POST `body`; it must be a 400 naming `field` (and `contains`), and nothing may change."""
    before = snapshot()
    response = client.post(path, body, format=format) if format else client.generic(
        "POST", path, body, content_type="application/json")
    assert response.status_code == 400, (response.status_code, response.content[:500])
    errors = response.json()
    assert field in errors, errors
    assert contains in str(errors[field]), errors
    assert snapshot() == before
    return errors


# ---- contracts/ -----------------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "field", "contains"), [
    ({"offering": "poly_plus_gold"}, "offering", "is not a valid choice"),
    ({"offering": None}, "offering", "may not be null"),
    ({"end_date": (TODAY - DAY).isoformat()}, "end_date", "on or after its start"),
    ({"start_date": "2026-02-30"}, "start_date", "2026-02-30 does not exist"),
    ({"start_date": "10000-01-01"}, "start_date", "wrong format"),
    ({"csm_hour_blocks": -1}, "csm_hour_blocks", "greater than or equal to 0"),
    ({"csm_hour_blocks": 10**12}, "csm_hour_blocks", "32767"),
    ({"professional_services_discount": "100.01"}, "professional_services_discount", "less than or equal to 100"),
    ({"professional_services_discount": "abc"}, "professional_services_discount", "valid number"),
    ({"currency": "euro"}, "currency", ""),
    ({"currency": "X" * 10_000}, "currency", "no more than 3 characters"),
    ({"customer": "abc"}, "customer", "Incorrect type"),
    ({"customer": 987654}, "customer", "does not exist"),
    ({"lines": []}, "lines", "Pick at least one category"),
    ({"lines": "video"}, "lines", "Expected a list"),
    ({"lines": [1]}, "lines", "Invalid data"),
    ({"lines": [video(), video()]}, "lines", "Each category may appear once"),
    ({"lines": [video(category="tablet")]}, "lines", "not a valid choice"),
    ({"lines": [video(category="itp")]}, "lines", "not a valid choice"),
    ({"lines": [video(installed=-1)]}, "lines", "greater than or equal to 0"),
    ({"lines": [video(growth=-3)]}, "lines", "greater than or equal to 0"),
    ({"lines": [video(installed=10**12)]}, "lines", "less than or equal to 1000000"),
    ({"lines": [video(installed="many")]}, "lines", "valid integer"),
    ({"lines": [video(annual_unit_price="abc")]}, "lines", "valid number"),
    ({"lines": [video(annual_unit_price="-1.00")]}, "lines", "greater than or equal to 0"),
    ({"lines": [video(annual_unit_price="1.001")]}, "lines", "decimal places"),
    ({"lines": [video(annual_unit_price="1e20")]}, "lines", "digits"),
    ({"lines": [video(annual_unit_price="NaN")]}, "lines", "valid number"),
    ({"lines": [video(category="headset")]}, "lines", "no current Poly service certification for: Headsets"),
    ({"lines": [video(installed=99, growth=50)]}, "lines", "at least 100 installed devices"),
])
def test_a_bad_contract_is_refused_and_nothing_is_written(admin_client, customer_a, overrides, field, contains):
    refused(admin_client, "/api/v1/contracts/", contract_body(customer_a, **overrides), field, contains)


def test_enterprise_needs_exactly_the_threshold_in_one_category(admin_client, customer_a):
    refused(admin_client, "/api/v1/contracts/", contract_body(customer_a, lines=[video(installed=99, growth=1)]),
            "lines", "at least 100")
    created = admin_client.post("/api/v1/contracts/", contract_body(customer_a, lines=[video(installed=100, growth=0)]),
                                format="json")
    assert created.status_code == 201, created.json()


def test_the_threshold_follows_the_setting(admin_client, customer_a):
    PolicySetting.objects.create(key="enterprise_min_devices", value="150")
    refused(admin_client, "/api/v1/contracts/", contract_body(customer_a, lines=[video(installed=149)]),
            "lines", "at least 150")


def test_enterprise_options_on_poly_plus_are_refused_by_field(admin_client, customer_a):
    errors = refused(admin_client, "/api/v1/contracts/",
                     contract_body(customer_a, offering="poly_plus", csm_hour_blocks=1,
                                   technical_account_management=True),
                     "csm_hour_blocks", "Poly+ Enterprise only")
    assert "Poly+ Enterprise only" in errors["technical_account_management"][0]


def test_an_overlapping_term_for_the_same_customer_and_category_is_refused(admin_client, customer_a):
    first = admin_client.post("/api/v1/contracts/", contract_body(customer_a), format="json").json()
    later = (TODAY + 364 * DAY).isoformat()
    refused(admin_client, "/api/v1/contracts/",
            contract_body(customer_a, start_date=later, end_date=(TODAY + 400 * DAY).isoformat()),
            "start_date", f"overlaps contract {first['number']} (Video)")
    # The same term for another category, or for another customer, is fine.
    assert admin_client.post("/api/v1/contracts/", contract_body(customer_a, lines=[video(category="voice")]),
                             format="json").status_code == 201
    other = factories.CustomerFactory(partner=customer_a.partner)
    assert admin_client.post("/api/v1/contracts/", contract_body(other), format="json").status_code == 201


@pytest.mark.parametrize("raw", [b"{", b"[]", b'"contract"', b"null", b'{"lines": {"category": "video"}}',
                                 b"\xff\xfe", b'{"customer": 1' + b", " * 100_000 + b"}"])
def test_malformed_json_is_a_400(admin_client, raw):
    before = snapshot()
    response = admin_client.generic("POST", "/api/v1/contracts/", raw, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert snapshot() == before


def test_deeply_nested_json_is_a_400_not_a_crash(admin_client):
    response = admin_client.generic("POST", "/api/v1/contracts/", b"[" * 100_000 + b"]" * 100_000,
                                    content_type="application/json")
    assert response.status_code == 400


@pytest.fixture
def active_contract(certified_a, customer_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


@pytest.mark.parametrize(("action", "body", "field", "contains"), [
    ("cancel/", {}, "reason", "required"),
    ("cancel/", {"reason": "   "}, "reason", "may not be blank"),
    ("cancel/", {"reason": "x" * 301}, "reason", "no more than 300"),
    ("renew/", {"growth": {"video": -1}}, "growth", "greater than or equal to 0"),
    ("renew/", {"growth": {"video": 10**9}}, "growth", "less than or equal to 1000000"),
    ("renew/", {"growth": "lots"}, "growth", "Expected a dictionary"),
    ("renew/", {"growth": {"voice": 3}}, "growth", "does not cover voice"),
    ("add-line/", video(category="voice", installed=-1), "installed", "greater than or equal to 0"),
    ("add-line/", video(), "lines", "already covers this category"),
    ("add-line/", video(category="headset"), "lines", "Headsets"),
    ("add-line/", video(category="itp"), "category", "not a valid choice"),
    ("add-line/", [], "non_field_errors", "Expected a dictionary"),
    ("activate/", None, "status", "cannot become active"),
])
def test_a_bad_action_is_refused_and_nothing_is_written(admin_client, active_contract, action, body, field,
                                                        contains):
    refused(admin_client, f"/api/v1/contracts/{active_contract.pk}/{action}", body, field, contains)


def test_adding_a_line_that_overlaps_another_contract_is_refused(admin_client, active_contract, customer_a):
    voice = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS,
                                      start_date=active_contract.end_date, end_date=active_contract.end_date + 30 * DAY)
    factories.ContractLineFactory(contract=voice, category="voice")
    refused(admin_client, f"/api/v1/contracts/{active_contract.pk}/add-line/", video(category="voice"),
            "start_date", f"overlaps contract {voice.number} (Voice)")


def test_renewing_a_term_that_ends_in_year_9999_is_refused(admin_client, active_contract):
    Contract.objects.filter(pk=active_contract.pk).update(end_date=datetime.date(9999, 12, 31))
    refused(admin_client, f"/api/v1/contracts/{active_contract.pk}/renew/", {}, "end_date",
            "would end after 2099-12-31")


def test_a_contract_renewed_once_is_not_renewed_again(admin_client, active_contract):
    first = admin_client.post(f"/api/v1/contracts/{active_contract.pk}/renew/", {}, format="json")
    assert first.status_code == 201, first.json()
    refused(admin_client, f"/api/v1/contracts/{active_contract.pk}/renew/", {}, "status",
            f"Already renewed as {first.json()['number']}")


def test_cancelled_and_expired_contracts_take_no_action(admin_client, active_contract):
    Contract.objects.filter(pk=active_contract.pk).update(status=ContractStatus.CANCELLED)
    for action, body in (("activate/", None), ("cancel/", {"reason": "again"}), ("renew/", {}),
                         ("add-line/", video(category="voice"))):
        refused(admin_client, f"/api/v1/contracts/{active_contract.pk}/{action}", body, "status")


# ---- products/ ------------------------------------------------------------------------------

PRODUCT = {"sku": "CCX-600", "name": "Poly CCX 600", "category": "voice", "list_price": "499.00", "currency": "USD"}


@pytest.fixture
def poly_client(api_for, poly_admin):
    factories.ProductFactory(sku="SX-50", name="Poly Studio X50", end_of_sale=datetime.date(2030, 1, 1))
    return api_for(poly_admin)


@pytest.mark.parametrize(("overrides", "field", "contains"), [
    ({"list_price": "abc"}, "list_price", "valid number"),
    ({"list_price": "-0.01"}, "list_price", "greater than or equal to 0"),
    ({"list_price": "1.005"}, "list_price", "decimal places"),
    ({"list_price": "1e12"}, "list_price", "digits"),
    ({"list_price": "Infinity"}, "list_price", "valid number"),
    ({"category": "tablet"}, "category", "not a valid choice"),
    ({"name": "N" * 5000}, "name", "no more than 200"),
    ({"name": ""}, "name", "may not be blank"),
    ({"sku": "SX 50!"}, "sku", "capital letters, digits"),
    ({"sku": "S" * 5000}, "sku", "no more than 40"),
    ({"sku": "sx-50"}, "sku", "exists"),  # SKUs are upper-cased first, so this is SX-50 again
    ({"currency": "dollars"}, "currency", ""),
    ({"end_of_sale": "2027-01-01", "end_of_service": "2026-12-31"}, "end_of_service", "before end of sale"),
    ({"end_of_service": "yesterday"}, "end_of_service", "wrong format"),
])
def test_a_bad_product_is_refused_and_nothing_is_written(poly_client, overrides, field, contains):
    refused(poly_client, "/api/v1/products/", {**PRODUCT, **overrides}, field, contains)


def test_a_bad_product_update_changes_nothing(poly_client):
    before = snapshot()
    response = poly_client.patch("/api/v1/products/SX-50/", {"end_of_service": "2029-12-31"}, format="json")
    assert response.status_code == 400
    assert "before end of sale" in response.json()["end_of_service"][0]
    assert poly_client.patch("/api/v1/products/SX-50/", {"list_price": "x"}, format="json").status_code == 400
    assert poly_client.patch("/api/v1/products/NO-SUCH-SKU/", {"name": "x"}, format="json").status_code == 404
    assert snapshot() == before


def upload(content: bytes, name="catalogue.csv") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


HEADER = b"sku,name,category,list_price,currency,end_of_sale,end_of_service\n"


@pytest.mark.parametrize(("content", "contains"), [
    (b"", "Missing columns: category, list_price, name, sku"),
    (b"sku,name,category,list_price\n", "The file has no rows"),
    (b"sku,name,price\nA-1,A,1\n", "Missing columns: category, list_price"),
    (b"sku,name,category,list_price,colour\nA-1,A,video,1,red\n", "Unknown columns: colour"),
    (b"sku,name,category,list_price,sku\nA-1,A,video,1,B-2\n", "Each column may appear once"),
    ("sku,name,category,list_price\nÅ-1,Ä,video,1\n".encode("latin-1"), "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    (b"sku,name,category,list_price\nA-1,A\x00,video,1\n", "Line 2, column name: contains a NUL character"),
    (HEADER + b"A-1,A,video,Infinity,USD,,\n", "Line 2, column list_price"),
    (HEADER + b"A-1,A,video,1,USD,,\nB-2,B,voice,2,USD,,,extra\n", "Line 3, column -: has more cells"),
    (HEADER + b"A-1,A,video,1,usd dollars,,\n", "Line 2, column currency"),
    (HEADER + b"A-1,A,video,1,USD,2025-13-01,\n", "Line 2, column end_of_sale"),
    (HEADER + b"a 1,A,video,1,USD,,\n", "Line 2, column sku"),
    (HEADER + b",,,,,,\n", "Line 2, column sku: is empty"),
    (HEADER + b"A-1,A,video,1,USD,,\nA-1,A again,video,1,USD,,\n", "Line 3, column sku: A-1 is also on line 2"),
    (HEADER + b'A-1,"' + b"x" * 200_000 + b'",video,1,USD,,\n', "not readable as CSV"),
    (HEADER + b"A-1," + b"N" * 300 + b",video,1,USD,,\n", "Line 2, column name"),
])
def test_a_bad_catalogue_csv_is_refused_whole_and_names_where(poly_client, content, contains):
    errors = refused(poly_client, "/api/v1/products/import/", upload(content), "file", contains, format="multipart")
    assert all(isinstance(message, str) for message in errors["file"])


def test_every_bad_row_is_reported_not_just_the_first(poly_client):
    content = HEADER + b"A-1,A,video,1,USD,,\nB-2,B,tablet,x,USD,,\nC-3,C,voice,-5,USD,,\n"
    errors = refused(poly_client, "/api/v1/products/import/", upload(content), "file", format="multipart")["file"]
    assert [e.split(":")[0] for e in errors] == ["Line 3, column category", "Line 3, column list_price",
                                                  "Line 4, column list_price"]


def test_an_import_without_a_file_or_as_json_is_a_400_or_415(poly_client):
    assert poly_client.post("/api/v1/products/import/", {}, format="multipart").status_code == 400
    assert poly_client.post("/api/v1/products/import/", {"file": "x"}, format="json").status_code == 415
    assert Product.objects.count() == 1


def test_headers_are_read_whatever_their_case_and_spaces(poly_client):
    content = b" SKU , Name ,CATEGORY,List_Price\nTC10,Poly TC10,voice,599.00\n"
    response = poly_client.post("/api/v1/products/import/", upload(content), format="multipart")
    assert response.json() == {"created": 1, "updated": 0}
    assert Product.objects.get(sku="TC10").category == "voice"
