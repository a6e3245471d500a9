"""Every write to the catalogue, contracts, their lines and custom quotes."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from contracts import rules
from contracts.models import (
    QUOTE_ONLY_CATEGORIES,
    Contract,
    ContractLine,
    ContractStatus,
    CustomQuote,
    CustomQuoteProduct,
    Offering,
    Product,
    ProductCategory,
    QuoteStatus,
)
from polyplus.tenancy.dates import LATEST_DATE, parse_portal_date
from polyplus.tenancy.models import Customer, NumberKind, ServiceCategory, User
from polyplus.tenancy.numbering import next_number
from polyplus.tenancy.services import require_partner_admin_of, require_poly_admin
from polyplus.tenancy.text import printable_name, unstorable_reason

# ---- the catalogue -----------------------------------------------------------------------

PRODUCT_FIELDS = ("sku", "name", "category", "list_price", "currency", "end_of_sale", "end_of_service")


def _product_from_values(product: Product, values: dict) -> Product:
    for field in PRODUCT_FIELDS:
        if field in values:
            setattr(product, field, values[field])
    product.sku = (product.sku or "").strip().upper()
    product.currency = (product.currency or "").strip().upper()
    product.full_clean(validate_unique=False, validate_constraints=False)
    if product.end_of_sale and product.end_of_service and product.end_of_service < product.end_of_sale:
        raise ValidationError({"end_of_service": ["End of service cannot be before end of sale."]})
    return product


@transaction.atomic
def product_create(*, by: User, **values) -> Product:
    """Add a product to Poly's catalogue."""
    require_poly_admin(by)
    product = _product_from_values(Product(), values)
    if Product.objects.filter(sku=product.sku).exists():
        raise ValidationError({"sku": ["A product with this SKU exists."]})
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:  # the same SKU added at the same moment
        raise ValidationError({"sku": ["A product with this SKU exists."]}) from None
    return product


@transaction.atomic
def product_update(*, by: User, product: Product, **values) -> Product:
    require_poly_admin(by)
    values.pop("sku", None)
    _product_from_values(product, values)
    product.save()
    return product


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


MAX_IMPORT_ROWS = 10_000
IMPORT_COLUMNS = ("sku", "name", "category", "list_price", "currency", "end_of_sale", "end_of_service")
REQUIRED_IMPORT_COLUMNS = frozenset({"sku", "name", "category", "list_price"})


def _parse_import_row(line: int, row: dict) -> tuple[dict, list[str]]:
    errors: list[str] = []
    values: dict = {}

    def fail(column: str, message: str) -> None:
        errors.append(f"Line {line}, column {column}: {message}")

    for column, cell in row.items():
        for text in cell if isinstance(cell, list) else [cell or ""]:
            if reason := unstorable_reason(text):
                fail(printable_name(column or "-"), reason)
    if errors:
        return {"sku": None}, errors
    values["sku"] = (row.get("sku") or "").strip().upper()
    values["name"] = (row.get("name") or "").strip()
    values["category"] = (row.get("category") or "").strip().lower()
    values["currency"] = (row.get("currency") or "USD").strip().upper()
    if not values["sku"]:
        fail("sku", "is empty.")
    if not values["name"]:
        fail("name", "is empty.")
    if values["category"] not in ProductCategory.values:
        fail("category", f"“{values['category']}” is not one of {', '.join(ProductCategory.values)}.")
    if None in row:  # DictReader keeps cells beyond the header under None
        fail("-", "has more cells than the header has columns.")
    try:
        values["list_price"] = Decimal((row.get("list_price") or "").strip())
        # NaN and Infinity are Decimals too, but never a price.
        if not values["list_price"].is_finite() or values["list_price"] < 0 \
                or values["list_price"].as_tuple().exponent < -2:
            raise InvalidOperation
    except InvalidOperation:
        fail("list_price", f"“{row.get('list_price')}” is not a price (e.g. 1299.00).")
    for column in ("end_of_sale", "end_of_service"):
        text = (row.get(column) or "").strip()
        try:
            values[column] = parse_portal_date(text) if text else None
        except ValidationError as exc:
            fail(column, exc.messages[0])
    if not errors:
        try:
            _product_from_values(Product(), values)
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                for message in messages:
                    fail(column, message)
    return values, errors


