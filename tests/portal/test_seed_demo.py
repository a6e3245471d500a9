import datetime
import io
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from contracts.models import Contract, ContractStatus, CustomQuote, Offering, Product, ProductCategory, QuoteStatus
from installbase.coverage import Flag, Reason, check_coverage
from installbase.demo import CUSTOMER as CSM_DEMO_CUSTOMER
from installbase.models import ContractDevice, Device
from installbase.selectors import non_compliant_customers
from polyplus.portal.management.commands.seed_demo import DEMO_PASSWORD, PARTNERS, POLY_ADMIN, POLY_STAFF
from polyplus.tenancy import services
from polyplus.tenancy.context import partner_context
from polyplus.tenancy.models import Certification, CsmAssignment, Customer, Role, Site, User


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def tenancy_snapshot() -> dict[str, int]:
    """Row counts of every table the demo writes, audit events included (an update adds an event)."""
    return {f"{label}.{model.__name__}": model.objects.count()
            for label in ("tenancy", "contracts", "installbase", "tickets")
            for model in apps.get_app_config(label).get_models()}


def test_it_creates_one_login_per_persona_all_with_the_demo_password(db):
    seed()

    users = list(User.objects.all())
    assert {user.role for user in users} == set(Role.values)
    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    partner_members = {(u.partner.slug, u.role) for u in users if u.is_partner_member}
    assert partner_members == {(slug, role) for slug in ("nordic", "wisla")
                               for role in (Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER)}


def test_a_second_run_changes_nothing(db):
    seed()
    before = tenancy_snapshot()

    output = seed()

    assert tenancy_snapshot() == before
    assert "nothing changed" in output


def test_it_prints_every_login_with_the_password(db):
    output = seed()

    people = [POLY_ADMIN, *POLY_STAFF, *(p for demo in PARTNERS for p in (demo.admin, demo.engineer, demo.viewer) if p)]
    for person in people:
        line = next(line for line in output.splitlines() if f" {person.email} " in line)
        assert DEMO_PASSWORD in line
    assert "Customer viewer" in output and "Escalation manager" in output


def test_it_shows_a_lapsed_certification_and_a_current_one(db):
    seed()
    today = timezone.localdate()

    nordic = {c.category: c for c in Certification.objects.filter(partner__slug="nordic")}
    assert nordic["headset"].expires_on == today - datetime.timedelta(days=1)
    assert nordic["video"].is_current(today) and nordic["voice"].is_current(today)
    assert all(c.is_current(today) for c in Certification.objects.filter(partner__slug="wisla"))


def test_each_partner_has_an_enterprise_customer_with_a_csm_and_plain_customers(db):
    seed()

    for slug in ("nordic", "wisla"):
        customers = Customer.objects.filter(partner__slug=slug).exclude(name=CSM_DEMO_CUSTOMER)
        assert customers.count() == 4
        enterprise = customers.exclude(master_account_id="").get()
        assert CsmAssignment.objects.get(customer=enterprise).csm.email == "csm@poly.example"
    viewer = User.objects.get(role=Role.CUSTOMER_VIEWER)
    assert viewer.customer.master_account_id and viewer.partner_id == viewer.customer.partner_id


def test_sites_have_real_countries_subdivisions_and_time_zones(db):
    seed()

    sites = list(Site.objects.all())
    assert len({site.country for site in sites}) >= 3
    for site in sites:
        assert services.validate_country(site.country) == site.country
        assert services.validate_subdivision(site.country, site.subdivision) == site.subdivision
        assert services.validate_timezone(site.timezone) == site.timezone
        assert site.partner_id == site.customer.partner_id


def test_a_partner_context_sees_only_its_own_demo_customers(db):
    seed()
    nordic_id = Customer.objects.filter(partner__slug="nordic").values_list("partner_id", flat=True).first()

    with partner_context(partner_id=nordic_id, reason="test"):
        names = set(Customer.objects.values_list("name", flat=True)) - {CSM_DEMO_CUSTOMER}
    assert names == {"Göta Älv Logistik AB", "Öresund Medtech AB", "Norrsken Energi AB", "Kiruna Gruvteknik AB"}


def test_it_refuses_to_seed_a_public_password_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()


# ---- the catalogue, contracts and coverage ----------------------------------------------------

def test_the_catalogue_has_each_category_quote_only_kinds_and_a_product_past_end_of_service(db):
    seed()
    today = timezone.localdate()

    categories = set(Product.objects.values_list("category", flat=True))
    assert {ProductCategory.HEADSET, ProductCategory.VIDEO, ProductCategory.VOICE, ProductCategory.ITP,
            ProductCategory.MEDIALIGN} <= categories
    assert all(re.fullmatch(r"[0-9]{4}-[0-9]{5}-[0-9]{3}|[0-9]{6}-[0-9]{2}", sku)
               for sku in Product.objects.values_list("sku", flat=True))
    assert any(product.is_end_of_service(today) for product in Product.objects.all())


