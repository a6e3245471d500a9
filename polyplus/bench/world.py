"""A large, plausible world for the benchmark, written with PostgreSQL COPY as the schema owner.

Every table is emptied first (the owner's flush), then filled in one transaction with
explicit ids, so rows can point at each other without a lookup: partners, their brand,
domain and certifications, users, customers, sites, Poly's catalogue, contracts with their
lines and listed serials, devices, cases (45% open, over every state, severity and due
time), comments and status changes. The audit triggers are switched off for the copy
(the event tables stay empty; the bench does not read them) and back on before commit,
in the same transaction, so no other session ever sees them off. Identity sequences are
moved past the copied ids and the tables vacuumed and analysed, as a database in steady
use would be.

The shapes are the same at every scale: 4 sites a customer, 50 devices a site, about
15 cases a site and 3.3 comments a case. `small` is a 10,000-case world over 2 partners
(the size the first measurements used); `full` is 50 partners, 5,000 customers, 20,000
sites, 1,000,000 devices, 300,000 cases and 1,000,000 comments.
"""

from __future__ import annotations

import datetime
import itertools
import json
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from contracts.models import Contract, ContractLine, ContractStatus, Offering, Product, ProductCategory
from installbase.models import ContractDevice, Device, DeviceSource
from polyplus.tenancy import models as tenancy
from polyplus.tenancy import services as tenancy_services
from polyplus.tenancy.db import as_schema_owner
from tickets.models import Case, CaseComment, CaseSource, CaseStatus, CaseStatusChange, SlaTarget

BENCH_PASSWORD = "polyplus-bench"
SITES_PER_CUSTOMER = 4
DEVICES_PER_SITE = 50
ENGINEERS_PER_PARTNER = 4
SUPPORT_ENGINEERS = 10
NEWER_PARTNER_FIELDS = ("code", "country")  # filled when the model has them


@dataclass(frozen=True)
class Scale:
    name: str
    partners: int
    customers_per_partner: int
    cases: int
    comments: int

    @property
    def customers(self) -> int:
        return self.partners * self.customers_per_partner

    @property
    def sites(self) -> int:
        return self.customers * SITES_PER_CUSTOMER

    @property
    def devices(self) -> int:
        return self.sites * DEVICES_PER_SITE


SCALES = {
    "small": Scale("small", partners=2, customers_per_partner=85, cases=10_000, comments=33_000),
    "full": Scale("full", partners=50, customers_per_partner=100, cases=300_000, comments=1_000_000),
}

# Of all cases: 45% open (new, in progress, waiting on the partner), the rest resolved or closed.
STATUS_SHARES = (
    (CaseStatus.NEW, 0.15), (CaseStatus.IN_PROGRESS, 0.20), (CaseStatus.WAITING_ON_PARTNER, 0.10),
    (CaseStatus.RESOLVED, 0.15), (CaseStatus.CLOSED, 0.40),
)
SEVERITY_SHARES = ((1, 0.05), (2, 0.20), (3, 0.50), (4, 0.25))
CATEGORY_SHARES = ((ProductCategory.VIDEO, 0.45), (ProductCategory.VOICE, 0.35), (ProductCategory.HEADSET, 0.20))
# Of a site's 50 devices: 10 video, 20 voice, 20 headsets.
DEVICE_CATEGORIES = ([ProductCategory.VIDEO] * 10 + [ProductCategory.VOICE] * 20
                     + [ProductCategory.HEADSET] * 20)

# What a customer buys, by its index in the partner: Enterprise, Poly+ (three in five), nothing.
ENTERPRISE, POLY_PLUS, NO_CONTRACT = "enterprise", "poly_plus", ""
CUSTOMER_PLANS = (ENTERPRISE, POLY_PLUS, POLY_PLUS, POLY_PLUS, NO_CONTRACT)
COVERED_CATEGORIES = {
    ENTERPRISE: {ProductCategory.VIDEO, ProductCategory.VOICE, ProductCategory.HEADSET},
    POLY_PLUS: {ProductCategory.VIDEO, ProductCategory.VOICE},
    NO_CONTRACT: set(),
}
UNIT_PRICES = {ProductCategory.VIDEO: "189.00", ProductCategory.VOICE: "42.00", ProductCategory.HEADSET: "18.00"}

