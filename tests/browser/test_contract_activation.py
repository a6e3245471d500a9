"""A partner admin activating a Poly+ contract that lists no serials is told that it covers nothing,
on the page and again before it is put in force."""

import pytest
from playwright.sync_api import expect

from contracts.models import Contract, ContractStatus, Offering
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, Role
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_activating_a_poly_plus_contract_without_serials_asks_again_and_says_why(page, people):
    with staff_context(reason="browser test data: a Poly+ draft listing no serials"):
        gota = Customer.objects.get(name="Göta Älv Logistik AB")
        draft = factories.ContractFactory(customer=gota, offering=Offering.POLY_PLUS, status=ContractStatus.DRAFT)
        factories.ContractLineFactory(contract=draft, category="video")

    sign_in(page, people[Role.PARTNER_ADMIN].email, PASSWORD)
    page.goto(f"/contracts/{draft.pk}/")
    expect(page.locator("#contract-warnings")).to_contain_text("No serials listed: nothing is covered.")
    page.get_by_role("button", name="Activate…").click()

    confirm = page.locator("#confirm-activation")
    expect(confirm).to_contain_text("No serials listed: nothing is covered.")
    expect(page.locator("#contract-status")).to_have_text("Draft")
    assert_accessible(page)
    confirm.get_by_role("button", name="Activate anyway").click()

    expect(page.locator("#contract-status")).to_have_text("Active")
    expect(page.locator("#contract-warnings")).to_contain_text("nothing is covered")
    with staff_context(reason="browser test: check what was written"):
        assert Contract.objects.get(pk=draft.pk).status == ContractStatus.ACTIVE