@pytest.mark.parametrize("slug", ["nordic", "wisla"])
def test_each_partner_has_an_enterprise_a_poly_plus_a_draft_and_an_expired_contract(db, slug):
    seed()
    today = timezone.localdate()
    contracts = Contract.objects.filter(partner__slug=slug).exclude(customer__name=CSM_DEMO_CUSTOMER)

    enterprise = contracts.get(offering=Offering.POLY_PLUS_ENTERPRISE)
    assert enterprise.status == ContractStatus.ACTIVE and enterprise.covers_day(today)
    assert enterprise.customer.master_account_id
    lines = {line.category: line for line in enterprise.lines.all()}
    # Wisła's Enterprise customer also covers a few headsets, so a demo RMA can exceed the 5% allowance.
    assert set(lines) == ({"video", "voice", "headset"} if slug == "wisla" else {"video", "voice"})
    assert all(line.committed == line.installed + line.growth and line.annual_unit_price > 0
               for line in lines.values())
    assert max(line.installed for line in lines.values()) >= 100

    poly_plus = contracts.get(offering=Offering.POLY_PLUS, status=ContractStatus.ACTIVE)
    assert poly_plus.covers_day(today) and ContractDevice.objects.filter(contract=poly_plus).count() >= 3

    expired = contracts.get(status=ContractStatus.EXPIRED)
    assert expired.end_date < today and expired.status_reason == "The term ended."
    draft = contracts.get(status=ContractStatus.DRAFT)
    assert draft.renewal_of == expired and draft.start_date == expired.end_date + datetime.timedelta(days=1)
    assert contracts.count() == 4


def examples(output: str) -> list[tuple[str, str, str, str]]:
    """(reason, "serial" or "site", serial or Site ID, category) for each printed coverage example."""
    section = output[output.index("Coverage examples"):]
    found = re.findall(r"^  ([a-z_]+) +(serial|site) ([A-Z0-9-]+)(?: ([a-z_]+))? ", section, re.MULTILINE)
    return [(reason, kind, key, category) for reason, kind, key, category in found if reason != "Reason"]


def test_the_coverage_examples_after_the_logins_give_each_reason(db):
    output = seed()
    assert output.index("Demo logins") < output.index("Coverage examples") < output.index("Demo data created")
    today = timezone.localdate()

    answers = []
    for reason, kind, key, category in examples(output):
        if kind == "serial":
            answer = check_coverage(site=None, category="", device=Device.objects.get(serial=key), on_date=today)
        else:
            answer = check_coverage(site=Site.objects.get(site_id=key), category=category, on_date=today)
        assert answer.reason == reason, (key, answer.explanation)
        answers.append(answer)

    assert {answer.reason for answer in answers} == set(Reason)
    covered = [answer for answer in answers if answer.covered]
    assert {answer.contract.offering for answer in covered} == set(Offering)
    assert any("approved custom quote" in answer.explanation for answer in covered)
    for reason in set(Reason) - {Reason.COVERED}:
        assert {a.site.partner.slug for a in answers if a.reason == reason} == {"nordic", "wisla"}, reason
    assert any(kind == "site" for _, kind, _, _ in examples(output))


def test_a_serial_not_on_the_poly_plus_contract_makes_its_customer_non_compliant(db):
    output = seed()
    poly_support = User.objects.get(role=Role.POLY_SUPPORT)
    unlisted = [Device.objects.get(serial=key) for reason, _, key, _ in examples(output)
                if reason == Reason.NOT_ON_CONTRACT]

    flagged = set(non_compliant_customers(poly_support))
    assert unlisted and {device.customer for device in unlisted} == flagged
    for device in unlisted:
        assert Flag.CUSTOMER_NON_COMPLIANT in check_coverage(site=device.site, category="", device=device).flags
    enterprise_customers = set(Customer.objects.exclude(master_account_id=""))
    assert not flagged & enterprise_customers


def test_quotes_and_the_lapsed_headset_certification_show_up(db):
    seed()
    assert set(CustomQuote.objects.values_list("partner__slug", "status")) == {
        ("nordic", QuoteStatus.APPROVED), ("wisla", QuoteStatus.REQUESTED)}
    headset = Device.objects.filter(partner__slug="nordic", product__category="headset").first()
    answer = check_coverage(site=headset.site, category="", device=headset)
    assert answer.reason == Reason.CATEGORY_NOT_COVERED
    assert Flag.PARTNER_CERTIFICATION_LAPSED in answer.flags


def test_every_demo_serial_is_unique_and_looks_like_a_label(db):
    seed()
    serials = list(Device.objects.values_list("serial", flat=True))
    assert len(serials) == len(set(serials)) >= 40
    assert all(re.fullmatch(r"[0-9A-F]{12}", serial) for serial in serials)


@pytest.mark.parametrize("slug", ["nordic", "wisla"])
def test_each_partner_has_cases_in_several_states_and_one_not_entitled(db, slug):
    from tickets.models import Case, CaseStatus

    seed()
    cases = Case.objects.filter(partner__slug=slug)
    assert {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_PARTNER, CaseStatus.RESOLVED} <= set(
        cases.values_list("status", flat=True))
    assert cases.filter(entitled=False, entitlement_reason="no_contract").exists()
    assert cases.filter(escalation_level__gt=1, comments__internal=True).exists()
    assert cases.filter(hardware_replacement=True, entitled=True).exists()


