"""Catalogue, contract and custom-quote pages: personas, isolation, refusals that write nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Contract, ContractLine, ContractStatus, CustomQuote, Offering, Product, QuoteStatus
from polyplus.tenancy.models import PolicySetting
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def certified_a(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    factories.CertificationFactory(partner=partner_a, category="voice")
    return partner_a


@pytest.fixture
def contract_a(customer_a):
    contract = factories.ContractFactory(customer=customer_a, number="NORDIC-2025-0001", offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video", installed=101, growth=6)
    return contract


@pytest.fixture
def contract_b(customer_b):
    contract = factories.ContractFactory(customer=customer_b, number="WISLA-2025-0001")
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


def html_of(response) -> str:
    return response.content.decode()


def field_html(html: str, name: str) -> str:
    """The markup of one form field's block, where its own errors are shown."""
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 1)
    return html[start:end if end != -1 else len(html)]


# ---- catalogue ---------------------------------------------------------------------------------

def test_everyone_signed_in_reads_the_catalogue_with_prices_and_badges(client_for, partner_a_engineer,
                                                                      customer_viewer):
    factories.ProductFactory(sku="P-STUDIO", name="Poly Studio X50", list_price=Decimal("2999.00"), currency="EUR")
    factories.ProductFactory(sku="P-ITP", name="Poly RealConnect ITP", category="itp")
    factories.ProductFactory(sku="P-OLD", name="Poly Trio 8800", category="voice",
                             end_of_sale=TODAY() - 400 * DAY, end_of_service=TODAY())
    for user in (partner_a_engineer, customer_viewer):
        response = client_for(user).get("/products/")
        html = html_of(response)
        assert response.status_code == 200
        assert "2999.00" in html and "EUR" in html
        assert "Quote only" in html
        assert "End of service" in html  # the end-of-service day itself counts
        assert "/products/new/" not in html


def test_the_catalogue_filters_by_category_and_search(client_for, partner_a_engineer):
    factories.ProductFactory(sku="P-STUDIO", name="Poly Studio X50")
    factories.ProductFactory(sku="P-VOYAGER", name="Poly Voyager Focus 2", category="headset")
    client = client_for(partner_a_engineer)
    html = html_of(client.get("/products/", {"category": "headset"}))
    assert "P-VOYAGER" in html and "P-STUDIO" not in html
    html = html_of(client.get("/products/", {"q": "studio"}, HTTP_HX_REQUEST="true"))
    assert "P-STUDIO" in html and "P-VOYAGER" not in html and "<html" not in html


