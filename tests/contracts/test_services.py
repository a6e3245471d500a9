import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts import services
from contracts.models import Contract, ContractLine, ContractStatus, Offering
from contracts.services import LineInput
from polyplus.tenancy.models import PolicySetting
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def video_line(installed=120, growth=10, price="100.00"):
    return LineInput(category="video", installed=installed, growth=growth, annual_unit_price=Decimal(price))


@pytest.fixture
def certified_a(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    factories.CertificationFactory(partner=partner_a, category="voice")
    return partner_a


def create(by, customer, **overrides):
    values = dict(offering=Offering.POLY_PLUS_ENTERPRISE, start_date=TODAY(), end_date=TODAY() + 364 * DAY,
                  lines=[video_line()])
    values.update(overrides)
    return services.contract_create(by=by, customer=customer, **values)


def test_it_creates_a_draft_with_committed_and_exact_baseline(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a, lines=[video_line(installed=101, growth=6)])

    line = ContractLine.objects.get(contract=contract)
    assert contract.status == ContractStatus.DRAFT
    assert line.committed == 107
    assert line.baseline == Decimal("112.35")  # 107 × 1.05, not rounded to a whole device


def test_it_refuses_a_category_the_partner_is_not_certified_for(certified_a, customer_a, partner_a_admin):
    with pytest.raises(ValidationError, match="no current Poly service certification for: Headsets"):
        create(partner_a_admin, customer_a, lines=[LineInput("headset", 150, 0, Decimal("20"))])
    assert not Contract.objects.exists()


def test_a_certification_that_expired_yesterday_does_not_count(partner_a, customer_a, partner_a_admin):
    factories.CertificationFactory(partner=partner_a, category="video", expires_on=TODAY() - DAY)
    with pytest.raises(ValidationError, match="no current Poly service certification"):
        create(partner_a_admin, customer_a)


def test_a_certification_that_expires_today_still_counts(partner_a, customer_a, partner_a_admin):
    factories.CertificationFactory(partner=partner_a, category="video", expires_on=TODAY())
    assert create(partner_a_admin, customer_a).pk


def test_enterprise_needs_the_minimum_device_count_in_one_category(certified_a, customer_a, partner_a_admin):
    with pytest.raises(ValidationError, match="at least 100 installed devices"):
        create(partner_a_admin, customer_a, lines=[video_line(installed=99, growth=50)])
    assert create(partner_a_admin, customer_a, lines=[video_line(installed=100, growth=0)]).pk


def test_one_eligible_category_lets_smaller_categories_join(certified_a, customer_a, partner_a_admin):
    lines = [video_line(installed=100), LineInput("voice", 3, 0, Decimal("30"))]
    assert create(partner_a_admin, customer_a, lines=lines).lines.count() == 2


def test_the_eligibility_threshold_is_a_setting_poly_can_change(certified_a, customer_a, partner_a_admin):
    PolicySetting.objects.create(key="enterprise_min_devices", value="20")
    assert create(partner_a_admin, customer_a, lines=[video_line(installed=20)]).pk


def test_poly_plus_has_no_eligibility_threshold(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a, offering=Offering.POLY_PLUS, lines=[video_line(installed=3)])
    assert contract.offering == Offering.POLY_PLUS


def test_it_refuses_overlapping_terms_for_the_same_customer_and_category(certified_a, customer_a, partner_a_admin):
    first = create(partner_a_admin, customer_a)
    with pytest.raises(ValidationError, match=f"overlaps contract {first.number}"):
        create(partner_a_admin, customer_a, start_date=first.end_date, end_date=first.end_date + 30 * DAY)
    assert Contract.objects.count() == 1


def test_a_term_starting_the_day_after_does_not_overlap(certified_a, customer_a, partner_a_admin):
    first = create(partner_a_admin, customer_a)
    assert create(partner_a_admin, customer_a, start_date=first.end_date + DAY, end_date=first.end_date + 90 * DAY)


def test_another_category_may_overlap(certified_a, customer_a, partner_a_admin):
    create(partner_a_admin, customer_a)
    assert create(partner_a_admin, customer_a, lines=[LineInput("voice", 150, 0, Decimal("30"))])


def test_a_cancelled_contract_does_not_block_a_new_term(certified_a, customer_a, partner_a_admin):
    first = create(partner_a_admin, customer_a)
    services.contract_cancel(by=partner_a_admin, contract=first, reason="Signed in error")
    assert create(partner_a_admin, customer_a)


@pytest.mark.parametrize("field,value", [("installed", -1), ("growth", -5)])
def test_it_refuses_negative_counts(certified_a, customer_a, partner_a_admin, field, value):
    line = video_line()
    line = LineInput(**{**line.__dict__, field: value})
    with pytest.raises(ValidationError, match="cannot be negative"):
        create(partner_a_admin, customer_a, lines=[line])
    assert not Contract.objects.exists()


def test_enterprise_options_are_refused_on_poly_plus(certified_a, customer_a, partner_a_admin):
    with pytest.raises(ValidationError) as error:
        create(partner_a_admin, customer_a, offering=Offering.POLY_PLUS, csm_hour_blocks=2,
               technical_account_management=True)
    assert set(error.value.message_dict) == {"csm_hour_blocks", "technical_account_management"}


def test_another_partners_admin_may_not_contract_for_my_customer(certified_a, customer_a, partner_b_admin):
    with pytest.raises(PermissionDenied):
        create(partner_b_admin, customer_a)


def test_the_lifecycle_runs_draft_active_expired_and_refuses_going_back(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a, start_date=TODAY() - 30 * DAY, end_date=TODAY())
    services.contract_activate(by=partner_a_admin, contract=contract)

    assert services.contracts_expire_ended(today=TODAY()) == 0  # the end date is still covered
    assert services.contracts_expire_ended(today=TODAY() + DAY) == 1
    contract.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED
    with pytest.raises(ValidationError, match="The contract is expired; it cannot become active"):
        services.contract_activate(by=partner_a_admin, contract=contract)


def test_a_renewal_starts_the_day_after_and_carries_the_committed_count(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a, start_date=datetime.date(2026, 1, 1),
                      end_date=datetime.date(2026, 12, 31))
    contract.status = ContractStatus.ACTIVE
    contract.save()
    ContractLine.objects.filter(contract=contract).update(committed=140)  # reset by a true-up

    renewal = services.contract_renew(by=partner_a_admin, contract=contract, growth_by_category={"video": 12})

    assert (renewal.start_date, renewal.end_date) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    line = renewal.lines.get()
    assert (line.installed, line.growth, line.committed) == (140, 12, 152)
    assert renewal.renewal_of == contract


def test_a_renewal_is_refused_when_the_certification_lapsed(partner_a, customer_a, partner_a_admin, poly_admin):
    certification = factories.CertificationFactory(partner=partner_a, category="video")
    contract = create(partner_a_admin, customer_a)
    contract.status = ContractStatus.ACTIVE
    contract.save()
    certification.expires_on = TODAY() - DAY
    certification.save()

    with pytest.raises(ValidationError, match="no current Poly service certification"):
        services.contract_renew(by=partner_a_admin, contract=contract)


def test_adding_a_category_checks_certification(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a)
    with pytest.raises(ValidationError, match="Headsets"):
        services.contract_line_add(by=partner_a_admin, contract=contract, line=LineInput("headset", 5, 0, Decimal(1)))
    line = services.contract_line_add(by=partner_a_admin, contract=contract, line=LineInput("voice", 5, 1, Decimal(1)))
    assert line.committed == 6


def test_product_csv_import_is_all_or_nothing_and_names_line_and_column(poly_admin):
    csv_text = (
        "sku,name,category,list_price,currency,end_of_sale,end_of_service\n"
        "SX-50,Poly Studio X50,video,2999.00,USD,,\n"
        "VVX-450,Poly VVX 450,voice,abc,USD,,\n"
        "RP-GS,RealPresence Group,video,9000,USD,2020-01-01,2019-01-01\n"
    )
    from io import BytesIO

    from contracts.models import Product

    with pytest.raises(ValidationError) as error:
        services.products_import_csv(by=poly_admin, file=BytesIO(csv_text.encode()))
    messages = error.value.message_dict["file"]
    assert any(m.startswith("Line 3, column list_price") for m in messages)
    assert any(m.startswith("Line 4, column end_of_service") for m in messages)
    assert not Product.objects.exists()


def test_product_csv_import_creates_and_updates(poly_admin):
    from io import BytesIO

    from contracts.models import Product

    factories.ProductFactory(sku="SX-50", list_price=Decimal("1.00"))
    csv_text = "sku,name,category,list_price\nSX-50,Poly Studio X50,video,2999.00\nITP-1,Poly ITP,itp,50000\n"

    result = services.products_import_csv(by=poly_admin, file=BytesIO(csv_text.encode()))

    assert (result.created, result.updated) == (1, 1)
    assert Product.objects.get(sku="SX-50").list_price == Decimal("2999.00")
    assert Product.objects.get(sku="ITP-1").quote_required


@pytest.mark.parametrize(("country", "currency"), [
    ("SE", "SEK"), ("PL", "PLN"), ("DE", "EUR"), ("FI", "EUR"), ("HR", "EUR"), ("DK", "USD"), ("US", "USD"),
    ("", "USD"), ("se", "SEK"),
])
def test_the_default_currency_follows_the_partners_country(country, currency):
    from contracts.rules import currency_for_country

    assert currency_for_country(country) == currency


@pytest.mark.parametrize(("country", "currency"), [("SE", "SEK"), ("PL", "PLN"), ("AT", "EUR"), ("", "USD")])
def test_a_contract_without_a_currency_is_priced_in_the_partners_country_currency(certified_a, customer_a,
                                                                                  partner_a_admin, country,
                                                                                  currency):
    certified_a.country = country
    certified_a.save()
    assert create(partner_a_admin, customer_a).currency == currency


def test_a_contract_keeps_the_currency_it_was_given(certified_a, customer_a, partner_a_admin):
    certified_a.country = "SE"
    certified_a.save()
    assert create(partner_a_admin, customer_a, currency="eur").currency == "EUR"
