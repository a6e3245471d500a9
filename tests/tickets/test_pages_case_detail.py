"""Case pages, part two: the case page, its timeline and actions, attachment downloads,
isolation of every case URL, internal-note secrecy, and the SLA targets page."""

import datetime
import zoneinfo
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Offering
from polyplus.tenancy.models import ServiceCategory
from tests import factories
from tickets import services
from tickets.models import (
    Case,
    CaseAttachment,
    CaseComment,
    CaseEscalation,
    CaseStatus,
    EscalationLevel,
    OnsiteDispatch,
    SlaTarget,
)

SECRET = "Internal: codec firmware 11.2 has a known crash, bug PLY-4711"
PUBLIC = "Please send the codec logs from the last hour."
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def contract_a(partner_a, customer_a):
    """Customer A: Poly+ Enterprise for video with the onsite extension; partner A certified for video."""
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.VIDEO)
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE,
                                         onsite_extension=True)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


@pytest.fixture
def case_a(partner_a_engineer, site_a, contract_a):
    return services.case_open(by=partner_a_engineer, site=site_a, category="video", severity=2,
                              subject="Room 4 codec reboots every hour", description="Since Monday.",
                              uploads=(services.Upload(name="codec.log", file=_file(b"12:00 reboot\n"), size=13),))


def _file(content: bytes):
    return SimpleUploadedFile("f", content)


@pytest.fixture
def internal_note(case_a, poly_support):
    return services.case_comment_add(
        by=poly_support, case=case_a, body=SECRET, internal=True,
        uploads=(services.Upload(name="crashdump-internal.txt", file=_file(b"core dumped\n"), size=12),),
    )


def page(client, case) -> str:
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def field_html(response, name: str) -> str:
    html = unescape(response.content.decode())
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 10)
    return html[start:end if end != -1 else len(html)]


def local_input(moment: datetime.datetime, zone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


# ---- who sees the case page ------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["partner_a_engineer", "partner_a_admin", "poly_support", "poly_admin",
                                     "escalation_manager", "customer_viewer", "csm"])
def test_every_persona_who_may_see_the_case_gets_its_page(client_for, request, persona, case_a, customer_a):
    factories.CsmAssignmentFactory(customer=customer_a, csm=request.getfixturevalue("csm"))
    html = page(client_for(request.getfixturevalue(persona)), case_a)
    assert case_a.number in html and case_a.subject in html
    assert "First response due" in html and "Resolution due" in html
    assert "Covered by Poly+ Enterprise contract" in html


def test_the_header_shows_status_severity_offering_priority_entitlement_and_sla(client_for, partner_a_engineer,
                                                                                 case_a):
    html = page(client_for(partner_a_engineer), case_a)
    for text in ("New", "Severity 2 · Major impact", "Poly+ Enterprise", "Enterprise priority", "Entitled",
                 case_a.first_response_due.strftime("%H:%M"), case_a.resolution_due.strftime("%H:%M"), "not yet"):
        assert text in html


def test_read_only_people_get_no_reply_form_no_buttons_and_may_not_act(client_for, customer_viewer, csm, case_a,
                                                                        customer_a):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    for person in (customer_viewer, csm):
        client = client_for(person)
        html = page(client, case_a)
        assert f"/cases/{case_a.pk}/reply/" not in html
        assert f"/cases/{case_a.pk}/status/" not in html
        assert f"/cases/{case_a.pk}/escalate/" not in html
        assert f"/cases/{case_a.pk}/onsite/" not in html
        assert client.post(f"/cases/{case_a.pk}/reply/", {"body": "hello"}).status_code == 403
        assert client.post(f"/cases/{case_a.pk}/status/", {"to_status": "resolved"}).status_code == 403
        assert client.post(f"/cases/{case_a.pk}/escalate/", {"to_level": 2, "reason": "x"}).status_code == 403
    assert not CaseComment.objects.exists()
    case_a.refresh_from_db()
    assert (case_a.status, case_a.escalation_level) == (CaseStatus.NEW, EscalationLevel.TIER_1)


# ---- isolation -------------------------------------------------------------------------------