def test_the_catalogue_costs_the_same_queries_for_3_or_30_products(client_for, partner_a_engineer,
                                                                  django_assert_max_num_queries):
    factories.ProductFactory.create_batch(3)
    client = client_for(partner_a_engineer)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/products/").status_code == 200
    factories.ProductFactory.create_batch(27)
    with django_assert_max_num_queries(20) as many:
        assert client.get("/products/").status_code == 200
    assert len(many) == len(few)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for path in ("/products/", "/contracts/", "/quotes/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_poly_admin_adds_a_product(client_for, poly_admin):
    response = client_for(poly_admin).post("/products/new/", {
        "sku": "p-studio-x70", "name": "Poly Studio X70", "category": "video", "list_price": "4999.00",
        "currency": "usd", "end_of_sale": "", "end_of_service": "",
    })
    assert response.status_code == 302
    product = Product.objects.get(sku="P-STUDIO-X70")
    assert product.currency == "USD" and product.list_price == Decimal("4999.00")


def test_a_product_whose_service_ends_before_its_sale_is_refused_next_to_the_field(client_for, poly_admin):
    response = client_for(poly_admin).post("/products/new/", {
        "sku": "P-X", "name": "X", "category": "video", "list_price": "1", "currency": "USD",
        "end_of_sale": "2030-01-01", "end_of_service": "2029-01-01",
    })
    assert response.status_code == 200
    assert "End of service cannot be before end of sale." in field_html(html_of(response), "end_of_service")
    assert not Product.objects.filter(sku="P-X").exists()


def test_a_negative_price_or_a_taken_sku_is_refused(client_for, poly_admin):
    factories.ProductFactory(sku="P-TAKEN")
    client = client_for(poly_admin)
    values = {"sku": "P-NEW", "name": "New", "category": "video", "list_price": "-1", "currency": "USD"}
    assert "greater than or equal to 0" in field_html(html_of(client.post("/products/new/", values)), "list_price")
    values.update(sku="P-TAKEN", list_price="10")
    assert "A product with this SKU exists." in field_html(html_of(client.post("/products/new/", values)), "sku")
    assert Product.objects.count() == 1


def test_poly_admin_edits_a_product_but_never_its_sku(client_for, poly_admin):
    factories.ProductFactory(sku="P-EDIT", name="Old name")
    response = client_for(poly_admin).post("/products/P-EDIT/edit/", {
        "sku": "P-HIJACK", "name": "New name", "category": "video", "list_price": "10.00", "currency": "SEK",
        "end_of_sale": "", "end_of_service": str(TODAY()),
    })
    assert response.status_code == 302
    product = Product.objects.get(sku="P-EDIT")
    assert product.name == "New name" and product.currency == "SEK" and product.end_of_service == TODAY()
    assert not Product.objects.filter(sku="P-HIJACK").exists()


def test_only_a_poly_admin_may_add_edit_or_import_products(client_for, partner_a_admin, poly_support):
    factories.ProductFactory(sku="P-KEEP", name="Keep")
    for user in (partner_a_admin, poly_support):
        client = client_for(user)
        assert client.get("/products/new/").status_code == 403
        assert client.post("/products/new/", {"sku": "P-NO", "name": "No", "category": "video",
                                               "list_price": "1", "currency": "USD"}).status_code == 403
        assert client.post("/products/P-KEEP/edit/", {"name": "Changed"}).status_code == 403
        assert client.get("/products/import/").status_code == 403
    assert list(Product.objects.values_list("sku", "name")) == [("P-KEEP", "Keep")]


def test_an_unknown_product_is_not_found(client_for, poly_admin):
    assert client_for(poly_admin).get("/products/NOPE/edit/").status_code == 404


def csv_upload(text: str, name: str = "catalogue.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_csv_import_creates_and_updates_and_says_how_many(client_for, poly_admin):
    factories.ProductFactory(sku="P-OLD", name="Old name", list_price=Decimal("1.00"))
    text = ("sku,name,category,list_price,currency,end_of_sale,end_of_service\n"
            "P-OLD,Renamed,video,2.00,USD,,\n"
            "P-NEW,Poly Sync 20,headset,149.00,EUR,2026-01-01,2028-01-01\n")
    response = client_for(poly_admin).post("/products/import/", {"file": csv_upload(text)}, follow=True)
    assert "Catalogue imported: 1 created, 1 updated." in html_of(response)
    assert Product.objects.get(sku="P-OLD").name == "Renamed"
    assert Product.objects.get(sku="P-NEW").currency == "EUR"


def test_a_csv_with_bad_rows_lists_each_by_line_and_column_and_writes_nothing(client_for, poly_admin):
    text = ("sku,name,category,list_price,currency,end_of_sale,end_of_service\n"
            "P-GOOD,Fine,video,10.00,USD,,\n"
            "P-BAD,Bad,toaster,ten,USD,,\n"
            "P-DATE,Bad date,voice,5.00,USD,31/12/2026,\n")
    response = client_for(poly_admin).post("/products/import/", {"file": csv_upload(text)})
    html = html_of(response)
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "Line 3, column category:" in html
    assert "Line 3, column list_price:" in html
    assert "Line 4, column end_of_sale:" in html
    assert not Product.objects.exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe\x00bad", "The file is not UTF-8 text."),
    (b"sku,name\nP-1,One\n", "Missing columns: category, list_price."),
    (b"sku,name,category,list_price\n", "The file has no rows."),
])
def test_an_unreadable_csv_is_refused_with_the_reason(client_for, poly_admin, content, message):
    upload = SimpleUploadedFile("c.csv", content, content_type="text/csv")
    html = html_of(client_for(poly_admin).post("/products/import/", {"file": upload}))
    assert message in html
    assert not Product.objects.exists()


def test_an_import_without_a_file_asks_for_one(client_for, poly_admin):
    response = client_for(poly_admin).post("/products/import/", {})
    assert response.status_code == 200
    assert "This field is required." in field_html(html_of(response), "file")


# ---- contract list ----------------------------------------------------------------------------

