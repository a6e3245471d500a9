"""A customer's status page: its open cases with their state, SLA state and last public update,
coverage by category and term, health notifications and sites, under its partner's brand only.

A customer viewer reads only its own customer's page; another customer (same partner or not),
another partner and an unknown id all answer 404; internal notes, escalation reasons and
Poly-only entitlement flags never appear.
"""

import datetime

import pytest
from django.utils import timezone

from polyplus.tenancy.models import PartnerDomain
from tests import factories
from tests.tickets import cover, open_case, set_status
from tickets import services
from tickets.models import Case, CaseSource

INTERNAL = "Internal: firmware 11.2 crash, engineering bug PLY-4711"
ESCALATION_REASON = "Partner keeps rebooting instead of sending logs"
PUBLIC = "We have shipped a replacement codec; it arrives tomorrow morning."


@pytest.fixture
def covered(site_a):
    return cover(site_a, categories=("video", "voice"))


@pytest.fixture
def busy_case(covered, site_a, partner_a_engineer, poly_support):
    case = open_case(partner_a_engineer, site_a, severity=1, subject="Boardroom codec down")
    services.case_comment_add(by=poly_support, case=case, body=INTERNAL, internal=True)
    services.case_comment_add(by=poly_support, case=case, body=PUBLIC)
    services.case_escalate(by=poly_support, case=case, reason=ESCALATION_REASON, to_level=2)
    return case