def _every_case_request(case_pk: int, attachment_pk: int, future: str):
    return [
        ("get", f"/cases/{case_pk}/", {}),
        ("get", f"/cases/{case_pk}/attachments/{attachment_pk}/", {}),
        ("post", f"/cases/{case_pk}/reply/", {"body": "Let me in"}),
        ("post", f"/cases/{case_pk}/note/", {"note-body": "Let me in"}),
        ("post", f"/cases/{case_pk}/status/", {"to_status": "resolved"}),
        ("post", f"/cases/{case_pk}/escalate/", {"to_level": "2", "reason": "Let me in"}),
        ("post", f"/cases/{case_pk}/onsite/", {"purpose": "hardware_repair", "remote_diagnostics_summary": "x",
                                               "partner_engineer_name": "x", "scheduled_for": future}),
    ]


@pytest.mark.parametrize("persona", ["partner_b_engineer", "partner_b_admin"])
def test_every_case_url_and_action_is_not_found_for_another_partner_exactly_like_a_missing_case(
        client_for, request, persona, case_a):
    attachment = CaseAttachment.objects.get(case=case_a)
    future = local_input(timezone.now() + datetime.timedelta(days=3), "UTC")
    client = client_for(request.getfixturevalue(persona))
    for (method, url, data), (_, missing_url, _) in zip(_every_case_request(case_a.pk, attachment.pk, future),
                                                         _every_case_request(987654, 987654, future), strict=True):
        foreign = getattr(client, method)(url, data)
        missing = getattr(client, method)(missing_url, data)
        assert (foreign.status_code, missing.status_code) == (404, 404), url
        assert case_a.number not in foreign.content.decode()
    case_a.refresh_from_db()
    assert (case_a.status, case_a.escalation_level) == (CaseStatus.NEW, EscalationLevel.TIER_1)
    assert not CaseComment.objects.exists() and not OnsiteDispatch.objects.exists()
    assert not CaseEscalation.objects.exists()


def test_another_customers_viewer_and_an_unassigned_csm_do_not_find_the_case(client_for, csm, case_a, partner_a):
    other_viewer = factories.CustomerViewerFactory(customer=factories.CustomerFactory(partner=partner_a))
    attachment = CaseAttachment.objects.get(case=case_a)
    for person in (other_viewer, csm):
        client = client_for(person)
        assert client.get(f"/cases/{case_a.pk}/").status_code == 404
        assert client.get(f"/cases/{case_a.pk}/attachments/{attachment.pk}/").status_code == 404


def test_an_attachment_of_another_case_is_not_found_through_this_one(client_for, partner_a_engineer, case_a,
                                                                    site_b, partner_b_engineer):
    other = services.case_open(by=partner_b_engineer, site=site_b, category="video", severity=3, subject="Other",
                               description="x", uploads=(services.Upload(name="b.log", file=_file(b"b\n"), size=2),))
    foreign_attachment = CaseAttachment.objects.get(case=other)
    response = client_for(partner_a_engineer).get(f"/cases/{case_a.pk}/attachments/{foreign_attachment.pk}/")
    assert response.status_code == 404


# ---- the timeline ----------------------------------------------------------------------------

def test_the_file_sent_with_the_case_is_on_its_timeline_under_the_opening(client_for, case_a, partner_a_engineer,
                                                                        customer_viewer):
    attachment = CaseAttachment.objects.get(case=case_a)
    for person in (partner_a_engineer, customer_viewer):
        html = page(client_for(person), case_a)
        opened = html[html.index('id="case-opened"'):]
        opened = opened[:opened.index("</li>\n")]
        assert "codec.log" in opened
        assert f"/cases/{case_a.pk}/attachments/{attachment.pk}/" in opened


# ---- internal notes --------------------------------------------------------------------------

def test_an_internal_note_and_its_attachment_never_reach_the_partner_or_the_customer(
        client_for, internal_note, case_a, partner_a_engineer, partner_a_admin, customer_viewer):
    attachment = internal_note.attachments.get()
    assert attachment.internal
    for person in (partner_a_engineer, partner_a_admin, customer_viewer):
        client = client_for(person)
        html = page(client, case_a)
        assert SECRET not in html
        assert "PLY-4711" not in html
        assert "crashdump-internal.txt" not in html
        assert "Internal · Poly only" not in html
        assert client.get(f"/cases/{case_a.pk}/attachments/{attachment.pk}/").status_code == 404
        for url in ("/cases/", "/dashboard/"):
            assert "PLY-4711" not in client.get(url).content.decode()


def test_the_partner_admins_audit_log_never_shows_an_internal_note(client_for, internal_note, partner_a_admin):
    html = unescape(client_for(partner_a_admin).get("/audit/").content.decode())
    assert "PLY-4711" not in html
    assert "crashdump-internal.txt" not in html


