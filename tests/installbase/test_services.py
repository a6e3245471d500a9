"""Device registration and Poly+ serial lists, by service: who may, and what is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import ContractStatus, Offering
from installbase import services
from installbase.models import ContractDevice, Device, DeviceSource
from tests import factories


@pytest.fixture
def product(db):
    return factories.ProductFactory(sku="SX-50", name="Poly Studio X50")


@pytest.fixture
def poly_plus(customer_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


@pytest.mark.parametrize("persona", ["partner_a_admin", "partner_a_engineer", "poly_admin"])
def test_partner_members_and_poly_admins_register_devices(request, persona, site_a, product):
    device = services.device_register(by=request.getfixturevalue(persona), site=site_a, product=product,
                                      serial=" ab-12.c/3 ")
    assert (device.serial, device.customer, device.partner, device.source) == (
        "AB-12.C/3", site_a.customer, site_a.partner, DeviceSource.REGISTRATION)


@pytest.mark.parametrize("persona", ["partner_b_admin", "partner_b_engineer", "customer_viewer", "poly_support",
                                     "csm"])
def test_no_one_else_registers_a_device(request, persona, site_a, product):
    with pytest.raises(PermissionDenied):
        services.device_register(by=request.getfixturevalue(persona), site=site_a, product=product, serial="AB1")
    assert not Device.objects.exists()


@pytest.mark.parametrize("serial", ["", " ", "A" * 61, "AB 12", "AB_12", "AB12-", ".AB12", "ÅB12", "AB\n12"])
def test_a_serial_that_is_not_printed_on_a_label_is_refused(site_a, partner_a_engineer, product, serial):
    with pytest.raises(ValidationError, match="serial number printed on the unit"):
        services.device_register(by=partner_a_engineer, site=site_a, product=product, serial=serial)


def test_the_longest_serial_fits(site_a, partner_a_engineer, product):
    assert services.device_register(by=partner_a_engineer, site=site_a, product=product, serial="A" * 60).pk


def test_a_serial_taken_by_another_partner_is_refused_without_naming_it(site_a, site_b, partner_a_engineer,
                                                                       product):
    factories.DeviceFactory(site=site_b, product=product, serial="TAKEN1")
    with pytest.raises(ValidationError) as error:
        services.device_register(by=partner_a_engineer, site=site_a, product=product, serial="taken1")
    assert error.value.message_dict == {"serial": ["Serial TAKEN1 of SX-50 is already registered."]}
    assert Device.objects.filter(serial="TAKEN1").count() == 1


def test_the_serial_list_changes_only_through_partner_members(poly_plus, site_a, product, partner_a_engineer,
                                                              partner_b_engineer, customer_viewer, poly_support):
    device = factories.DeviceFactory(site=site_a, product=product)
    for outsider in (partner_b_engineer, customer_viewer, poly_support):
        with pytest.raises(PermissionDenied):
            services.contract_device_add(by=outsider, contract=poly_plus, device=device)
    entry = services.contract_device_add(by=partner_a_engineer, contract=poly_plus, device=device)
    assert entry.partner_id == poly_plus.partner_id
    for outsider in (partner_b_engineer, customer_viewer, poly_support):
        with pytest.raises(PermissionDenied):
            services.contract_device_remove(by=outsider, entry=entry)
    services.contract_device_remove(by=partner_a_engineer, entry=entry)
    assert not ContractDevice.objects.exists()


def test_a_draft_poly_plus_contract_takes_serials(poly_plus, site_a, product, partner_a_engineer):
    poly_plus.status = ContractStatus.DRAFT
    poly_plus.save()
    device = factories.DeviceFactory(site=site_a, product=product)
    assert services.contract_device_add(by=partner_a_engineer, contract=poly_plus, device=device).pk


@pytest.mark.parametrize(("setup", "message"), [
    ("enterprise", "lists no serials"),
    ("cancelled", "Only a draft or active contract"),
    ("expired", "Only a draft or active contract"),
    ("other_customer", "belongs to another customer"),
    ("voice", "does not cover Voice"),
])
def test_a_serial_the_contract_cannot_take_is_refused(poly_plus, site_a, product, partner_a_engineer, partner_a,
                                                      setup, message):
    device = factories.DeviceFactory(site=site_a, product=product)
    if setup == "enterprise":
        poly_plus.offering = Offering.POLY_PLUS_ENTERPRISE
    elif setup in ("cancelled", "expired"):
        poly_plus.status = setup
    elif setup == "other_customer":
        device = factories.DeviceFactory(site=factories.SiteFactory(customer=factories.CustomerFactory(
            partner=partner_a)), product=product)
    elif setup == "voice":
        device = factories.DeviceFactory(site=site_a, product=factories.ProductFactory(sku="CCX-600",
                                                                                        category="voice"))
    poly_plus.save()
    with pytest.raises(ValidationError, match=message):
        services.contract_device_add(by=partner_a_engineer, contract=poly_plus, device=device)
    assert not ContractDevice.objects.exists()


def test_a_renewed_poly_plus_contract_keeps_covering_its_listed_serials(partner_a, customer_a, site_a,
                                                                         partner_a_admin):
    from contracts.services import contract_renew

    factories.CertificationFactory(partner=partner_a, category="video")
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS,
                                         status=ContractStatus.ACTIVE)
    factories.ContractLineFactory(contract=contract, category="video")
    kept = factories.DeviceFactory(site=site_a)
    retired = factories.DeviceFactory(site=site_a, in_production=False)
    for device in (kept, retired):
        factories.ContractDeviceFactory(contract=contract, device=device)

    renewal = contract_renew(by=partner_a_admin, contract=contract)

    assert list(ContractDevice.objects.filter(contract=renewal).values_list("device", flat=True)) == [kept.pk]
