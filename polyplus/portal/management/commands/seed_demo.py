"""Demo data for `make run`: two partners, their customers and sites, one login per persona.

Idempotent: everything is looked up by its natural key (slug, host, email, Site ID, ...)
and created only when missing, through the tenancy services, so a second run writes
nothing. It ends by printing the demo logins.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from polyplus.tenancy import services
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import (
    Certification,
    CsmAssignment,
    Customer,
    Partner,
    PartnerDomain,
    Role,
    ServiceCategory,
    Site,
    TrainingRecord,
    User,
)

DEMO_PASSWORD = "polyplus-demo"


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    role: str


@dataclass(frozen=True)
class DemoSite:
    site_id: str
    name: str
    address: str
    country: str
    subdivision: str
    timezone: str


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    sites: tuple[DemoSite, ...]
    master_account_id: str = ""  # set: a Poly+ Enterprise customer, with a CSM


@dataclass(frozen=True)
class DemoPartner:
    name: str
    slug: str
    display_name: str
    primary_color: str
    accent_color: str
    support_email: str
    support_phone: str
    host: str
    admin: Person
    engineer: Person
    # category -> days from today to expiry; a negative number has lapsed
    certifications: dict[str, int]
    # category -> days from today to the engineer's training expiry
    training: dict[str, int]
    customers: tuple[DemoCustomer, ...]
    viewer: Person | None = None  # a customer viewer of the first (Enterprise) customer


POLY_ADMIN = Person("admin@poly.example", "Astrid Berg", Role.POLY_ADMIN)
POLY_STAFF = (
    Person("support@poly.example", "Priya Raman", Role.POLY_SUPPORT),
    Person("escalations@poly.example", "Daniel Okafor", Role.ESCALATION_MANAGER),
    Person("csm@poly.example", "Emma Lindgren", Role.CSM),
)

PARTNERS = (
    DemoPartner(
        name="Nordic Collaboration AB",
        slug="nordic",
        display_name="Nordic Collaboration Support",
        primary_color="#005f73",
        accent_color="#ee9b00",
        support_email="support@nordic-collab.example",
        support_phone="+46 8 555 010 00",
        host="support.nordic-collab.example",
        admin=Person("admin@nordic.example", "Karin Holm", Role.PARTNER_ADMIN),
        engineer=Person("engineer@nordic.example", "Erik Sandberg", Role.PARTNER_ENGINEER),
        # Voice expires within the reminder window (the daily job mails the admin);
        # headsets lapsed yesterday, so Poly support sees Nordic flagged for that category.
        certifications={ServiceCategory.VIDEO: 160, ServiceCategory.VOICE: 20, ServiceCategory.HEADSET: -1},
        training={ServiceCategory.VIDEO: 300, ServiceCategory.VOICE: 45},
        customers=(
            DemoCustomer(
                name="Göta Älv Logistik AB",
                master_account_id="MA-SE-204117",
                sites=(
                    DemoSite("SE-GOT-0001", "Head office, Lindholmen", "Lindholmspiren 3\n417 56 Göteborg",
                             "SE", "SE-O", "Europe/Stockholm"),
                    DemoSite("SE-STO-0001", "Stockholm sales office", "Kungsgatan 44\n111 35 Stockholm",
                             "SE", "SE-AB", "Europe/Stockholm"),
                    DemoSite("NO-OSL-0001", "Oslo terminal office", "Karl Johans gate 16\n0154 Oslo",
                             "NO", "NO-03", "Europe/Oslo"),
                ),
            ),
            DemoCustomer(
                name="Öresund Medtech AB",
                sites=(DemoSite("SE-MMA-0001", "Malmö clinic", "Stortorget 1\n211 22 Malmö",
                                "SE", "SE-M", "Europe/Stockholm"),),
            ),
            DemoCustomer(
                name="Norrsken Energi AB",
                sites=(DemoSite("SE-UME-0001", "Umeå control room", "Storgatan 1\n903 26 Umeå",
                                "SE", "SE-AC", "Europe/Stockholm"),),
            ),
        ),
        viewer=Person("it@gota-logistik.example", "Johan Ek", Role.CUSTOMER_VIEWER),
    ),
    DemoPartner(
        name="Wisła Systemy sp. z o.o.",
        slug="wisla",
        display_name="Wisła Systemy Serwis",
        primary_color="#8b1e3f",
        accent_color="#f2c14e",
        support_email="serwis@wisla-systemy.example",
        support_phone="+48 22 555 01 00",
        host="serwis.wisla-systemy.example",
        admin=Person("admin@wisla.example", "Magdalena Kowalczyk", Role.PARTNER_ADMIN),
        engineer=Person("engineer@wisla.example", "Piotr Wiśniewski", Role.PARTNER_ENGINEER),
        certifications={ServiceCategory.VIDEO: 250, ServiceCategory.VOICE: 250, ServiceCategory.HEADSET: 120},
        training={ServiceCategory.VIDEO: 200, ServiceCategory.VOICE: 200, ServiceCategory.HEADSET: 90},
        customers=(
            DemoCustomer(
                name="Bank Mazowsze S.A.",
                master_account_id="MA-PL-330981",
                sites=(
                    DemoSite("PL-WAW-0001", "Centrala Warszawa", "ul. Marszałkowska 142\n00-061 Warszawa",
                             "PL", "PL-14", "Europe/Warsaw"),
                    DemoSite("PL-GDN-0001", "Oddział Gdańsk", "ul. Długa 47\n80-831 Gdańsk",
                             "PL", "PL-22", "Europe/Warsaw"),
                    DemoSite("DE-BER-0001", "Niederlassung Berlin", "Friedrichstraße 68\n10117 Berlin",
                             "DE", "DE-BE", "Europe/Berlin"),
                ),
            ),
            DemoCustomer(
                name="Kraków Media sp. z o.o.",
                sites=(DemoSite("PL-KRK-0001", "Studio Rynek", "Rynek Główny 1\n31-042 Kraków",
                                "PL", "PL-12", "Europe/Warsaw"),),
            ),
            DemoCustomer(
                name="Wrocławskie Centrum Konferencyjne",
                sites=(DemoSite("PL-WRO-0001", "Sale konferencyjne", "Rynek 1\n50-106 Wrocław",
                                "PL", "PL-02", "Europe/Warsaw"),),
            ),
        ),
    ),
)

TRAINING_COURSES = {
    ServiceCategory.VIDEO: "Poly Video Service Certification",
    ServiceCategory.VOICE: "Poly Voice Service Certification",
    ServiceCategory.HEADSET: "Poly Headsets and Personal Devices Service Certification",
}
CERTIFICATION_TERM_DAYS = 730
TRAINING_TERM_DAYS = 365

PERSONA_LABELS = dict(Role.choices)


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print one login per persona."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Load the demo data even with DJANGO_DEBUG off (its password is public: never in production).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates logins with a public password, so it runs only with DJANGO_DEBUG=1 "
                "(or --force, on a machine nobody else can reach)."
            )
        self.created = 0
        today = timezone.localdate()
        with staff_context(reason="demo data"):
            admin = self.poly_admin()
            staff = {person.role: self.user(admin, person) for person in POLY_STAFF}
            logins = [(POLY_ADMIN, None), *((person, None) for person in POLY_STAFF)]
            for demo in PARTNERS:
                partner = self.partner(admin, demo)
                self.certifications(admin, partner, demo, today)
                partner_admin = self.user(admin, demo.admin, partner=partner)
                engineer = self.user(admin, demo.engineer, partner=partner)
                self.training(admin, engineer, demo, today)
                customers = [self.customer(partner_admin, partner, spec) for spec in demo.customers]
                for customer, spec in zip(customers, demo.customers, strict=True):
                    if spec.master_account_id:
                        self.csm_assignment(admin, customer, staff[Role.CSM])
                logins += [(demo.admin, partner), (demo.engineer, partner)]
                if demo.viewer:
                    self.user(partner_admin, demo.viewer, partner=partner, customer=customers[0])
                    logins.append((demo.viewer, partner))
            self.print_logins(logins)
        verb = "created" if self.created else "already present; nothing changed"
        self.stdout.write(f"Demo data {verb}" + (f" ({self.created} new records)." if self.created else "."))

    # ---- each kind of record, created only when missing --------------------------------------

    def poly_admin(self) -> User:
        """The first Poly admin, who creates everything else; no one exists yet to create them."""
        user = User.objects.filter(email=POLY_ADMIN.email).first()
        if user is None:
            user = User.objects.create_user(POLY_ADMIN.email, DEMO_PASSWORD, full_name=POLY_ADMIN.full_name,
                                            role=POLY_ADMIN.role)
            self.created += 1
        return user

    def user(self, by: User, person: Person, *, partner: Partner | None = None,
             customer: Customer | None = None) -> User:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = services.user_create(by=by, email=person.email, full_name=person.full_name, role=person.role,
                                        partner=partner, customer=customer, password=DEMO_PASSWORD)
            self.created += 1
        return user

    def partner(self, by: User, demo: DemoPartner) -> Partner:
        partner = Partner.objects.filter(slug=demo.slug).first()
        if partner is None:
            partner = services.partner_create(
                by=by, name=demo.name, slug=demo.slug, display_name=demo.display_name,
                primary_color=demo.primary_color, accent_color=demo.accent_color,
                support_email=demo.support_email, support_phone=demo.support_phone,
            )
            self.created += 1
        if not PartnerDomain.objects.filter(host=demo.host).exists():
            services.partner_domain_add(by=by, partner=partner, host=demo.host)
            self.created += 1
        return partner

    def certifications(self, by: User, partner: Partner, demo: DemoPartner, today: datetime.date) -> None:
        for category, days_left in demo.certifications.items():
            if Certification.objects.filter(partner=partner, category=category).exists():
                continue
            expires_on = today + datetime.timedelta(days=days_left)
            services.certification_set(
                by=by, partner=partner, category=category,
                certified_on=expires_on - datetime.timedelta(days=CERTIFICATION_TERM_DAYS), expires_on=expires_on,
            )
            self.created += 1

    def training(self, by: User, engineer: User, demo: DemoPartner, today: datetime.date) -> None:
        for category, days_left in demo.training.items():
            course = TRAINING_COURSES[category]
            if TrainingRecord.objects.filter(engineer=engineer, category=category, course=course).exists():
                continue
            expires_on = today + datetime.timedelta(days=days_left)
            services.training_record_create(
                by=by, engineer=engineer, category=category, course=course,
                completed_on=expires_on - datetime.timedelta(days=TRAINING_TERM_DAYS), expires_on=expires_on,
            )
            self.created += 1

    def customer(self, by: User, partner: Partner, spec: DemoCustomer) -> Customer:
        customer = Customer.objects.filter(partner=partner, name=spec.name).first()
        if customer is None:
            customer = services.customer_create(by=by, partner=partner, name=spec.name,
                                                master_account_id=spec.master_account_id)
            self.created += 1
        for site in spec.sites:
            if Site.objects.filter(site_id=site.site_id).exists():
                continue
            services.site_create(by=by, customer=customer, site_id=site.site_id, name=site.name,
                                 address=site.address, country=site.country, subdivision=site.subdivision,
                                 timezone_name=site.timezone)
            self.created += 1
        return customer

    def csm_assignment(self, by: User, customer: Customer, csm: User) -> None:
        if not CsmAssignment.objects.filter(customer=customer).exists():
            services.csm_assign(by=by, customer=customer, csm=csm)
            self.created += 1

    # ---- the table a newcomer signs in with ---------------------------------------------------

    def print_logins(self, logins: list[tuple[Person, Partner | None]]) -> None:
        rows = [("Persona", "Email", "Password", "Works for")]
        for person, partner in logins:
            works_for = partner.name if partner else "Poly"
            if person.role == Role.CUSTOMER_VIEWER:
                customer = User.objects.select_related("customer").get(email=person.email).customer
                works_for = f"{customer.name} (customer of {partner.name})"
            rows.append((PERSONA_LABELS[person.role], person.email, DEMO_PASSWORD, works_for))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        rule = "+-" + "-+-".join("-" * width for width in widths) + "-+"
        self.stdout.write("\nDemo logins (the same password for everyone):")
        self.stdout.write(rule)
        for index, row in enumerate(rows):
            self.stdout.write("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                              + " |")
            if index == 0:
                self.stdout.write(rule)
        self.stdout.write(rule)
