"""CSM hours: logged by the customer's CSM or a Poly admin against the blocks bought (8 h a month
each), shown on the contract's reconciliation page and in the API; refusals save nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from installbase import selectors, services
from installbase.models import CsmHourEntry
from polyplus.tenancy.models import Role
from tests import factories
from tests.portal.documents import enterprise_contract

API = "/api/v1/csm-hours/"


@pytest.fixture
def contract(site_a, csm):
    return enterprise_contract(site_a, csm=csm)  # 2 blocks: 16 h a month; the term began 200 days ago


@pytest.fixture
def other_csm(db):
    return factories.PolyStaffFactory(role=Role.CSM, email="other-csm@poly.example")


def today() -> datetime.date:
    return timezone.localdate()


def month_before(day: datetime.date) -> datetime.date:
    return day.replace(day=1) - datetime.timedelta(days=1)


# ---- service and selector ----------------------------------------------------------------------------

def test_the_csm_logs_hours_and_the_month_sums_them(contract, csm, poly_admin):
    services.csm_hours_log(by=csm, contract=contract, day=today(), hours=Decimal("5.5"), note="QBR prep")
    services.csm_hours_log(by=poly_admin, contract=contract, day=month_before(today()), hours="2")
    assert selectors.csm_hours_used(contract.pk, today()) == Decimal("5.50")
    assert selectors.csm_hours_used(contract.pk, month_before(today())) == Decimal("2.00")
    assert selectors.csm_hours_used(contract.pk, datetime.date(2000, 1, 1)) == Decimal("0")


@pytest.mark.parametrize("hours", ["0", "-1", "25", "24.25", "0.1", "1.3", "abc", "NaN"])
def test_bad_hours_are_refused(contract, csm, hours):
    with pytest.raises(ValidationError) as exc:
        services.csm_hours_log(by=csm, contract=contract, day=today(), hours=hours)
    assert "hours" in exc.value.message_dict
    assert not CsmHourEntry.objects.exists()


def test_days_outside_the_term_or_in_the_future_are_refused(contract, csm):
    for day in (today() + datetime.timedelta(days=1), contract.start_date - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.csm_hours_log(by=csm, contract=contract, day=day, hours="1")
        assert "day" in exc.value.message_dict
    assert not CsmHourEntry.objects.exists()


def test_only_the_customers_csm_or_a_poly_admin_logs(contract, other_csm, partner_a_admin):
    for user in (other_csm, partner_a_admin):
        with pytest.raises(PermissionDenied):
            services.csm_hours_log(by=user, contract=contract, day=today(), hours="1")
    assert not CsmHourEntry.objects.exists()


def test_a_contract_without_blocks_takes_no_hours(contract, csm):
    contract.csm_hour_blocks = 0
    contract.save(update_fields=["csm_hour_blocks"])
    with pytest.raises(ValidationError, match="no CSM hour blocks"):
        services.csm_hours_log(by=csm, contract=contract, day=today(), hours="1")
    assert not CsmHourEntry.objects.exists()


# ---- the API -----------------------------------------------------------------------------------------

def test_api_create_and_list(contract, csm, partner_a_admin, api_for):
    response = api_for(csm).post(API, {"contract": contract.pk, "day": f"{today():%Y-%m-%d}", "hours": "1.75",
                                       "note": "Workshop"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["hours"] == "1.75" and response.json()["logged_by"] in {csm.full_name, csm.email}
    listed = api_for(partner_a_admin).get(API, {"month": f"{today():%Y-%m}"}).json()
    assert [row["hours"] for row in listed["results"]] == ["1.75"]
    denied = api_for(partner_a_admin).post(API, {"contract": contract.pk, "day": f"{today():%Y-%m-%d}",
                                                 "hours": "1"}, format="json")
    assert denied.status_code == 403
    assert CsmHourEntry.objects.count() == 1


def _future():
    return f"{today() + datetime.timedelta(days=1):%Y-%m-%d}"


@pytest.mark.parametrize("change", [
    {"hours": "0"}, {"hours": "25"}, {"hours": "0.1"}, {"hours": "1.3"}, {"hours": "abc"},
    {"day": "future"}, {"day": "before-term"}, {"day": "2026-02-30"}, {"note": "x" * 201}, {"blocks": 0},
])
def test_api_bad_input_is_400_and_saves_nothing(contract, csm, api_for, change):
    body = {"contract": contract.pk, "day": f"{today():%Y-%m-%d}", "hours": "1"}
    body.update({k: v for k, v in change.items() if k in {"hours", "note"}})
    if change.get("day") == "future":
        body["day"] = _future()
    elif change.get("day") == "before-term":
        body["day"] = f"{contract.start_date - datetime.timedelta(days=1):%Y-%m-%d}"
    elif "day" in change:
        body["day"] = change["day"]
    if "blocks" in change:
        contract.csm_hour_blocks = 0
        contract.save(update_fields=["csm_hour_blocks"])
    response = api_for(csm).post(API, body, format="json")
    assert response.status_code == 400, response.content
    assert not CsmHourEntry.objects.exists()


def test_api_isolation(contract, csm, other_csm, partner_b_admin, customer_viewer, api_for):
    entry = services.csm_hours_log(by=csm, contract=contract, day=today(), hours="3", note="Volvo QBR")
    for outsider in (other_csm, partner_b_admin, customer_viewer):
        client = api_for(outsider)
        assert client.get(API).json()["results"] == []
        missing = client.get(f"{API}987654/")
        found = client.get(f"{API}{entry.pk}/")
        assert found.status_code == missing.status_code == 404
        assert found.json() == missing.json()
        created = client.post(API, {"contract": contract.pk, "day": f"{today():%Y-%m-%d}", "hours": "1"},
                              format="json")
        assert created.status_code in {400, 403, 404}
        assert "Volvo" not in created.content.decode() and "NORDIC" not in created.content.decode()
    assert CsmHourEntry.objects.count() == 1


# ---- the reconciliation page ----------------------------------------------------------------------------

def _page(client, contract) -> str:
    response = client.get(f"/workspace/contracts/{contract.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_csm_logs_hours_on_the_page_and_sees_going_over(contract, csm, client_for):
    client = client_for(csm)
    assert "Log CSM hours" in _page(client, contract) and "0.00 h used" in _page(client, contract)
    response = client.post(f"/workspace/contracts/{contract.pk}/csm-hours/",
                           {"day": f"{today():%Y-%m-%d}", "hours": "10", "note": "Onboarding"})
    assert response.status_code == 302
    client.post(f"/workspace/contracts/{contract.pk}/csm-hours/", {"day": f"{today():%Y-%m-%d}", "hours": "7.5"})
    page = _page(client, contract)
    assert "17.50 h used" in page and "16 h bought" in page and "Over by 1.50 h" in page and "Onboarding" in page


def test_refusals_on_the_page_are_clear_and_save_nothing(contract, csm, client_for):
    client = client_for(csm)
    url = f"/workspace/contracts/{contract.pk}/csm-hours/"
    future = client.post(url, {"day": _future(), "hours": "1"})
    assert future.status_code == 400 and "cannot be in the future" in future.content.decode()
    quarter = client.post(url, {"day": f"{today():%Y-%m-%d}", "hours": "1.3"})
    assert quarter.status_code == 400 and "quarter hours" in quarter.content.decode()
    too_many = client.post(url, {"day": f"{today():%Y-%m-%d}", "hours": "25"})
    assert too_many.status_code == 400
    assert not CsmHourEntry.objects.exists()


def test_partners_read_only_customers_not_at_all(contract, csm, partner_a_admin, other_csm, customer_viewer,
                                                 client_for):
    services.csm_hours_log(by=csm, contract=contract, day=today(), hours="2", note="Review call")
    page = _page(client_for(partner_a_admin), contract)
    assert "Review call" in page and "2.00 h used" in page and "Log CSM hours" not in page
    refused = client_for(partner_a_admin).post(f"/workspace/contracts/{contract.pk}/csm-hours/",
                                               {"day": f"{today():%Y-%m-%d}", "hours": "1"})
    assert refused.status_code == 403
    assert client_for(other_csm).get(f"/workspace/contracts/{contract.pk}/").status_code == 404
    assert client_for(customer_viewer).get(f"/workspace/contracts/{contract.pk}/").status_code in {403, 404}
    assert CsmHourEntry.objects.count() == 1


def test_the_page_query_count_does_not_grow_with_entries(contract, csm, client_for):
    client = client_for(csm)

    def log(n):
        CsmHourEntry.objects.bulk_create([
            CsmHourEntry(partner_id=contract.partner_id, customer_id=contract.customer_id, contract=contract,
                         day=today(), hours=Decimal("0.25"), logged_by=csm, logged_by_name="CSM")
            for _ in range(n)])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _page(client, contract)
        return len(queries)

    log(3)
    few = count()
    log(27)
    assert count() == few