REGIONS = (
    ("SE", "SE-AB", "Europe/Stockholm", "Stockholm"), ("NO", "NO-03", "Europe/Oslo", "Oslo"),
    ("PL", "PL-14", "Europe/Warsaw", "Warszawa"), ("DE", "DE-BE", "Europe/Berlin", "Berlin"),
    ("GB", "GB-LND", "Europe/London", "London"), ("US", "US-NY", "America/New_York", "New York"),
    ("JP", "JP-13", "Asia/Tokyo", "Tokyo"), ("AU", "AU-NSW", "Australia/Sydney", "Sydney"),
)
COMPANY_WORDS = ("Nordic", "Harbour", "Summit", "Meridian", "Atlas", "Aurora", "Granite", "Beacon", "Cedar",
                 "Falcon", "Horizon", "Juniper", "Lumen", "Orbit", "Pioneer", "Quartz", "Riverside", "Sterling")
COMPANY_KINDS = ("Logistics", "Health", "Energy", "Bank", "Insurance", "Retail", "Media", "Law", "Foods")
SITE_KINDS = ("Head office", "Sales office", "Warehouse", "Clinic", "Branch", "Data centre", "Studio")

PRODUCTS = {
    ProductCategory.VIDEO: (("Poly Studio X50", "3499.00"), ("Poly Studio X30", "2199.00"),
                            ("Poly Studio X70", "6999.00"), ("Poly G7500", "8999.00"),
                            ("Poly Studio E70", "3299.00"), ("Poly Studio R30", "899.00")),
    ProductCategory.VOICE: (("Poly CCX 600", "549.00"), ("Poly CCX 400", "349.00"),
                            ("Poly Trio C60", "1099.00"), ("Poly Trio 8800", "999.00"),
                            ("Poly VVX 450", "329.00"), ("Poly Edge E350", "299.00")),
    ProductCategory.HEADSET: (("Poly Voyager Focus 2", "329.00"), ("Poly Savi 8220", "379.00"),
                              ("Poly Blackwire 8225", "199.00"), ("Poly Voyager 4320", "229.00"),
                              ("Poly Sync 20", "149.00"), ("Poly EncorePro 320", "99.00")),
}
SUBJECTS = {
    ProductCategory.VIDEO: ("Camera does not frame the room", "No picture on the far end", "Room system reboots",
                            "Content sharing fails over HDMI", "Echo on video calls"),
    ProductCategory.VOICE: ("Phone does not register", "One-way audio on calls", "Handset crackles",
                            "Conference phone drops calls", "Firmware update failed"),
    ProductCategory.HEADSET: ("Headset does not pair", "Microphone muted by itself", "Battery drains in an hour",
                              "Base station loses the headset", "No audio after update"),
}
REPLIES = ("Collected the logs from the device and attached them.", "Rebooted the unit; the problem came back.",
           "Customer confirms it happens in every meeting room on the floor.",
           "Updated to the latest firmware; watching for a recurrence.",
           "Poly asks for a packet capture from the site's network.",
           "Replaced the cable; the customer will report back tomorrow.")
INTERNAL_NOTES = ("Known issue in this firmware line; engineering has a fix queued.",
                  "Partner's engineer is new to this product; walk them through the reset.")
EXPLANATIONS = {
    "covered": "Covered by the customer's contract for this category.",
    "category_not_covered": "The customer's contract does not cover this category.",
    "no_contract": "The customer has no contract in force.",
}


def weighted(rng: random.Random, shares) -> object:
    values, cumulative = _cumulative(shares)
    return rng.choices(values, cum_weights=cumulative)[0]