def test_a_partner_lists_its_own_contracts_only(client_for, partner_a_admin, partner_a_engineer, contract_a,
                                                contract_b):
    for user in (partner_a_admin, partner_a_engineer):
        html = html_of(client_for(user).get("/contracts/"))
        assert contract_a.number in html
        assert contract_b.number not in html
        assert contract_b.customer.name not in html


def test_poly_support_lists_every_partners_contracts_with_the_partner(client_for, poly_support, contract_a,
                                                                      contract_b):
    html = html_of(client_for(poly_support).get("/contracts/"))
    assert contract_a.number in html and contract_b.number in html
    assert contract_b.partner.name in html


def test_a_csm_lists_the_contracts_of_assigned_customers_only(client_for, csm, contract_a, contract_b):
    factories.CsmAssignmentFactory(customer=contract_a.customer, csm=csm)
    html = html_of(client_for(csm).get("/contracts/"))
    assert contract_a.number in html and contract_b.number not in html


def test_a_customer_viewer_lists_only_its_own_customers_contracts_read_only(client_for, customer_viewer,
                                                                            contract_a, partner_a):
    other = factories.ContractFactory(customer=factories.CustomerFactory(partner=partner_a), number="OTHER-1")
    html = html_of(client_for(customer_viewer).get("/contracts/"))
    assert contract_a.number in html and other.number not in html
    assert "/contracts/new/" not in html


def test_the_contract_list_filters_by_status_offering_customer_and_search(client_for, partner_a_admin, contract_a,
                                                                          partner_a):
    other_customer = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
    draft = factories.ContractFactory(customer=other_customer, number="NORDIC-2025-0002",
                                      status=ContractStatus.DRAFT)
    client = client_for(partner_a_admin)

    def numbers(**params):
        html = html_of(client.get("/contracts/", params))
        return {number for number in (contract_a.number, draft.number) if number in html}

    assert numbers(status="draft") == {draft.number}
    assert numbers(offering="poly_plus") == {contract_a.number}
    assert numbers(customer=other_customer.pk) == {draft.number}
    assert numbers(q="ericsson") == {draft.number}
    assert numbers(q="0001") == {contract_a.number}
    assert numbers(status="nonsense", customer="99999999999999999999999") == {contract_a.number, draft.number}


