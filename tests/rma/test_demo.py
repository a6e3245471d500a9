"""Demo data: RMAs in every state, one overdue return and one billable headset RMA; made once."""

import io

from django.core.management import call_command

from rma import selectors
from rma.models import Rma, RmaStatus, RmaStep


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def test_the_demo_has_rmas_in_every_state_an_overdue_one_and_a_billable_headset(db):
    seed()
    assert set(Rma.objects.values_list("status", flat=True)) == set(RmaStatus.values)
    assert selectors.overdue_returns().count() >= 1
    billable = Rma.objects.filter(billable=True)
    assert billable.count() >= 1 and billable.first().product.category == "headset"
    assert Rma.objects.filter(return_sent_on__isnull=False).exists()


def test_a_second_run_adds_no_rma(db):
    seed()
    before = (Rma.objects.count(), RmaStep.objects.count())
    seed()
    assert (Rma.objects.count(), RmaStep.objects.count()) == before