@cache
def _cumulative(shares) -> tuple[tuple, list[float]]:
    values, weights = zip(*shares, strict=True)
    return values, list(itertools.accumulate(weights))


def copy_rows(cursor, model: type[Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY `rows` into the model's table; return how many.

    The audit triggers are off for the copy; foreign keys and secondary indexes are dropped
    before it and made again after it, which checks and builds each in one pass instead of
    row by row (the primary key and unique constraints stay, and check every row)."""
    table = model._meta.db_table
    columns, rows = with_defaults(model, columns, rows)
    restore = detach_keys_and_indexes(cursor, table)
    cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    count = 0
    with cursor.cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
    for statement in restore:
        cursor.execute(statement)
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                   f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)')
    return count


def detach_keys_and_indexes(cursor, table: str) -> list[str]:
    """Drop the table's foreign keys and the indexes no constraint owns; return the statements
    that make them again."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'", [f'"{table}"'])
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass "
        "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
        [f'"{table}"', f'"{table}"'])
    indexes = cursor.fetchall()
    for name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return ([definition for _name, definition in indexes]
            + [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for name, definition in foreign_keys])


def with_defaults(model: type[Model], columns: list[str], rows: Iterable[tuple]) -> tuple[list[str], Iterator]:
    """Columns the world does not name (added to a model since) get the model's default; a
    NOT NULL column with none stops the seeding with its name."""
    extra_columns, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null or getattr(field, "generated", False):
            continue
        value = field.get_default()
        if value is None:
            raise CommandError(f"The bench world does not fill {model._meta.db_table}.{field.column}, "
                               "which has no default: add it to polyplus/bench/world.py.")
        extra_columns.append(field.column)
        extra_values.append(json.dumps(value) if isinstance(value, dict | list) else value)
    if not extra_columns:
        return columns, iter(rows)
    return [*columns, *extra_columns], ((*row, *extra_values) for row in rows)


