"""Case pages, part one: opening a case by Site ID, the partner's list, Poly's queue, the
dashboard card, and who may reach which of them."""

import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Offering
from polyplus.tenancy.models import ServiceCategory, Site
from tests import factories
from tickets import services
from tickets.models import Case, CaseAttachment, CaseStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def covered_a(partner_a, customer_a):
    """Customer A under a Poly+ Enterprise contract for video; partner A certified for video."""
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.VIDEO)
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


def open_case(by, site, *, subject="Room 4 codec reboots every hour", severity=2, category="video"):
    return services.case_open(by=by, site=site, category=category, severity=severity, subject=subject,
                              description="Since Monday; power cycled twice.")


GOOD = {"site": "SE-GOT-001", "category": "video", "severity": "2", "subject": "Codec reboots",
        "description": "Since Monday the codec in room 4 reboots every hour."}


def field_html(response, name: str) -> str:
    """The rendered field group of one form field (label, input, errors), entities decoded."""
    html = unescape(response.content.decode())
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 10)
    return html[start:end if end != -1 else len(html)]


# ---- opening a case --------------------------------------------------------------------------

def test_the_open_form_has_a_site_picker_plain_severities_and_a_serial_only_for_replacements(
        client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/cases/new/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-get="/cases/new/sites/"' in html
    assert "1 · Down: the system or service does not work at all" in html
    assert "4 · Question: advice, how-to or a request for information" in html
    assert 'name="hardware_replacement"' in html and 'name="serial"' in html
    assert "#case-form:has(#id_hardware_replacement:not(:checked)) #field-serial" in html
    assert 'type="file" name="attachments" multiple' in html


def test_open_a_case_here_comes_with_the_site_id_filled_in(client_for, partner_a_engineer, site_a):
    html = client_for(partner_a_engineer).get("/cases/new/", {"site": site_a.site_id}).content.decode()
    assert f'name="site" id="id_site" value="{site_a.site_id}"' in html


def test_the_site_id_placeholder_is_a_whole_site_id_shaped_like_real_ones(client_for, partner_a_engineer):
    html = client_for(partner_a_engineer).get("/cases/new/").content.decode()
    placeholder = re.search(r'id="id_site"[^>]*placeholder="([^"]*)"', html, re.S).group(1)
    example = re.fullmatch(r"e\.g\. (\S+)", placeholder).group(1)
    for validate in Site._meta.get_field("site_id").validators:
        validate(example)
    # Country, place, number: the shape of the demo data's Site IDs (SE-GOT-0001, NO-OSL-0001).
    assert re.fullmatch(r"[A-Z]{2}-[A-Z]{3}-\d{3,4}", example)


def test_the_required_fields_are_marked_and_said_to_be(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/cases/new/")
    html = unescape(response.content.decode())
    assert "are required." in html
    for name in ("category", "severity", "subject", "description"):
        label = re.search(rf'<label for="id_{name}">(.*?)</label>', field_html(response, name), re.S).group(1)
        assert 'class="required-mark"' in label, name
        assert re.search(rf'<(select|input|textarea)[^>]*name="{name}"[^>]*required', html), name
    assert re.search(r'<label for="id_site">Site ID<span class="required-mark"', html)
    label = re.search(r'<label for="id_product">(.*?)</label>', html, re.S).group(1)
    assert "required-mark" not in label


def test_the_attachment_limits_are_stated_before_a_file_is_chosen(client_for, partner_a_engineer):
    from polyplus.tenancy.models import PolicySetting

    PolicySetting.objects.create(key="case_attachment_max_mb", value="4")
    html = unescape(client_for(partner_a_engineer).get("/cases/new/").content.decode())
    label = re.search(r'<label for="id_attachments">(.*?)</label>', html, re.S).group(1)
    assert "up to 10 files, 4 MB each" in label
    assert html.index("4 MB each") < html.index('type="file" name="attachments"')


def test_a_refused_case_lists_every_error_at_the_top_linking_to_its_field(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).post("/cases/new/", {"site": "", "subject": ""})
    html = unescape(response.content.decode())
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert html.index('id="error-summary"') < html.index('id="field-site"')
    assert 'tabindex="-1"' in html[html.index('<div class="error-summary"'):html.index('id="error-summary"') + 200]
    for anchor, message in (("id_site", "Pick the site the case is about."),
                            ("id_category", "Choose the product category."), ("id_severity", "Choose how bad it is."),
                            ("id_subject", "Say in a few words what is wrong."),
                            ("id_description", "Describe the problem.")):
        assert f'<a href="#{anchor}">' in summary and message in summary, anchor
    assert not Case.objects.exists()


def test_the_site_picker_finds_the_partners_own_sites_from_part_of_a_site_id(client_for, partner_a_engineer,
                                                                             site_a, site_b):
    client = client_for(partner_a_engineer)
    html = client.get("/cases/new/sites/", {"site": "got-0"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-site-id="{site_a.site_id}"' in html
    assert site_a.customer.name in html
    assert "<html" not in html
    foreign = client.get("/cases/new/sites/", {"site": "PL-PLO"}, HTTP_HX_REQUEST="true").content.decode()
    assert site_b.site_id not in foreign and site_b.customer.name not in foreign
    assert "No site matches" in foreign


def test_picking_a_site_fills_the_site_id_field_out_of_band(client_for, partner_a_engineer, site_a, site_b):
    client = client_for(partner_a_engineer)
    html = client.get("/cases/new/sites/", {"pick": site_a.site_id.lower()}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="true"' in html
    assert f'value="{site_a.site_id}"' in html
    refused = client.get("/cases/new/sites/", {"pick": site_b.site_id}, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-swap-oob" not in refused
    assert site_b.customer.name not in refused


def test_poly_support_finds_any_partners_site_with_the_partner_named(client_for, poly_support, site_a, site_b):
    html = client_for(poly_support).get("/cases/new/sites/", {"site": "PL-"}).content.decode()
    assert site_b.site_id in html and site_b.partner.name in html


def test_a_partner_engineer_opens_an_entitled_case_and_lands_on_it(client_for, partner_a_engineer, site_a,
                                                                    covered_a):
    client = client_for(partner_a_engineer)
    response = client.post("/cases/new/", {**GOOD, "site": "se-got-001"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert (case.site, case.partner_id, case.opened_by, case.entitled) == (site_a, site_a.partner_id,
                                                                           partner_a_engineer, True)
    html = client.get(response["Location"]).content.decode()
    assert case.number in html
    assert 'id="entitlement">Entitled' in html
    assert f"Covered by Poly+ Enterprise contract {covered_a.number}" in html
    assert "Enterprise priority" in html


def test_a_case_that_fails_the_coverage_check_is_kept_and_shown_not_entitled_with_the_reason(
        client_for, partner_a_engineer, site_a):
    client = client_for(partner_a_engineer)
    response = client.post("/cases/new/", GOOD)
    case = Case.objects.get()
    assert response.status_code == 302 and not case.entitled
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Not entitled" in html
    assert f"{site_a.customer.name} has no Poly+ contract." in html


def test_the_flags_show_for_the_partner_and_poly_but_never_the_customer(client_for, partner_a_engineer,
                                                                          poly_support, customer_viewer, site_a):
    case = open_case(partner_a_engineer, site_a)  # partner A holds no video certification: flagged
    assert "partner_certification_lapsed" in case.entitlement_flags
    for person in (partner_a_engineer, poly_support):
        assert "Partner certification lapsed" in client_for(person).get(f"/cases/{case.pk}/").content.decode()
    assert "Partner certification lapsed" not in client_for(customer_viewer).get(f"/cases/{case.pk}/").content.decode()


def test_poly_support_opens_a_case_on_a_partners_behalf(client_for, poly_support, site_a):
    response = client_for(poly_support).post("/cases/new/", GOOD)
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.partner_id, case.opened_by) == (site_a.partner_id, poly_support)


def test_another_partners_site_id_is_an_error_next_to_the_site_and_writes_nothing(client_for, partner_a_engineer,
                                                                                  site_a, site_b):
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, "site": site_b.site_id})
    assert response.status_code == 200
    assert "among the sites you look after" in field_html(response, "site")
    assert site_b.customer.name not in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("site", "", "Pick the site the case is about."),
    ("category", "toaster", "Select a valid choice."),
    ("severity", "7", "Select a valid choice."),
    ("severity", "", "Choose how bad it is."),
    ("subject", "", "Say in a few words what is wrong."),
    ("subject", "x" * 5000, "Ensure this value has at most 200 characters"),
    ("description", "", "Describe the problem."),
    ("description", "y" * 30000, "Ensure this value has at most 20000 characters"),
    ("subject", "nul\x00byte", "Null characters are not allowed."),
])
def test_bad_case_input_is_an_error_next_to_its_field_and_writes_nothing(client_for, partner_a_engineer, site_a,
                                                                         field, value, message):
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, field: value})
    assert response.status_code == 200
    assert message in field_html(response, field)
    assert not Case.objects.exists()


def test_a_product_of_another_category_is_refused_next_to_the_product(client_for, partner_a_engineer, site_a):
    headset = factories.ProductFactory(sku="POLY-HS-1", name="Voyager Focus 2", category="headset")
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, "product": headset.pk})
    assert "is a headsets and personal devices product" in field_html(response, "product")
    assert not Case.objects.exists()