def test_the_contract_list_costs_the_same_queries_for_3_or_30_contracts(client_for, partner_a_admin, partner_a,
                                                                       django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            contract = factories.ContractFactory(customer=factories.CustomerFactory(partner=partner_a))
            factories.ContractLineFactory(contract=contract, category="video")
            factories.ContractLineFactory(contract=contract, category="voice", installed=5)

    add(3)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/contracts/").status_code == 200
    add(27)
    with django_assert_max_num_queries(20) as many:
        assert client.get("/contracts/").status_code == 200
    assert len(many) == len(few)


# ---- contract detail --------------------------------------------------------------------------

def test_the_contract_page_shows_term_options_and_lines_with_the_exact_baseline(client_for, partner_a_engineer,
                                                                                customer_a):
    contract = factories.ContractFactory(customer=customer_a, number="NORDIC-2025-0009", csm_hour_blocks=2,
                                         technical_account_management=True, onsite_extension=True,
                                         professional_services_discount=Decimal("12.50"))
    factories.ContractLineFactory(contract=contract, category="video", installed=101, growth=6,
                                  annual_unit_price=Decimal("95.00"))
    response = client_for(partner_a_engineer).get(f"/contracts/{contract.pk}/")
    html = html_of(response)
    assert response.status_code == 200
    assert "2 blocks × 8 h = 16 h/month" in html
    assert "112.35" in html  # B = 107 × 1.05, never rounded
    assert "95.00" in html and "12.50 %" in html
    assert f"{contract.start_date:%-d %b %Y}" in html
    assert "Activate" not in html and "/cancel/" not in html  # an engineer may not change contracts


def test_another_partners_contract_is_not_found(client_for, partner_b_admin, partner_b_engineer, contract_a):
    for user in (partner_b_admin, partner_b_engineer):
        assert client_for(user).get(f"/contracts/{contract_a.pk}/").status_code == 404


def test_a_customer_viewer_sees_its_contract_without_prices_quotes_or_actions(client_for, customer_viewer,
                                                                             contract_a, partner_a):
    html = html_of(client_for(customer_viewer).get(f"/contracts/{contract_a.pk}/"))
    assert contract_a.number in html
    assert "Annual unit price" not in html and "Custom quotes" not in html
    assert "/cancel/" not in html and "/renew/" not in html
    other = factories.ContractFactory(customer=factories.CustomerFactory(partner=partner_a))
    assert client_for(customer_viewer).get(f"/contracts/{other.pk}/").status_code == 404


@pytest.mark.parametrize("path", [
    "/contracts/99999999999999999999999/", "/contracts/?page=zz&customer=abc", "/contracts/?customer=%C2%B2",
    "/contracts/?q=%00&status=%00&offering=%00", "/contracts/new/?customer=%C2%B2", "/quotes/?status=zz&page=-1",
    "/products/?category=zz&page=99", "/products/?q=a%00b", "/products/NO%00PE/edit/",
])
def test_absurd_addresses_are_answered_without_an_error(client_for, poly_admin, path):
    assert client_for(poly_admin).get(path).status_code in {200, 404}


# ---- create -----------------------------------------------------------------------------------

def contract_post(customer, **overrides) -> dict:
    data = {
        "customer": customer.pk, "offering": "poly_plus_enterprise", "start_date": str(TODAY()),
        "end_date": str(TODAY() + 364 * DAY), "currency": "USD", "csm_hour_blocks": "1",
        "professional_services_discount": "5", "technical_account_management": "on",
        "include_video": "on", "installed_video": "101", "growth_video": "6", "price_video": "120.00",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_partner_admin_drafts_a_contract_with_its_lines(client_for, partner_a_admin, certified_a, customer_a):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(
        customer_a, include_voice="on", installed_voice="3", growth_voice="", price_voice="30"))
    contract = Contract.objects.get(customer=customer_a)
    assert response.status_code == 302 and response["Location"] == f"/contracts/{contract.pk}/"
    assert contract.status == ContractStatus.DRAFT and contract.csm_hours_per_month == 8
    lines = {line.category: line for line in contract.lines.all()}
    assert set(lines) == {"video", "voice"}
    assert lines["video"].committed == 107 and lines["video"].baseline == Decimal("112.35")
    assert lines["voice"].growth == 0


def test_poly_admin_drafts_a_contract_for_any_partners_customer(client_for, poly_admin, customer_b, partner_b):
    factories.CertificationFactory(partner=partner_b, category="video")
    response = client_for(poly_admin).post("/contracts/new/", contract_post(customer_b))
    assert response.status_code == 302
    assert Contract.objects.get(customer=customer_b).partner == partner_b


def test_an_uncertified_category_is_refused_at_the_top_and_nothing_is_written(client_for, partner_a_admin,
                                                                              certified_a, customer_a):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(
        customer_a, include_headset="on", installed_headset="150", price_headset="20"))
    html = html_of(response)
    assert response.status_code == 200
    assert "holds no current Poly service certification for: Headsets and personal devices." in html
    assert html.index("holds no current") < html.index('id="field-customer"')
    assert not Contract.objects.exists() and not ContractLine.objects.exists()


def test_a_negative_count_is_refused_next_to_its_field(client_for, partner_a_admin, certified_a, customer_a):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(customer_a, installed_video="-5"))
    assert "greater than or equal to 0" in field_html(html_of(response), "installed_video")
    assert not Contract.objects.exists()


def test_a_picked_category_needs_its_install_base_and_price(client_for, partner_a_admin, certified_a, customer_a):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(
        customer_a, installed_video="", price_video=""))
    html = html_of(response)
    assert "Enter the install base N." in field_html(html, "installed_video")
    assert "Enter the annual unit price." in field_html(html, "price_video")
    assert not Contract.objects.exists()


def test_no_category_picked_is_refused(client_for, partner_a_admin, certified_a, customer_a):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(customer_a, include_video=None))
    assert "Pick at least one category." in html_of(response)
    assert not Contract.objects.exists()


def test_an_overlapping_term_is_refused_next_to_the_start_date(client_for, partner_a_admin, certified_a,
                                                               contract_a, customer_a):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(customer_a))
    assert f"The term overlaps contract {contract_a.number} (Video)" in field_html(html_of(response), "start_date")
    assert Contract.objects.count() == 1