def test_each_demo_partner_trades_from_its_country_and_prices_its_contracts_in_its_currency(db):
    from contracts.models import Contract
    from polyplus.tenancy.models import Partner

    seed()
    assert dict(Partner.objects.values_list("slug", "country")) == {"nordic": "SE", "wisla": "PL"}
    currencies = set(Contract.objects.values_list("partner__slug", "currency"))
    assert currencies == {("nordic", "SEK"), ("wisla", "PLN")}


def test_it_makes_last_months_report_of_each_enterprise_contract_once(db):
    from polyplus.notifications.models import OutboundMail
    from polyplus.portal.models import Report, ReportStatus
    from polyplus.portal.reports import contracts_in_force_during, previous_month

    seed()
    month = previous_month(timezone.now().date())
    reports = list(Report.objects.all())
    assert {report.contract_id for report in reports} == set(
        contracts_in_force_during(month).values_list("pk", flat=True))
    assert len(reports) >= 2 and all(report.status == ReportStatus.DONE and report.pdf for report in reports)
    mails = OutboundMail.objects.filter(key__startswith="csm-report:").count()
    from polyplus.portal.models import Quote

    [quote] = Quote.objects.all()  # the demo's proposed true-up, quoted
    assert (quote.kind, quote.status) == ("true_up", "done") and quote.pdf
    seed()
    assert Report.objects.count() == len(reports) and Quote.objects.count() == 1
    assert OutboundMail.objects.filter(key__startswith="csm-report:").count() == mails


def test_the_demo_has_owned_and_unowned_cases_followers_and_unread_notifications(db, settings):
    from polyplus.notifications.models import Notification
    from tickets.models import Case, CaseFollower

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    assert Case.objects.filter(owner__isnull=False).exists() and Case.objects.filter(owner__isnull=True).exists()
    assert Case.objects.filter(partner_owner__isnull=False).exists()
    assert CaseFollower.objects.exists()
    assert Notification.objects.filter(read_at__isnull=True, recipient__role="partner_engineer").exists()


def test_the_csm_demo_customer_is_a_month_past_its_midpoint_with_a_proposed_true_up(db):
    from installbase.models import Reconciliation, TrueUp

    seed()
    true_up = TrueUp.objects.get(customer__name=CSM_DEMO_CUSTOMER)
    assert true_up.status == "proposed" and true_up.additional_devices > 0
    assert true_up.month == (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert Reconciliation.objects.filter(customer__name=CSM_DEMO_CUSTOMER).count() >= 6


def test_the_csm_demo_customer_has_hours_logged_within_its_block(db):
    from decimal import Decimal

    from installbase.models import HOURS_PER_BLOCK, CsmHourEntry

    seed()
    entries = list(CsmHourEntry.objects.filter(customer__name=CSM_DEMO_CUSTOMER).select_related("contract"))
    assert len(entries) == 4
    contract = entries[0].contract
    assert sum(entry.hours for entry in entries) == Decimal("5.25") <= contract.csm_hour_blocks * HOURS_PER_BLOCK
    assert all(contract.start_date <= entry.day < timezone.localdate() for entry in entries)
    assert {entry.logged_by.email for entry in entries} == {"csm@poly.example"}
    seed()  # a second run logs nothing twice
    assert CsmHourEntry.objects.filter(customer__name=CSM_DEMO_CUSTOMER).count() == 4


def test_the_demo_partners_speak_their_customers_languages_by_default(db):
    from polyplus.tenancy.models import PartnerBrand

    seed()
    assert dict(PartnerBrand.objects.values_list("partner__slug", "default_language")) == {"nordic": "sv",
                                                                                         "wisla": "pl"}


def test_last_months_report_of_the_enterprise_customer_has_its_cases_and_teams_incident(db):
    from polyplus.portal.demo import LAST_MONTH_INCIDENT
    from polyplus.portal.models import Report
    from tests.portal.documents import pdf_text
    from tickets.models import Case

    seed()
    customer = Customer.objects.get(partner__slug=PARTNERS[0].slug, name=PARTNERS[0].customers[0].name)
    report = Report.objects.get(contract__customer=customer)
    with report.pdf.open("rb") as pdf:
        text = pdf_text(pdf.read())
    total = next(line for line in text.splitlines() if line.startswith("All "))
    # Five cases opened and resolved; one answered late and one resolved late (demo.LAST_MONTH_CASES).
    assert total.split()[1:] == ["5", "5", "80.0%", "(4", "of", "5)", "80.0%", "(4", "of", "5)"]
    assert LAST_MONTH_INCIDENT in text and "Microsoft Teams" in text
    last_month = Case.objects.filter(customer=customer, opened_at__lt=timezone.now().replace(day=1))
    assert all(case.resolved_at < timezone.now() for case in last_month)
    seed()  # a second run adds no history twice
    assert Case.objects.filter(customer=customer, opened_at__lt=timezone.now().replace(day=1)).count() == 5