def test_hardware_replacement_asks_for_the_serial_and_finds_the_unit(client_for, partner_a_engineer, site_a):
    device = factories.DeviceFactory(site=site_a, serial="SNX100")
    client = client_for(partner_a_engineer)
    missing = client.post("/cases/new/", {**GOOD, "hardware_replacement": "on"})
    assert "needs the failed unit's serial number" in field_html(missing, "serial")
    unknown = client.post("/cases/new/", {**GOOD, "hardware_replacement": "on", "serial": "NOPE"})
    assert "No registered device with serial NOPE" in field_html(unknown, "serial")
    assert not Case.objects.exists()
    response = client.post("/cases/new/", {**GOOD, "hardware_replacement": "on", "serial": "snx100"})
    assert response.status_code == 302
    assert Case.objects.get().device == device


def test_a_serial_without_hardware_replacement_is_ignored(client_for, partner_a_engineer, site_a):
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, "serial": "WHATEVER"})
    assert response.status_code == 302
    assert Case.objects.get().device is None


def test_attachments_are_kept_when_their_contents_are_allowed(client_for, partner_a_engineer, site_a):
    files = [SimpleUploadedFile("room4.png", PNG, "image/png"),
             SimpleUploadedFile("codec.log", b"12:00 reboot\n12:59 reboot\n", "text/plain")]
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, "attachments": files})
    assert response.status_code == 302
    assert sorted(CaseAttachment.objects.values_list("original_name", "content_type")) == [
        ("codec.log", "text/plain"), ("room4.png", "image/png")]


