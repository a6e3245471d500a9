"""Demo data for `make run`: two partners, their customers and sites, one login per persona,
Poly's product catalogue, contracts of every kind and devices that show every coverage answer.

Idempotent: everything is looked up by its natural key (slug, host, email, Site ID, SKU,
serial, quote reference, ...) and created only when missing, through the services, so a
second run writes nothing. It ends by printing the demo logins, then a few Site IDs and
serials for each coverage reason.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import Contract, ContractStatus, CustomQuote, Offering, Product, ProductCategory
from ecps.demo import seed_ecps_demo
from installbase import services as installbase_services
from installbase.coverage import CoverageAnswer, Reason, check_coverage
from installbase.demo import seed_csm_workspace
from installbase.models import ContractDevice, Device
from polyplus.portal.demo import seed_documents, seed_last_month, seed_partner_hosts
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
from rma.demo import seed_rmas
from tickets import demo as tickets_demo
from tickets import services as tickets_services
from tickets.models import Case, CaseStatus

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
class DemoProduct:
    sku: str
    name: str
    category: str
    list_price: str
    end_of_sale: datetime.date | None = None
    end_of_service: datetime.date | None = None


@dataclass(frozen=True)
class DemoLine:
    category: str
    installed: int  # N
    growth: int  # G
    annual_unit_price: str


@dataclass(frozen=True)
class DemoDevice:
    site_id: str
    sku: str
    count: int = 1
    listed: bool = False  # on the customer's Poly+ contract


@dataclass(frozen=True)
class DemoQuote:
    reference: str
    skus: tuple[str, ...]
    approved: bool | None  # None: Poly has not decided yet


# What a demo customer buys: nothing, an active Poly+ Enterprise or Poly+ contract, or a
# Poly+ contract that expired last month and whose renewal is still a draft.
NO_CONTRACT, ENTERPRISE, POLY_PLUS, LAPSED = "", "enterprise", "poly_plus", "lapsed"


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    sites: tuple[DemoSite, ...]
    master_account_id: str = ""  # set: a Poly+ Enterprise customer, with a CSM
    contract: str = NO_CONTRACT
    lines: tuple[DemoLine, ...] = ()
    onsite_extension: bool = False
    csm_hour_blocks: int = 0
    technical_account_management: bool = False
    professional_services_discount: str = "0"
    quotes: tuple[DemoQuote, ...] = ()
    devices: tuple[DemoDevice, ...] = ()


@dataclass(frozen=True)
class DemoPartner:
    name: str
    slug: str
    code: str
    country: str
    display_name: str
    primary_color: str
    accent_color: str
    support_email: str
    support_phone: str
    language: str  # the customers' pages and mails speak it by default
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

# Poly's catalogue: part-number-style SKUs in each category, the quote-only kinds, and
# products past end of sale (the VVX 450, still serviced) and past end of service (the
# RealPresence Group 500, never covered).
STUDIO_X50, STUDIO_X30, G7500, GROUP_500 = "2200-85990-001", "2200-86260-001", "7200-87350-001", "7200-64490-001"
CCX_600, TRIO_C60, VVX_450 = "2200-49740-001", "2200-66800-001", "2200-48840-001"
VOYAGER_FOCUS_2, SAVI_8220, BLACKWIRE_8225 = "213727-01", "207325-01", "207058-01"
IMMERSIVE_STUDIO, MEDIALIGN_270 = "7200-84020-001", "2200-69540-001"
PRODUCTS = (
    DemoProduct(STUDIO_X50, "Poly Studio X50", ProductCategory.VIDEO, "3499.00"),
    DemoProduct(STUDIO_X30, "Poly Studio X30", ProductCategory.VIDEO, "2199.00"),
    DemoProduct(G7500, "Poly G7500 with EagleEye IV 4x", ProductCategory.VIDEO, "8999.00"),
    DemoProduct(GROUP_500, "Polycom RealPresence Group 500", ProductCategory.VIDEO, "5999.00",
                end_of_sale=datetime.date(2020, 8, 31), end_of_service=datetime.date(2024, 8, 31)),
    DemoProduct(CCX_600, "Poly CCX 600 Business Media Phone", ProductCategory.VOICE, "549.00"),
    DemoProduct(TRIO_C60, "Poly Trio C60 Conference Phone", ProductCategory.VOICE, "1099.00"),
    DemoProduct(VVX_450, "Poly VVX 450 Business IP Phone", ProductCategory.VOICE, "329.00",
                end_of_sale=datetime.date(2024, 3, 31), end_of_service=datetime.date(2029, 3, 31)),
    DemoProduct(VOYAGER_FOCUS_2, "Poly Voyager Focus 2 UC", ProductCategory.HEADSET, "329.00"),
    DemoProduct(SAVI_8220, "Poly Savi 8220 Office", ProductCategory.HEADSET, "379.00"),
    DemoProduct(BLACKWIRE_8225, "Poly Blackwire 8225 USB-A", ProductCategory.HEADSET, "199.00"),
    DemoProduct(IMMERSIVE_STUDIO, "Poly RealPresence Immersive Studio", ProductCategory.ITP, "349000.00"),
    DemoProduct(MEDIALIGN_270, "Poly Medialign 270", ProductCategory.MEDIALIGN, "24999.00"),
    DemoProduct("2200-87170-001", "Poly Telehealth Station", ProductCategory.VERTICAL_SOLUTION, "12999.00"),
    DemoProduct("5230-66700-001", "Poly RealPresence Collaboration Server", ProductCategory.INFRASTRUCTURE,
                "41999.00"),
)

PARTNERS = (
    DemoPartner(
        name="Nordic Collaboration AB",
        slug="nordic",
        code="NORD",
        country="SE",
        display_name="Nordic Collaboration Support",
        primary_color="#005f73",
        accent_color="#ee9b00",
        support_email="support@nordic-collab.example",
        support_phone="+46 8 555 010 00",
        language="sv",
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
                contract=ENTERPRISE,
                lines=(DemoLine("video", 140, 12, "189.00"), DemoLine("voice", 64, 6, "42.00")),
                onsite_extension=True, csm_hour_blocks=2, technical_account_management=True,
                professional_services_discount="10.00",
                quotes=(DemoQuote("NORDIC-Q-ITP-01", (IMMERSIVE_STUDIO,), approved=True),),
                devices=(
                    DemoDevice("SE-GOT-0001", STUDIO_X50, 2), DemoDevice("SE-GOT-0001", G7500),
                    DemoDevice("SE-GOT-0001", GROUP_500), DemoDevice("SE-GOT-0001", IMMERSIVE_STUDIO),
                    DemoDevice("SE-STO-0001", CCX_600, 3), DemoDevice("SE-STO-0001", TRIO_C60),
                    DemoDevice("SE-STO-0001", MEDIALIGN_270),
                    DemoDevice("NO-OSL-0001", STUDIO_X30), DemoDevice("NO-OSL-0001", VOYAGER_FOCUS_2, 2),
                ),
            ),
            DemoCustomer(
                name="Öresund Medtech AB",
                sites=(DemoSite("SE-MMA-0001", "Malmö clinic", "Stortorget 1\n211 22 Malmö",
                                "SE", "SE-M", "Europe/Stockholm"),),
                contract=POLY_PLUS,
                lines=(DemoLine("video", 3, 1, "210.00"), DemoLine("voice", 6, 2, "48.00")),
                onsite_extension=True,
                devices=(
                    DemoDevice("SE-MMA-0001", STUDIO_X30, 2, listed=True),
                    DemoDevice("SE-MMA-0001", CCX_600, 3, listed=True),
                    DemoDevice("SE-MMA-0001", STUDIO_X50),  # found in production, not on the contract
                ),
            ),
            DemoCustomer(
                name="Norrsken Energi AB",
                sites=(DemoSite("SE-UME-0001", "Umeå control room", "Storgatan 1\n903 26 Umeå",
                                "SE", "SE-AC", "Europe/Stockholm"),),
                contract=LAPSED,
                lines=(DemoLine("video", 4, 0, "205.00"),),
                devices=(DemoDevice("SE-UME-0001", STUDIO_X30, 2, listed=True), DemoDevice("SE-UME-0001", TRIO_C60)),
            ),
            DemoCustomer(
                name="Kiruna Gruvteknik AB",
                sites=(DemoSite("SE-KRN-0001", "Mine operations office", "Hjalmar Lundbohmsvägen 42\n981 31 Kiruna",
                                "SE", "SE-BD", "Europe/Stockholm"),),
                devices=(DemoDevice("SE-KRN-0001", CCX_600, 2), DemoDevice("SE-KRN-0001", STUDIO_X30)),
            ),
        ),
        viewer=Person("it@gota-logistik.example", "Johan Ek", Role.CUSTOMER_VIEWER),
    ),
    DemoPartner(
        name="Wisła Systemy sp. z o.o.",
        slug="wisla",
        code="WISLA",
        country="PL",
        display_name="Wisła Systemy Serwis",
        primary_color="#8b1e3f",
        accent_color="#f2c14e",
        support_email="serwis@wisla-systemy.example",
        support_phone="+48 22 555 01 00",
        language="pl",
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
                contract=ENTERPRISE,
                lines=(DemoLine("voice", 310, 25, "39.00"), DemoLine("video", 48, 4, "175.00"),
                       DemoLine("headset", 2, 0, "16.00")),  # Q = 2: the year's first headset RMA is billable
                csm_hour_blocks=1, professional_services_discount="7.50",
                quotes=(DemoQuote("WISLA-Q-MEDIALIGN-01", (MEDIALIGN_270,), approved=None),),
                devices=(
                    DemoDevice("PL-WAW-0001", VVX_450, 3), DemoDevice("PL-WAW-0001", TRIO_C60),
                    DemoDevice("PL-WAW-0001", MEDIALIGN_270), DemoDevice("PL-WAW-0001", GROUP_500),
                    DemoDevice("PL-GDN-0001", STUDIO_X50), DemoDevice("PL-GDN-0001", CCX_600, 2),
                    DemoDevice("DE-BER-0001", SAVI_8220, 2), DemoDevice("DE-BER-0001", STUDIO_X30),
                ),
            ),
            DemoCustomer(
                name="Kraków Media sp. z o.o.",
                sites=(DemoSite("PL-KRK-0001", "Studio Rynek", "Rynek Główny 1\n31-042 Kraków",
                                "PL", "PL-12", "Europe/Warsaw"),),
                contract=POLY_PLUS,
                lines=(DemoLine("video", 5, 2, "199.00"), DemoLine("headset", 20, 5, "18.00")),
                devices=(
                    DemoDevice("PL-KRK-0001", STUDIO_X50, 2, listed=True),
                    DemoDevice("PL-KRK-0001", BLACKWIRE_8225, 4, listed=True),
                    DemoDevice("PL-KRK-0001", G7500),  # found in production, not on the contract
                    DemoDevice("PL-KRK-0001", CCX_600),  # a voice phone: a category the contract lacks
                ),
            ),
            DemoCustomer(
                name="Wrocławskie Centrum Konferencyjne",
                sites=(DemoSite("PL-WRO-0001", "Sale konferencyjne", "Rynek 1\n50-106 Wrocław",
                                "PL", "PL-02", "Europe/Warsaw"),),
                contract=LAPSED,
                lines=(DemoLine("video", 6, 0, "199.00"), DemoLine("voice", 10, 0, "45.00")),
                devices=(DemoDevice("PL-WRO-0001", STUDIO_X30, 3, listed=True), DemoDevice("PL-WRO-0001", CCX_600)),
            ),
            DemoCustomer(
                name="Targi Poznańskie sp. z o.o.",
                sites=(DemoSite("PL-POZ-0001", "Hala wystawowa", "ul. Głogowska 14\n60-734 Poznań",
                                "PL", "PL-30", "Europe/Warsaw"),),
                devices=(DemoDevice("PL-POZ-0001", TRIO_C60, 2), DemoDevice("PL-POZ-0001", VOYAGER_FOCUS_2)),
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
            products = self.products(admin)
            logins = [(POLY_ADMIN, None), *((person, None) for person in POLY_STAFF)]
            devices: list[Device] = []
            for demo in PARTNERS:
                partner_devices: list[tuple[Device, bool]] = []
                partner = self.partner(admin, demo)
                self.certifications(admin, partner, demo, today)
                partner_admin = self.user(admin, demo.admin, partner=partner)
                engineer = self.user(admin, demo.engineer, partner=partner)
                self.training(admin, engineer, demo, today)
                customers = [self.customer(partner_admin, partner, spec) for spec in demo.customers]
                for customer, spec in zip(customers, demo.customers, strict=True):
                    if spec.master_account_id:
                        self.csm_assignment(admin, customer, staff[Role.CSM])
                    customer_devices = self.devices(engineer, partner, spec, products)
                    self.contracts(partner_admin, admin, customer, spec, products, customer_devices, today)
                    devices += [device for device, _ in customer_devices]
                    partner_devices += customer_devices
                self.cases(engineer, staff, partner, customers, [device for device, _ in partner_devices])
                self.created += tickets_demo.owners_and_notifications(partner=partner, partner_admin=partner_admin,
                                                                      engineer=engineer, staff=staff)
                self.created += seed_ecps_demo(engineer=engineer, staff=staff, customer=customers[0], today=today)
                self.created += seed_last_month(engineer=engineer, support=staff[Role.POLY_SUPPORT],
                                                customer=customers[0], today=today)
                self.created += seed_rmas(partner=partner, engineer=engineer,
                                          support=staff[Role.POLY_SUPPORT], customers=customers)
                logins += [(demo.admin, partner), (demo.engineer, partner)]
                if demo.viewer:
                    self.user(partner_admin, demo.viewer, partner=partner, customer=customers[0])
                    logins.append((demo.viewer, partner))
            self.created += seed_csm_workspace(admin=admin, csm=staff[Role.CSM], today=today)
            self.print_logins(logins)
            self.print_coverage_examples(coverage_examples(devices, today))
            self.created += seed_documents(today=today)
            self.created += seed_partner_hosts(by=admin, slugs=[demo.slug for demo in PARTNERS], out=self.stdout)
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
                by=by, name=demo.name, slug=demo.slug, code=demo.code, country=demo.country,
                display_name=demo.display_name,
                primary_color=demo.primary_color, accent_color=demo.accent_color,
                support_email=demo.support_email, support_phone=demo.support_phone,
                default_language=demo.language,
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

    # ---- the catalogue, devices and contracts -------------------------------------------------

    def products(self, by: User) -> dict[str, Product]:
        existing = Product.objects.in_bulk([spec.sku for spec in PRODUCTS], field_name="sku")
        for spec in PRODUCTS:
            if spec.sku not in existing:
                existing[spec.sku] = contract_services.product_create(
                    by=by, sku=spec.sku, name=spec.name, category=spec.category,
                    list_price=Decimal(spec.list_price), currency="USD", end_of_sale=spec.end_of_sale,
                    end_of_service=spec.end_of_service,
                )
                self.created += 1
        return existing

    def devices(self, by: User, partner: Partner, spec: DemoCustomer,
                products: dict[str, Product]) -> list[tuple[Device, bool]]:
        """Each unit registered by the partner's engineer, with whether the Poly+ contract lists it."""
        devices = []
        for unit in spec.devices:
            site = Site.objects.get(site_id=unit.site_id)
            product = products[unit.sku]
            for index in range(1, unit.count + 1):
                serial = demo_serial(partner.slug, unit.site_id, unit.sku, index)
                device = Device.objects.filter(product=product, serial=serial).first()
                if device is None:
                    device = installbase_services.device_register(by=by, site=site, product=product, serial=serial)
                    self.created += 1
                devices.append((device, unit.listed))
        return devices

    def contracts(self, partner_admin: User, poly_admin: User, customer: Customer, spec: DemoCustomer,
                  products: dict[str, Product], devices: list[tuple[Device, bool]], today: datetime.date) -> None:
        """The customer's contracts, made once: a customer with any contract is left as it is."""
        if spec.contract == NO_CONTRACT or Contract.objects.filter(customer=customer).exists():
            return
        this_month = today.replace(day=1)
        offering = Offering.POLY_PLUS_ENTERPRISE if spec.contract == ENTERPRISE else Offering.POLY_PLUS
        start = {ENTERPRISE: this_month - relativedelta(months=4), POLY_PLUS: this_month - relativedelta(months=2),
                 LAPSED: this_month - relativedelta(months=13)}[spec.contract]
        contract = contract_services.contract_create(
            by=partner_admin, customer=customer, offering=offering, start_date=start,
            end_date=start + relativedelta(years=1) - datetime.timedelta(days=1),
            lines=[contract_services.LineInput(line.category, line.installed, line.growth,
                                               Decimal(line.annual_unit_price)) for line in spec.lines],
            onsite_extension=spec.onsite_extension, csm_hour_blocks=spec.csm_hour_blocks,
            technical_account_management=spec.technical_account_management,
            professional_services_discount=Decimal(spec.professional_services_discount),
        )
        self.created += 1
        for device, listed in devices:
            if listed and not ContractDevice.objects.filter(contract=contract, device=device).exists():
                installbase_services.contract_device_add(by=partner_admin, contract=contract, device=device)
                self.created += 1
        if spec.contract == LAPSED:
            # Last year's term: it was in force until last month, and the nightly job expired it (a
            # term that has ended cannot be activated now, so it is marked as activated back then).
            Contract.objects.filter(pk=contract.pk).update(
                status=ContractStatus.ACTIVE,
                status_changed_at=timezone.make_aware(datetime.datetime.combine(start, datetime.time(9))),
            )
            contract_services.contracts_expire_ended(today=today)
            contract.refresh_from_db()
            # Its renewal is drafted, but nobody has signed it yet: nothing is in force today.
            contract_services.contract_renew(by=partner_admin, contract=contract)
            self.created += 1
            return
        contract_services.contract_activate(by=partner_admin, contract=contract)
        for quote in spec.quotes:
            if CustomQuote.objects.filter(partner=customer.partner, reference=quote.reference).exists():
                continue
            made = contract_services.custom_quote_request(
                by=partner_admin, contract=contract, reference=quote.reference,
                products=[products[sku] for sku in quote.skus],
            )
            if quote.approved is not None:
                contract_services.custom_quote_decide(by=poly_admin, quote=made, approve=quote.approved)
            self.created += 1

    # ---- the table a newcomer signs in with ---------------------------------------------------

    def cases(self, engineer: User, staff: dict[str, User], partner: Partner, customers: list[Customer],
              devices: list[Device]) -> None:
        """A few cases in each state, logged by the partner's engineer and worked by Poly support."""
        if Case.objects.filter(partner=partner).exists():
            return
        support, escalations = staff[Role.POLY_SUPPORT], staff[Role.ESCALATION_MANAGER]
        sites = {customer.pk: list(customer.sites.order_by("site_id")) for customer in customers}
        enterprise_site, poly_plus_site = sites[customers[0].pk][0], sites[customers[1].pk][0]
        no_contract_site = next(sites[c.pk][0] for c in customers if not c.contracts.exists() and sites[c.pk])

        down = tickets_services.case_open(
            by=engineer, site=enterprise_site, category="video", severity=1,
            subject="Boardroom video system shows no picture",
            description="The Studio X70 in the boardroom boots, but the display stays black on both inputs. "
                        "Power-cycled twice; the customer has a board meeting at 14:00.")
        tickets_services.case_comment_add(by=support, case=down, body="We are looking at it now; please send the "
                                          "device log bundle from the system's web interface.")
        tickets_services.case_comment_add(
            by=support, case=down, internal=True,
            body="Same firmware build as the two HDMI regressions this week; ask engineering.")
        tickets_services.case_escalate(by=escalations, case=down, reason="Possible firmware regression; needs tier 2.")

        waiting = tickets_services.case_open(
            by=engineer, site=poly_plus_site, category="voice", severity=3,
            subject="Desk phones drop registration overnight", description="Three desk phones lose SIP registration "
            "between 02:00 and 03:00 every night and recover by themselves.")
        tickets_services.case_comment_add(by=support, case=waiting, body="Which SIP server and registration expiry "
                                          "do the phones use? A packet capture from 02:00 would help.")
        tickets_services.case_transition(by=support, case=waiting, to_status=CaseStatus.WAITING_ON_PARTNER)

        answered = tickets_services.case_open(
            by=engineer, site=enterprise_site, category="headset", severity=4,
            subject="Which headset firmware supports the new Teams button mapping?",
            description="The customer asks which firmware adds the Teams button mapping.")
        tickets_services.case_comment_add(by=support, case=answered, body="Firmware 2.3 and later; Poly Lens "
                                          "deploys it.")
        tickets_services.case_transition(by=support, case=answered, to_status=CaseStatus.RESOLVED)

        tickets_services.case_open(
            by=engineer, site=no_contract_site, category="video", severity=2,
            subject="Camera freezes during calls", description="Logged for a customer without a contract: the case is "
            "recorded as not entitled, with the reason, so nothing is lost.")
        broken = next((d for d in devices if d.customer_id == customers[0].pk and d.product.category == "video"
                       and not d.product.is_end_of_service(timezone.localdate())), None)
        if broken is not None:
            tickets_services.case_open(
                by=engineer, site=broken.site, category="video", severity=2, hardware_replacement=True,
                serial=broken.serial, subject="Camera module failed",
                description="The camera shows a solid red LED after a power surge; remote diagnostics failed.")
        self.created += 5

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

    def print_coverage_examples(self, examples: list[tuple[Reason, str, CoverageAnswer]]) -> None:
        rows = [("Reason", "Look up", "What the coverage check says")]
        for reason, lookup, answer in examples:
            flags = f" [flags: {', '.join(answer.flags)}]" if answer.flags else ""
            rows.append((reason.value, lookup, f"{answer.site.customer.partner.slug}: {answer.explanation}{flags}"))
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        self.stdout.write("\nCoverage examples (type a Site ID or serial into the coverage lookup, "
                          "or GET /api/v1/coverage/?serial=... or ?site_id=...&category=...):")
        for index, row in enumerate(rows):
            self.stdout.write(f"  {row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}")
            if index == 0:
                self.stdout.write(f"  {'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(row[2])}")


