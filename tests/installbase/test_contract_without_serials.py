"""A Poly+ contract covers only the serials it lists: one that lists none says so on its page
and asks again before it is activated."""

import pytest

from contracts.models import ContractStatus, Offering
from installbase import services
from tests import factories

NOTHING_COVERED = "No serials listed: nothing is covered."


@pytest.fixture
def draft(customer_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS,
                                         status=ContractStatus.DRAFT)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_draft_listing_no_serials_warns_and_asks_again_before_activation(client_for, partner_a_admin, draft):
    client = client_for(partner_a_admin)
    assert NOTHING_COVERED in html(client.get(f"/contracts/{draft.pk}/"))

    asked = html(client.post(f"/contracts/{draft.pk}/activate/"))
    assert 'id="confirm-activation"' in asked and NOTHING_COVERED in asked
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT

    assert client.post(f"/contracts/{draft.pk}/activate/", {"confirmed": "yes"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ContractStatus.ACTIVE
    assert NOTHING_COVERED in html(client.get(f"/contracts/{draft.pk}/"))


def test_a_draft_listing_a_serial_activates_at_once_without_the_warning(client_for, partner_a_admin, draft,
                                                                         site_a):
    device = factories.DeviceFactory(site=site_a)
    services.contract_device_add(by=partner_a_admin, contract=draft, device=device)
    client = client_for(partner_a_admin)
    assert NOTHING_COVERED not in html(client.get(f"/contracts/{draft.pk}/"))
    assert client.post(f"/contracts/{draft.pk}/activate/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == ContractStatus.ACTIVE


@pytest.mark.parametrize(("offering", "status"), [(Offering.POLY_PLUS_ENTERPRISE, ContractStatus.ACTIVE),
                                                  (Offering.POLY_PLUS, ContractStatus.CANCELLED),
                                                  (Offering.POLY_PLUS, ContractStatus.EXPIRED)])
def test_no_warning_for_enterprise_or_a_contract_no_longer_in_force(client_for, partner_a_admin, customer_a,
                                                                     offering, status):
    contract = factories.ContractFactory(customer=customer_a, offering=offering, status=status)
    assert NOTHING_COVERED not in html(client_for(partner_a_admin).get(f"/contracts/{contract.pk}/"))