def test_poly_staff_see_the_internal_note_marked_internal(client_for, internal_note, case_a, poly_support,
                                                         escalation_manager, csm, customer_a):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    attachment = internal_note.attachments.get()
    for person in (poly_support, escalation_manager, csm):
        client = client_for(person)
        html = page(client, case_a)
        assert SECRET in html
        assert '<li class="internal"' in html and "Internal · Poly only" in html
        assert client.get(f"/cases/{case_a.pk}/attachments/{attachment.pk}/").status_code == 200


def test_poly_support_writes_an_internal_note_from_the_page_and_the_partner_never_sees_it(
        client_for, case_a, poly_support, partner_a_engineer):
    html = page(client_for(poly_support), case_a)
    assert f'action="/cases/{case_a.pk}/note/#internal-note"' in html and "Internal note — Poly only" in html
    response = client_for(poly_support).post(f"/cases/{case_a.pk}/note/", {"note-body": SECRET})
    assert response.status_code == 302
    comment = CaseComment.objects.get()
    assert comment.internal
    case_a.refresh_from_db()
    assert case_a.first_response_at is None  # an internal note is not a response to the partner
    assert SECRET not in page(client_for(partner_a_engineer), case_a)


def test_the_partner_never_gets_the_internal_note_form_and_may_not_post_one(client_for, case_a, partner_a_engineer):
    client = client_for(partner_a_engineer)
    html = page(client, case_a)
    assert f"/cases/{case_a.pk}/note/" not in html and "Internal note" not in html
    assert client.post(f"/cases/{case_a.pk}/note/", {"note-body": "Is it the firmware?"}).status_code == 403
    response = client.post(f"/cases/{case_a.pk}/reply/", {"body": "Is it the firmware?", "internal": "on"})
    assert response.status_code == 302
    assert CaseComment.objects.get().internal is False


def test_a_reply_is_public_whatever_else_is_posted_with_it(client_for, case_a, poly_support):
    response = client_for(poly_support).post(f"/cases/{case_a.pk}/reply/", {"body": PUBLIC, "internal": "on"})
    assert response.status_code == 302
    assert CaseComment.objects.get().internal is False


def test_a_refused_internal_note_stays_in_its_own_form_with_the_error(client_for, case_a, poly_support):
    response = client_for(poly_support).post(f"/cases/{case_a.pk}/note/", {"note-body": "  "})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    internal_form = html[html.index('id="internal-note"'):]
    assert "Write the note." in internal_form
    assert 'href="#id_note-body"' in internal_form
    assert not CaseComment.objects.exists()


# ---- replies ---------------------------------------------------------------------------------

def test_poly_supports_first_public_reply_is_the_first_response_and_the_partner_reads_it(
        client_for, case_a, poly_support, partner_a_engineer):
    response = client_for(poly_support).post(f"/cases/{case_a.pk}/reply/", {"body": "Please send the codec logs."})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.first_response_at is not None
    assert case_a.status == CaseStatus.IN_PROGRESS
    html = page(client_for(partner_a_engineer), case_a)
    assert "Please send the codec logs." in html
    assert "Poly support" in html and poly_support.email not in html
    assert case_a.first_response_at.strftime("%H:%M") in html and "in time" in html


def test_the_partners_answer_to_a_case_waiting_on_it_starts_the_clock_again(client_for, case_a, poly_support,
                                                                             partner_a_engineer):
    services.case_transition(by=poly_support, case=case_a, to_status=CaseStatus.WAITING_ON_PARTNER)
    client = client_for(partner_a_engineer)
    assert "Clock paused: waiting on partner" in page(client, case_a)
    client.post(f"/cases/{case_a.pk}/reply/", {"body": "Logs attached."})
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.IN_PROGRESS and case_a.paused_since is None


@pytest.mark.parametrize(("body", "message"), [
    ("   ", "Write a reply."),
    ("z" * 30000, "Ensure this value has at most 20000 characters"),
    ("nul\x00", "Null characters are not allowed."),
])
def test_a_bad_reply_is_an_error_next_to_it_and_writes_nothing(client_for, case_a, partner_a_engineer, body, message):
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/reply/", {"body": body})
    assert response.status_code == 200
    assert message in field_html(response, "body")
    assert not CaseComment.objects.exists()


