"""The ECPS pages: escalating from a case, recording the provider's incident number, updates public
and internal, refusals next to their field with nothing changed, what partners and customers see,
another partner's pages as 404s, a customer's agreements and authorisations, and the lists' query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecps import services
from ecps.models import CloudAgreement, CloudAuthorisation, CloudProvider, Escalation
from tests.ecps import DAY, EXE, PDF, agreement, authorise, escalate, ready_customer, teams, today_at, webex
from tests.tickets import open_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_partner_escalates_from_the_case_page(client_for, partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    client = client_for(partner_a_engineer)
    assert f"/ecps/from-case/{case.pk}/" in page(client, f"/cases/{case.pk}/")
    response = client.post(f"/ecps/from-case/{case.pk}/", {"provider": teams().pk, "problem": "Calls drop hourly."})
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response.url == f"/ecps/{escalation.pk}/"
    html = page(client, response.url)
    assert "Awaiting authorisation" in html and "No current agreement on file" in html


def test_a_request_without_a_problem_shows_the_error_and_writes_nothing(client_for, partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    response = client_for(partner_a_engineer).post(f"/ecps/from-case/{case.pk}/", {"provider": webex().pk,
                                                                                   "problem": ""})
    assert response.status_code == 200
    assert "Describe the problem in the provider" in response.content.decode()
    assert not Escalation.objects.exists()


def test_poly_records_the_incident_number_and_a_blank_one_is_refused(client_for, partner_a_engineer, poly_support,
                                                                     site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    client = client_for(poly_support)
    refused = client.post(f"/ecps/{escalation.pk}/open-incident/", {"open-provider_incident_number": "  "})
    assert refused.status_code == 400
    assert "Give the provider&#x27;s incident tracking number." in refused.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == "requested"
    done = client.post(f"/ecps/{escalation.pk}/open-incident/", {"open-provider_incident_number": "WX-INC-9"})
    assert done.status_code == 302
    assert "WX-INC-9" in page(client_for(partner_a_engineer), f"/ecps/{escalation.pk}/")


def test_opening_without_an_agreement_says_so_on_the_page(client_for, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    response = client_for(partner_a_engineer).post(f"/ecps/{escalation.pk}/open-incident/",
                                                   {"open-provider_incident_number": "WX-1"})
    assert response.status_code == 400
    assert "no current agreement with Webex on file" in response.content.decode()


def test_a_referral_without_findings_is_refused_on_the_page(client_for, partner_a_engineer, poly_support, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    response = client_for(poly_support).post(f"/ecps/{escalation.pk}/refer/", {"refer-findings": ""})
    assert response.status_code == 400 and "results of Poly" in response.content.decode()
    assert client_for(partner_a_engineer).post(f"/ecps/{escalation.pk}/refer/",
                                               {"refer-findings": "x"}).status_code == 403
    escalation.refresh_from_db()
    assert escalation.status == "requested"


def test_internal_updates_show_to_poly_only_and_a_customer_sees_number_and_public_updates(
        client_for, partner_a_engineer, poly_support, customer_viewer, site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    poly = client_for(poly_support)
    poly.post(f"/ecps/{escalation.pk}/internal-update/", {"internal-body": "Provider contact: Jo"})
    poly.post(f"/ecps/{escalation.pk}/update/", {"update-body": "Provider is investigating."})
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-77")
    assert "Provider contact: Jo" in page(poly, f"/ecps/{escalation.pk}/")
    for person in (partner_a_engineer, customer_viewer):
        html = page(client_for(person), f"/ecps/{escalation.pk}/")
        assert "Provider contact: Jo" not in html and "Internal" not in html
        assert "Provider is investigating." in html and "WX-77" in html
    viewer_html = page(client_for(customer_viewer), f"/ecps/{escalation.pk}/")
    assert "<form" not in viewer_html.split('id="content"')[-1].split("</main>")[0].replace('role="search"', "")
    assert "Preconditions" not in viewer_html
    assert "WX-77" in page(client_for(customer_viewer), "/ecps/")


def test_a_partner_may_not_write_internal_updates_and_a_box_makes_nothing_internal(client_for, partner_a_engineer,
                                                                                  poly_support, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    partner = client_for(partner_a_engineer)
    assert partner.post(f"/ecps/{escalation.pk}/internal-update/", {"internal-body": "Hi"}).status_code == 403
    partner.post(f"/ecps/{escalation.pk}/update/", {"update-body": "Hi", "update-internal": "on"})
    client_for(poly_support).post(f"/ecps/{escalation.pk}/update/", {"update-body": "Yo", "update-internal": "on"})
    assert list(escalation.updates.values_list("internal", flat=True)) == [False, False]


def test_another_partners_pages_are_404s_and_change_nothing(client_for, partner_a_engineer, partner_b_engineer,
                                                            poly_support, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    today = today_at(site_a)
    signed = authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today, valid_until=today + DAY)
    before = list(Escalation.objects.values_list("status", "updates__body"))
    client = client_for(partner_b_engineer)
    for url in (f"/ecps/{escalation.pk}/", f"/ecps/from-case/{escalation.case_id}/",
                f"/ecps/customers/{site_a.customer_id}/", f"/ecps/authorisations/{signed.pk}/"):
        assert client.get(url).status_code == 404, url
    for action, data in (("open-incident", {"open-provider_incident_number": "X"}), ("update", {"update-body": "x"}),
                         ("internal-update", {"internal-body": "x"}),
                         ("refer", {"refer-findings": "x"}), ("resolve", {}), ("cancel", {}), ("joint-call", {}),
                         ("joint-call/schedule", {})):
        assert client.post(f"/ecps/{escalation.pk}/{action}/", data).status_code == 404, action
    assert client.post(f"/ecps/customers/{site_a.customer_id}/agreements/", {}).status_code == 404
    assert client.post(f"/ecps/customers/{site_a.customer_id}/authorisations/", {}).status_code == 404
    assert list(Escalation.objects.values_list("status", "updates__body")) == before
    assert "Volvo" not in page(client, "/ecps/")


def test_a_partner_records_an_agreement_and_uploads_an_authorisation(client_for, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    client = client_for(partner_a_engineer)
    base = f"/ecps/customers/{site_a.customer_id}/"
    assert page(client, base)
    ok = client.post(base + "agreements/", {"agreement-provider": teams().pk, "agreement-reference": "MS-EA-1",
                                            "agreement-valid_until": "2030-12-31"})
    assert ok.status_code == 302 and CloudAgreement.objects.get().reference == "MS-EA-1"
    today = today_at(site_a)
    form = {"authorisation-provider": teams().pk, "authorisation-signed_on": today.isoformat(),
            "authorisation-valid_until": (today + 30 * DAY).isoformat()}
    bad = client.post(base + "authorisations/", {**form, "authorisation-file": SimpleUploadedFile("a.pdf", EXE)})
    assert bad.status_code == 400 and "a.pdf is not a PDF." in bad.content.decode()
    assert not CloudAuthorisation.objects.exists()
    good = client.post(base + "authorisations/", {**form, "authorisation-file": SimpleUploadedFile("a.pdf", PDF)})
    assert good.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "requested"
    assert client.get(f"/ecps/authorisations/{CloudAuthorisation.objects.get().pk}/").status_code == 200


def test_customer_viewers_do_not_see_agreements(client_for, customer_viewer, site_a):
    assert client_for(customer_viewer).get(f"/ecps/customers/{site_a.customer_id}/").status_code == 403


def test_only_a_poly_admin_keeps_the_provider_list(client_for, poly_admin, poly_support, partner_a_admin):
    webex_pk = webex().pk
    assert client_for(partner_a_admin).get("/ecps/providers/").status_code == 403
    assert client_for(poly_support).get("/ecps/providers/").status_code == 403
    client = client_for(poly_admin)
    assert "Webex" in page(client, "/ecps/providers/")
    response = client.post("/ecps/providers/", {"name": "Amazon Chime", "direct_engagement": "on", "active": "on"})
    assert response.status_code == 302
    chime = CloudProvider.objects.get(name="Amazon Chime")
    assert not chime.requires_authorisation and chime.direct_engagement
    client.post("/ecps/providers/", {"provider_pk": webex_pk, "name": "Webex", "requires_authorisation": "on",
                                     "direct_engagement": "on", "active": "on"})
    assert CloudProvider.objects.get(pk=webex_pk).requires_authorisation


def test_polys_list_groups_open_escalations_by_provider_oldest_first(client_for, poly_support, partner_a_engineer,
                                                                    site_a):
    first = escalate(partner_a_engineer, site_a, webex())
    second = escalate(partner_a_engineer, site_a, webex())
    cancelled = escalate(partner_a_engineer, site_a, teams())
    services.escalation_cancel(by=partner_a_engineer, escalation=cancelled)
    html = page(client_for(poly_support), "/ecps/")
    assert 'data-provider="Webex"' in html and 'data-provider="Microsoft Teams"' not in html
    assert html.index(first.reference) < html.index(second.reference)


@pytest.mark.parametrize("persona", ["poly_support", "partner_a_engineer", "customer_viewer"])
def test_the_ecps_list_page_costs_the_same_queries_for_3_rows_as_for_30(request, client_for, partner_a_engineer,
                                                                        poly_support, site_a, persona):
    agreement(site_a.customer, webex(), valid_until=today_at(site_a) + DAY)
    client = client_for(request.getfixturevalue(persona))
    counts = []
    for n in (3, 27):
        for i in range(n):
            escalate(partner_a_engineer, site_a, webex() if i % 2 else teams())
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ecps/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_escalation_page_costs_the_same_queries_whatever_its_updates(client_for, partner_a_engineer, poly_support,
                                                                        site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    client = client_for(partner_a_engineer)
    counts = []
    for n in (3, 30):
        for i in range(n):
            services.escalation_add_update(by=poly_support, escalation=escalation, body=f"U{i}")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/ecps/{escalation.pk}/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_customers_status_page_lists_open_provider_incidents_with_their_numbers(
        client_for, partner_a_engineer, poly_support, customer_viewer, site_a, site_b, partner_b_engineer):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-STATUS-1")
    escalate(partner_b_engineer, site_b, webex(), problem="Płock problem")
    html = page(client_for(customer_viewer), "/dashboard/")
    assert "Cloud provider incidents" in html and "WX-STATUS-1" in html
    assert "Płock" not in html and html.count("data-escalation=") == 1


def test_the_case_page_lists_its_escalations_with_the_providers_number(client_for, partner_a_engineer, poly_support,
                                                                       customer_viewer, partner_b_engineer, site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-INC-42")
    url = f"/cases/{escalation.case_id}/"
    for reader in (partner_a_engineer, poly_support, customer_viewer):
        html = page(client_for(reader), url)
        panel = html[html.index('id="ecps"'):]
        assert escalation.reference in panel and "WX-INC-42" in panel and f"/ecps/{escalation.pk}/" in panel
        assert escalation.problem not in panel  # the problem text stays on the escalation's own page
    assert client_for(partner_b_engineer).get(url).status_code == 404


def test_the_case_page_costs_the_same_queries_for_1_or_5_escalations(client_for, partner_a_engineer, site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    case = escalate(partner_a_engineer, site_a, webex()).case
    client = client_for(partner_a_engineer)
    with CaptureQueriesContext(connection) as one:
        page(client, f"/cases/{case.pk}/")
    for name in ("Microsoft Teams", "Zoom", "Google Meet", "RingCentral"):
        services.escalation_request(by=partner_a_engineer, case=case, provider=services.provider_named(name),
                                    problem="Calls drop.")
    with CaptureQueriesContext(connection) as five:
        html = page(client, f"/cases/{case.pk}/")
    assert html.count("data-escalation=") == 5
    assert len(five) == len(one)