def status_html(client, customer_id) -> str:
    response = client.get(f"/status/{customer_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_customer_viewer_lands_on_its_status_page(client_for, customer_viewer, customer_a, busy_case, covered):
    html = client_for(customer_viewer).get("/dashboard/").content.decode()
    assert 'data-dashboard="customer_viewer"' in html
    assert busy_case.number in html and "Boardroom codec down" in html
    assert client_for(customer_viewer).get("/status/")["Location"] == f"/status/{customer_a.pk}/"


def test_the_status_page_shows_open_cases_with_state_sla_and_last_public_update_only(
        client_for, customer_viewer, customer_a, busy_case, covered, site_a):
    html = status_html(client_for(customer_viewer), customer_a.pk)
    assert busy_case.number in html
    assert "1 · Down" in html
    assert "Escalated: Tier 2" in html
    assert PUBLIC[:60] in html
    assert "On track" in html
    assert INTERNAL not in html and "PLY-4711" not in html
    assert ESCALATION_REASON not in html
    assert site_a.site_id in html


def test_coverage_shows_each_category_with_its_term(client_for, customer_viewer, customer_a, covered):
    html = status_html(client_for(customer_viewer), customer_a.pk)
    section = html[html.index('id="status-coverage"'):]
    assert "Video" in section and "Voice" in section
    assert covered.start_date.strftime("%-d %b %Y") in section and covered.end_date.strftime("%-d %b %Y") in section
    assert covered.number in section


def test_a_breached_case_says_so_and_a_closed_one_is_not_listed(client_for, customer_viewer, customer_a, covered,
                                                              site_a, partner_a_engineer):
    late = open_case(partner_a_engineer, site_a, subject="Late one")
    past = timezone.now() - datetime.timedelta(hours=1)
    Case.objects.filter(pk=late.pk).update(first_response_due=past, resolution_due=past)
    done = set_status(open_case(partner_a_engineer, site_a, subject="Finished one"), "closed")
    html = status_html(client_for(customer_viewer), customer_a.pk)
    assert "Target missed" in html
    assert done.number not in html


def test_recent_health_notifications_are_listed(client_for, customer_viewer, customer_a, covered, site_a):
    case = open_case(None, site_a, subject="Device offline", source=CaseSource.HEALTH_EVENT,
                     health_alert_kind="device_offline")
    section = status_html(client_for(customer_viewer), customer_a.pk).split('id="status-health"')[1]
    assert case.number in section and "device_offline" in section


def test_the_page_wears_the_customers_partners_brand_even_for_poly_staff(client_for, poly_support, customer_a,
                                                                         partner_a):
    partner_a.brand.display_name = "Nordic Care"
    partner_a.brand.save()
    html = status_html(client_for(poly_support), customer_a.pk)
    assert "Nordic Care" in html and "Poly+ partner portal" not in html


@pytest.mark.parametrize("reader", ["partner_a_admin", "partner_a_engineer", "poly_support"])
def test_the_partners_people_and_poly_read_the_page(client_for, request, reader, customer_a, busy_case):
    assert busy_case.number in status_html(client_for(request.getfixturevalue(reader)), customer_a.pk)


def test_another_customer_or_partner_gets_404_and_learns_nothing(client_for, customer_viewer, customer_a,
                                                                 customer_b, partner_a, partner_b_admin, busy_case):
    same_partner_other = factories.CustomerFactory(partner=partner_a, name="Öresund Medtech AB")
    viewer_client = client_for(customer_viewer)
    for customer in (customer_b, same_partner_other):
        response = viewer_client.get(f"/status/{customer.pk}/")
        assert response.status_code == 404
        assert customer.name not in response.content.decode()
    other_viewer = factories.CustomerViewerFactory(customer=customer_b)
    for client in (client_for(partner_b_admin), client_for(other_viewer)):
        response = client.get(f"/status/{customer_a.pk}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert customer_a.name not in html and busy_case.number not in html and "Nordic" not in html


@pytest.mark.parametrize("address", ["/status/999999/", "/status/99999999999999999999999/", "/status/-1/",
                                     "/status/abc/"])
def test_unknown_or_odd_ids_are_404_never_500(client_for, customer_viewer, address):
    assert client_for(customer_viewer).get(address).status_code == 404


def test_only_a_customer_viewer_has_a_status_page_of_its_own(client_for, partner_a_admin):
    assert client_for(partner_a_admin).get("/status/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, customer_a):
    response = client.get(f"/status/{customer_a.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_on_the_partners_host_the_page_and_its_errors_wear_that_brand_only(settings, client_for, customer_viewer,
                                                                           customer_a, customer_b, partner_a,
                                                                           partner_b):
    settings.ALLOWED_HOSTS = ["testserver", ".example"]
    PartnerDomain.objects.create(partner=partner_a, host="support.nordic.example")
    PartnerDomain.objects.create(partner=partner_b, host="pomoc.wisla.example")
    partner_a.brand.display_name = "Nordic Care"
    partner_a.brand.save()
    client = client_for(customer_viewer)
    client.defaults["HTTP_HOST"] = "support.nordic.example"
    html = status_html(client, customer_a.pk)
    assert "Nordic Care" in html and "Wisła" not in html
    missing = client.get(f"/status/{customer_b.pk}/")
    assert missing.status_code == 404
    assert "Nordic Care" in missing.content.decode() and customer_b.name not in missing.content.decode()


def test_the_page_costs_the_same_queries_for_3_or_30_cases(client_for, customer_viewer, customer_a, covered,
                                                           site_a, partner_a_engineer, poly_support,
                                                           django_assert_max_num_queries):
    def add_cases(n):
        for i in range(n):
            case = open_case(partner_a_engineer, site_a, severity=1 + i % 4, subject=f"Case {i}")
            services.case_comment_add(by=poly_support, case=case, body=f"Update {i}")
            other_site = factories.SiteFactory(customer=customer_a)
            open_case(None, other_site, subject=f"Health {i}", source=CaseSource.HEALTH_EVENT,
                      health_alert_kind=f"alert_{i}")

    client = client_for(customer_viewer)
    add_cases(3)
    with django_assert_max_num_queries(20) as few:
        status_html(client, customer_a.pk)
    add_cases(27)
    with django_assert_max_num_queries(20) as many:
        status_html(client, customer_a.pk)
    assert len(many) == len(few)


def test_the_customers_page_links_its_status_page_for_the_partners_people(client_for, partner_a_engineer,
                                                                          customer_a):
    html = client_for(partner_a_engineer).get(f"/customers/{customer_a.pk}/").content.decode()
    assert f'href="/status/{customer_a.pk}/"' in html


# ---- ECPS incidents ------------------------------------------------------------------------

def test_open_cloud_provider_incidents_show_the_providers_number_and_never_the_problem_or_findings(
        client_for, customer_viewer, customer_a, site_a, site_b, partner_a_engineer, partner_b_engineer,
        poly_support):
    from ecps import services as ecps_services
    from tests.ecps import escalate, ready_customer, webex

    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex(), problem="Tenant policy drops calls at 60 min")
    ecps_services.escalation_open_incident(by=poly_support, escalation=escalation,
                                           provider_incident_number="WX-771")
    escalate(partner_b_engineer, site_b, webex(), problem="Płock problem")
    html = status_html(client_for(customer_viewer), customer_a.pk)
    section = html.split('id="status-incidents"')[1].split("</section>")[0]
    assert "Webex" in section and "WX-771" in section and escalation.case.number in section
    assert "Tenant policy" not in html and "Płock" not in html
    assert section.count("data-escalation=") == 1


def test_the_page_costs_the_same_queries_for_3_or_12_incidents(client_for, customer_viewer, customer_a, site_a,
                                                              partner_a_engineer, django_assert_max_num_queries):
    from tests.ecps import escalate, ready_customer, webex

    ready_customer(partner_a_engineer, site_a, webex())
    client = client_for(customer_viewer)
    counts = []
    for n in (3, 9):
        for _ in range(n):
            escalate(partner_a_engineer, site_a, webex())
        with django_assert_max_num_queries(20) as captured:
            status_html(client, customer_a.pk)
        counts.append(len(captured))
    assert counts[0] == counts[1]


# ---- RMAs ----------------------------------------------------------------------------------

RMA_NOTE = "Internal: refurbished stock only, bill the partner at list"


def rma_section(html: str) -> str:
    return html.split('id="status-rmas"')[1].split("</section>")[0]


def test_the_customers_open_rmas_show_shipment_and_return_and_never_billing_or_notes(
        client_for, customer_viewer, customer_a, site_a, partner_a_engineer, poly_support):
    from rma import services as rma_services
    from rma.models import Rma
    from tests.rma import FAULT, approved, covered_world, delivered, request_rma

    _, headset = covered_world(site_a)
    waiting = request_rma(partner_a_engineer, site_a, headset)
    late = delivered(partner_a_engineer, poly_support, site_a, headset)
    Rma.objects.filter(pk=late.pk).update(return_due=timezone.localdate() - datetime.timedelta(days=3),
                                          billable=True, billed_price="289.00", billed_currency="SEK")
    rma_services.rma_note(by=poly_support, rma=late, internal_note=RMA_NOTE)
    done = approved(partner_a_engineer, poly_support, site_a, headset)
    Rma.objects.filter(pk=done.pk).update(status="closed")
    late.refresh_from_db()

    html = status_html(client_for(customer_viewer), customer_a.pk)
    section = rma_section(html)
    assert section.count('id="status-rma-') == 2
    assert waiting.number in section and late.number in section and done.number not in section
    assert late.device.serial in section and "DHL Express" in section and late.tracking_number in section
    assert "Overdue" in section and late.case.number in section
    for secret in (RMA_NOTE, FAULT, "289", "SEK", "Billable", "billable", "allowance"):
        assert secret not in html


def test_the_rma_section_never_shows_another_customers_or_partners_rmas(
        client_for, customer_viewer, customer_a, customer_b, partner_a, site_a, site_b, partner_a_engineer,
        partner_b_engineer, partner_b_admin):
    from tests.rma import covered_world, request_rma

    _, headset = covered_world(site_a)
    own = request_rma(partner_a_engineer, site_a, headset)
    neighbour_site = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
    _, neighbour_headset = covered_world(neighbour_site)
    neighbour = request_rma(partner_a_engineer, neighbour_site, neighbour_headset)
    _, b_headset = covered_world(site_b)
    foreign = request_rma(partner_b_engineer, site_b, b_headset)

    section = rma_section(status_html(client_for(customer_viewer), customer_a.pk))
    assert own.number in section
    assert neighbour.number not in section and foreign.number not in section
    for client in (client_for(partner_b_admin), client_for(factories.CustomerViewerFactory(customer=customer_b))):
        response = client.get(f"/status/{customer_a.pk}/")
        assert response.status_code == 404
        assert own.number not in response.content.decode()


def test_the_page_costs_the_same_queries_for_3_or_30_rmas(client_for, customer_viewer, customer_a, site_a,
                                                         partner_a_engineer, poly_support,
                                                         django_assert_max_num_queries):
    from tests.rma import covered_world, delivered, request_rma

    _, headset = covered_world(site_a)
    client = client_for(customer_viewer)
    counts = []
    for n in (3, 27):
        for i in range(n):
            if i % 3:
                request_rma(partner_a_engineer, site_a, headset)
            else:
                delivered(partner_a_engineer, poly_support, site_a, headset)
        with django_assert_max_num_queries(20) as captured:
            section = rma_section(status_html(client, customer_a.pk))
        assert section.count('id="status-rma-') == min(3 if n == 3 else 30, 20)
        counts.append(len(captured))
    assert counts[0] == counts[1]