def demo_serial(slug: str, site_id: str, sku: str, index: int) -> str:
    """A unit's serial: twelve hex digits, like the label on a Poly device, the same on every run."""
    return hashlib.sha256(f"{slug}/{site_id}/{sku}/{index}".encode()).hexdigest()[:12].upper()


def coverage_examples(devices: list[Device], today: datetime.date,
                      per_reason: int = 3) -> list[tuple[Reason, str, CoverageAnswer]]:
    """A few lookups per coverage reason, asked of the one coverage check itself.

    Each demo unit is looked up by serial; a customer without a contract in force is also
    looked up by Site ID and category, as a case would be. For each reason the examples
    show each way to get that answer first (Enterprise, Poly+, an approved custom quote, by
    Site ID), then the other partner.
    """
    candidates: dict[Reason, list[tuple[tuple, int, str, CoverageAnswer]]] = {reason: [] for reason in Reason}

    def add(lookup: str, answer: CoverageAnswer, by_site: bool = False) -> None:
        offering = answer.contract.offering if answer.contract else ""
        kind = (offering, "custom quote" in answer.explanation, by_site)
        candidates[answer.reason].append((kind, answer.site.partner_id, lookup, answer))

    looked_up_sites = set()
    for device in devices:
        answer = check_coverage(site=device.site, category=device.product.category, device=device, on_date=today)
        add(f"serial {device.serial}", answer)
        if answer.reason in (Reason.NO_CONTRACT, Reason.CONTRACT_NOT_ACTIVE) and device.site_id not in looked_up_sites:
            looked_up_sites.add(device.site_id)
            category = device.product.category
            add(f"site {device.site.site_id} {category}",
                check_coverage(site=device.site, category=category, on_date=today), by_site=True)
    examples = []
    for reason in Reason:
        chosen: list[tuple] = []
        for new in (lambda c: c[0], lambda c: c[1]):  # a new kind of answer first, then a new partner
            seen = {new(c) for c in chosen}
            for candidate in candidates[reason]:
                if len(chosen) < per_reason and candidate not in chosen and new(candidate) not in seen:
                    chosen.append(candidate)
                    seen.add(new(candidate))
        examples += [(reason, lookup, answer) for _, _, lookup, answer in chosen]
    return examples