def test_a_program_renamed_png_is_refused_by_its_contents_and_nothing_is_written(client_for, partner_a_engineer,
                                                                                 site_a):
    files = [SimpleUploadedFile("photo.png", PNG, "image/png"),
             SimpleUploadedFile("screenshot.png", EXE, "image/png")]
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, "attachments": files})
    assert response.status_code == 200
    assert "screenshot.png is not one of" in field_html(response, "attachments")
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()


def test_an_attachment_over_the_size_limit_is_refused(client_for, partner_a_engineer, site_a, settings):
    from polyplus.tenancy.models import PolicySetting

    PolicySetting.objects.create(key="case_attachment_max_mb", value="1")
    big = SimpleUploadedFile("big.log", b"a" * (1024 * 1024 + 1), "text/plain")
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, "attachments": [big]})
    assert "big.log is larger than 1 MB" in field_html(response, "attachments")
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["customer_viewer", "csm"])
def test_people_who_only_read_cases_may_not_open_one(client_for, request, persona, site_a):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/cases/new/").status_code == 403
    assert client.post("/cases/new/", GOOD).status_code == 403
    assert client.get("/cases/new/sites/", {"site": "SE"}).status_code == 403
    assert not Case.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, site_a):
    for url in ("/cases/", "/cases/queue/", "/cases/new/", "/cases/sla-targets/", "/cases/1/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---- the partner's list ----------------------------------------------------------------------

@pytest.fixture
def cases(partner_a_engineer, partner_b_engineer, site_a, site_b):
    other_site = factories.SiteFactory(customer=site_a.customer, site_id="SE-STO-002")
    return {
        "a1": open_case(partner_a_engineer, site_a, subject="Codec reboots", severity=1),
        "a2": open_case(partner_a_engineer, other_site, subject="Headset crackles", severity=3, category="headset"),
        "b1": open_case(partner_b_engineer, site_b, subject="Wisła ceiling mic dead", severity=1),
    }


def test_the_partner_list_shows_its_own_cases_with_their_sla(client_for, partner_a_engineer, cases):
    html = client_for(partner_a_engineer).get("/cases/").content.decode()
    a1 = cases["a1"]
    assert a1.number in html and cases["a2"].number in html
    assert cases["b1"].subject not in html and cases["b1"].number not in html
    assert "SE-GOT-001" in html and ">S1<" in html and "New" in html
    assert a1.next_due_at.strftime("%H:%M") in html
    assert "First response" in html and "Tier 1" in html


@pytest.mark.parametrize(("params", "shown", "hidden"), [
    ({"severity": "1"}, "a1", "a2"),
    ({"category": "headset"}, "a2", "a1"),
    ({"site": "se-sto-002"}, "a2", "a1"),
    ({"q": "crackles"}, "a2", "a1"),
    ({"q": "SE-GOT-001"}, "a1", "a2"),
])
def test_the_partner_list_filters_and_searches(client_for, partner_a_engineer, cases, params, shown, hidden):
    html = client_for(partner_a_engineer).get("/cases/", params).content.decode()
    assert cases[shown].subject in html
    assert cases[hidden].subject not in html


def test_the_partner_list_searches_by_case_number_and_filters_by_status(client_for, partner_a_engineer, cases):
    client = client_for(partner_a_engineer)
    html = client.get("/cases/", {"q": cases["a2"].number.lower()}).content.decode()
    assert cases["a2"].subject in html and cases["a1"].subject not in html
    services.case_transition(by=partner_a_engineer, case=cases["a1"], to_status=CaseStatus.RESOLVED)
    assert cases["a1"].subject not in client.get("/cases/").content.decode()
    assert cases["a1"].subject in client.get("/cases/", {"status": "resolved"}).content.decode()


@pytest.mark.parametrize("params", [
    {"severity": "abc"}, {"status": "bogus"}, {"category": "<script>"}, {"q": "a\x00b"}, {"page": "999"},
    {"breached": "maybe"}, {"site": "x" * 500}, {"partner": "1e9"},
])
def test_unreadable_filters_are_ignored_never_a_500(client_for, partner_a_engineer, poly_support, cases, params):
    assert client_for(partner_a_engineer).get("/cases/", params).status_code == 200
    assert client_for(poly_support).get("/cases/queue/", params).status_code == 200


def test_the_list_answers_htmx_with_its_results_only(client_for, partner_a_engineer, cases):
    html = client_for(partner_a_engineer).get("/cases/", {"q": "Codec"}, HTTP_HX_REQUEST="true").content.decode()
    assert cases["a1"].number in html and "<html" not in html


def test_a_customer_viewer_sees_its_customers_cases_read_only(client_for, customer_viewer, partner_a_engineer,
                                                              cases, partner_a):
    other = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a, name="Öresund Medtech"))
    hidden = open_case(partner_a_engineer, other, subject="Other customer's problem")
    html = client_for(customer_viewer).get("/cases/").content.decode()
    assert cases["a1"].number in html
    assert hidden.subject not in html and cases["b1"].subject not in html
    assert "Open a case" not in html