@transaction.atomic
def products_import_csv(*, by: User, file) -> ImportResult:
    """Create or update products from a CSV. All or nothing: any bad row and nothing is written.

    Columns: sku, name, category, list_price, currency, end_of_sale, end_of_service.
    """
    require_poly_admin(by)
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The file is not UTF-8 text."]}) from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise ValidationError({"file": [f"Line 1: not readable as CSV ({exc})."]}) from None
    reader.fieldnames = [(name or "").strip().lower() for name in header]
    missing = REQUIRED_IMPORT_COLUMNS - set(reader.fieldnames)
    if missing:
        raise ValidationError({"file": [f"Missing columns: {', '.join(sorted(missing))}."]})
    unknown = [printable_name(name) for name in reader.fieldnames if name not in IMPORT_COLUMNS]
    if unknown:
        raise ValidationError({"file": [
            f"Unknown columns: {', '.join(unknown)}. The columns are: {', '.join(IMPORT_COLUMNS)}."
        ]})
    if len(set(reader.fieldnames)) != len(reader.fieldnames):
        raise ValidationError({"file": ["Each column may appear once in the header."]})
    rows, errors, seen = [], [], {}
    line = 1
    try:
        for line, row in enumerate(reader, start=2):
            if line - 1 > MAX_IMPORT_ROWS:
                raise ValidationError({"file": [f"At most {MAX_IMPORT_ROWS} rows per file."]})
            values, row_errors = _parse_import_row(line, row)
            if values["sku"] is not None and values["sku"] in seen:
                row_errors.append(
                    f"Line {line}, column sku: {values['sku']} is also on line {seen[values['sku']]}."
                )
            seen.setdefault(values["sku"], line)
            errors.extend(row_errors)
            rows.append(values)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        raise ValidationError({"file": [f"Line {line + 1}: not readable as CSV ({exc})."]}) from None
    if errors:
        raise ValidationError({"file": errors})
    if not rows:
        raise ValidationError({"file": ["The file has no rows."]})
    existing = Product.objects.in_bulk([values["sku"] for values in rows], field_name="sku")
    to_create, to_update = [], []
    for values in rows:
        product = existing.get(values["sku"])
        if product is None:
            to_create.append(Product(**values))
        else:
            for field in PRODUCT_FIELDS:
                setattr(product, field, values[field])
            to_update.append(product)
    Product.objects.bulk_create(to_create)
    Product.objects.bulk_update(to_update, [field for field in PRODUCT_FIELDS if field != "sku"])
    return ImportResult(created=len(to_create), updated=len(to_update))


# ---- contracts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    category: str
    installed: int
    growth: int
    annual_unit_price: Decimal


# Bounds that keep every number inside its column: no customer has a million devices in one
# category, and a price has at most ten digits before the cents.
MAX_DEVICES = 1_000_000
MAX_PRICE = Decimal("9999999999.99")

# Apps above contracts that keep per-contract data (installbase's Poly+ serial lists) carry it
# into the next term here, in the renewal's transaction: contracts cannot import them.
contract_renewed = Signal()

TRANSITIONS = {
    ContractStatus.DRAFT: {ContractStatus.ACTIVE, ContractStatus.CANCELLED},
    ContractStatus.ACTIVE: {ContractStatus.EXPIRED, ContractStatus.CANCELLED},
    ContractStatus.EXPIRED: set(),
    ContractStatus.CANCELLED: set(),
}


def _validate_lines(lines: list[LineInput]) -> None:
    if not lines:
        raise ValidationError({"lines": ["Pick at least one category."]})
    categories = [line.category for line in lines]
    errors = []
    for line in lines:
        if line.category not in ServiceCategory.values:
            errors.append(f"“{line.category}” is not a category a contract can cover.")
        if line.installed < 0 or line.growth < 0:
            errors.append(f"{line.category}: device counts cannot be negative.")
        elif line.installed > MAX_DEVICES or line.growth > MAX_DEVICES:
            errors.append(f"{line.category}: device counts are at most {MAX_DEVICES:,}.")
        price = Decimal(line.annual_unit_price)
        if not price.is_finite() or price.as_tuple().exponent < -2 or price > MAX_PRICE:
            errors.append(f"{line.category}: the annual unit price must be an amount in cents, "
                          f"at most {MAX_PRICE:,}.")
        elif price < 0:
            errors.append(f"{line.category}: the annual unit price cannot be negative.")
    if len(set(categories)) != len(categories):
        errors.append("Each category may appear once.")
    if errors:
        raise ValidationError({"lines": errors})