def test_a_reply_with_a_program_renamed_png_is_refused_and_writes_nothing(client_for, case_a, partner_a_engineer):
    before = CaseAttachment.objects.count()
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/reply/", {
        "body": "Screenshot attached", "attachments": [SimpleUploadedFile("screen.png", EXE, "image/png")]})
    assert response.status_code == 200
    assert "screen.png is not one of" in field_html(response, "attachments")
    assert not CaseComment.objects.exists()
    assert CaseAttachment.objects.count() == before


def test_an_attachment_downloads_as_a_file_with_its_checked_type(client_for, case_a, partner_a_engineer):
    attachment = CaseAttachment.objects.get(case=case_a)
    response = client_for(partner_a_engineer).get(f"/cases/{case_a.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"12:00 reboot\n"
    assert response["Content-Type"] == "text/plain"
    assert 'attachment; filename="codec.log"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


# ---- the state machine's buttons -------------------------------------------------------------

def _buttons(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-to-status="([a-z_]+)"', html))


def test_the_buttons_are_the_transitions_each_actor_may_make(client_for, case_a, partner_a_engineer, poly_support):
    assert _buttons(page(client_for(partner_a_engineer), case_a)) == {"resolved"}
    assert _buttons(page(client_for(poly_support), case_a)) == {"in_progress", "waiting_on_partner", "resolved"}
    services.case_transition(by=poly_support, case=case_a, to_status=CaseStatus.WAITING_ON_PARTNER)
    assert _buttons(page(client_for(partner_a_engineer), case_a)) == {"in_progress", "resolved"}


def test_a_partner_pressing_a_poly_only_transition_is_forbidden_and_nothing_changes(client_for, case_a,
                                                                                     partner_a_engineer):
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/status/", {"to_status": "waiting_on_partner"})
    assert response.status_code == 403
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.NEW


@pytest.mark.parametrize(("to_status", "message"), [
    ("closed", "A case that is new cannot become closed."),
    ("exploded", "“exploded” is not a case status."),
])
def test_an_illegal_transition_shows_the_state_machines_reason(client_for, case_a, poly_support, to_status, message):
    response = client_for(poly_support).post(f"/cases/{case_a.pk}/status/", {"to_status": to_status})
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.NEW


def test_the_partner_resolves_and_reopens_within_the_window(client_for, case_a, partner_a_engineer):
    client = client_for(partner_a_engineer)
    assert client.post(f"/cases/{case_a.pk}/status/", {"to_status": "resolved"}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.RESOLVED
    html = page(client, case_a)
    assert _buttons(html) == {"closed", "in_progress"} and "Reopen" in html
    assert client.post(f"/cases/{case_a.pk}/status/", {"to_status": "in_progress"}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.IN_PROGRESS
    assert "New → Resolved" in page(client, case_a)


def test_reopening_after_the_window_is_refused_with_the_services_reason(client_for, case_a, partner_a_engineer):
    services.case_transition(by=partner_a_engineer, case=case_a, to_status=CaseStatus.RESOLVED)
    Case.objects.filter(pk=case_a.pk).update(resolved_at=timezone.now() - datetime.timedelta(days=30))
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/status/", {"to_status": "in_progress"})
    assert response.status_code == 200
    assert "A case can be reopened within 14 days of its resolution; open a new case." in \
        unescape(response.content.decode())
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.RESOLVED


# ---- escalation ------------------------------------------------------------------------------

def test_poly_support_escalates_with_a_reason_and_the_partner_sees_it_on_the_timeline(
        client_for, case_a, poly_support, partner_a_engineer):
    client = client_for(poly_support)
    html = page(client, case_a)
    assert '<option value="2">Tier 2</option>' in html and '<option value="1">' not in html
    response = client.post(f"/cases/{case_a.pk}/escalate/", {"to_level": "3", "reason": "Crash needs a specialist"})
    assert response.status_code == 302
    escalation = CaseEscalation.objects.get()
    assert (escalation.from_level, escalation.to_level, escalation.by) == (1, 3, poly_support)
    partner_html = page(client_for(partner_a_engineer), case_a)
    assert "Escalated: Tier 1 → Specialist" in partner_html and "Crash needs a specialist" in partner_html
    assert poly_support.email not in partner_html


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"to_level": "2", "reason": "  "}, "reason", "Say why the case needs a higher level."),
    ({"to_level": "1", "reason": "Down a level"}, "to_level", "Choose a level above the current one."),
    ({"to_level": "9", "reason": "Nowhere"}, "to_level", "Select a valid choice."),
    ({"to_level": "2", "reason": "r" * 5000}, "reason", "Ensure this value has at most 500 characters"),
])
def test_a_refused_escalation_is_an_error_next_to_its_field_and_writes_nothing(client_for, case_a, poly_support,
                                                                              data, field, message):
    response = client_for(poly_support).post(f"/cases/{case_a.pk}/escalate/", data)
    assert response.status_code == 200
    assert message in field_html(response, field)
    assert not CaseEscalation.objects.exists()


