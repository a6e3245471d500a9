"""Poly Lens inventory uploads: a customer's export (CSV) for one month, all or nothing.

The page and the API call `inventory_upload_create`, which stores the file through Django's
storage and queues `installbase.tasks.process_inventory_upload` on commit; the worker calls
`inventory_upload_process`, which reads every row first (the upload's `rows_read` of
`rows_total` moves, committed every PROGRESS_EVERY rows, for the progress bar), then writes
the devices in one transaction, or nothing at all with every bad row listed.

Columns (a header row first; names are matched case-insensitively, spaces as underscores,
other columns of the export are ignored):
  serial               the unit's serial number (required)
  sku                  the product's SKU (required)
  site_id              the customer's Site ID (required)
  entered_production   YYYY-MM-DD, the day it entered production (optional: kept for a known
                       device, the month's first day for a new one)
  left_production      YYYY-MM-DD, the day it left (optional; with the column, an empty cell
                       means still in production)
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from contracts.models import Product
from installbase.models import Device, DeviceSource, InventoryUpload, UploadStatus, month_end, month_start
from installbase.reconciliation import closing_true_up, reconcile_customer_month
from installbase.services import SERIAL_PATTERN, require_partner_member_of
from polyplus.files import save_file
from polyplus.tenancy.context import partner_context, staff_context
from polyplus.tenancy.dates import EARLIEST_DATE, parse_portal_date
from polyplus.tenancy.models import Customer, ServiceCategory, Site, User
from polyplus.tenancy.text import printable_name, unstorable_reason

COLUMNS = ("serial", "sku", "site_id", "entered_production", "left_production")
REQUIRED_COLUMNS = ("serial", "sku", "site_id")
ALIASES = {"serial_number": "serial", "product_sku": "sku", "in_production_since": "entered_production"}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 250_000
MAX_ERRORS_KEPT = 1000
PROGRESS_EVERY = 2000
CHUNK = 5000

@dataclass(frozen=True)
class Row:
    line: int
    serial: str
    product: tuple  # (pk, sku, category, end_of_service)
    site_pk: int
    entered: datetime.date | None
    left: datetime.date | None


class Refused(Exception):
    """The file cannot be imported; `errors` lists every reason, by line and column."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def _error(line: int, column: str, reason: str) -> dict:
    return {"line": line, "column": column, "reason": reason}


def describe(error: dict) -> str:
    return f"Line {error['line']}, column {error['column']}: {error['reason']}"


def month_closed_message(customer_id: int, month: datetime.date) -> str | None:
    true_up = closing_true_up(customer_id=customer_id, month=month)
    if true_up is None:
        return None
    return (f"{month:%B %Y} is closed: the true-up of contract {true_up.contract.number} for it has its "
            f"purchase order ({true_up.po_number}), so a new inventory for that month is refused.")


# ---- receiving the file ----------------------------------------------------------------------------

@transaction.atomic
def inventory_upload_create(*, by: User, customer: Customer, month: datetime.date, file: File,
                            today: datetime.date | None = None) -> InventoryUpload:
    """Store a customer's Poly Lens export for `month` and queue its import on the worker."""
    require_partner_member_of(by, customer.partner_id)
    today = today or timezone.localdate()
    month = month_start(month)
    if month < EARLIEST_DATE or month > month_start(today):
        raise ValidationError({"month": ["Choose this month or an earlier one; a month to come has no inventory."]})
    if message := month_closed_message(customer.pk, month):
        raise ValidationError({"month": [message]})
    size = getattr(file, "size", None)
    if not size:
        raise ValidationError({"file": ["The file is empty."]})
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."]})
    name = printable_name(getattr(file, "name", "") or "inventory.csv").rsplit("/", 1)[-1][:200]
    upload = InventoryUpload(partner_id=customer.partner_id, customer=customer, month=month, uploaded_by=by,
                             original_name=name)
    save_file(upload.file, f"{customer.pk}-{month:%Y-%m}.csv", file)
    upload.save()
    from installbase.tasks import process_inventory_upload  # tasks import this module

    process_inventory_upload.delay_on_commit(upload.pk)
    return upload


