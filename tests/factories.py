"""factory_boy factories. Create data inside a test's staff context (conftest) or staff_context()."""

import datetime

import factory
from django.utils import timezone

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


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
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