@transaction.atomic
def contract_create(
    *, by: User, customer: Customer, offering: str, start_date: datetime.date, end_date: datetime.date,
    lines: list[LineInput], currency: str = "", onsite_extension: bool = False, csm_hour_blocks: int = 0,
    technical_account_management: bool = False, professional_services_discount: Decimal = Decimal("0"),
    renewal_of: Contract | None = None,
) -> Contract:
    """Draft a contract for a customer, enforcing every sales rule of DOMAIN.md.

    Without a currency, the contract is priced in the partner's country's currency.
    """
    partner = customer.partner
    require_partner_admin_of(by, partner)
    if offering not in Offering.values:
        raise ValidationError({"offering": [f"“{offering}” is not an offering."]})
    if end_date < start_date:
        raise ValidationError({"end_date": ["The term must end on or after its start."]})
    if not Decimal("0") <= professional_services_discount <= Decimal("100"):
        raise ValidationError({"professional_services_discount": ["Enter a percentage from 0 to 100."]})
    if csm_hour_blocks < 0:
        raise ValidationError({"csm_hour_blocks": ["Enter zero or more blocks."]})
    _validate_lines(lines)
    rules.require_offering_options(offering=offering, csm_hour_blocks=csm_hour_blocks,
                                   technical_account_management=technical_account_management)
    categories = [line.category for line in lines]
    rules.require_certified(partner, categories, timezone.localdate())
    rules.require_enterprise_eligible(offering, {line.category: line.installed for line in lines})
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    rules.require_no_overlapping_term(customer_id=customer.pk, categories=categories,
                                      start_date=start_date, end_date=end_date)
    contract = Contract(
        partner=partner, customer=customer, number=next_number(partner, NumberKind.CONTRACT), offering=offering,
        start_date=start_date, end_date=end_date,
        currency=currency.strip().upper() or rules.currency_for_country(partner.country),
        onsite_extension=onsite_extension, csm_hour_blocks=csm_hour_blocks,
        technical_account_management=technical_account_management,
        professional_services_discount=professional_services_discount, renewal_of=renewal_of, created_by=by,
    )
    contract.full_clean(exclude=["partner", "customer", "created_by", "renewal_of"], validate_unique=False,
                        validate_constraints=False)
    contract.save()
    ContractLine.objects.bulk_create([
        ContractLine(partner=partner, contract=contract, category=line.category, installed=line.installed,
                     growth=line.growth, committed=line.installed + line.growth,
                     annual_unit_price=line.annual_unit_price)
        for line in lines
    ])
    return contract


def _transition(contract: Contract, to: str, reason: str = "") -> Contract:
    # Judge the move from the stored status, locked: two requests at once cannot both move it.
    contract.status = Contract.objects.select_for_update().values_list("status", flat=True).get(pk=contract.pk)
    if to not in TRANSITIONS[ContractStatus(contract.status)]:
        raise ValidationError({"status": [
            f"The contract is {contract.get_status_display().lower()}; "
            f"it cannot become {ContractStatus(to).label.lower()}."
        ]})
    contract.status, contract.status_reason, contract.status_changed_at = to, reason, timezone.now()
    contract.save(update_fields=["status", "status_reason", "status_changed_at"])
    return contract


@transaction.atomic
def contract_activate(*, by: User, contract: Contract) -> Contract:
    """Put a draft contract in force. A term that has already ended cannot start."""
    require_partner_admin_of(by, contract.partner)
    if contract.end_date < timezone.localdate():
        raise ValidationError({"status": ["The term has already ended; renew or draft a new contract."]})
    return _transition(contract, ContractStatus.ACTIVE)


