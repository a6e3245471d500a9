"""Demo data for the CSM's workspace (called once from seed_demo).

One Poly+ Enterprise customer of the demo CSM's first partner, a month past its term's midpoint:
video has grown over its baseline (a proposed true-up), headsets have not; every month of the
term so far is reconciled, so the chart has history. Idempotent: a second run creates nothing.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from contracts import services as contract_services
from contracts.models import Product
from installbase import baseline as rules
from installbase import services
from installbase.models import Device, DeviceSource, month_start
from installbase.reconciliation import reconcile
from polyplus.tenancy import services as tenancy_services
from polyplus.tenancy.models import Certification, CsmAssignment, Customer, User

CUSTOMER = "Kattegatt Shipping AB"
MASTER_ACCOUNT_ID = "MA-KATTEGATT"
SITE_ID = "SE-GBG-KATT-01"
LINES = {"video": (100, 0, Decimal("180.00")), "headset": (150, 10, Decimal("36.00"))}  # N, G, annual price
VIDEO_GROWTH_PER_MONTH = 3


def label(key: str) -> str:
    """A serial that looks like one printed on a Poly label: twelve hex digits, the same every run."""
    return hashlib.sha256(f"{SITE_ID}/{key}".encode()).hexdigest()[:12].upper()


def seed_csm_workspace(*, admin: User, csm: User, today: datetime.date) -> int:
    """Create the demo Enterprise customer with its reconciled months; returns how many records were new."""
    if Customer.objects.filter(name=CUSTOMER).exists():
        return 0
    assignment = CsmAssignment.objects.filter(csm=csm).select_related("partner").order_by("pk").first()
    if assignment is None:
        return 0
    partner = assignment.partner
    certified = set(Certification.objects.filter(partner=partner, expires_on__gte=today)
                    .values_list("category", flat=True))
    categories = [category for category in LINES if category in certified]
    products = {category: Product.objects.filter(category=category, end_of_service__isnull=True).order_by("sku").first()
                for category in categories}
    categories = [category for category in categories if products[category] is not None]
    if "video" not in categories:
        return 0
    customer = tenancy_services.customer_create(by=admin, partner=partner, name=CUSTOMER,
                                                master_account_id=MASTER_ACCOUNT_ID)
    site = tenancy_services.site_create(by=admin, customer=customer, site_id=SITE_ID, name="Göteborg head office",
                                        address="Skeppsbron 4, 411 21 Göteborg", country="SE", subdivision="SE-O",
                                        timezone_name="Europe/Stockholm")
    tenancy_services.csm_assign(by=admin, customer=customer, csm=csm)
    last_month = month_start(month_start(today) - datetime.timedelta(days=1))
    start = next(start for start in (month_start(today) - relativedelta(months=k) for k in (6, 7, 5))
                 if rules.adjustment_month(start, start + relativedelta(years=1) - datetime.timedelta(days=1))
                 == last_month)
    contract = contract_services.contract_create(
        by=admin, customer=customer, offering="poly_plus_enterprise", start_date=start,
        end_date=start + relativedelta(years=1) - datetime.timedelta(days=1), csm_hour_blocks=1,
        lines=[contract_services.LineInput(category=category, installed=LINES[category][0],
                                           growth=LINES[category][1], annual_unit_price=LINES[category][2])
               for category in categories],
    )
    contract_services.contract_activate(by=admin, contract=contract)
    long_ago = start - relativedelta(years=1)
    devices = []
    for category in categories:
        committed = sum(LINES[category][:2])
        for index in range(committed - 2 if category == "headset" else LINES[category][0]):
            devices.append((products[category], label(f"{category}/{index}"), long_ago))
    months = [m for m in rules.term_months(contract.start_date, contract.end_date) if m <= month_start(today)]
    for number, month in enumerate(months[1:], start=1):
        for extra in range(VIDEO_GROWTH_PER_MONTH):
            devices.append((products["video"], label(f"video/new/{number}/{extra}"), month))
    Device.objects.bulk_create([
        Device(partner=partner, customer=customer, site=site, product=product, serial=serial,
               source=DeviceSource.INVENTORY_UPLOAD, entered_production=entered)
        for product, serial, entered in devices
    ])
    for month in months:
        reconcile(contract_id=contract.pk, month=month, today=today)
    hours = log_demo_csm_hours(csm=csm, contract=contract, today=today)
    return 4 + len(devices) + len(months) * len(categories) + hours


# (months before this one, day of the month, hours, note): 5.25 of the 8 hours of the one block bought.
CSM_HOURS = ((3, 3, "2.5", "Quarterly business review: install base and renewal outlook"),
             (2, 12, "1.0", "Check-in on open cases and the RMA return backlog"),
             (1, 12, "1.0", "Check-in on the true-up proposal"),
             (1, 24, "0.75", "Inventory upload review with the partner"))


def log_demo_csm_hours(*, csm: User, contract, today: datetime.date) -> int:
    """The CSM's hours on the demo contract over the last three months of its term: what the
    workspace and the monthly report show against the blocks bought."""
    logged = 0
    for months_back, day_of_month, hours, note in CSM_HOURS:
        day = (month_start(today) - relativedelta(months=months_back)).replace(day=day_of_month)
        if contract.start_date <= day < today:
            services.csm_hours_log(by=csm, contract=contract, day=day, hours=hours, note=note)
            logged += 1
    return logged
