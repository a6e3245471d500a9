"""factory_boy factories. Create data inside a test's staff context (conftest) or staff_context()."""

import datetime
import re
from decimal import Decimal

import factory
from django.utils import timezone

from contracts.models import Contract, ContractLine, ContractStatus, Offering, Product
from installbase.models import ContractDevice, Device
from polyplus.tenancy.models import (
    Certification,
    CsmAssignment,
    Customer,
    Partner,
    PartnerBrand,
    Role,
    ServiceCategory,
    Site,
    TrainingRecord,
    User,
)

PASSWORD = "correct-horse-battery-staple"


def partner_code_for(slug: str, n: int) -> str:
    """The slug's letters and digits when they fit (nordic → NORDIC), else unique by the sequence."""
    letters = re.sub(r"[^A-Z0-9]", "", slug.upper())
    return letters.ljust(2, "X") if len(letters) <= 8 else f"{letters[:4]}{n:04d}"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    code = factory.LazyAttributeSequence(lambda o, n: partner_code_for(o.slug, n))
    brand = factory.RelatedFactory(
        "tests.factories.PartnerBrandFactory", factory_related_name="partner",
        display_name=factory.SelfAttribute("..name"),
    )


class PartnerBrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerBrand

    partner = factory.SubFactory(PartnerFactory, brand=None)
    display_name = factory.LazyAttribute(lambda o: o.partner.name)
    primary_color = "#123456"


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    partner = factory.SubFactory(PartnerFactory)
    category = ServiceCategory.VIDEO
    certified_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=165))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SelfAttribute("customer.partner")
    site_id = factory.Sequence(lambda n: f"SITE-{n:05d}")
    name = factory.Sequence(lambda n: f"Office {n}")
    address = "Drottninggatan 1, 111 51 Stockholm"
    country = "SE"
    subdivision = "SE-AB"
    timezone = "Europe/Stockholm"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    role = Role.PARTNER_ENGINEER
    partner = factory.SubFactory(PartnerFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PolyStaffFactory(UserFactory):
    role = Role.POLY_SUPPORT
    partner = None


class CustomerViewerFactory(UserFactory):
    role = Role.CUSTOMER_VIEWER
    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SelfAttribute("customer.partner")


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    engineer = factory.SubFactory(UserFactory)
    partner = factory.SelfAttribute("engineer.partner")
    category = ServiceCategory.VIDEO
    course = "Poly Video Service Certification"
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=335))


class CsmAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CsmAssignment

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SelfAttribute("customer.partner")
    csm = factory.SubFactory(PolyStaffFactory, role=Role.CSM)


# ---- contracts and install base --------------------------------------------------------------



class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"POLY-{n:04d}")
    name = factory.Sequence(lambda n: f"Poly Studio X{n}")
    category = "video"
    list_price = Decimal("2499.00")
    currency = "USD"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SelfAttribute("customer.partner")
    number = factory.Sequence(lambda n: f"C-{n:05d}")
    offering = Offering.POLY_PLUS_ENTERPRISE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=264))
    status = ContractStatus.ACTIVE
    created_by = factory.SubFactory(PolyStaffFactory, role=Role.POLY_ADMIN)


class ContractLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractLine

    contract = factory.SubFactory(ContractFactory)
    partner = factory.SelfAttribute("contract.partner")
    category = "video"
    installed = 120
    growth = 10
    committed = factory.LazyAttribute(lambda o: o.installed + o.growth)
    annual_unit_price = Decimal("120.00")


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    site = factory.SubFactory(SiteFactory)
    customer = factory.SelfAttribute("site.customer")
    partner = factory.SelfAttribute("site.partner")
    product = factory.SubFactory(ProductFactory)
    serial = factory.Sequence(lambda n: f"SN{n:08d}")


class ContractDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractDevice

    contract = factory.SubFactory(ContractFactory)
    device = factory.SubFactory(DeviceFactory)
    partner = factory.SelfAttribute("contract.partner")
