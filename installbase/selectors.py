"""Every read of devices and Poly+ device lists, scoped to the reader."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from contracts.models import Contract, ContractStatus, Offering
from installbase.models import (
    ContractDevice,
    CsmHourEntry,
    Device,
    InventoryUpload,
    MonthReview,
    Reconciliation,
    RenewalProposal,
    TrueUp,
)
from polyplus.tenancy.models import Customer, User
from polyplus.tenancy.scoping import get_or_404, scope_by_customer
from polyplus.tenancy.selectors import customers_visible_to


def devices_visible_to(user: User) -> QuerySet[Device]:
    return scope_by_customer(Device.objects.select_related("product", "site", "customer"), user)


def devices_by_serial(*, user: User, serial: str, sku: str | None = None) -> list[Device]:
    """Devices with this serial (a serial is unique per product, so give the SKU to be sure)."""
    devices = devices_visible_to(user).filter(serial=serial.strip().upper())  # stored as registered: upper
    if sku:
        devices = devices.filter(product__sku=sku.strip().upper())
    return list(devices[:2])


def device_get_for_user(*, user: User, pk) -> Device:
    try:
        return devices_visible_to(user).get(pk=pk)
    except (Device.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def contract_devices(contract: Contract) -> QuerySet[ContractDevice]:
    return (
        ContractDevice.objects.filter(contract=contract)
        .select_related("device__product", "device__site")
        .order_by("device__serial", "pk")
    )


def non_compliant_customers(user: User, on_date: datetime.date | None = None) -> QuerySet[Customer]:
    """Poly+ customers with a device in production that no Poly+ contract in force lists.

    The same rule as coverage.non_compliant_devices, for many customers in one query.
    """
    on_date = on_date or timezone.localdate()
    poly_plus_in_force = Contract.objects.filter(
        offering=Offering.POLY_PLUS, status=ContractStatus.ACTIVE, start_date__lte=on_date, end_date__gte=on_date,
    )
    # A serial is listed only on its own customer's contracts (contract_device_add), so "listed on
    # some Poly+ contract in force" is "listed on one of its customer's".
    listed = ContractDevice.objects.filter(device=OuterRef("pk"), contract__in=poly_plus_in_force)
    unlisted_devices = (
        Device.objects.filter(customer=OuterRef("pk"), in_production=True)
        .exclude(product__end_of_service__lte=on_date)
        .exclude(Exists(listed))
    )
    has_poly_plus = poly_plus_in_force.filter(customer=OuterRef("pk"))
    return customers_visible_to(user).filter(Exists(has_poly_plus), Exists(unlisted_devices))


def unlisted_devices_visible_to(user: User, on_date: datetime.date | None = None) -> QuerySet[Device]:
    """Poly+ compliance device by device: in production, not at end of service, at a customer with a
    Poly+ contract in force, and listed on none of those contracts (DOMAIN.md: non-compliant)."""
    on_date = on_date or timezone.localdate()
    in_force = Contract.objects.filter(
        offering=Offering.POLY_PLUS, status=ContractStatus.ACTIVE, start_date__lte=on_date, end_date__gte=on_date,
    )
    return (
        devices_visible_to(user)
        .filter(in_production=True)
        .exclude(product__end_of_service__lte=on_date)
        .filter(Exists(in_force.filter(customer=OuterRef("customer"))))
        .exclude(Exists(ContractDevice.objects.filter(device=OuterRef("pk"), contract__in=in_force)))
    )


# ---- the CSM's workspace: uploads, reconciliations, true-ups, renewal proposals -------------------
# Partners' and Poly's commercial business: a customer viewer sees none of it.

def _csm_scope(queryset: QuerySet, user: User) -> QuerySet:
    if not user.is_authenticated or user.is_customer_viewer:
        return queryset.none()
    return scope_by_customer(queryset, user)


def inventory_uploads_visible_to(user: User) -> QuerySet[InventoryUpload]:
    return _csm_scope(InventoryUpload.objects.select_related("customer", "uploaded_by"), user)


def inventory_upload_get_for_user(*, user: User, pk) -> InventoryUpload:
    return get_or_404(inventory_uploads_visible_to(user), pk=pk)


def reconciliations_visible_to(user: User) -> QuerySet[Reconciliation]:
    return _csm_scope(Reconciliation.objects.select_related("contract", "customer"), user)


def reconciliation_get_for_user(*, user: User, pk) -> Reconciliation:
    return get_or_404(reconciliations_visible_to(user), pk=pk)


def true_ups_visible_to(user: User) -> QuerySet[TrueUp]:
    return _csm_scope(TrueUp.objects.select_related("contract", "customer", "decided_by"), user)


def true_up_get_for_user(*, user: User, pk) -> TrueUp:
    return get_or_404(true_ups_visible_to(user), pk=pk)


def renewal_proposals_visible_to(user: User) -> QuerySet[RenewalProposal]:
    return _csm_scope(RenewalProposal.objects.select_related("contract", "customer", "renewal", "prepared_by")
                      .prefetch_related("lines"), user)


def renewal_proposal_get_for_user(*, user: User, pk) -> RenewalProposal:
    return get_or_404(renewal_proposals_visible_to(user), pk=pk)


def month_reviews_visible_to(user: User) -> QuerySet[MonthReview]:
    return _csm_scope(MonthReview.objects.select_related("reviewed_by"), user)


def enterprise_contracts_visible_to(user: User) -> QuerySet[Contract]:
    """Contracts a CSM's workspace reconciles: Enterprise, active or expired."""
    return _csm_scope(Contract.objects.select_related("customer", "partner"), user).filter(
        offering=Offering.POLY_PLUS_ENTERPRISE, status__in=[ContractStatus.ACTIVE, ContractStatus.EXPIRED])


def workspace_contracts(user: User, month: datetime.date) -> QuerySet[Contract]:
    """Enterprise contracts in force for the landing page, each with its flags for `month`:
    `triggered` (a category at or over its baseline), `reviewed`, `open_true_up`. One query."""
    return (
        enterprise_contracts_visible_to(user).filter(status=ContractStatus.ACTIVE)
        .annotate(
            triggered=Exists(Reconciliation.objects.filter(contract=OuterRef("pk"), month=month, over_threshold=True)),
            reconciled=Exists(Reconciliation.objects.filter(contract=OuterRef("pk"), month=month)),
            reviewed=Exists(MonthReview.objects.filter(contract=OuterRef("pk"), month=month)),
            open_true_up=Exists(TrueUp.objects.filter(contract=OuterRef("pk"), status="proposed")),
        )
        .order_by("customer__name", "customer_id", "start_date")
    )


def csm_hour_entries_visible_to(user: User) -> QuerySet[CsmHourEntry]:
    """CSM hours logged: the customer's CSM, the partner and Poly staff; never the customer."""
    return _csm_scope(CsmHourEntry.objects.select_related("contract"), user)


def csm_hours_used(contract_id: int, month: datetime.date) -> Decimal:
    """The CSM hours logged on a contract in the calendar month of `month`."""
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    total = CsmHourEntry.objects.filter(contract_id=contract_id, day__gte=start, day__lt=end) \
        .aggregate(total=Sum("hours"))["total"]
    return total if total is not None else Decimal("0.00")
