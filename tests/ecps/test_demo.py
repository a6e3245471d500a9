"""The ECPS demo data: one escalation in each state across providers, made once."""

import pytest
from django.utils import timezone

from ecps.demo import seed_ecps_demo
from ecps.models import Escalation, EscalationStatus
from polyplus.tenancy.models import Role


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_has_every_state_across_providers_and_runs_once(partner_a_engineer, poly_support, site_a):
    staff = {Role.POLY_SUPPORT: poly_support}
    made = seed_ecps_demo(engineer=partner_a_engineer, staff=staff, customer=site_a.customer,
                          today=timezone.localdate())
    assert made > 0
    escalations = Escalation.objects.filter(customer=site_a.customer)
    assert set(escalations.values_list("status", flat=True)) == set(EscalationStatus.values)
    assert escalations.values("provider").distinct().count() >= 2
    assert seed_ecps_demo(engineer=partner_a_engineer, staff=staff, customer=site_a.customer,
                          today=timezone.localdate()) == 0