def test_enterprise_below_the_eligibility_threshold_is_refused(client_for, partner_a_admin, certified_a,
                                                               customer_a):
    PolicySetting.objects.create(key="enterprise_min_devices", value="150")
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(customer_a, installed_video="149"))
    assert "Poly+ Enterprise needs at least 150 installed devices in at least one picked category." in \
        html_of(response)
    assert not Contract.objects.exists()


def test_enterprise_options_on_poly_plus_are_refused_next_to_them(client_for, partner_a_admin, certified_a,
                                                                  customer_a):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(customer_a, offering="poly_plus"))
    html = html_of(response)
    assert "CSM hours are an option of Poly+ Enterprise only." in field_html(html, "csm_hour_blocks")
    assert not Contract.objects.exists()


def test_a_partner_admin_cannot_draft_for_another_partners_customer(client_for, partner_a_admin, certified_a,
                                                                    customer_b):
    response = client_for(partner_a_admin).post("/contracts/new/", contract_post(customer_b))
    assert "Select a valid choice" in field_html(html_of(response), "customer")
    assert customer_b.name not in html_of(client_for(partner_a_admin).get("/contracts/new/"))
    assert not Contract.objects.exists()


@pytest.mark.parametrize("persona", ["partner_a_engineer", "poly_support", "csm", "customer_viewer"])
def test_only_admins_may_draft_contracts(request, client_for, persona, certified_a, customer_a):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/contracts/new/").status_code == 403
    assert client.post("/contracts/new/", contract_post(customer_a)).status_code == 403
    assert not Contract.objects.exists()


# ---- actions ----------------------------------------------------------------------------------

def test_partner_admin_activates_a_draft(client_for, partner_a_admin, customer_a):
    draft = factories.ContractFactory(customer=customer_a, status=ContractStatus.DRAFT)
    response = client_for(partner_a_admin).post(f"/contracts/{draft.pk}/activate/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ContractStatus.ACTIVE


def test_a_draft_whose_term_has_ended_cannot_be_activated(client_for, partner_a_admin, customer_a):
    draft = factories.ContractFactory(customer=customer_a, status=ContractStatus.DRAFT,
                                      start_date=TODAY() - 400 * DAY, end_date=TODAY() - DAY)
    response = client_for(partner_a_admin).post(f"/contracts/{draft.pk}/activate/")
    assert response.status_code == 200
    assert "The term has already ended; renew or draft a new contract." in html_of(response)
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


def test_activating_an_active_contract_is_refused_with_the_state(client_for, partner_a_admin, contract_a):
    html = html_of(client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/activate/"))
    assert "The contract is active; it cannot become active." in html


def test_cancelling_needs_a_reason_and_writes_nothing_without_one(client_for, partner_a_admin, contract_a):
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/cancel/", {"reason": "  "})
    assert response.status_code == 200
    assert "Say why the contract is cancelled." in field_html(html_of(response), "reason")
    contract_a.refresh_from_db()
    assert contract_a.status == ContractStatus.ACTIVE


def test_partner_admin_cancels_with_a_reason(client_for, partner_a_admin, contract_a):
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/cancel/",
                                                {"reason": "Customer moved to another provider"}, follow=True)
    contract_a.refresh_from_db()
    assert contract_a.status == ContractStatus.CANCELLED
    assert contract_a.status_reason == "Customer moved to another provider"
    assert "Customer moved to another provider" in html_of(response)


def test_renewing_drafts_the_next_term_with_new_growth(client_for, partner_a_admin, certified_a, contract_a):
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/renew/", {"growth_video": "12"})
    renewal = Contract.objects.get(renewal_of=contract_a)
    assert response.status_code == 302 and response["Location"] == f"/contracts/{renewal.pk}/"
    line = renewal.lines.get()
    assert (line.installed, line.growth, line.committed) == (107, 12, 119)
    assert renewal.start_date == contract_a.end_date + DAY
    html = html_of(client_for(partner_a_admin).get(f"/contracts/{contract_a.pk}/"))
    assert f'href="/contracts/{renewal.pk}/"' in html
    assert f"/contracts/{contract_a.pk}/renew/" not in html


def test_a_renewal_refused_by_a_lapsed_certification_writes_nothing(client_for, partner_a_admin, contract_a):
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/renew/", {"growth_video": "1"})
    assert "holds no current Poly service certification for: Video" in html_of(response)
    assert Contract.objects.count() == 1


def test_a_negative_renewal_growth_is_refused(client_for, partner_a_admin, certified_a, contract_a):
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/renew/", {"growth_video": "-1"})
    assert "greater than or equal to 0" in field_html(html_of(response), "growth_video")
    assert Contract.objects.count() == 1


def test_adding_a_category_checks_certification(client_for, partner_a_admin, certified_a, contract_a):
    client = client_for(partner_a_admin)
    refused = client.post(f"/contracts/{contract_a.pk}/lines/", {
        "category": "headset", "installed": "40", "growth": "0", "annual_unit_price": "15"})
    assert "holds no current Poly service certification for: Headsets" in html_of(refused)
    assert contract_a.lines.count() == 1
    added = client.post(f"/contracts/{contract_a.pk}/lines/", {
        "category": "voice", "installed": "40", "growth": "2", "annual_unit_price": "15"})
    assert added.status_code == 302
    assert contract_a.lines.get(category="voice").committed == 42


def test_a_category_the_contract_has_is_not_offered_again(client_for, partner_a_admin, certified_a, contract_a):
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/lines/", {
        "category": "video", "installed": "1", "growth": "0", "annual_unit_price": "1"})
    assert "Select a valid choice" in field_html(html_of(response), "category")
    assert contract_a.lines.count() == 1


