"""The escalation view: open cases above tier 1 or past an SLA target, by level and age, for the
escalation manager (a partner sees only its own); and the queue's filter by escalation level."""

import datetime

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import Case, CaseEscalation, CaseStatus


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def open_case(by, site, subject: str) -> Case:
    return services.case_open(by=by, site=site, category="video", severity=2, subject=subject,
                              description="Since Monday.")


def escalate(case: Case, by, to_level: int, hours_ago: float) -> None:
    services.case_escalate(by=by, case=case, reason="Needs more eyes", to_level=to_level)
    CaseEscalation.objects.filter(case=case, to_level=to_level).update(
        at=timezone.now() - datetime.timedelta(hours=hours_ago))


def breach(case: Case) -> None:
    past = timezone.now() - datetime.timedelta(minutes=5)
    Case.objects.filter(pk=case.pk).update(first_response_due=past, next_due_at=past)


@pytest.fixture
def cases(partner_a_engineer, partner_b_engineer, site_a, site_b, poly_support):
    made = {
        "engineering": open_case(partner_a_engineer, site_a, "Codec crashes on every call"),
        "tier2_old": open_case(partner_a_engineer, site_a, "Bridge drops calls"),
        "tier2_new": open_case(partner_b_engineer, site_b, "Wisła room dark"),
        "breached_tier1": open_case(partner_a_engineer, site_a, "No answer yet"),
        "calm": open_case(partner_a_engineer, site_a, "Question about firmware"),
        "closed_escalated": open_case(partner_a_engineer, site_a, "Already solved"),
    }
    escalate(made["engineering"], poly_support, 4, hours_ago=1)
    escalate(made["tier2_old"], poly_support, 2, hours_ago=30)
    escalate(made["tier2_new"], poly_support, 2, hours_ago=2)
    breach(made["breached_tier1"])
    escalate(made["closed_escalated"], poly_support, 3, hours_ago=5)
    services.case_transition(by=poly_support, case=made["closed_escalated"], to_status=CaseStatus.RESOLVED)
    return made


def test_the_escalation_manager_sees_escalated_and_breached_cases_by_level_the_oldest_first(
        client_for, escalation_manager, cases):
    html = client_for(escalation_manager).get("/cases/escalations/").content.decode()
    for shown in ("engineering", "tier2_old", "tier2_new", "breached_tier1"):
        assert cases[shown].number in html, shown
    for hidden in ("calm", "closed_escalated"):
        assert cases[hidden].number not in html, hidden
    levels = [html.index(f'id="level-{level}"') for level in (4, 2, 1)]
    assert levels == sorted(levels)
    order = [html.index(cases[key].number) for key in ("engineering", "tier2_old", "tier2_new", "breached_tier1")]
    assert order == sorted(order)
    assert "1 d 6 h" in html  # tier2_old has been at tier 2 for 30 hours
    assert "Wisła Systemy" in html or cases["tier2_new"].partner.name in html


def test_a_partner_sees_only_its_own_escalated_cases(client_for, partner_a_engineer, partner_b_engineer, cases):
    html_a = client_for(partner_a_engineer).get("/cases/escalations/").content.decode()
    assert cases["engineering"].number in html_a and cases["tier2_new"].number not in html_a
    html_b = client_for(partner_b_engineer).get("/cases/escalations/").content.decode()
    assert cases["tier2_new"].number in html_b
    for key in ("engineering", "tier2_old", "breached_tier1"):
        assert cases[key].number not in html_b and cases[key].subject not in html_b


def test_readers_who_do_not_work_cases_may_not_open_the_escalation_view(client_for, customer_viewer, csm):
    for person in (customer_viewer, csm):
        assert client_for(person).get("/cases/escalations/").status_code == 403


def test_the_escalation_view_is_linked_for_poly_case_workers(client_for, escalation_manager, poly_support,
                                                             partner_a_engineer):
    assert 'href="/cases/escalations/"' in client_for(escalation_manager).get("/dashboard/").content.decode()
    assert 'href="/cases/escalations/"' in client_for(poly_support).get("/cases/queue/").content.decode()
    assert 'href="/cases/escalations/"' in client_for(partner_a_engineer).get("/cases/").content.decode()


@pytest.mark.parametrize(("level", "shown", "hidden"), [
    ("4", "engineering", "tier2_old"),
    ("2", "tier2_old", "engineering"),
    ("1", "calm", "tier2_new"),
])
def test_the_queue_filters_by_escalation_level(client_for, poly_support, cases, level, shown, hidden):
    html = client_for(poly_support).get("/cases/queue/", {"escalation_level": level}).content.decode()
    assert cases[shown].number in html and cases[hidden].number not in html


def test_a_bad_escalation_level_filter_is_ignored(client_for, poly_support, cases):
    response = client_for(poly_support).get("/cases/queue/", {"escalation_level": "9"})
    assert response.status_code == 200 and cases["calm"].number in response.content.decode()


def test_the_escalation_view_costs_the_same_queries_for_3_or_30_cases(
        client_for, escalation_manager, poly_support, partner_a_engineer, partner_b_engineer, site_a, site_b,
        django_assert_max_num_queries):
    def add(count):
        for n in range(count):
            engineer, site = (partner_a_engineer, site_a) if n % 2 else (partner_b_engineer, site_b)
            case = open_case(engineer, site, f"Problem {n}")
            if n % 3:
                escalate(case, poly_support, 2 + n % 3, hours_ago=n)
            else:
                breach(case)

    add(3)
    client = client_for(escalation_manager)
    with django_assert_max_num_queries(18) as few:
        assert client.get("/cases/escalations/").status_code == 200
    add(27)
    with django_assert_max_num_queries(18) as many:
        response = client.get("/cases/escalations/")
        assert response.status_code == 200
    assert response.content.decode().count("data-case=") == 30
    assert len(many) == len(few)
