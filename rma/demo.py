"""Demo RMAs for seed_demo: each partner's replacements in every state, an overdue return and,
where an Enterprise contract covers headsets, a billable headset RMA (Q = 2 in the demo).

Everything goes through the services (the state machine, the coverage check, the allowance);
only the overdue return's dates are moved into the past afterwards, as if it had shipped two
weeks ago. Made once: a partner that has RMAs is left as it is.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from contracts.models import Offering, ProductCategory
from installbase.coverage import check_coverage
from installbase.models import Device
from polyplus.tenancy.models import Customer, Partner, User
from rma import services
from rma.models import Rma
from tickets import services as tickets_services

FAULTS = {
    "headset": "No audio in the left ear; a second base station shows the same.",
    "video": "Camera module shows a solid red LED after a power surge; remote diagnostics failed.",
    "voice": "Display stays blank after a factory reset; the phone no longer boots past the logo.",
}


def _covered_devices(customers: list[Customer]) -> list[Device]:
    devices = Device.objects.filter(customer__in=customers).select_related("product", "site", "customer")
    return [device for device in devices.order_by("customer__name", "serial")
            if check_coverage(site=device.site, category=device.product.category, device=device).covered]


def _rma(engineer: User, device: Device) -> Rma:
    case = tickets_services.case_open(
        by=engineer, site=device.site, category=device.product.category, severity=2, hardware_replacement=True,
        serial=device.serial, subject=f"{device.product.name} failed",
        description=FAULTS.get(device.product.category, "The unit failed."))
    return services.rma_request(by=engineer, case=case, serial=device.serial,
                                fault=FAULTS.get(device.product.category, "The unit failed."))


def seed_rmas(*, partner: Partner, engineer: User, support: User,
              customers: list[Customer]) -> int:
    """RMAs of `partner` in every state; returns how many were made (0 when it already has some)."""
    if Rma.objects.filter(partner=partner).exists():
        return 0
    devices = _covered_devices(customers)
    headsets = [d for d in devices if d.product.category == ProductCategory.HEADSET
                and d.customer.contracts.filter(offering=Offering.POLY_PLUS_ENTERPRISE,
                                                lines__category=ProductCategory.HEADSET).exists()]
    others = [d for d in devices if d not in headsets]
    if len(others) < 9:
        return 0
    today = timezone.localdate()
    made = []

    def ship(rma: Rma, tracking: str) -> Rma:
        return services.rma_ship(by=support, rma=services.rma_approve(by=support, rma=rma), carrier="DHL Express",
                                 tracking_number=tracking)

    made.append(_rma(engineer, others[0]))  # requested: waiting for Poly support
    made.append(services.rma_approve(by=support, rma=_rma(engineer, others[1])))
    made.append(services.rma_reject(by=support, rma=_rma(engineer, others[2]),
                                    reason="Logs show a configuration fault; fixed remotely, no replacement needed."))
    made.append(services.rma_cancel(by=engineer, rma=_rma(engineer, others[3]),
                                    reason="The unit came back after a firmware rollback."))
    made.append(ship(_rma(engineer, others[4]), "JD014600006281230701"))
    delivered = services.rma_deliver(by=engineer, rma=ship(_rma(engineer, others[5]), "JD014600006281230702"),
                                     delivered_on=timezone.now().astimezone(others[5].site.zone).date())
    made.append(services.rma_mark_return_sent(by=engineer, rma=delivered, sent_on=delivered.delivered_on,
                                              carrier="DHL Express", tracking_number="JD014600006281239901"))
    overdue = services.rma_deliver(by=engineer, rma=ship(_rma(engineer, others[6]), "JD014600006281230703"),
                                   delivered_on=timezone.now().astimezone(others[6].site.zone).date())
    # As if it had shipped two weeks ago: the return window passed and nothing came back.
    two_weeks = datetime.timedelta(days=14)
    Rma.objects.filter(pk=overdue.pk).update(
        approved_at=overdue.approved_at - two_weeks, shipped_at=overdue.shipped_at - two_weeks,
        ship_date=overdue.ship_date - two_weeks, promised_delivery=overdue.promised_delivery - two_weeks,
        delivered_on=overdue.delivered_on - datetime.timedelta(days=13), return_due=today - datetime.timedelta(days=3))
    made.append(overdue)
    closed = services.rma_deliver(by=engineer, rma=ship(_rma(engineer, others[7]), "JD014600006281230704"),
                                  delivered_on=timezone.now().astimezone(others[7].site.zone).date())
    made.append(services.rma_receive_return(by=support, rma=closed, received_on=closed.delivered_on))
    closed = services.rma_deliver(by=engineer, rma=ship(_rma(engineer, others[8]), "JD014600006281230705"),
                                  delivered_on=timezone.now().astimezone(others[8].site.zone).date())
    closed = services.rma_receive_return(by=support, rma=closed, received_on=closed.delivered_on)
    made.append(services.rma_close(by=support, rma=closed))
    if headsets:
        made.append(services.rma_approve(by=support, rma=_rma(engineer, headsets[0])))  # beyond 5% of Q = 2
    return len(made)