ACTIONS = [
    ("activate/", {}), ("cancel/", {"reason": "no"}), ("renew/", {"growth_video": "1"}),
    ("lines/", {"category": "voice", "installed": "1", "growth": "0", "annual_unit_price": "1"}),
    ("quotes/", {"reference": "Q-1"}),
]


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_every_action_on_another_partners_contract_is_not_found(client_for, partner_b_admin, contract_a,
                                                                action, data):
    response = client_for(partner_b_admin).post(f"/contracts/{contract_a.pk}/{action}", data)
    assert response.status_code == 404
    contract_a.refresh_from_db()
    assert contract_a.status == ContractStatus.ACTIVE and contract_a.lines.count() == 1
    assert Contract.objects.count() == 1 and not CustomQuote.objects.exists()


@pytest.mark.parametrize(("action", "data"), ACTIONS)
@pytest.mark.parametrize("persona", ["partner_a_engineer", "poly_support", "customer_viewer"])
def test_roles_that_may_not_change_contracts_are_refused(request, client_for, contract_a, persona, action, data):
    response = client_for(request.getfixturevalue(persona)).post(f"/contracts/{contract_a.pk}/{action}", data)
    assert response.status_code == 403
    contract_a.refresh_from_db()
    assert contract_a.status == ContractStatus.ACTIVE and Contract.objects.count() == 1


def test_actions_answer_only_post(client_for, partner_a_admin, contract_a):
    assert client_for(partner_a_admin).get(f"/contracts/{contract_a.pk}/activate/").status_code == 405


# ---- custom quotes ----------------------------------------------------------------------------

@pytest.fixture
def itp(db):
    return factories.ProductFactory(sku="P-ITP", name="Poly RealConnect ITP", category="itp")


def test_partner_admin_requests_a_custom_quote_and_poly_admin_approves_it(client_for, partner_a_admin, poly_admin,
                                                                         contract_a, itp):
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/quotes/",
                                                {"reference": "NORDIC-Q-1", "products": [itp.pk]})
    assert response.status_code == 302
    quote = CustomQuote.objects.get(reference="NORDIC-Q-1")
    assert quote.status == QuoteStatus.REQUESTED

    admin = client_for(poly_admin)
    html = html_of(admin.get("/quotes/", {"status": "requested"}))
    assert "NORDIC-Q-1" in html and contract_a.partner.name in html and "Approve" in html
    assert admin.post(f"/quotes/{quote.pk}/decide/", {"decision": "approve"}).status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED and quote.decided_by == poly_admin
    html = html_of(client_for(partner_a_admin).get(f"/contracts/{contract_a.pk}/"))
    assert "NORDIC-Q-1" in html and "Approved" in html


def test_a_quote_for_a_standard_product_is_refused(client_for, partner_a_admin, contract_a):
    studio = factories.ProductFactory(sku="P-STUDIO")
    response = client_for(partner_a_admin).post(f"/contracts/{contract_a.pk}/quotes/",
                                                {"reference": "Q-1", "products": [studio.pk]})
    assert "Select a valid choice" in field_html(html_of(response), "products")
    assert not CustomQuote.objects.exists()