def test_partners_may_not_escalate(client_for, case_a, partner_a_engineer):
    html = page(client_for(partner_a_engineer), case_a)
    assert f"/cases/{case_a.pk}/escalate/" not in html
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/escalate/", {"to_level": "2", "reason": "x"})
    assert response.status_code == 403
    assert not CaseEscalation.objects.exists()


def test_a_closed_case_offers_no_escalation_and_refuses_one(client_for, case_a, poly_support):
    services.case_transition(by=poly_support, case=case_a, to_status=CaseStatus.RESOLVED)
    client = client_for(poly_support)
    assert f"/cases/{case_a.pk}/escalate/" not in page(client, case_a)
    response = client.post(f"/cases/{case_a.pk}/escalate/", {"to_level": "2", "reason": "Late"})
    assert "Only an open case can be escalated." in unescape(response.content.decode())
    assert not CaseEscalation.objects.exists()


def test_an_automatic_escalation_shows_on_the_timeline_as_automatic(client_for, case_a, partner_a_engineer):
    services.cases_escalate_breached(now=case_a.first_response_due + datetime.timedelta(minutes=1))
    html = page(client_for(partner_a_engineer), case_a)
    assert "Automatic · First response target missed" in html
    assert "First response target missed (due" in html


# ---- onsite visits ---------------------------------------------------------------------------

def _visit(**changes):
    data = {"purpose": "hardware_repair", "remote_diagnostics_summary": "Swapped cables, reflashed; still dead.",
            "partner_engineer_name": "Anna Berg",
            "scheduled_for": local_input(timezone.now() + datetime.timedelta(days=3), "Europe/Stockholm"),
            "details": "Room 4, second floor"}
    return {**data, **changes}


def test_a_visit_is_scheduled_in_the_sites_local_time(client_for, case_a, partner_a_engineer, site_a):
    when = (timezone.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    client = client_for(partner_a_engineer)
    response = client.post(f"/cases/{case_a.pk}/onsite/", _visit(scheduled_for=local_input(when, site_a.timezone)))
    assert response.status_code == 302
    dispatch = OnsiteDispatch.objects.get()
    assert dispatch.scheduled_for == when
    assert (dispatch.partner_engineer_name, dispatch.requested_by) == ("Anna Berg", partner_a_engineer)
    html = page(client, case_a)
    assert "Onsite visit requested" in html and "Europe/Stockholm" in html


@pytest.mark.parametrize(("purpose", "message"), [
    ("software_update", "Onsite work never includes installing software updates or patches"),
    ("configuration", "Onsite work never includes configuration"),
])
def test_a_visit_for_software_updates_or_configuration_is_refused_with_the_reason(client_for, case_a,
                                                                                  partner_a_engineer, purpose, message):
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/onsite/", _visit(purpose=purpose))
    assert response.status_code == 200
    assert message in field_html(response, "purpose")
    assert not OnsiteDispatch.objects.exists()


def test_a_visit_without_the_onsite_option_is_refused_with_the_reason(client_for, case_a, contract_a,
                                                                       partner_a_engineer):
    type(contract_a).objects.filter(pk=contract_a.pk).update(onsite_extension=False)
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/onsite/", _visit())
    assert response.status_code == 200
    assert "The customer's contract has no onsite support extension." in unescape(response.content.decode())
    assert not OnsiteDispatch.objects.exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"remote_diagnostics_summary": ""}, "remote_diagnostics_summary", "Poly works with the partner's engineer"),
    ({"partner_engineer_name": ""}, "partner_engineer_name", "Name the partner's engineer"),
    ({"scheduled_for": "2020-01-01T10:00"}, "scheduled_for", "Schedule the visit in the future."),
    ({"scheduled_for": "2026-13-45T25:99"}, "scheduled_for", "2026-13-45 does not exist: there is no month 13."),
    ({"scheduled_for": "tomorrow at ten"}, "scheduled_for", "Give the date and time as YYYY-MM-DD HH:MM."),
    ({"scheduled_for": ""}, "scheduled_for", "Give the date and time of the visit."),
    ({"scheduled_for": "0001-01-01T00:00"}, "scheduled_for", "Enter a date from 2000-01-01 to 2099-12-31."),
    ({"purpose": "sightseeing"}, "purpose", "Select a valid choice."),
])
def test_a_bad_visit_request_is_an_error_next_to_its_field_and_writes_nothing(client_for, case_a, partner_a_engineer,
                                                                              changes, field, message):
    response = client_for(partner_a_engineer).post(f"/cases/{case_a.pk}/onsite/", _visit(**changes))
    assert response.status_code == 200
    assert message in field_html(response, field)
    assert not OnsiteDispatch.objects.exists()


