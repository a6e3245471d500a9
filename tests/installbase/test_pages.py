"""Coverage lookup, devices, Poly+ compliance and the serial list of a Poly+ contract, as pages."""

import datetime
import re

import pytest
from django.utils import timezone

from contracts.models import ContractStatus, Offering
from installbase.models import ContractDevice, Device
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def html_of(response) -> str:
    return response.content.decode()


def without_csrf(html: str) -> str:
    """The page without what differs on every load: the CSRF token and the style nonce."""
    return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"', "", html)


def field_html(html: str, name: str) -> str:
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 1)
    return html[start:end if end != -1 else len(html)]


@pytest.fixture
def studio(db):
    return factories.ProductFactory(sku="P-STUDIO", name="Poly Studio X50", category="video")


@pytest.fixture
def certified_a(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    return partner_a


@pytest.fixture
def enterprise_a(customer_a):
    contract = factories.ContractFactory(customer=customer_a, number="NORDIC-E-1",
                                         offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


@pytest.fixture
def poly_plus_a(customer_a):
    contract = factories.ContractFactory(customer=customer_a, number="NORDIC-P-1", offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video", installed=3, growth=0)
    return contract


def ask(client, **params):
    return client.get("/coverage/", params)


def reason_of(response) -> str:
    html = html_of(response)
    marker = 'data-reason="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


# ---- the coverage lookup --------------------------------------------------------------------

def test_the_coverage_page_offers_the_lookup(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/coverage/")
    assert response.status_code == 200
    assert 'name="site_id"' in html_of(response) and 'name="serial"' in html_of(response)


def test_a_site_in_a_covered_category_is_covered_with_its_contract(client_for, partner_a_engineer, certified_a,
                                                                   site_a, enterprise_a):
    response = ask(client_for(partner_a_engineer), site_id=site_a.site_id.lower(), category="video")
    html = html_of(response)
    assert reason_of(response) == "covered"
    assert 'data-covered="yes"' in html
    assert f"Covered by Poly+ Enterprise contract {enterprise_a.number} until {enterprise_a.end_date:%Y-%m-%d}." in html
    assert f'href="/contracts/{enterprise_a.pk}/"' in html
    assert "data-flag=" not in html


def test_a_customer_without_a_contract_is_not_covered(client_for, partner_a_engineer, site_a):
    response = ask(client_for(partner_a_engineer), site_id=site_a.site_id, category="video")
    assert reason_of(response) == "no_contract"
    assert f"{site_a.customer.name} has no Poly+ contract." in html_of(response)
    assert 'data-covered="no"' in html_of(response)


def test_a_contract_that_is_not_in_force_does_not_cover(client_for, partner_a_engineer, site_a, customer_a):
    factories.ContractFactory(customer=customer_a, status=ContractStatus.EXPIRED,
                              start_date=TODAY() - 400 * DAY, end_date=TODAY() - DAY)
    response = ask(client_for(partner_a_engineer), site_id=site_a.site_id, category="video")
    assert reason_of(response) == "contract_not_active"
    assert "is expired and covers" in html_of(response)


def test_a_category_the_contract_lacks_is_not_covered(client_for, partner_a_engineer, site_a, enterprise_a):
    response = ask(client_for(partner_a_engineer), site_id=site_a.site_id, category="voice")
    assert reason_of(response) == "category_not_covered"
    assert f"Contract {enterprise_a.number} does not cover voice." in html_of(response)


def test_an_end_of_service_product_is_never_covered(client_for, partner_a_engineer, site_a, enterprise_a):
    factories.ProductFactory(sku="P-OLD", name="Poly Group 500", category="video", end_of_service=TODAY())
    response = ask(client_for(partner_a_engineer), site_id=site_a.site_id, sku="p-old")
    assert reason_of(response) == "end_of_service"
    assert "reached end of service" in html_of(response)


def test_a_quote_only_product_needs_an_approved_quote(client_for, partner_a_engineer, site_a, enterprise_a):
    factories.ProductFactory(sku="P-ITP", name="Poly RealConnect ITP", category="itp")
    response = ask(client_for(partner_a_engineer), site_id=site_a.site_id, sku="P-ITP")
    assert reason_of(response) == "quote_required"
    assert "covered only under an approved custom quote" in html_of(response)


def test_a_serial_missing_from_the_poly_plus_contract_is_not_covered_and_flags_the_customer(
        client_for, partner_a_engineer, poly_support, certified_a, site_a, poly_plus_a, studio):
    device = factories.DeviceFactory(site=site_a, product=studio, serial="SN-UNLISTED")
    for user in (partner_a_engineer, poly_support):
        response = ask(client_for(user), serial="sn-unlisted")
        html = html_of(response)
        assert reason_of(response) == "not_on_contract"
        assert f"Serial {device.serial} is not listed on Poly+ contract {poly_plus_a.number}" in html
        assert 'data-flag="customer_non_compliant"' in html


def test_a_serial_on_the_poly_plus_contract_is_covered(client_for, partner_a_engineer, certified_a, site_a,
                                                       poly_plus_a, studio):
    device = factories.DeviceFactory(site=site_a, product=studio, serial="SN-LISTED")
    factories.ContractDeviceFactory(contract=poly_plus_a, device=device)
    response = ask(client_for(partner_a_engineer), serial="SN-LISTED")
    assert reason_of(response) == "covered"
    assert "SN-LISTED" in html_of(response)


def test_a_lapsed_certification_is_flagged_but_coverage_stands(client_for, poly_support, partner_a, site_a,
                                                               enterprise_a):
    factories.CertificationFactory(partner=partner_a, category="video", expires_on=TODAY() - DAY)
    response = ask(client_for(poly_support), site_id=site_a.site_id, category="video")
    assert reason_of(response) == "covered"
    assert 'data-flag="partner_certification_lapsed"' in html_of(response)


def test_the_day_to_check_can_be_chosen(client_for, partner_a_engineer, site_a, enterprise_a):
    response = ask(client_for(partner_a_engineer), site_id=site_a.site_id, category="video",
                   on=str(enterprise_a.end_date + DAY))
    assert reason_of(response) == "contract_not_active"


def test_a_foreign_site_id_answers_exactly_like_an_unknown_one(client_for, partner_a_engineer, site_b, customer_b):
    client = client_for(partner_a_engineer)
    foreign = html_of(ask(client, site_id=site_b.site_id, category="video"))
    unknown = html_of(ask(client, site_id="XX-NOPE-001", category="video"))
    assert "No site with this Site ID." in field_html(foreign, "site_id")
    assert without_csrf(foreign).replace(site_b.site_id, "X") == without_csrf(unknown).replace("XX-NOPE-001", "X")
    assert customer_b.name not in foreign and "data-reason" not in foreign


def test_a_foreign_serial_answers_exactly_like_an_unknown_one(client_for, partner_a_engineer, site_b, studio):
    factories.DeviceFactory(site=site_b, product=studio, serial="SN-WISLA")
    client = client_for(partner_a_engineer)
    foreign = html_of(ask(client, serial="SN-WISLA"))
    unknown = html_of(ask(client, serial="SN-NOBODY"))
    assert "No device with this serial number." in field_html(foreign, "serial")
    assert without_csrf(foreign).replace("SN-WISLA", "X") == without_csrf(unknown).replace("SN-NOBODY", "X")


def test_an_unknown_sku_is_an_error_next_to_it(client_for, partner_a_engineer, site_a):
    html = html_of(ask(client_for(partner_a_engineer), site_id=site_a.site_id, sku="P-NOPE"))
    assert "No product with this SKU." in field_html(html, "sku")


def test_a_serial_two_products_share_asks_for_the_sku(client_for, partner_a_engineer, site_a, studio, poly_plus_a):
    other = factories.ProductFactory(sku="P-TRIO", category="voice")
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-TWIN")
    factories.DeviceFactory(site=site_a, product=other, serial="SN-TWIN")
    client = client_for(partner_a_engineer)
    assert "Two products share this serial" in field_html(html_of(ask(client, serial="SN-TWIN")), "sku")
    assert reason_of(ask(client, serial="SN-TWIN", sku="P-TRIO")) == "category_not_covered"


def test_a_lookup_without_enough_to_go_on_says_what_is_missing(client_for, partner_a_engineer, site_a):
    client = client_for(partner_a_engineer)
    assert "Type a Site ID" in html_of(ask(client, category="video"))
    assert "Pick a category, or give a product" in field_html(html_of(ask(client, site_id=site_a.site_id)),
                                                               "category")
    assert "Enter a valid date." in html_of(ask(client, site_id=site_a.site_id, category="video", on="someday"))


def test_a_customer_viewer_may_not_use_the_coverage_page(client_for, customer_viewer, site_a):
    assert client_for(customer_viewer).get("/coverage/", {"site_id": site_a.site_id,
                                                          "category": "video"}).status_code == 403


def test_a_csm_looks_up_assigned_customers_sites_only(client_for, csm, site_a, site_b, enterprise_a):
    factories.CsmAssignmentFactory(customer=site_a.customer, csm=csm)
    client = client_for(csm)
    assert reason_of(ask(client, site_id=site_a.site_id, category="video")) == "covered"
    assert "No site with this Site ID." in html_of(ask(client, site_id=site_b.site_id, category="video"))


# ---- devices ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/devices/?q=%00&site=a%00&category=%00&customer=%C2%B2", "/devices/?customer=99999999999999999999999",
    "/devices/new/?site=%00", "/coverage/?serial=%00", "/coverage/?site_id=a%00&category=video",
    "/coverage/?site_id=" + "x" * 500 + "&category=video", "/compliance/?page=%00",
])
def test_absurd_addresses_are_answered_without_an_error(client_for, poly_admin, path):
    assert client_for(poly_admin).get(path).status_code in {200, 404}


def test_a_partner_lists_its_devices_and_not_another_partners(client_for, partner_a_engineer, site_a, site_b,
                                                              studio):
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-NORDIC")
    factories.DeviceFactory(site=site_b, product=studio, serial="SN-WISLA")
    html = html_of(client_for(partner_a_engineer).get("/devices/"))
    assert "SN-NORDIC" in html and "SN-WISLA" not in html


def test_the_device_list_filters_by_site_category_customer_and_serial(client_for, partner_a_admin, site_a,
                                                                      customer_a, studio):
    other_site = factories.SiteFactory(customer=customer_a, site_id="SE-STO-002")
    headset = factories.ProductFactory(sku="P-VOYAGER", category="headset")
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-ONE")
    factories.DeviceFactory(site=other_site, product=headset, serial="SN-TWO")
    client = client_for(partner_a_admin)

    def serials(**params):
        html = html_of(client.get("/devices/", params))
        return {serial for serial in ("SN-ONE", "SN-TWO") if serial in html}

    assert serials(site="se-sto-002") == {"SN-TWO"}
    assert serials(category="video") == {"SN-ONE"}
    assert serials(q="one") == {"SN-ONE"}
    assert serials(customer=customer_a.pk) == {"SN-ONE", "SN-TWO"}
    assert serials(category="toaster", customer="x") == {"SN-ONE", "SN-TWO"}


def test_poly_support_lists_every_partners_devices_with_the_partner(client_for, poly_support, site_a, site_b,
                                                                    studio):
    factories.DeviceFactory(site=site_b, product=studio, serial="SN-WISLA")
    html = html_of(client_for(poly_support).get("/devices/"))
    assert "SN-WISLA" in html and site_b.partner.name in html
    assert "Register a device" not in html


def test_a_customer_viewer_may_not_list_devices(client_for, customer_viewer):
    assert client_for(customer_viewer).get("/devices/").status_code == 403


def test_the_device_list_costs_the_same_queries_for_3_or_30_devices(client_for, partner_a_engineer, customer_a,
                                                                   django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            factories.DeviceFactory(site=factories.SiteFactory(customer=customer_a))

    add(3)
    client = client_for(partner_a_engineer)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/devices/").status_code == 200
    add(27)
    with django_assert_max_num_queries(20) as many:
        assert client.get("/devices/").status_code == 200
    assert len(many) == len(few)


def test_a_partner_engineer_registers_a_device_at_its_site(client_for, partner_a_engineer, site_a, studio):
    response = client_for(partner_a_engineer).post("/devices/new/", {
        "site": site_a.pk, "product": studio.pk, "serial": " sn-new-1 "})
    assert response.status_code == 302
    device = Device.objects.get(serial="SN-NEW-1")
    assert device.customer == site_a.customer and device.partner == site_a.partner


def test_a_serial_registered_twice_is_refused_next_to_it(client_for, partner_a_engineer, site_a, studio):
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-DUP")
    response = client_for(partner_a_engineer).post("/devices/new/", {
        "site": site_a.pk, "product": studio.pk, "serial": "SN-DUP"})
    assert "is already registered" in field_html(html_of(response), "serial")
    assert Device.objects.count() == 1


def test_a_device_cannot_be_registered_at_another_partners_site(client_for, partner_a_engineer, site_b, studio):
    response = client_for(partner_a_engineer).post("/devices/new/", {
        "site": site_b.pk, "product": studio.pk, "serial": "SN-SNEAKY"})
    assert "Select a valid choice" in field_html(html_of(response), "site")
    assert not Device.objects.exists()


@pytest.mark.parametrize("persona", ["poly_support", "csm", "customer_viewer"])
def test_roles_that_may_not_register_devices_are_refused(request, client_for, persona, site_a, studio):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/devices/new/").status_code == 403
    assert client.post("/devices/new/", {"site": site_a.pk, "product": studio.pk,
                                         "serial": "SN-X"}).status_code == 403
    assert not Device.objects.exists()


# ---- the serial list of a Poly+ contract ------------------------------------------------------

def test_partner_engineer_adds_a_registered_device_to_the_poly_plus_contract(client_for, partner_a_engineer,
                                                                            site_a, poly_plus_a, studio):
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-ADD")
    client = client_for(partner_a_engineer)
    page = html_of(client.get(f"/contracts/{poly_plus_a.pk}/"))
    assert "not on this Poly+ contract in force" in page and "SN-ADD" in page
    response = client.post(f"/contracts/{poly_plus_a.pk}/devices/", {"serial": "sn-add"})
    assert response.status_code == 302
    assert ContractDevice.objects.filter(contract=poly_plus_a, device__serial="SN-ADD").exists()
    page = html_of(client.get(f"/contracts/{poly_plus_a.pk}/"))
    assert "Covered serials (1)" in page and "non-compliant" not in page


def test_another_customers_device_cannot_be_added(client_for, partner_a_admin, partner_a, poly_plus_a, studio):
    elsewhere = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
    factories.DeviceFactory(site=elsewhere, product=studio, serial="SN-ELSEWHERE")
    response = client_for(partner_a_admin).post(f"/contracts/{poly_plus_a.pk}/devices/", {"serial": "SN-ELSEWHERE"})
    assert "has no registered device with this serial" in field_html(html_of(response), "serial")
    assert not ContractDevice.objects.exists()


def test_an_enterprise_contract_lists_no_serials(client_for, partner_a_admin, site_a, enterprise_a, studio):
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-ENT")
    client = client_for(partner_a_admin)
    assert "No serial list is kept." in html_of(client.get(f"/contracts/{enterprise_a.pk}/"))
    response = client.post(f"/contracts/{enterprise_a.pk}/devices/", {"serial": "SN-ENT"})
    assert "Poly+ Enterprise covers by Master Account ID; it lists no serials." in html_of(response)
    assert not ContractDevice.objects.exists()


def test_partner_admin_removes_a_serial(client_for, partner_a_admin, site_a, poly_plus_a, studio):
    entry = factories.ContractDeviceFactory(contract=poly_plus_a,
                                            device=factories.DeviceFactory(site=site_a, product=studio))
    response = client_for(partner_a_admin).post(f"/contracts/{poly_plus_a.pk}/devices/{entry.pk}/remove/")
    assert response.status_code == 302
    assert not ContractDevice.objects.exists()


def test_another_partner_can_neither_add_nor_remove_serials(client_for, partner_b_admin, partner_b_engineer,
                                                            site_a, poly_plus_a, studio):
    entry = factories.ContractDeviceFactory(contract=poly_plus_a,
                                            device=factories.DeviceFactory(site=site_a, product=studio,
                                                                           serial="SN-KEEP"))
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-OTHER")
    for user in (partner_b_admin, partner_b_engineer):
        client = client_for(user)
        assert client.post(f"/contracts/{poly_plus_a.pk}/devices/", {"serial": "SN-OTHER"}).status_code == 404
        assert client.post(f"/contracts/{poly_plus_a.pk}/devices/{entry.pk}/remove/").status_code == 404
    assert list(ContractDevice.objects.values_list("device__serial", flat=True)) == ["SN-KEEP"]


def test_a_serial_entry_of_another_contract_is_not_found(client_for, partner_a_admin, customer_a, site_a,
                                                         poly_plus_a, studio):
    other = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS,
                                      status=ContractStatus.CANCELLED)
    entry = factories.ContractDeviceFactory(contract=other, device=factories.DeviceFactory(site=site_a,
                                                                                           product=studio))
    response = client_for(partner_a_admin).post(f"/contracts/{poly_plus_a.pk}/devices/{entry.pk}/remove/")
    assert response.status_code == 404
    assert ContractDevice.objects.filter(pk=entry.pk).exists()


def test_the_serial_list_of_a_cancelled_contract_is_its_record(client_for, partner_a_admin, customer_a, site_a,
                                                               studio):
    cancelled = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS,
                                          status=ContractStatus.CANCELLED)
    entry = factories.ContractDeviceFactory(contract=cancelled,
                                            device=factories.DeviceFactory(site=site_a, product=studio))
    client = client_for(partner_a_admin)
    assert "/remove/" not in html_of(client.get(f"/contracts/{cancelled.pk}/"))
    response = client.post(f"/contracts/{cancelled.pk}/devices/{entry.pk}/remove/")
    assert response.status_code == 200
    assert "it does not change" in html_of(response)
    assert ContractDevice.objects.filter(pk=entry.pk).exists()


def test_a_device_in_a_category_the_contract_lacks_cannot_be_listed(client_for, partner_a_admin, site_a,
                                                                    poly_plus_a):
    trio = factories.ProductFactory(sku="P-TRIO", category="voice")
    factories.DeviceFactory(site=site_a, product=trio, serial="SN-VOICE")
    response = client_for(partner_a_admin).post(f"/contracts/{poly_plus_a.pk}/devices/", {"serial": "SN-VOICE"})
    assert "add the category to the contract first" in html_of(response)
    assert not ContractDevice.objects.exists()


@pytest.mark.parametrize("persona", ["poly_support", "csm", "customer_viewer"])
def test_roles_that_may_not_change_serials_are_refused(request, client_for, persona, site_a, poly_plus_a, studio):
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-X")
    user = request.getfixturevalue(persona)
    if persona == "csm":
        factories.CsmAssignmentFactory(customer=site_a.customer, csm=user)
    response = client_for(user).post(f"/contracts/{poly_plus_a.pk}/devices/", {"serial": "SN-X"})
    assert response.status_code == 403
    assert not ContractDevice.objects.exists()


def test_a_customer_viewer_sees_the_serials_but_no_compliance_flag(client_for, customer_viewer, site_a,
                                                                   poly_plus_a, studio):
    listed = factories.DeviceFactory(site=site_a, product=studio, serial="SN-LISTED")
    factories.ContractDeviceFactory(contract=poly_plus_a, device=listed)
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-HIDDEN")
    html = html_of(client_for(customer_viewer).get(f"/contracts/{poly_plus_a.pk}/"))
    assert "SN-LISTED" in html
    assert "SN-HIDDEN" not in html and "non-compliant" not in html and "/remove/" not in html


def test_the_contract_page_costs_the_same_queries_for_3_or_30_serials(client_for, partner_a_admin, site_a,
                                                                     poly_plus_a, studio,
                                                                     django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            device = factories.DeviceFactory(site=site_a, product=studio)
            factories.ContractDeviceFactory(contract=poly_plus_a, device=device)
            factories.DeviceFactory(site=site_a, product=studio)  # one unlisted, too

    add(3)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(30) as few:
        assert client.get(f"/contracts/{poly_plus_a.pk}/").status_code == 200
    add(27)
    with django_assert_max_num_queries(30) as many:
        assert client.get(f"/contracts/{poly_plus_a.pk}/").status_code == 200
    assert len(many) == len(few)


# ---- Poly+ compliance -------------------------------------------------------------------------

@pytest.fixture
def non_compliant_a(site_a, poly_plus_a, studio):
    listed = factories.DeviceFactory(site=site_a, product=studio, serial="SN-LISTED")
    factories.ContractDeviceFactory(contract=poly_plus_a, device=listed)
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-UNLISTED")
    factories.DeviceFactory(site=site_a, product=studio, serial="SN-RETIRED", in_production=False)
    old = factories.ProductFactory(sku="P-OLD", category="video", end_of_service=TODAY())
    factories.DeviceFactory(site=site_a, product=old, serial="SN-END-OF-SERVICE")
    return site_a.customer


@pytest.fixture
def non_compliant_b(site_b, studio):
    contract = factories.ContractFactory(customer=site_b.customer, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    factories.DeviceFactory(site=site_b, product=studio, serial="SN-WISLA-UNLISTED")
    return site_b.customer


def test_a_partner_lists_its_non_compliant_customers_with_the_unlisted_devices(
        client_for, partner_a_engineer, non_compliant_a, non_compliant_b):
    response = client_for(partner_a_engineer).get("/compliance/")
    html = html_of(response)
    assert response.status_code == 200
    assert non_compliant_a.name in html and "SN-UNLISTED" in html
    assert "SN-LISTED" not in html and "SN-RETIRED" not in html and "SN-END-OF-SERVICE" not in html
    assert non_compliant_b.name not in html and "SN-WISLA-UNLISTED" not in html


def test_poly_support_lists_every_partners_non_compliant_customers(client_for, poly_support, non_compliant_a,
                                                                   non_compliant_b):
    html = html_of(client_for(poly_support).get("/compliance/"))
    assert "SN-UNLISTED" in html and "SN-WISLA-UNLISTED" in html
    assert non_compliant_b.partner.name in html


def test_a_customer_with_every_device_listed_is_compliant(client_for, partner_a_admin, site_a, poly_plus_a,
                                                          studio):
    factories.ContractDeviceFactory(contract=poly_plus_a,
                                    device=factories.DeviceFactory(site=site_a, product=studio))
    html = html_of(client_for(partner_a_admin).get("/compliance/"))
    assert site_a.customer.name not in html
    assert "Every Poly+ customer" in html


@pytest.mark.parametrize("persona", ["csm", "customer_viewer"])
def test_roles_outside_partner_and_poly_support_may_not_see_compliance(request, db, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get("/compliance/").status_code == 403


def test_the_compliance_list_costs_the_same_queries_for_3_or_30_customers(client_for, poly_support, partner_a,
                                                                         studio, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            customer = factories.CustomerFactory(partner=partner_a)
            factories.ContractFactory(customer=customer, offering=Offering.POLY_PLUS)
            factories.DeviceFactory(site=factories.SiteFactory(customer=customer), product=studio)

    add(3)
    client = client_for(poly_support)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/compliance/").status_code == 200
    add(27)
    with django_assert_max_num_queries(20) as many:
        assert client.get("/compliance/").status_code == 200
    assert len(many) == len(few)


def test_partner_and_poly_support_dashboards_list_non_compliant_customers(client_for, partner_a_admin,
                                                                          partner_a_engineer, poly_support,
                                                                          non_compliant_a, non_compliant_b):
    for user, expected, hidden in ((partner_a_admin, [non_compliant_a], [non_compliant_b]),
                                   (partner_a_engineer, [non_compliant_a], [non_compliant_b]),
                                   (poly_support, [non_compliant_a, non_compliant_b], [])):
        html = html_of(client_for(user).get("/dashboard/"))
        card = html[html.index('id="non-compliant"'):]
        card = card[:card.index("</section>")]
        assert all(customer.name in card for customer in expected)
        assert not any(customer.name in html for customer in hidden)
        assert "1 unlisted" in card
        assert f"See all ({len(expected)})" in card


def test_the_dashboards_cost_the_same_queries_with_3_or_30_non_compliant_customers(
        client_for, partner_a_admin, poly_support, partner_a, studio, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            customer = factories.CustomerFactory(partner=partner_a)
            factories.ContractFactory(customer=customer, offering=Offering.POLY_PLUS,
                                      end_date=TODAY() + 20 * DAY)
            factories.DeviceFactory(site=factories.SiteFactory(customer=customer), product=studio)

    add(3)
    clients = [client_for(partner_a_admin), client_for(poly_support)]
    few = []
    for client in clients:
        with django_assert_max_num_queries(40) as counted:
            assert client.get("/dashboard/").status_code == 200
        few.append(len(counted))
    add(27)
    for client, before in zip(clients, few, strict=True):
        with django_assert_max_num_queries(40) as counted:
            assert client.get("/dashboard/").status_code == 200
        assert len(counted) == before
