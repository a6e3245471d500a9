"""Requesting an RMA through the one coverage check, and the one state machine: every move out of
order is refused naming the state, with nothing changed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.models import Offering
from rma import selectors, services
from rma.models import Rma, RmaStatus, RmaStep
from tests import factories
from tests.rma import FAULT, approved, covered_world, delivered, failed_unit, request_rma
from tests.tickets import open_case, set_status
from tickets.models import CaseStatus

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(site_a):
    return covered_world(site_a)


def test_a_partner_engineer_requests_an_rma_from_a_case(partner_a_engineer, site_a, world):
    contract, product = world
    rma = request_rma(partner_a_engineer, site_a, product, serial="SAVI0001")
    assert rma.status == RmaStatus.REQUESTED
    assert rma.number == f"{rma.case.number}-R1"
    assert rma.device.serial == "SAVI0001" and rma.contract == contract
    assert [step.kind for step in rma.steps.all()] == ["requested"]


def test_a_second_rma_on_the_case_gets_the_next_number(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    first = request_rma(partner_a_engineer, site_a, product)
    services.rma_reject(by=poly_support, rma=first, reason="Firmware fix instead.")
    device = failed_unit(site_a, product)
    second = services.rma_request(by=partner_a_engineer, case=first.case, serial=device.serial, fault=FAULT)
    assert second.number == f"{first.case.number}-R2"


def test_it_refuses_rma_for_end_of_service_product(partner_a_engineer, site_a, world):
    product = factories.ProductFactory(sku="CS540", category="headset", end_of_service=timezone.localdate())
    device = failed_unit(site_a, product)
    case = open_case(partner_a_engineer, site_a, category="headset")
    with pytest.raises(ValidationError) as refused:
        services.rma_request(by=partner_a_engineer, case=case, serial=device.serial, fault=FAULT)
    assert refused.value.message_dict["coverage_reason"] == ["end_of_service"]
    assert "end of service" in refused.value.message_dict["serial"][0]
    assert not Rma.objects.exists()


def test_it_refuses_a_device_not_on_the_poly_plus_contract(partner_a_engineer, site_a):
    covered_world(site_a, offering=Offering.POLY_PLUS)
    product = factories.ProductFactory(sku="SYNC-20", category="headset")
    device = failed_unit(site_a, product)  # not listed on the contract
    case = open_case(partner_a_engineer, site_a, category="headset")
    with pytest.raises(ValidationError) as refused:
        services.rma_request(by=partner_a_engineer, case=case, serial=device.serial, fault=FAULT)
    assert refused.value.message_dict["coverage_reason"] == ["not_on_contract"]
    assert not Rma.objects.exists()


def test_it_refuses_a_category_the_contract_does_not_cover(partner_a_engineer, site_a, world):
    video = factories.ProductFactory(sku="STUDIO-X30", category="video")
    device = failed_unit(site_a, video)
    case = open_case(partner_a_engineer, site_a, category="video")
    with pytest.raises(ValidationError) as refused:
        services.rma_request(by=partner_a_engineer, case=case, serial=device.serial, fault=FAULT)
    assert refused.value.message_dict["coverage_reason"] == ["category_not_covered"]


def test_it_refuses_an_unknown_serial(partner_a_engineer, site_a, world):
    case = open_case(partner_a_engineer, site_a, category="headset")
    with pytest.raises(ValidationError) as refused:
        services.rma_request(by=partner_a_engineer, case=case, serial="NOPE123", fault=FAULT)
    assert refused.value.message_dict == {"serial": ["No device with serial NOPE123 is registered to this case's "
                                                     "customer."]}


def test_it_refuses_a_serial_of_another_customer_or_partner(partner_a_engineer, partner_a, site_a, site_b, world):
    _, product = world
    other_customer_site = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
    mine_elsewhere = failed_unit(other_customer_site, product)
    foreign = failed_unit(site_b, product)
    case = open_case(partner_a_engineer, site_a, category="headset")
    for serial in (mine_elsewhere.serial, foreign.serial):
        with pytest.raises(ValidationError) as refused:
            services.rma_request(by=partner_a_engineer, case=case, serial=serial, fault=FAULT)
        assert "No device with serial" in refused.value.message_dict["serial"][0]
        assert "Orlen" not in str(refused.value) and "Wisła" not in str(refused.value)
    assert not Rma.objects.exists()


def test_it_refuses_a_blank_fault_and_a_closed_case(partner_a_engineer, site_a, world):
    _, product = world
    device = failed_unit(site_a, product)
    case = open_case(partner_a_engineer, site_a, category="headset")
    with pytest.raises(ValidationError) as refused:
        services.rma_request(by=partner_a_engineer, case=case, serial=device.serial, fault="  ")
    assert "fault" in refused.value.message_dict
    set_status(case, CaseStatus.CLOSED)
    with pytest.raises(ValidationError, match="is closed"):
        services.rma_request(by=partner_a_engineer, case=case, serial=device.serial, fault=FAULT)
    assert not Rma.objects.exists()


def test_one_open_rma_per_failed_unit(partner_a_engineer, site_a, world):
    _, product = world
    rma = request_rma(partner_a_engineer, site_a, product)
    with pytest.raises(ValidationError, match="already open"):
        services.rma_request(by=partner_a_engineer, case=rma.case, serial=rma.device.serial, fault=FAULT)


def test_a_customer_viewer_and_another_partner_may_not_request(customer_viewer, partner_b_engineer, site_a,
                                                               partner_a_engineer, world):
    _, product = world
    device = failed_unit(site_a, product)
    case = open_case(partner_a_engineer, site_a, category="headset")
    for outsider in (customer_viewer, partner_b_engineer):
        with pytest.raises(PermissionDenied):
            services.rma_request(by=outsider, case=case, serial=device.serial, fault=FAULT)


def test_the_whole_life_of_an_rma(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    rma = approved(partner_a_engineer, poly_support, site_a, product)
    assert rma.ship_date is not None and rma.promised_delivery > rma.ship_date
    rma = services.rma_ship(by=poly_support, rma=rma, carrier="DHL", tracking_number="JD0146")
    today = timezone.now().astimezone(site_a.zone).date()
    rma = services.rma_deliver(by=partner_a_engineer, rma=rma, delivered_on=today)
    assert rma.return_due == today + 10 * DAY
    rma = services.rma_mark_return_sent(by=partner_a_engineer, rma=rma, sent_on=today, carrier="PostNord",
                                        tracking_number="RR123456785SE")
    assert rma.status == RmaStatus.DELIVERED and rma.return_sent_on == today
    rma = services.rma_receive_return(by=poly_support, rma=rma, received_on=today)
    rma = services.rma_close(by=poly_support, rma=rma)
    assert rma.status == RmaStatus.CLOSED
    assert [step.kind for step in selectors.steps_of(rma)] == [
        "requested", "approved", "shipped", "delivered", "return_sent", "received", "closed"]


ACTIONS = {
    "approve": lambda by, rma: services.rma_approve(by=by, rma=rma),
    "reject": lambda by, rma: services.rma_reject(by=by, rma=rma, reason="No."),
    "ship": lambda by, rma: services.rma_ship(by=by, rma=rma, carrier="DHL", tracking_number="1"),
    "deliver": lambda by, rma: services.rma_deliver(by=by, rma=rma, delivered_on=timezone.localdate()),
    "return_sent": lambda by, rma: services.rma_mark_return_sent(by=by, rma=rma, sent_on=timezone.localdate(),
                                                                 carrier="DHL", tracking_number="2"),
    "receive_return": lambda by, rma: services.rma_receive_return(by=by, rma=rma, received_on=timezone.localdate()),
    "close": lambda by, rma: services.rma_close(by=by, rma=rma),
    "cancel": lambda by, rma: services.rma_cancel(by=by, rma=rma),
}


@pytest.mark.parametrize("status", [s for s in RmaStatus.values])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_move_out_of_order_is_refused_naming_the_state(partner_a_engineer, poly_support, site_a, world,
                                                            status, action):
    if status in services.MOVES[action].from_statuses:
        return
    _, product = world
    rma = request_rma(partner_a_engineer, site_a, product)
    Rma.objects.filter(pk=rma.pk).update(status=status)
    rma.refresh_from_db()
    before = (Rma.objects.filter(pk=rma.pk).values().get(), RmaStep.objects.count())
    with pytest.raises(ValidationError) as refused:
        ACTIONS[action](poly_support, rma)
    assert refused.value.code == "invalid_state"
    assert f"is {RmaStatus(status).label.lower()}" in refused.value.message
    assert (Rma.objects.filter(pk=rma.pk).values().get(), RmaStep.objects.count()) == before


@pytest.mark.parametrize("action", ["approve", "reject", "ship", "receive_return", "close"])
def test_only_poly_support_approves_ships_and_receives(partner_a_engineer, site_a, world, action):
    _, product = world
    rma = request_rma(partner_a_engineer, site_a, product)
    with pytest.raises(PermissionDenied):
        ACTIONS[action](partner_a_engineer, rma)


def test_a_customer_viewer_can_do_nothing(customer_viewer, partner_a_engineer, site_a, world):
    _, product = world
    rma = request_rma(partner_a_engineer, site_a, product)
    for action in ACTIONS.values():
        with pytest.raises(PermissionDenied):
            action(customer_viewer, rma)


def test_cancel_until_shipping(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    rma = approved(partner_a_engineer, poly_support, site_a, product)
    assert services.rma_cancel(by=partner_a_engineer, rma=rma, reason="Fixed by reseating").status == "cancelled"
    shipped = services.rma_ship(by=poly_support, rma=approved(partner_a_engineer, poly_support, site_a, product),
                                carrier="DHL", tracking_number="1")
    with pytest.raises(ValidationError, match="only an RMA that is requested or approved can be cancelled"):
        services.rma_cancel(by=partner_a_engineer, rma=shipped)


def test_delivery_day_cannot_be_in_the_future_or_before_shipping(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    rma = approved(partner_a_engineer, poly_support, site_a, product)
    rma = services.rma_ship(by=poly_support, rma=rma, carrier="DHL", tracking_number="1")
    today = timezone.now().astimezone(site_a.zone).date()
    for bad in (today + DAY, today - DAY, None):
        with pytest.raises(ValidationError) as refused:
            services.rma_deliver(by=poly_support, rma=rma, delivered_on=bad)
        assert "delivered_on" in refused.value.message_dict
    rma.refresh_from_db()
    assert rma.status == RmaStatus.SHIPPED and rma.delivered_on is None


def test_ship_needs_carrier_and_tracking(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    rma = approved(partner_a_engineer, poly_support, site_a, product)
    with pytest.raises(ValidationError) as refused:
        services.rma_ship(by=poly_support, rma=rma, carrier="DHL", tracking_number=" ")
    assert refused.value.message_dict == {"tracking_number": ["Give the carrier's tracking number."]}
    rma.refresh_from_db()
    assert rma.status == RmaStatus.APPROVED


def test_return_sent_is_a_mark_once(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    rma = delivered(partner_a_engineer, poly_support, site_a, product)
    services.rma_mark_return_sent(by=partner_a_engineer, rma=rma, sent_on=timezone.localdate(), carrier="DHL",
                                  tracking_number="9")
    with pytest.raises(ValidationError, match="already marked"):
        services.rma_mark_return_sent(by=partner_a_engineer, rma=rma, sent_on=timezone.localdate(), carrier="DHL",
                                      tracking_number="9")


def test_overdue_returns_whether_or_not_marked_sent(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    today = timezone.localdate()
    due_today = delivered(partner_a_engineer, poly_support, site_a, product, delivered_on=today)
    late = delivered(partner_a_engineer, poly_support, site_a, product, delivered_on=today)
    late_marked = delivered(partner_a_engineer, poly_support, site_a, product, delivered_on=today)
    Rma.objects.filter(pk__in=[late.pk, late_marked.pk]).update(return_due=today - DAY)
    Rma.objects.filter(pk=due_today.pk).update(return_due=today)
    Rma.objects.filter(pk=late_marked.pk).update(return_sent_on=today - DAY)
    assert list(selectors.overdue_returns(today=today)) == [late, late_marked]
    assert list(selectors.overdue_returns(today=today, needing_reminder=True)) == [late]
    assert selectors.overdue_count(partner_a_engineer, today=today) == 2
    assert {r.pk for r in selectors.rma_list(poly_support, overdue=True, today=today)} == {late.pk, late_marked.pk}
    received = services.rma_receive_return(by=poly_support, rma=late, received_on=today)
    assert not received.is_overdue(today)
    assert list(selectors.overdue_returns(today=today)) == [late_marked]


def test_internal_notes_are_poly_only(partner_a_engineer, poly_support, site_a, world):
    _, product = world
    rma = request_rma(partner_a_engineer, site_a, product)
    with pytest.raises(PermissionDenied):
        services.rma_note(by=partner_a_engineer, rma=rma, internal_note="x")
    assert services.rma_note(by=poly_support, rma=rma, internal_note="Check stock").internal_note == "Check stock"


def test_the_requester_is_mailed_when_poly_approves_rejects_and_ships(partner_a_engineer, poly_support, site_a,
                                                                      world):
    from polyplus.notifications.models import Notification, OutboundMail
    from tests.notifications import fan_out_pending

    _, product = world
    rma = approved(partner_a_engineer, poly_support, site_a, product)
    services.rma_ship(by=poly_support, rma=rma, carrier="DHL", tracking_number="JD0146")
    services.rma_note(by=poly_support, rma=rma, internal_note="Stock low in Venlo")
    rejected = services.rma_reject(by=poly_support, rma=request_rma(partner_a_engineer, site_a, product),
                                   reason="Firmware fix instead.")
    fan_out_pending()
    mails = list(OutboundMail.objects.order_by("pk"))
    assert [m.subject.split(": ", 1)[1] for m in mails] == [
        f"RMA {rma.number} approved: ships Tue 1 Dec 2026", f"RMA {rma.number} shipped: DHL JD0146",
        f"RMA {rejected.number} rejected"]
    assert {m.to for m in mails} == {partner_a_engineer.email}
    assert all(m.partner_id == site_a.partner_id and "Venlo" not in m.text + m.html for m in mails)
    assert "install and configure the replacement" in mails[0].text
    assert "Firmware fix instead." in mails[2].text
    # In the requester's list too, on the case, and nobody else's.
    listed = Notification.objects.filter(kind__startswith="rma_").values_list("recipient_id", flat=True)
    assert sorted(set(listed)) == [partner_a_engineer.pk] and len(listed) == 3


def test_a_lapsed_partner_certification_is_flagged_for_poly_not_refused(partner_a_engineer, poly_support,
                                                                        customer_viewer, site_a, world, api_for,
                                                                        client_for):
    _, product = world
    site_a.partner.certifications.filter(category="headset").update(
        certified_on=datetime.date(2025, 1, 1), expires_on=datetime.date(2026, 11, 30))
    rma = request_rma(partner_a_engineer, site_a, product)
    assert rma.coverage_flags == ["partner_certification_lapsed"]
    assert api_for(poly_support).get(f"/api/v1/rmas/{rma.pk}/").json()["flags"] == ["partner_certification_lapsed"]
    assert api_for(customer_viewer).get(f"/api/v1/rmas/{rma.pk}/").json()["flags"] == []
    assert "Partner certification lapsed" in client_for(poly_support).get(f"/rmas/{rma.pk}/").content.decode()
    assert "Partner certification lapsed" not in client_for(customer_viewer).get(f"/rmas/{rma.pk}/").content.decode()