# ---- SLA targets (Poly admin) ----------------------------------------------------------------

def test_a_poly_admin_sees_every_target_and_changes_one(client_for, poly_admin):
    client = client_for(poly_admin)
    html = client.get("/cases/sla-targets/").content.decode()
    assert html.count('class="inline-form"') == 8
    assert 'value="30 min"' in html and 'value="4 h"' in html
    target = SlaTarget.objects.get(severity=1, offering=Offering.POLY_PLUS_ENTERPRISE)
    prefix = f"target-{target.pk}"
    response = client.post(f"/cases/sla-targets/{target.pk}/",
                           {f"{prefix}-first_response": "45 min", f"{prefix}-resolution": "1 d 6 h"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.first_response, target.resolution) == (datetime.timedelta(minutes=45),
                                                           datetime.timedelta(hours=30))


@pytest.mark.parametrize(("first_response", "resolution", "field", "message"), [
    ("4 h", "1 h", "resolution", "cannot be shorter than the first-response target"),
    ("0 min", "1 h", "first_response", "must be longer than zero"),
    ("soon", "1 h", "first_response", "Write a duration such as 30 min"),
    ("1 h", "999 d", "resolution", "At most 365 days."),
    ("", "1 h", "first_response", "This field is required."),
])
def test_a_bad_target_is_an_error_next_to_its_field_and_changes_nothing(client_for, poly_admin, first_response,
                                                                        resolution, field, message):
    target = SlaTarget.objects.get(severity=2, offering=Offering.POLY_PLUS)
    prefix = f"target-{target.pk}"
    response = client_for(poly_admin).post(f"/cases/sla-targets/{target.pk}/", {
        f"{prefix}-first_response": first_response, f"{prefix}-resolution": resolution})
    assert response.status_code == 200
    assert message in field_html(response, f"{prefix}-{field}")
    target.refresh_from_db()
    assert (target.first_response, target.resolution) == (datetime.timedelta(hours=4), datetime.timedelta(days=2))


@pytest.mark.parametrize("persona", ["poly_support", "escalation_manager", "csm", "partner_a_admin",
                                     "partner_a_engineer", "customer_viewer"])
def test_only_a_poly_admin_may_see_or_change_the_targets(db, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    target = SlaTarget.objects.first()
    assert client.get("/cases/sla-targets/").status_code == 403
    assert client.post(f"/cases/sla-targets/{target.pk}/", {}).status_code == 403


def test_the_target_service_refuses_anyone_but_a_poly_admin(poly_support):
    target = SlaTarget.objects.first()
    with pytest.raises(PermissionDenied):
        services.sla_target_update(by=poly_support, target=target, first_response=datetime.timedelta(hours=1),
                                   resolution=datetime.timedelta(hours=2))


def test_a_missing_target_is_not_found(client_for, poly_admin):
    assert client_for(poly_admin).post("/cases/sla-targets/987654/", {}).status_code == 404


def test_the_escalation_and_visit_forms_mark_what_they_require(client_for, case_a, poly_support):
    html = page(client_for(poly_support), case_a)
    for name in ("reason", "purpose", "remote_diagnostics_summary", "partner_engineer_name", "scheduled_for"):
        block = html[html.index(f'id="field-{name}"'):]
        label = block[block.index("<label"):block.index("</label>")]
        assert 'class="required-mark"' in label, name
    details = html[html.index('id="field-details"'):]
    assert 'class="required-mark"' not in details[:details.index("</label>")]
