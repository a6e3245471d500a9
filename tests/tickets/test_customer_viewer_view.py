"""What a customer viewer learns of an escalated case: that it went up a level, never why."""

import pytest

from contracts.models import Offering
from polyplus.tenancy.models import ServiceCategory
from tests import factories
from tickets import services

REASON = "Partner's engineer keeps rebooting instead of sending logs; escalating to unblock"


@pytest.fixture
def escalated_case(partner_a, customer_a, site_a, partner_a_engineer, poly_support):
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.VIDEO)
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    case = services.case_open(by=partner_a_engineer, site=site_a, category="video", severity=2,
                              subject="Room 4 codec reboots", description="Since Monday.")
    services.case_escalate(by=poly_support, case=case, reason=REASON, to_level=2)
    return case


def test_the_case_page_shows_a_customer_viewer_the_escalation_but_not_its_reason(
        client_for, escalated_case, customer_viewer, partner_a_engineer):
    viewer_html = client_for(customer_viewer).get(f"/cases/{escalated_case.pk}/").content.decode()
    assert "Escalated: Tier 1 → Tier 2" in viewer_html
    assert "keeps rebooting" not in viewer_html
    partner_html = client_for(partner_a_engineer).get(f"/cases/{escalated_case.pk}/").content.decode()
    assert "keeps rebooting" in partner_html


def test_the_case_api_gives_a_customer_viewer_the_escalation_without_its_reason(
        api_for, escalated_case, customer_viewer, partner_a_engineer):
    viewer = api_for(customer_viewer).get(f"/api/v1/cases/{escalated_case.pk}/").json()
    assert [row["reason"] for row in viewer["escalations"]] == [""]
    assert "keeps rebooting" not in str(viewer)
    partner = api_for(partner_a_engineer).get(f"/api/v1/cases/{escalated_case.pk}/").json()
    assert partner["escalations"][0]["reason"] == REASON