def test_a_csm_sees_the_cases_of_assigned_customers_only(client_for, csm, cases, customer_a):
    client = client_for(csm)
    assert cases["a1"].subject not in client.get("/cases/").content.decode()
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    html = client.get("/cases/").content.decode()
    assert cases["a1"].subject in html and cases["b1"].subject not in html


def test_the_list_costs_the_same_queries_for_3_or_30_cases(client_for, partner_a_engineer, site_a,
                                                          django_assert_max_num_queries):
    def add(count):
        for n in range(count):
            open_case(partner_a_engineer, site_a, subject=f"Problem {n}")

    add(3)
    client = client_for(partner_a_engineer)
    with django_assert_max_num_queries(18) as few:
        assert client.get("/cases/").status_code == 200
    add(27)
    with django_assert_max_num_queries(18) as many:
        assert client.get("/cases/").status_code == 200
    assert len(many) == len(few)


# ---- Poly's queue ----------------------------------------------------------------------------

def test_partners_and_customers_may_not_see_the_queue(client_for, partner_a_engineer, partner_a_admin,
                                                      customer_viewer, csm):
    for person in (partner_a_engineer, partner_a_admin, customer_viewer, csm):
        assert client_for(person).get("/cases/queue/").status_code == 403


@pytest.mark.parametrize("persona", ["poly_support", "poly_admin", "escalation_manager"])
def test_poly_case_workers_going_to_the_case_list_get_the_queue(db, client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get("/cases/", {"severity": "1"})
    assert response.status_code == 302 and response["Location"] == "/cases/queue/?severity=1"


def test_the_queue_holds_every_partners_cases_in_sla_order_enterprise_first_at_equal_due(client_for, poly_support,
                                                                                          cases):
    due = timezone.now() + datetime.timedelta(hours=1)
    Case.objects.filter(pk=cases["a2"].pk).update(next_due_at=due + datetime.timedelta(minutes=5))
    Case.objects.filter(pk=cases["a1"].pk).update(next_due_at=due, priority=1)
    Case.objects.filter(pk=cases["b1"].pk).update(next_due_at=due, priority=0)
    html = client_for(poly_support).get("/cases/queue/").content.decode()
    order = [html.index(cases[key].number) for key in ("b1", "a1", "a2")]
    assert order == sorted(order)
    assert cases["b1"].partner.name in html and "Enterprise" in html


@pytest.mark.parametrize(("params", "shown", "hidden"), [
    ({"partner": "PARTNER_B"}, "b1", "a1"),
    ({"severity": "3"}, "a2", "b1"),
    ({"category": "headset"}, "a2", "a1"),
    ({"breached": "yes"}, "a1", "a2"),
    ({"breached": "no"}, "a2", "a1"),
    ({"q": "PL-PLO-001"}, "b1", "a1"),
    ({"q": "ceiling"}, "b1", "a1"),
])
def test_the_queue_filters_and_searches(client_for, poly_support, cases, partner_b, params, shown, hidden):
    Case.objects.filter(pk=cases["a1"].pk).update(next_due_at=timezone.now() - datetime.timedelta(minutes=1),
                                                  first_response_due=timezone.now() - datetime.timedelta(minutes=1))
    params = {key: (str(partner_b.pk) if value == "PARTNER_B" else value) for key, value in params.items()}
    html = client_for(poly_support).get("/cases/queue/", params).content.decode()
    assert cases[shown].subject in html
    assert cases[hidden].subject not in html


def test_a_breached_case_shows_the_breached_badge_in_the_queue(client_for, poly_support, cases):
    Case.objects.filter(pk=cases["a1"].pk).update(next_due_at=timezone.now() - datetime.timedelta(minutes=1),
                                                  first_response_due=timezone.now() - datetime.timedelta(minutes=1))
    html = client_for(poly_support).get("/cases/queue/", {"q": cases["a1"].number}).content.decode()
    assert "Breached" in html and "Overdue by" in html


def test_the_queue_costs_the_same_queries_for_3_or_30_cases(client_for, poly_support, site_a, site_b,
                                                           partner_a_engineer, partner_b_engineer,
                                                           django_assert_max_num_queries):
    def add(count):
        for n in range(count):
            open_case(partner_a_engineer if n % 2 else partner_b_engineer, site_a if n % 2 else site_b,
                      subject=f"Problem {n}")

    add(3)
    client = client_for(poly_support)
    with django_assert_max_num_queries(18) as few:
        assert client.get("/cases/queue/").status_code == 200
    add(27)
    with django_assert_max_num_queries(18) as many:
        assert client.get("/cases/queue/").status_code == 200
    assert len(many) == len(few)


# ---- dashboards and navigation ---------------------------------------------------------------

def test_the_partner_dashboards_show_open_and_breached_cases(client_for, partner_a_engineer, partner_a_admin, cases):
    Case.objects.filter(pk=cases["a1"].pk).update(next_due_at=timezone.now() - datetime.timedelta(minutes=1),
                                                  first_response_due=timezone.now() - datetime.timedelta(minutes=1))
    for person in (partner_a_engineer, partner_a_admin):
        html = client_for(person).get("/dashboard/").content.decode()
        assert 'id="cases-open">2<' in html
        assert 'id="cases-breached" class="badge bad">1<' in html
        assert 'href="/cases/?breached=yes"' in html


def test_the_poly_support_dashboard_counts_every_partners_cases_and_links_the_queue(client_for, poly_support,
                                                                                   escalation_manager, cases):
    for person in (poly_support, escalation_manager):
        html = client_for(person).get("/dashboard/").content.decode()
        assert 'id="cases-open">3<' in html
        assert 'href="/cases/queue/?breached=yes"' in html


def test_the_nav_says_cases_to_partners_and_queue_to_poly(client_for, partner_a_engineer, poly_support,
                                                          customer_viewer):
    assert '<a href="/cases/">Cases</a>' in client_for(partner_a_engineer).get("/dashboard/").content.decode()
    assert '<a href="/cases/">Cases</a>' in client_for(customer_viewer).get("/dashboard/").content.decode()
    assert '<a href="/cases/queue/">Queue</a>' in client_for(poly_support).get("/dashboard/").content.decode()


def test_more_files_than_allowed_at_once_is_an_error_and_writes_nothing(client_for, partner_a_engineer, site_a):
    files = [SimpleUploadedFile(f"log{n}.txt", b"line\n", "text/plain") for n in range(11)]
    response = client_for(partner_a_engineer).post("/cases/new/", {**GOOD, "attachments": files})
    assert response.status_code == 200
    assert "Attach at most 10 files at a time." in field_html(response, "attachments")
    assert not Case.objects.exists()
