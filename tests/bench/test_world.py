"""The benchmark's world: COPY-built, consistent, signed in, and probed as the load will be."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F, Q
from django.test import Client

from polyplus.bench.probe import probe
from polyplus.bench.world import Scale, seed
from polyplus.tenancy.context import staff_context, user_context
from polyplus.tenancy.models import Customer, PartnerNumberCounter, Site, User
from tickets import services as ticket_services
from tickets.models import OPEN_STATUSES, Case, CaseComment, CaseStatus

TINY = Scale("small", partners=2, customers_per_partner=5, cases=400, comments=1_300)


@pytest.fixture
def seeded(transactional_db, settings):
    settings.SECURE_SSL_REDIRECT = False  # the bench serves plain http on 127.0.0.1
    return seed(TINY, log=lambda *_: None)


def test_the_world_has_every_state_consistent_rows_and_numbers_that_continue(seeded):
    with transaction.atomic(), staff_context(reason="test"):
        cases = Case.objects.all()
        assert cases.count() == 400
        assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
        assert 0.3 < cases.filter(status__in=OPEN_STATUSES).count() / 400 < 0.6
        assert set(cases.values_list("severity", flat=True)) == {1, 2, 3, 4}
        assert not cases.exclude(site__partner_id=F("partner_id"), customer_id=F("site__customer_id")).exists()
        assert not cases.filter(status__in=OPEN_STATUSES, paused_since__isnull=True, next_due_at__isnull=True).exists()
        assert not cases.filter(~Q(status__in=OPEN_STATUSES), next_due_at__isnull=False).exists()
        assert CaseComment.objects.count() == 1_300
        assert CaseComment.objects.filter(internal=True).exists()
        assert not CaseComment.objects.exclude(partner_id=F("case__partner_id")).exists()
        assert Site.objects.count() == TINY.sites and Customer.objects.count() == TINY.customers
    assert seeded.rows["installbase_device"] == TINY.devices

    # ids and case numbers continue after the copy
    with transaction.atomic(), staff_context(reason="test"):
        engineer = User.objects.get(email=seeded.engineer_email)
        site = Site.objects.filter(partner_id=engineer.partner_id).first()
        last = Case.objects.filter(partner_id=engineer.partner_id).order_by("-pk").first()
        issued = PartnerNumberCounter.objects.get(partner_id=engineer.partner_id, kind="case").last_value

    with transaction.atomic(), user_context(engineer):
        case = ticket_services.case_open(by=engineer, site=site, category="video", severity=3,
                                         subject="Camera off", description="No picture.")

    assert case.pk == 401
    assert case.number == f"BP01-{issued + 1:06d}"
    assert int(last.number.split("-")[1]) == issued


def test_the_sessions_and_token_see_what_their_person_sees_and_the_probe_explains_the_lists(seeded):
    engineer = Client(HTTP_HOST="127.0.0.1")
    engineer.cookies["sessionid"] = seeded.engineer_session
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.cookies["sessionid"] = seeded.staff_session

    partner_list = engineer.get("/cases/")
    queue = staff.get("/cases/queue/?partner=2")
    api = Client(HTTP_HOST="127.0.0.1").get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {seeded.engineer_token}")

    assert partner_list.status_code == 200
    assert b"BP01-" in partner_list.content and b"BP02-" not in partner_list.content
    assert queue.status_code == 200 and b"BP02-" in queue.content
    assert api.status_code == 200
    assert {row["number"][:4] for row in api.json()["results"]} == {"BP01"}

    found = probe({"scale": "small", **seeded.__dict__})

    assert {result["status"] for result in found["endpoints"].values()} == {200}
    assert all(result["statements"] >= 3 for result in found["endpoints"].values())
    assert {"queue_page", "queue_count", "partner_cases_page", "partner_cases_count"} <= set(found["plans"])
    assert all("actual time" in plan["plan"] for plan in found["plans"].values())


def test_the_command_refuses_to_empty_a_database_not_named_for_the_bench(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "polyplus")

    with pytest.raises(CommandError, match="empties polyplus first"):
        call_command("seed_bench", "--scale", "small")