def test_a_taken_quote_reference_is_refused_next_to_it(client_for, partner_a_admin, contract_a, itp):
    client = client_for(partner_a_admin)
    client.post(f"/contracts/{contract_a.pk}/quotes/", {"reference": "Q-1", "products": [itp.pk]})
    response = client.post(f"/contracts/{contract_a.pk}/quotes/", {"reference": "Q-1", "products": [itp.pk]})
    assert "This reference is already used." in field_html(html_of(response), "reference")
    assert CustomQuote.objects.count() == 1


def test_only_a_poly_admin_decides_quotes(client_for, partner_a_admin, poly_support, contract_a, itp):
    quote = CustomQuote.objects.create(partner=contract_a.partner, contract=contract_a, reference="Q-1")
    for user in (partner_a_admin, poly_support):
        assert client_for(user).post(f"/quotes/{quote.pk}/decide/", {"decision": "approve"}).status_code == 403
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REQUESTED


def test_a_decided_quote_cannot_be_decided_again(client_for, poly_admin, contract_a):
    quote = CustomQuote.objects.create(partner=contract_a.partner, contract=contract_a, reference="Q-1",
                                       status=QuoteStatus.REJECTED)
    response = client_for(poly_admin).post(f"/quotes/{quote.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "The quote is already rejected." in html_of(response)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REJECTED


def test_another_partners_quotes_are_neither_listed_nor_found(client_for, partner_b_admin, poly_admin, contract_a):
    quote = CustomQuote.objects.create(partner=contract_a.partner, contract=contract_a, reference="NORDIC-Q-9")
    assert "NORDIC-Q-9" not in html_of(client_for(partner_b_admin).get("/quotes/"))
    assert client_for(poly_admin).post("/quotes/99999999/decide/", {"decision": "approve"}).status_code == 404
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REQUESTED


def test_the_quote_list_costs_the_same_queries_for_3_or_30_quotes(client_for, poly_admin, contract_a, itp,
                                                                 django_assert_max_num_queries):
    def add(count, start):
        for n in range(start, start + count):
            quote = CustomQuote.objects.create(partner=contract_a.partner, contract=contract_a, reference=f"Q-{n}")
            quote.products.through.objects.create(partner=contract_a.partner, quote=quote, product=itp)

    add(3, 0)
    client = client_for(poly_admin)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/quotes/").status_code == 200
    add(27, 3)
    with django_assert_max_num_queries(20) as many:
        assert client.get("/quotes/").status_code == 200
    assert len(many) == len(few)


def test_the_poly_admin_dashboard_counts_quotes_awaiting_a_decision(client_for, poly_admin, contract_a):
    CustomQuote.objects.create(partner=contract_a.partner, contract=contract_a, reference="Q-1")
    html = html_of(client_for(poly_admin).get("/dashboard/"))
    assert 'id="contracts-summary"' in html
    assert "Custom quotes awaiting a decision" in html


def test_the_partner_dashboard_counts_its_contracts_and_names_those_ending_soon(client_for, partner_a_admin,
                                                                               customer_a, contract_b):
    ending = factories.ContractFactory(customer=customer_a, number="NORDIC-END", start_date=TODAY() - 300 * DAY,
                                       end_date=TODAY() + 10 * DAY)
    factories.ContractFactory(customer=customer_a, status=ContractStatus.DRAFT)
    html = html_of(client_for(partner_a_admin).get("/dashboard/"))
    summary = html[html.index('id="contracts-summary"'):]
    assert ending.number in summary and contract_b.number not in html
    assert "Drafts to activate" in summary



def test_a_swedish_partners_new_contract_form_proposes_sek(client_for, partner_a_admin, certified_a, customer_a):
    certified_a.country = "SE"
    certified_a.save()
    html = client_for(partner_a_admin).get("/contracts/new/").content.decode()
    assert re.search(r'<input type="text" name="currency" value="SEK"', html)


def test_a_contract_posted_without_a_currency_takes_the_partners(client_for, poly_admin, certified_a, customer_a):
    certified_a.country = "PL"
    certified_a.save()
    response = client_for(poly_admin).post("/contracts/new/", contract_post(customer_a, currency=""))
    assert response.status_code == 302
    assert Contract.objects.get(customer=customer_a).currency == "PLN"