@transaction.atomic
def contract_cancel(*, by: User, contract: Contract, reason: str) -> Contract:
    require_partner_admin_of(by, contract.partner)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the contract is cancelled."]})
    if len(reason.strip()) > Contract._meta.get_field("status_reason").max_length:
        raise ValidationError({"reason": ["Say it in at most 300 characters."]})
    return _transition(contract, ContractStatus.CANCELLED, reason.strip())


@transaction.atomic
def contracts_expire_ended(*, today: datetime.date) -> int:
    """Mark active contracts whose last covered day is before `today` as expired (daily job)."""
    ended = list(Contract.objects.select_for_update().filter(status=ContractStatus.ACTIVE, end_date__lt=today))
    for contract in ended:
        _transition(contract, ContractStatus.EXPIRED, "The term ended.")
    return len(ended)


@transaction.atomic
def contract_line_add(*, by: User, contract: Contract, line: LineInput) -> ContractLine:
    """Add a category to a draft or active contract (the certification and overlap rules apply)."""
    require_partner_admin_of(by, contract.partner)
    if contract.status not in {ContractStatus.DRAFT, ContractStatus.ACTIVE}:
        raise ValidationError({"status": ["Only a draft or active contract can take another category."]})
    _validate_lines([line])
    if contract.lines.filter(category=line.category).exists():
        raise ValidationError({"lines": ["The contract already covers this category."]})
    rules.require_certified(contract.partner, [line.category], timezone.localdate())
    Customer.objects.select_for_update().filter(pk=contract.customer_id).first()
    rules.require_no_overlapping_term(customer_id=contract.customer_id, categories=[line.category],
                                      start_date=contract.start_date, end_date=contract.end_date,
                                      excluding_contract_id=contract.pk)
    return ContractLine.objects.create(
        partner=contract.partner, contract=contract, category=line.category, installed=line.installed,
        growth=line.growth, committed=line.installed + line.growth, annual_unit_price=line.annual_unit_price,
    )


def _whole_months(start: datetime.date, end: datetime.date) -> int | None:
    """How many whole months the term `start`..`end` (both included) spans, or None.

    A term of n months ends the day before its n-month anniversary. When the anniversary
    does not exist (a term from 29 February, or from the 31st), it falls on the last day
    of the shorter month, and the term ends on that day: 29 Feb 2028 to 28 Feb 2029 is a year.
    """
    after = end + datetime.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    for n in (months, months - 1):
        if n > 0 and start + relativedelta(months=n) == after:
            return n
    n = months - 1
    if n > 0 and start.day > end.day and start + relativedelta(months=n) == end:
        return n
    return None


def next_term(contract: Contract) -> tuple[datetime.date, datetime.date]:
    """The renewal's term starts the day after and lasts as long: whole months stay whole months."""
    too_late = ValidationError({"end_date": [
        f"The next term would end after {LATEST_DATE.isoformat()}, the last date the portal keeps."]})
    try:
        start = contract.end_date + datetime.timedelta(days=1)
        months = _whole_months(contract.start_date, contract.end_date)
        if months is not None:
            end = start + relativedelta(months=months) - datetime.timedelta(days=1)
        else:
            end = start + (contract.end_date - contract.start_date)
    except OverflowError:  # a term stored before dates were kept in range
        raise too_late from None
    if end > LATEST_DATE:
        raise too_late
    return start, end