# ---- reading it ----------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise Refused([_error(line, "-", f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                         "export the inventory as UTF-8 CSV.")]) from None


def _header(names: list[str]) -> dict[str, int]:
    normalised = [ALIASES.get(key, key) for key in
                  ("_".join((name or "").strip().lower().replace("-", " ").split()) for name in names)]
    errors = []
    for column in COLUMNS:
        if normalised.count(column) > 1:
            errors.append(_error(1, column, "appears more than once in the header."))
    for column in REQUIRED_COLUMNS:
        if column not in normalised:
            errors.append(_error(1, column, f"is missing. The header needs {', '.join(REQUIRED_COLUMNS)} "
                                            f"(and may have {', '.join(COLUMNS[3:])})."))
    if errors:
        raise Refused(errors)
    return {column: normalised.index(column) for column in COLUMNS if column in normalised}


def read_rows(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The header's column positions and every non-blank record with its line number."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records, line = [], 1
    try:
        header = next(reader, None)
        if header is None:
            raise Refused([_error(1, "-", "The file is empty: it needs a header row and a row per device.")])
        columns = _header(header)
        for cells in reader:
            if len(records) >= MAX_ROWS:
                raise Refused([_error(reader.line_num, "-", f"More than {MAX_ROWS:,} rows: split the file.")])
            if cells and any(cell.strip() for cell in cells):
                records.append((reader.line_num, cells))
            line = reader.line_num
    except csv.Error as exc:
        raise Refused([_error(line + 1, "-", f"is not readable as CSV ({exc}).")]) from None
    if not records:
        raise Refused([_error(1, "-", "The file has a header but no rows.")])
    return columns, records


def check_rows(*, customer: Customer, month: datetime.date, columns: dict[str, int],
               records: list[tuple[int, list[str]]], progress=None) -> tuple[list[Row], list[dict]]:
    """Every record checked against the catalogue and the customer's sites; bad ones named."""
    products = {sku: (pk, sku, category, eos) for pk, sku, category, eos in
                Product.objects.values_list("pk", "sku", "category", "end_of_service")}
    sites = dict(Site.objects.filter(customer=customer).values_list("site_id", "pk"))
    rows, errors, seen = [], [], {}
    header_width = max(columns.values()) + 1
    for index, (line, cells) in enumerate(records, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)
        failed = []
        if len(cells) < header_width:
            errors.append(_error(line, "-", f"has {len(cells)} cells; the header names {header_width} columns."))
            continue
        for cell in cells:
            if reason := unstorable_reason(cell):
                failed.append(_error(line, "-", reason))
        if failed:
            errors.extend(failed)
            continue

        def cell(column: str, cells: list[str] = cells) -> str:
            return cells[columns[column]].strip() if column in columns else ""

        serial, sku, site_id = cell("serial").upper(), cell("sku").upper(), cell("site_id").upper()
        if not SERIAL_PATTERN.match(serial):
            failed.append(_error(line, "serial", f"“{serial[:60]}” is not a serial number (letters and digits, "
                                                 "hyphens, dots or slashes between them, at most 60)."))
        product = products.get(sku)
        if product is None:
            failed.append(_error(line, "sku", f"unknown SKU “{sku[:40]}”: no product in Poly's catalogue has it."))
        site_pk = sites.get(site_id)
        if site_pk is None:
            failed.append(_error(line, "site_id", f"“{site_id[:40]}” is not a Site ID of {customer.name}."))
        dates = {}
        for column in ("entered_production", "left_production"):
            text = cell(column)
            try:
                dates[column] = parse_portal_date(text) if text else None
            except ValidationError as exc:
                failed.append(_error(line, column, exc.messages[0]))
                dates[column] = None
        entered, left = dates["entered_production"], dates["left_production"]
        if entered and left and left < entered:
            failed.append(_error(line, "left_production", "is before the day it entered production."))
        if entered and entered > month_end(month):
            failed.append(_error(line, "entered_production", f"is after {month:%B %Y}, the month of this inventory."))
        if product is not None and serial:
            key = (product[0], serial)
            if key in seen:
                failed.append(_error(line, "serial", f"{serial} of {sku} is also on line {seen[key]}."))
            else:
                seen[key] = line
        if failed:
            errors.extend(failed)
        else:
            rows.append(Row(line=line, serial=serial, product=product, site_pk=site_pk, entered=entered, left=left))
    return rows, errors


# ---- writing it ----------------------------------------------------------------------------------

INSERT_SQL = """
INSERT INTO installbase_device (partner_id, customer_id, site_id, product_id, serial, source, in_production,
                                registered_at, entered_production, left_production)
SELECT %s, %s, t.site, t.product, t.serial, %s, t.left_on IS NULL OR t.left_on > %s, now(), t.entered, t.left_on
FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::date[], %s::date[])
     AS t(site, product, serial, entered, left_on)
ON CONFLICT (product_id, serial) DO NOTHING
RETURNING product_id, serial
"""

UPDATE_SQL = """
UPDATE installbase_device AS d
SET site_id = t.site, entered_production = t.entered, left_production = t.left_on,
    in_production = t.left_on IS NULL OR t.left_on > %s
FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::date[]) AS t(id, site, entered, left_on)
WHERE d.id = t.id
"""


def write_devices(*, upload: InventoryUpload, columns: dict[str, int], rows: list[Row],
                  today: datetime.date) -> tuple[int, int, dict[str, int]]:
    """Create or update the customer's devices; (created, updated, the month's counts per category).
    Raises Refused (the caller's transaction then rolls back) for serials registered elsewhere."""
    existing = {}
    by_serial = sorted({row.serial for row in rows})
    for start in range(0, len(by_serial), CHUNK):
        for pk, product_id, serial, customer_id, site_id, entered, left in Device.objects.filter(
                serial__in=by_serial[start:start + CHUNK]).values_list(
                "pk", "product_id", "serial", "customer_id", "site_id", "entered_production", "left_production"):
            existing[(product_id, serial)] = (pk, customer_id, site_id, entered, left)
    errors, inserts, updates, final = [], [], [], []
    has_left = "left_production" in columns
    for row in rows:
        known = existing.get((row.product[0], row.serial))
        if known is not None and known[1] != upload.customer_id:
            errors.append(_error(row.line, "serial", f"{row.serial} of {row.product[1]} is registered to "
                                                     "another customer."))
            continue
        if known is None:
            entered, left = row.entered or upload.month, row.left
            inserts.append((row, entered, left))
        else:
            entered = row.entered or known[3]
            left = row.left if has_left else known[4]
            if left and left < entered:
                errors.append(_error(row.line, "left_production",
                                     f"is before {entered.isoformat()}, the day it entered production."))
                continue
            if (row.site_pk, entered, left) != known[2:]:
                updates.append((known[0], row.site_pk, entered, left))
        final.append((row.product, entered, left))
    if errors:
        raise Refused(errors)
    with connection.cursor() as cursor:
        # Foreign keys are checked per statement, not queued to the commit: PostgreSQL scans the
        # whole queue of deferred checks after every statement, which grows with each chunk.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for start in range(0, len(inserts), CHUNK):
            chunk = inserts[start:start + CHUNK]
            cursor.execute(INSERT_SQL, [
                upload.partner_id, upload.customer_id, DeviceSource.INVENTORY_UPLOAD, today,
                [row.site_pk for row, _, _ in chunk], [row.product[0] for row, _, _ in chunk],
                [row.serial for row, _, _ in chunk], [entered for _, entered, _ in chunk],
                [left for _, _, left in chunk],
            ])
            written = set(cursor.fetchall())
            taken = [row for row, _, _ in chunk if (row.product[0], row.serial) not in written]
            errors.extend(_error(row.line, "serial", f"{row.serial} of {row.product[1]} is already registered "
                                                     "elsewhere.") for row in taken)
        if errors:
            raise Refused(errors)
        for start in range(0, len(updates), CHUNK):
            chunk = updates[start:start + CHUNK]
            cursor.execute(UPDATE_SQL, [today, [u[0] for u in chunk], [u[1] for u in chunk],
                                        [u[2] for u in chunk], [u[3] for u in chunk]])
    day = month_end(upload.month)
    categories = set(ServiceCategory.values)
    counts = Counter(
        product[2] for product, entered, left in final
        if product[2] in categories and entered <= day and (left is None or left > day)
        and not (product[3] is not None and product[3] <= day)
    )
    return len(inserts), len(updates), dict(sorted(counts.items()))


# ---- the worker's part ---------------------------------------------------------------------------

def _refuse(upload_id: int, partner_id: int, errors: list[dict]) -> None:
    with partner_context(partner_id=partner_id, reason="inventory upload refused"):
        lines = {error["line"] for error in errors}
        InventoryUpload.objects.filter(pk=upload_id).update(
            status=UploadStatus.FAILED, errors=errors[:MAX_ERRORS_KEPT], rows_rejected=len(lines),
            finished_at=timezone.now())


def inventory_upload_process(*, upload_id: int, today: datetime.date | None = None) -> InventoryUpload | None:
    """Import a queued upload (the worker's task). Opens its own tenant contexts: progress is
    committed as rows are read, and the devices are written in one transaction at the end.
    A rerun of a finished upload does nothing."""
    today = today or timezone.localdate()
    with staff_context(reason="inventory upload: whose it is"):
        found = InventoryUpload.objects.filter(pk=upload_id).values_list("partner_id", "status").first()
    if found is None:
        return None
    partner_id, status = found
    reason = f"inventory upload {upload_id}"
    if status in {UploadStatus.SUCCEEDED, UploadStatus.FAILED}:
        with partner_context(partner_id=partner_id, reason=reason):
            return InventoryUpload.objects.get(pk=upload_id)
    with partner_context(partner_id=partner_id, reason=reason):
        upload = InventoryUpload.objects.select_related("customer").get(pk=upload_id)
        upload.file.open("rb")
        try:
            data = upload.file.read()
        finally:
            upload.file.close()
    try:
        columns, records = read_rows(_decode(data))
    except Refused as refused:
        _refuse(upload_id, partner_id, refused.errors)
        return None
    with partner_context(partner_id=partner_id, reason=reason):
        InventoryUpload.objects.filter(pk=upload_id).update(status=UploadStatus.PROCESSING, rows_total=len(records),
                                                            rows_read=0)

    def progress(n: int) -> None:
        with partner_context(partner_id=partner_id, reason=reason):
            InventoryUpload.objects.filter(pk=upload_id).update(rows_read=n)

    with partner_context(partner_id=partner_id, reason=reason):
        rows, errors = check_rows(customer=upload.customer, month=upload.month, columns=columns, records=records,
                                  progress=progress)
    if errors:
        _refuse(upload_id, partner_id, errors)
        return None
    try:
        with partner_context(partner_id=partner_id, reason=reason):
            if message := month_closed_message(upload.customer_id, upload.month):
                raise Refused([_error(0, "month", message)])
            upload = InventoryUpload.objects.select_for_update().get(pk=upload_id)
            created, updated, counts = write_devices(upload=upload, columns=columns, rows=rows, today=today)
            upload.status, upload.counts, upload.finished_at = UploadStatus.SUCCEEDED, counts, timezone.now()
            upload.rows_read, upload.devices_created, upload.devices_updated = len(records), created, updated
            upload.save(update_fields=["status", "counts", "finished_at", "rows_read", "devices_created",
                                       "devices_updated"])
            reconcile_customer_month(customer_id=upload.customer_id, month=upload.month, today=today)
    except Refused as refused:
        _refuse(upload_id, partner_id, refused.errors)
        return None
    return upload
