"""Each contract rule called on its own, with input as the API and forms hand it over: the offering
as a plain string (not the enum member), so a rule that compared identity instead of value would
treat a Poly+ Enterprise request as another offering."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts import rules
from contracts.models import ContractStatus
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
ENTERPRISE, POLY_PLUS = "poly_plus_enterprise", "poly_plus"  # as they arrive from JSON or a form


def test_enterprise_named_by_a_plain_string_must_meet_the_threshold(db):
    with pytest.raises(ValidationError, match="at least 100 installed devices"):
        rules.require_enterprise_eligible(ENTERPRISE, {"video": 99, "voice": 10})
    rules.require_enterprise_eligible(ENTERPRISE, {"video": 100, "voice": 10})
    rules.require_enterprise_eligible(POLY_PLUS, {"video": 1})


def test_enterprise_named_by_a_plain_string_may_take_its_paid_options(db):
    rules.require_offering_options(offering=ENTERPRISE, csm_hour_blocks=2, technical_account_management=True)
    with pytest.raises(ValidationError) as refused:
        rules.require_offering_options(offering=POLY_PLUS, csm_hour_blocks=2, technical_account_management=True)
    assert set(refused.value.message_dict) == {"csm_hour_blocks", "technical_account_management"}


@pytest.mark.parametrize(("csm_hour_blocks", "technical_account_management", "fields"), [
    (1, False, {"csm_hour_blocks"}),
    (0, True, {"technical_account_management"}),
])
def test_each_enterprise_option_on_poly_plus_is_refused_on_its_own_field(db, csm_hour_blocks,
                                                                         technical_account_management, fields):
    with pytest.raises(ValidationError) as refused:
        rules.require_offering_options(offering=POLY_PLUS, csm_hour_blocks=csm_hour_blocks,
                                       technical_account_management=technical_account_management)
    assert set(refused.value.message_dict) == fields
    rules.require_offering_options(offering=POLY_PLUS, csm_hour_blocks=0, technical_account_management=False)


def test_a_certification_counts_from_its_first_to_its_last_day(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video", certified_on=TODAY(),
                                   expires_on=TODAY() + 10 * DAY)
    missing = rules.categories_without_current_certification
    assert missing(partner_a, ["video", "voice"], TODAY()) == ["voice"]
    assert missing(partner_a, ["video"], TODAY() + 10 * DAY) == []
    assert missing(partner_a, ["video"], TODAY() - DAY) == ["video"]
    assert missing(partner_a, ["video"], TODAY() + 11 * DAY) == ["video"]


def test_a_refusal_for_missing_certifications_names_each_category(partner_a):
    with pytest.raises(ValidationError) as refused:
        rules.require_certified(partner_a, ["headset", "voice"], TODAY())
    assert refused.value.message_dict == {"lines": [
        "Nordic Collaboration AB holds no current Poly service certification for: "
        "Headsets and personal devices, Voice."
    ]}


def test_an_overlap_is_named_by_contract_and_category_and_excludes_the_contract_itself(customer_a):
    contract = factories.ContractFactory(customer=customer_a, number="C-VID", status=ContractStatus.ACTIVE,
                                         start_date=TODAY(), end_date=TODAY() + 30 * DAY)
    factories.ContractLineFactory(contract=contract, category="video")
    term = {"customer_id": customer_a.pk, "categories": ["video"]}
    with pytest.raises(ValidationError) as refused:
        rules.require_no_overlapping_term(**term, start_date=TODAY() + 30 * DAY, end_date=TODAY() + 60 * DAY)
    assert refused.value.message_dict == {"start_date": ["The term overlaps contract C-VID (Video) for the same "
                                                         "category."]}
    rules.require_no_overlapping_term(**term, start_date=TODAY(), end_date=TODAY() + 30 * DAY,
                                      excluding_contract_id=contract.pk)
    rules.require_no_overlapping_term(**term, start_date=TODAY() + 31 * DAY, end_date=TODAY() + 60 * DAY)
    rules.require_no_overlapping_term(**term, start_date=TODAY() - 30 * DAY, end_date=TODAY() - DAY)
