"""A customer viewer reads its contracts, never why one was cancelled."""

import pytest

from contracts import services
from contracts.models import ContractStatus, Offering
from tests import factories

REASON = "Customer disputes the March invoice; cancelled pending legal review"


@pytest.fixture
def cancelled_contract(customer_a, partner_a_admin):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    contract = services.contract_cancel(by=partner_a_admin, contract=contract, reason=REASON)
    assert contract.status == ContractStatus.CANCELLED
    return contract


def test_the_contract_page_shows_a_customer_viewer_the_cancellation_but_not_its_reason(
        client_for, cancelled_contract, customer_viewer, partner_a_admin):
    viewer_html = client_for(customer_viewer).get(f"/contracts/{cancelled_contract.pk}/").content.decode()
    assert "Cancelled" in viewer_html
    assert "legal review" not in viewer_html
    assert "legal review" in client_for(partner_a_admin).get(f"/contracts/{cancelled_contract.pk}/").content.decode()


def test_the_contract_api_gives_a_customer_viewer_no_cancellation_reason(api_for, cancelled_contract,
                                                                        customer_viewer, partner_a_admin):
    viewer = api_for(customer_viewer)
    detail = viewer.get(f"/api/v1/contracts/{cancelled_contract.pk}/").json()
    assert (detail["status"], detail["status_reason"]) == ("cancelled", "")
    assert "legal review" not in viewer.get("/api/v1/contracts/").content.decode()
    partner = api_for(partner_a_admin).get(f"/api/v1/contracts/{cancelled_contract.pk}/").json()
    assert partner["status_reason"] == REASON