def has_field(model: type[Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


class World:
    """The ids and shapes of one world; each `*_rows` method yields one table's rows."""

    def __init__(self, scale: Scale, now: datetime.datetime, seed: int = 20261206):
        self.scale = scale
        self.now = now
        self.today = now.date()
        self.rng = random.Random(seed)
        self.password = make_password(BENCH_PASSWORD)
        self.products_by_category: dict[str, list[int]] = {}
        self.category_of_product: dict[int, str] = {}
        self.staff_ids: list[int] = []
        self.partner_admin: dict[int, int] = {}
        self.partner_engineers: dict[int, list[int]] = {}
        self.contract_of_customer: dict[int, int] = {}
        self.case_number_count: dict[int, int] = {}
        self.contract_number_count: dict[int, int] = {}
        self.targets = {(t.severity, t.offering): (t.first_response, t.resolution) for t in SlaTarget.objects.all()}

    # ---- numbers, as the portal's numbering issues them --------------------------------------

    def code(self, partner: int) -> str:
        return f"BP{partner:02d}"

    def slug(self, partner: int) -> str:
        return f"bench-{partner:02d}"

    def case_number(self, partner: int) -> str:
        value = self.case_number_count[partner] = self.case_number_count.get(partner, 0) + 1
        return f"{self.code(partner)}-{value:06d}"

    def contract_number(self, partner: int) -> str:
        value = self.contract_number_count[partner] = self.contract_number_count.get(partner, 0) + 1
        return f"{self.code(partner)}-C-{value:04d}"

    # ---- where a row belongs ----------------------------------------------------------------

    def partner_of_customer(self, customer: int) -> int:
        return (customer - 1) // self.scale.customers_per_partner + 1

    def plan_of_customer(self, customer: int) -> str:
        return CUSTOMER_PLANS[(customer - 1) % self.scale.customers_per_partner % len(CUSTOMER_PLANS)]

    def customer_of_site(self, site: int) -> int:
        return (site - 1) // SITES_PER_CUSTOMER + 1

    def site_of_device(self, device: int) -> int:
        return (device - 1) // DEVICES_PER_SITE + 1

    def category_of_device(self, device: int) -> str:
        return DEVICE_CATEGORIES[(device - 1) % DEVICES_PER_SITE]

    def product_of_device(self, device: int) -> int:
        products = self.products_by_category[self.category_of_device(device)]
        return products[(device - 1) // DEVICES_PER_SITE % len(products)]

    def site_code(self, site: int) -> str:
        return f"BX{self.partner_of_customer(self.customer_of_site(site)):02d}-{site:06d}"

    # ---- tenants, people, customers and sites -----------------------------------------------

    def partner_rows(self) -> Iterator[tuple]:
        for partner in range(1, self.scale.partners + 1):
            newer = {"code": self.code(partner), "country": REGIONS[partner % len(REGIONS)][0]}
            yield (partner, f"Bench Partner {partner:02d} AB", self.slug(partner), True,
                   self.now - datetime.timedelta(days=900),
                   *(newer[name] for name in NEWER_PARTNER_FIELDS if has_field(tenancy.Partner, name)))

    def brand_rows(self) -> Iterator[tuple]:
        for partner in range(1, self.scale.partners + 1):
            yield (partner, partner, f"Bench Partner {partner:02d} Support", "", "#0b3d91", "#f28c28",
                   f"support@{self.slug(partner)}.example", f"+46 8 555 {partner:03d} 00")

    def domain_rows(self) -> Iterator[tuple]:
        for partner in range(1, self.scale.partners + 1):
            yield partner, partner, f"support.{self.slug(partner)}.example"

    def certification_rows(self) -> Iterator[tuple]:
        row_id = 0
        for partner in range(1, self.scale.partners + 1):
            for category in (ProductCategory.VIDEO, ProductCategory.VOICE, ProductCategory.HEADSET):
                row_id += 1
                yield (row_id, partner, str(category), self.today - datetime.timedelta(days=300),
                       self.today + datetime.timedelta(days=400))

    def user_rows(self) -> Iterator[tuple]:
        joined = self.now - datetime.timedelta(days=800)
        people = [("support@bench.poly.example", "Bench Support", tenancy.Role.POLY_SUPPORT, None),
                  ("admin@bench.poly.example", "Bench Admin", tenancy.Role.POLY_ADMIN, None),
                  ("escalations@bench.poly.example", "Bench Escalations", tenancy.Role.ESCALATION_MANAGER, None),
                  ("csm@bench.poly.example", "Bench CSM", tenancy.Role.CSM, None)]
        people += [(f"support{k}@bench.poly.example", f"Support Engineer {k}", tenancy.Role.POLY_SUPPORT, None)
                   for k in range(1, SUPPORT_ENGINEERS + 1)]
        for partner in range(1, self.scale.partners + 1):
            domain = f"{self.slug(partner)}.bench.example"
            people.append((f"admin@{domain}", f"Partner Admin {partner:02d}", tenancy.Role.PARTNER_ADMIN, partner))
            people += [(f"engineer{k}@{domain}", f"Engineer {partner:02d}-{k}", tenancy.Role.PARTNER_ENGINEER, partner)
                       for k in range(1, ENGINEERS_PER_PARTNER + 1)]
        for user_id, (email, name, role, partner) in enumerate(people, start=1):
            if partner is None:
                if role == tenancy.Role.POLY_SUPPORT:
                    self.staff_ids.append(user_id)
            elif role == tenancy.Role.PARTNER_ADMIN:
                self.partner_admin[partner] = user_id
            else:
                self.partner_engineers.setdefault(partner, []).append(user_id)
            yield (user_id, self.password, None, email, name, str(role), True, joined, None, partner)

    def customer_rows(self) -> Iterator[tuple]:
        for customer in range(1, self.scale.customers + 1):
            partner = self.partner_of_customer(customer)
            name = (f"{COMPANY_WORDS[customer % len(COMPANY_WORDS)]} "
                    f"{COMPANY_KINDS[customer // len(COMPANY_WORDS) % len(COMPANY_KINDS)]} {customer:05d}")
            master = f"MA-{partner:02d}-{customer:06d}" if self.plan_of_customer(customer) == ENTERPRISE else ""
            yield (customer, name, master, self.now - datetime.timedelta(days=700), partner)

    def site_rows(self) -> Iterator[tuple]:
        for site in range(1, self.scale.sites + 1):
            customer = self.customer_of_site(site)
            partner = self.partner_of_customer(customer)
            country, subdivision, zone, city = REGIONS[partner % len(REGIONS)]
            yield (site, self.site_code(site), f"{SITE_KINDS[site % len(SITE_KINDS)]} {site}",
                   f"Storgatan {site % 120 + 1}, {city}", country, subdivision, zone, customer, partner)

    # ---- the catalogue, contracts and devices -----------------------------------------------

    def product_rows(self) -> Iterator[tuple]:
        product_id = 0
        for category, products in PRODUCTS.items():
            for name, price in products:
                product_id += 1
                self.products_by_category.setdefault(category, []).append(product_id)
                self.category_of_product[product_id] = category
                yield (product_id, f"2200-{product_id:05d}-001", name, str(category), price, "USD", None, None)

    def contract_rows(self) -> Iterator[tuple]:
        contract_id = 0
        for customer in range(1, self.scale.customers + 1):
            plan = self.plan_of_customer(customer)
            if not plan:
                continue
            contract_id += 1
            self.contract_of_customer[customer] = contract_id
            partner = self.partner_of_customer(customer)
            enterprise = plan == ENTERPRISE
            start = self.today - datetime.timedelta(days=30 + customer % 300)
            created = self.now - datetime.timedelta(days=40 + customer % 300)
            yield (contract_id, self.contract_number(partner),
                   str(Offering.POLY_PLUS_ENTERPRISE if enterprise else Offering.POLY_PLUS), start,
                   start + datetime.timedelta(days=364), str(ContractStatus.ACTIVE), "USD", customer % 2 == 0,
                   1 if enterprise else 0, enterprise and customer % 2 == 0, "10.00" if enterprise else "0",
                   created, created, "", self.partner_admin[partner], customer, partner, None)

    def contract_line_rows(self) -> Iterator[tuple]:
        per_site = {category: DEVICE_CATEGORIES.count(category) for category in PRODUCTS}
        line_id = 0
        for customer, contract_id in self.contract_of_customer.items():
            for category in sorted(COVERED_CATEGORIES[self.plan_of_customer(customer)]):
                line_id += 1
                installed = per_site[category] * SITES_PER_CUSTOMER
                yield (line_id, str(category), installed, 5, installed + 5, UNIT_PRICES[category], contract_id,
                       self.partner_of_customer(customer))

    def device_rows(self) -> Iterator[tuple]:
        for device in range(1, self.scale.devices + 1):
            site = self.site_of_device(device)
            customer = self.customer_of_site(site)
            source = DeviceSource.INVENTORY_UPLOAD if device % 3 == 0 else DeviceSource.REGISTRATION
            yield (device, f"BX{device:09d}", str(source), device % 20 != 0,
                   self.now - datetime.timedelta(days=device % 700, minutes=device % 1440),
                   customer, self.partner_of_customer(customer), self.product_of_device(device), site)

    def contract_device_rows(self) -> Iterator[tuple]:
        """A Poly+ contract lists nine in ten of the customer's devices it covers; the rest are unlisted."""
        entry_id = 0
        added = self.now - datetime.timedelta(days=30)
        for device in range(1, self.scale.devices + 1):
            customer = self.customer_of_site(self.site_of_device(device))
            if self.plan_of_customer(customer) != POLY_PLUS or device % 10 == 0:
                continue
            if self.category_of_device(device) not in COVERED_CATEGORIES[POLY_PLUS]:
                continue
            entry_id += 1
            yield (entry_id, added, self.contract_of_customer[customer], self.partner_of_customer(customer), device)

    # ---- cases, comments and status changes -------------------------------------------------

    def plan_cases(self) -> None:
        """Each case's status and opening time, in opening order (so ids and numbers follow time)."""
        rng, n = self.rng, self.scale.cases
        statuses = [weighted(rng, STATUS_SHARES) for _ in range(n)]
        ages = [rng.uniform(0, 21) if status in (CaseStatus.NEW, CaseStatus.IN_PROGRESS,
                                                   CaseStatus.WAITING_ON_PARTNER) else rng.uniform(2, 365)
                for status in statuses]
        order = sorted(range(n), key=lambda k: -ages[k])
        self.case_status = [statuses[k] for k in order]
        self.case_opened = [self.now - datetime.timedelta(days=ages[k]) for k in order]
        self.case_partner: list[int] = []

    def case_rows(self) -> Iterator[tuple]:
        rng = self.rng
        for index, (status, opened) in enumerate(zip(self.case_status, self.case_opened, strict=True)):
            case_id = index + 1
            site = rng.randint(1, self.scale.sites)
            customer = self.customer_of_site(site)
            partner = self.partner_of_customer(customer)
            self.case_partner.append(partner)
            device = None
            category = weighted(rng, CATEGORY_SHARES)
            product = rng.choice(self.products_by_category[category]) if rng.random() < 0.6 else None
            hardware = rng.random() < 0.03
            if hardware:
                device = (site - 1) * DEVICES_PER_SITE + rng.randint(1, DEVICES_PER_SITE)
                category, product = self.category_of_device(device), self.product_of_device(device)
            plan = self.plan_of_customer(customer)
            covered = category in COVERED_CATEGORIES[plan]
            reason = "covered" if covered else ("category_not_covered" if plan else "no_contract")
            offering = Offering.POLY_PLUS_ENTERPRISE if covered and plan == ENTERPRISE else Offering.POLY_PLUS
            severity = weighted(rng, SEVERITY_SHARES)
            first_response, resolution = self.targets[(severity, str(offering))]
            clocks = self.clocks(status, opened, first_response, resolution)
            escalation = 3 if rng.random() < 0.03 else (2 if rng.random() < 0.10 else 1)
            subject = rng.choice(SUBJECTS[category])
            yield (case_id, self.case_number(partner), str(category), severity, subject,
                   f"{subject}. Seen since this morning at the site; steps tried so far are in the comments.",
                   str(status), str(CaseSource.API if rng.random() < 0.25 else CaseSource.PORTAL), hardware, "",
                   covered, reason, EXPLANATIONS[reason], "[]", str(offering), opened, escalation, *clocks,
                   0 if offering == Offering.POLY_PLUS_ENTERPRISE else 1,
                   self.contract_of_customer.get(customer), customer, device,
                   rng.choice(self.partner_engineers[partner]), partner, product, site)

    def clocks(self, status: str, opened: datetime.datetime, first_response: datetime.timedelta,
               resolution: datetime.timedelta) -> tuple:
        """(first_response_due, resolution_due, first_response_at, paused_since, resolved_at, closed_at,
        next_due_at) as the SLA clocks would have left them; some targets missed."""
        rng, now = self.rng, self.now
        first_due, resolution_due = opened + first_response, opened + resolution
        answered = min(opened + first_response * rng.uniform(0.2, 1.4), now)
        if status == CaseStatus.NEW:
            return first_due, resolution_due, None, None, None, None, min(first_due, resolution_due)
        if status == CaseStatus.IN_PROGRESS:
            return first_due, resolution_due, answered, None, None, None, resolution_due
        if status == CaseStatus.WAITING_ON_PARTNER:
            paused = answered + (now - answered) * rng.uniform(0.3, 1.0)
            return first_due, resolution_due, answered, paused, None, None, None
        resolved = min(opened + resolution * rng.uniform(0.2, 1.2), now)
        closed = min(resolved + datetime.timedelta(days=3), now) if status == CaseStatus.CLOSED else None
        return first_due, resolution_due, answered, None, resolved, closed, None

    def comment_rows(self) -> Iterator[tuple]:
        """Comments spread round-robin over the cases, a few hours apart; one in ten an internal note."""
        n, support = self.scale.cases, self.staff_ids
        for comment in range(self.scale.comments):
            case_index, ordinal = comment % n, comment // n
            partner = self.case_partner[case_index]
            created = min(self.case_opened[case_index] + datetime.timedelta(hours=2 * ordinal + 1), self.now)
            internal = comment % 10 == 0
            if internal:
                author, body = support[comment % len(support)], INTERNAL_NOTES[comment % len(INTERNAL_NOTES)]
            else:
                engineers = self.partner_engineers[partner]
                author = support[comment % len(support)] if ordinal % 2 else engineers[comment % len(engineers)]
                body = REPLIES[comment % len(REPLIES)]
            yield (comment + 1, body, internal, created, author, case_index + 1, partner)

    def status_change_rows(self) -> Iterator[tuple]:
        change_id = 0
        for index, status in enumerate(self.case_status):
            if status == CaseStatus.NEW:
                continue
            change_id += 1
            yield (change_id, str(CaseStatus.NEW), str(status),
                   min(self.case_opened[index] + datetime.timedelta(hours=1), self.now),
                   self.staff_ids[index % len(self.staff_ids)], index + 1, self.case_partner[index])

    def counter_rows(self) -> Iterator[tuple]:
        row_id = 0
        for partner in range(1, self.scale.partners + 1):
            for kind, counts in (("case", self.case_number_count), ("contract", self.contract_number_count)):
                row_id += 1
                yield row_id, partner, kind, counts.get(partner, 0)


TABLES = (
    (tenancy.Partner, ["id", "name", "slug", "is_active", "created_at"], "partner_rows"),
    (tenancy.PartnerBrand, ["id", "partner_id", "display_name", "logo", "primary_color", "accent_color",
                            "support_email", "support_phone"], "brand_rows"),
    (tenancy.PartnerDomain, ["id", "partner_id", "host"], "domain_rows"),
    (tenancy.Certification, ["id", "partner_id", "category", "certified_on", "expires_on"], "certification_rows"),
    (tenancy.User, ["id", "password", "last_login", "email", "full_name", "role", "is_active", "date_joined",
                    "customer_id", "partner_id"], "user_rows"),
    (tenancy.Customer, ["id", "name", "master_account_id", "created_at", "partner_id"], "customer_rows"),
    (tenancy.Site, ["id", "site_id", "name", "address", "country", "subdivision", "timezone", "customer_id",
                    "partner_id"], "site_rows"),
    (Product, ["id", "sku", "name", "category", "list_price", "currency", "end_of_sale", "end_of_service"],
     "product_rows"),
    (Contract, ["id", "number", "offering", "start_date", "end_date", "status", "currency", "onsite_extension",
                "csm_hour_blocks", "technical_account_management", "professional_services_discount",
                "created_at", "status_changed_at", "status_reason", "created_by_id", "customer_id", "partner_id",
                "renewal_of_id"], "contract_rows"),
    (ContractLine, ["id", "category", "installed", "growth", "committed", "annual_unit_price", "contract_id",
                    "partner_id"], "contract_line_rows"),
    (Device, ["id", "serial", "source", "in_production", "registered_at", "customer_id", "partner_id",
              "product_id", "site_id"], "device_rows"),
    (ContractDevice, ["id", "added_at", "contract_id", "partner_id", "device_id"], "contract_device_rows"),
    (Case, ["id", "number", "category", "severity", "subject", "description", "status", "source",
            "hardware_replacement", "health_alert_kind", "entitled", "entitlement_reason",
            "entitlement_explanation", "entitlement_flags", "offering", "opened_at", "escalation_level",
            "first_response_due", "resolution_due", "first_response_at", "paused_since", "resolved_at",
            "closed_at", "next_due_at", "priority", "contract_id", "customer_id", "device_id", "opened_by_id",
            "partner_id", "product_id", "site_id"], "case_rows"),
    (CaseComment, ["id", "body", "internal", "created_at", "author_id", "case_id", "partner_id"], "comment_rows"),
    (CaseStatusChange, ["id", "from_status", "to_status", "at", "by_id", "case_id", "partner_id"],
     "status_change_rows"),
)


def copied_tables(world: World) -> list[tuple[type[Model], list[str], Iterable[tuple]]]:
    tables = []
    for model, columns, rows in TABLES:
        if model is tenancy.Partner:
            columns = [*columns, *(name for name in NEWER_PARTNER_FIELDS if has_field(model, name))]
        tables.append((model, columns, getattr(world, rows)()))
    counter = getattr(tenancy, "PartnerNumberCounter", None)
    if counter is not None:  # numbers issued after seeding continue past the copied ones
        tables.append((counter, ["id", "partner_id", "kind", "last_value"], world.counter_rows()))
    return tables


@dataclass(frozen=True)
class Seeded:
    scale: str
    seconds: float
    rows: dict[str, int]
    engineer_email: str
    staff_email: str
    engineer_session: str
    staff_session: str
    engineer_token: str
    case_id: int
    site_id: str


def session_for(user) -> str:
    """A signed-in session for `user`, as the sign-in page would leave it, wherever sessions are kept."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(datetime.timedelta(days=2))
    session.create()
    return session.session_key


def bench_logins(world: World) -> dict:
    """The partner engineer and the Poly support engineer the load signs in as, with their
    sessions, the engineer's API token, and a case and Site ID to read. Staff set up TOTP,
    as production requires before they reach any page."""
    engineer = tenancy.User.objects.get(pk=world.partner_engineers[1][0])
    staff = tenancy.User.objects.get(pk=world.staff_ids[0])
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "bench-not-used"})
    _token, key = tenancy_services.api_token_create(user=engineer, name="bench load")
    case = (Case.objects.filter(partner_id=1, status=CaseStatus.IN_PROGRESS).order_by("-opened_at")
            .values_list("pk", flat=True).first())
    poly_plus_customer = next(c for c in world.contract_of_customer if world.plan_of_customer(c) == POLY_PLUS)
    site = tenancy.Site.objects.filter(customer_id=poly_plus_customer).order_by("pk").first()
    return {"engineer_email": engineer.email, "staff_email": staff.email, "engineer_session": session_for(engineer),
            "staff_session": session_for(staff), "engineer_token": key, "case_id": case, "site_id": site.site_id}


def vacuum_analyze(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')


def seed(scale: Scale, *, log=print) -> Seeded:
    """Empty the database and build the world; as the schema owner, which row-level security lets through."""
    started = time.monotonic()
    rows: dict[str, int] = {}
    with as_schema_owner():
        call_command("flush", interactive=False, verbosity=0)
        world = World(scale, timezone.now())
        world.plan_cases()
        with transaction.atomic(), connection.cursor() as cursor:
            # Checked as each statement ends, not at commit: a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model, columns, table_rows in copied_tables(world):
                table_started = time.monotonic()
                rows[model._meta.db_table] = copy_rows(cursor, model, columns, table_rows)
                log(f"  {model._meta.db_table:<28} {rows[model._meta.db_table]:>10,} rows  "
                    f"{time.monotonic() - table_started:6.1f} s")
            logins = bench_logins(world)
        analysed = time.monotonic()
        vacuum_analyze(list(rows))
        log(f"  vacuum and analyse                             {time.monotonic() - analysed:6.1f} s")
    return Seeded(scale=scale.name, seconds=round(time.monotonic() - started, 1), rows=rows, **logins)