@transaction.atomic
def contract_renew(*, by: User, contract: Contract, growth_by_category: dict[str, int] | None = None,
                   installed_by_category: dict[str, int] | None = None, options: dict | None = None) -> Contract:
    """Draft the next term: every line starts from its latest committed count plus a new growth estimate.

    `installed_by_category` replaces the committed count as a line's N (a renewal proposal's latest
    counts); `options` (csm_hour_blocks, technical_account_management, onsite_extension) replace the
    contract's own."""
    require_partner_admin_of(by, contract.partner)
    # One renewal per contract: a second request waits here, then finds the first one's renewal.
    current = Contract.objects.select_for_update().filter(pk=contract.pk).values_list("status", flat=True).first()
    if current not in {ContractStatus.ACTIVE, ContractStatus.EXPIRED}:
        raise ValidationError({"status": ["Only an active or expired contract can be renewed."]})
    existing = Contract.objects.filter(renewal_of=contract).first()
    if existing is not None:
        raise ValidationError({"status": [f"Already renewed as {existing.number}."]})
    growth_by_category = growth_by_category or {}
    covered = {line.category for line in contract.lines.all()}
    unknown = sorted(set(growth_by_category) - covered)
    if unknown:
        raise ValidationError({"growth": [
            f"The contract does not cover {', '.join(unknown)}; give growth only for its categories."
        ]})
    start, end = next_term(contract)
    installed_by_category = installed_by_category or {}
    lines = [
        LineInput(category=line.category, installed=installed_by_category.get(line.category, line.committed),
                  growth=growth_by_category.get(line.category, 0), annual_unit_price=line.annual_unit_price)
        for line in contract.lines.all()
    ]
    options = {"onsite_extension": contract.onsite_extension, "csm_hour_blocks": contract.csm_hour_blocks,
               "technical_account_management": contract.technical_account_management, **(options or {})}
    renewal = contract_create(
        by=by, customer=contract.customer, offering=contract.offering, start_date=start, end_date=end,
        lines=lines, currency=contract.currency, onsite_extension=options["onsite_extension"],
        csm_hour_blocks=options["csm_hour_blocks"],
        technical_account_management=options["technical_account_management"],
        professional_services_discount=contract.professional_services_discount, renewal_of=contract,
    )
    contract_renewed.send(sender=Contract, previous=contract, renewal=renewal)
    return renewal


@transaction.atomic
def contract_line_true_up(*, line: ContractLine, committed: int) -> ContractLine:
    """A mid-term true-up's PO reset the line's baseline: Q' = the month's count, B' = Q' × 1.05.

    Called by installbase's true_up_accept, which checks who records the PO; the line's audit
    trail keeps every committed count it had."""
    if committed < 0 or committed > MAX_DEVICES:
        raise ValidationError({"committed": [f"A committed count is from 0 to {MAX_DEVICES:,}."]})
    line.committed = committed
    line.save(update_fields=["committed"])
    line.refresh_from_db(fields=["baseline"])
    return line


# ---- custom quotes for quote-only products ------------------------------------------------


@transaction.atomic
def custom_quote_request(*, by: User, contract: Contract, reference: str, products: list[Product]) -> CustomQuote:
    """Ask Poly to cover quote-only products (ITP, Medialign, vertical solutions, infrastructure)."""
    require_partner_admin_of(by, contract.partner)
    if contract.status not in {ContractStatus.DRAFT, ContractStatus.ACTIVE}:
        raise ValidationError({"status": ["Only a draft or active contract can take a custom quote."]})
    products = list(dict.fromkeys(products))  # the same product twice is once
    if not products:
        raise ValidationError({"products": ["Choose at least one product."]})
    standard = [product.sku for product in products if product.category not in QUOTE_ONLY_CATEGORIES]
    if standard:
        raise ValidationError({"products": [f"On the standard offer, no quote needed: {', '.join(standard)}."]})
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": ["Give the quote a reference."]})
    if len(reference) > CustomQuote._meta.get_field("reference").max_length:
        raise ValidationError({"reference": ["Use at most 60 characters."]})
    if CustomQuote.objects.filter(partner=contract.partner, reference=reference).exists():
        raise ValidationError({"reference": ["This reference is already used."]})
    quote = CustomQuote.objects.create(partner=contract.partner, contract=contract, reference=reference)
    CustomQuoteProduct.objects.bulk_create(
        [CustomQuoteProduct(partner=contract.partner, quote=quote, product=product) for product in products]
    )
    return quote


@transaction.atomic
def custom_quote_decide(*, by: User, quote: CustomQuote, approve: bool) -> CustomQuote:
    """Poly approves or rejects a custom quote; only approved quotes extend coverage."""
    require_poly_admin(by)
    if quote.status != QuoteStatus.REQUESTED:
        raise ValidationError({"status": [f"The quote is already {quote.get_status_display().lower()}."]})
    quote.status = QuoteStatus.APPROVED if approve else QuoteStatus.REJECTED
    quote.decided_by, quote.decided_at = by, timezone.now()
    quote.save(update_fields=["status", "decided_by", "decided_at"])
    return quote
