"""REST API of the CSM's workspace (API.md: inventory-uploads/, reconciliations/, true-ups/)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.models import Contract
from contracts.selectors import contracts_visible_to
from installbase import inventory, reconciliation, selectors, services
from installbase.models import CsmHourEntry, InventoryUpload, Reconciliation, TrueUp, UploadStatus, month_end
from polyplus.tenancy.api_common import (
    IdRelatedField,
    ReadOnlyOr,
    ScopedChoicesFilterSet,
    TenantApiViewMixin,
)
from polyplus.tenancy.dates import EARLIEST_DATE, LATEST_DATE, PortalDateField
from polyplus.tenancy.models import Customer, ServiceCategory
from polyplus.tenancy.scoping import get_or_404
from polyplus.tenancy.selectors import customers_visible_to

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$", "example": "2026-02"})
class MonthField(serializers.Field):
    """A calendar month: "YYYY-MM" (or any day of it, "YYYY-MM-DD"); answered as its first day."""

    default_error_messages = {"invalid": "Give the month as YYYY-MM.",
                              "range": f"Give a month from {EARLIEST_DATE:%Y-%m} to {LATEST_DATE:%Y-%m}."}

    def to_internal_value(self, data):
        match = MONTH_PATTERN.match(str(data).strip()) if isinstance(data, str) else None
        if not match:
            self.fail("invalid")
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            self.fail("invalid")
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            self.fail("range")
        return value.replace(day=1)

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class IsPartnerMemberOrPolyAdmin(permissions.BasePermission):
    message = "Only the partner's admins and engineers or a Poly admin may upload an inventory."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_poly_admin or user.is_partner_member))


class ReadOrPartnerMemberUploads(ReadOnlyOr):
    message = IsPartnerMemberOrPolyAdmin.message
    write_permission = IsPartnerMemberOrPolyAdmin


class IsCsmOrPolyAdmin(permissions.BasePermission):
    message = "Only a Customer Success Manager or a Poly admin may run a reconciliation."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_poly_admin or user.role == "csm"))


class MayRecordPo(permissions.BasePermission):
    message = "Only the partner's admin, the customer's CSM or a Poly admin may record a PO."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated
                    and (user.is_poly_admin or user.is_partner_admin or user.role == "csm"))


class ReadOrPoRecorders(ReadOnlyOr):
    message = MayRecordPo.message
    write_permission = MayRecordPo


# ---- inventory uploads -----------------------------------------------------------------------------

class UploadErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The file's line (1 is the header; 0 the file as a whole).")
    column = serializers.CharField(help_text="The column, or - for the whole row.")
    reason = serializers.CharField()


class InventoryUploadSerializer(serializers.ModelSerializer):
    customer = IdRelatedField(queryset=Customer.objects.none())
    month = MonthField(help_text="YYYY-MM: the month the inventory is of.")
    file = serializers.FileField(write_only=True, help_text="The Poly Lens export (CSV, UTF-8), multipart.")
    file_name = serializers.CharField(source="original_name", read_only=True)
    errors = UploadErrorSerializer(many=True, read_only=True)
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True,
                                   help_text="The month's count per category (set once imported).")
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = InventoryUpload
        fields = ["id", "customer", "month", "file", "file_name", "status", "rows_total", "rows_read",
                  "rows_rejected", "errors", "counts", "devices_created", "devices_updated", "progress_percent",
                  "uploaded_at", "finished_at"]
        read_only_fields = ["status", "rows_total", "rows_read", "rows_rejected", "devices_created",
                            "devices_updated", "uploaded_at", "finished_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and request.user.is_authenticated:
            fields["customer"].queryset = customers_visible_to(request.user)
        return fields


class InventoryUploadFilter(ScopedChoicesFilterSet):
    customer = filters.ModelChoiceFilter(queryset=Customer.objects.all())
    status = filters.ChoiceFilter(choices=UploadStatus.choices)

    class Meta:
        model = InventoryUpload
        fields = ["customer", "status", "month"]


class InventoryUploadViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Poly Lens inventory uploads. POST (multipart: customer, month, file) queues the import on the
    worker and answers 202; GET the upload to follow `rows_read` of `rows_total` and, once
    `status` is `failed`, every bad row in `errors`. All or nothing."""

    serializer_class = InventoryUploadSerializer
    permission_classes = [ReadOrPartnerMemberUploads]
    filterset_class = InventoryUploadFilter
    ordering_fields = ["uploaded_at", "month"]

    def get_queryset(self):
        return selectors.inventory_uploads_visible_to(self.request.user).order_by("-uploaded_at", "-pk")

    def get_object(self):
        return self.checked(selectors.inventory_upload_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    @extend_schema(responses={202: InventoryUploadSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = inventory.inventory_upload_create(by=request.user, customer=data["customer"], month=data["month"],
                                                   file=data["file"])
        return Response(self.get_serializer(upload).data, status=status.HTTP_202_ACCEPTED)


# ---- reconciliations -------------------------------------------------------------------------------

class ReconciliationSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    month = MonthField(read_only=True)
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                        help_text="B = committed × 1.05, exact.")

    class Meta:
        model = Reconciliation
        fields = ["id", "contract", "contract_number", "customer", "month", "category", "count", "committed",
                  "baseline", "percent_over", "over_threshold", "is_adjustment_month", "source", "missing_upload",
                  "computed_at"]
        read_only_fields = fields


class TrueUpSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    month = MonthField(read_only=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True,
                                      help_text="A × annual unit price × months / 12, in `currency`.")
    annual_unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = TrueUp
        fields = ["id", "contract", "contract_number", "customer", "category", "month", "count", "committed_before",
                  "committed_after", "additional_devices", "months", "annual_unit_price", "amount", "currency",
                  "status", "po_number", "reason", "decided_at", "created_at"]
        read_only_fields = fields


class RunSerializer(serializers.Serializer):
    contract = IdRelatedField(queryset=Contract.objects.none())
    month = MonthField(help_text="YYYY-MM, a month of the term that has begun.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["contract"].queryset = contracts_visible_to(user).prefetch_related(None)


class MonthReconciliationSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract.pk")
    month = MonthField()
    closed = serializers.BooleanField(help_text="A true-up of the month has its PO: nothing was recomputed.")
    missing_upload = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="False when the rerun found the same data.")
    rows = ReconciliationSerializer(many=True)
    true_ups = TrueUpSerializer(many=True)


class ReconciliationFilter(ScopedChoicesFilterSet):
    customer = filters.ModelChoiceFilter(queryset=Customer.objects.all())
    contract = filters.NumberFilter(field_name="contract_id")
    month = filters.CharFilter(method="filter_month", help_text="YYYY-MM")
    category = filters.ChoiceFilter(choices=ServiceCategory.choices)

    class Meta:
        model = Reconciliation
        fields = ["customer", "contract", "month", "category", "over_threshold"]

    def filter_month(self, queryset, name, value):
        try:
            month = MonthField().to_internal_value(value)
        except serializers.ValidationError:
            raise serializers.ValidationError({"month": ["Give the month as YYYY-MM."]}) from None
        return queryset.filter(month=month)


class ReconciliationViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """Monthly reconciliations, one per contract, month and category. `POST run/` reconciles a month
    of a term (CSM of the customer or Poly admin); a rerun on the same data changes nothing."""

    serializer_class = ReconciliationSerializer
    filterset_class = ReconciliationFilter
    ordering_fields = ["month", "category"]

    def get_queryset(self):
        return selectors.reconciliations_visible_to(self.request.user).order_by("-month", "contract_id", "category")

    def get_object(self):
        return self.checked(selectors.reconciliation_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    @extend_schema(request=RunSerializer, responses=MonthReconciliationSerializer)
    @action(detail=False, methods=["post"], permission_classes=[IsCsmOrPolyAdmin], filter_backends=[],
            pagination_class=None)
    def run(self, request):
        serializer = RunSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        result = reconciliation.reconcile(contract_id=serializer.validated_data["contract"].pk,
                                          month=serializer.validated_data["month"], by=request.user)
        return Response(MonthReconciliationSerializer(result).data)


# ---- true-ups ----------------------------------------------------------------------------------------

class TrueUpFilter(ScopedChoicesFilterSet):
    customer = filters.ModelChoiceFilter(queryset=Customer.objects.all())
    contract = filters.NumberFilter(field_name="contract_id")
    category = filters.ChoiceFilter(choices=ServiceCategory.choices)

    class Meta:
        model = TrueUp
        fields = ["customer", "contract", "category", "status"]


class AcceptSerializer(serializers.Serializer):
    po_number = serializers.CharField(max_length=60, help_text="The partner's purchase order number.")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class TrueUpViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mid-term true-ups. `accept` with the partner's PO resets the baseline (Q' = C); `reject` ends it.
    Amounts are decimal strings in the contract's `currency`."""

    serializer_class = TrueUpSerializer
    permission_classes = [ReadOrPoRecorders]
    filterset_class = TrueUpFilter
    ordering_fields = ["month", "created_at"]

    def get_queryset(self):
        return selectors.true_ups_visible_to(self.request.user).order_by("-month", "contract_id", "category")

    def get_object(self):
        return self.checked(selectors.true_up_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def _respond(self, true_up: TrueUp) -> Response:
        fresh = selectors.true_up_get_for_user(user=self.request.user, pk=true_up.pk)
        return Response(TrueUpSerializer(fresh).data)

    @extend_schema(request=AcceptSerializer, responses=TrueUpSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        true_up = self.get_object()
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(reconciliation.true_up_accept(by=request.user, true_up=true_up,
                                                           po_number=serializer.validated_data["po_number"]))

    @extend_schema(request=RejectSerializer, responses=TrueUpSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        true_up = self.get_object()
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(reconciliation.true_up_reject(by=request.user, true_up=true_up,
                                                           reason=serializer.validated_data.get("reason", "")))


# ---- CSM hours ---------------------------------------------------------------------------------------

class IsCsmOrPolyAdminLogsHours(IsCsmOrPolyAdmin):
    message = "Only the customer's Customer Success Manager or a Poly admin may log CSM hours."


class ReadOrCsmLogsHours(ReadOnlyOr):
    message = IsCsmOrPolyAdminLogsHours.message
    write_permission = IsCsmOrPolyAdminLogsHours


class CsmHourEntrySerializer(serializers.ModelSerializer):
    contract = IdRelatedField(queryset=Contract.objects.none())
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    day = PortalDateField(help_text="YYYY-MM-DD: the day worked, within the term and not in the future.")
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.25"),
                                     max_value=Decimal("24"), help_text="Quarter hours, more than 0 and at most 24.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    logged_by = serializers.CharField(source="logged_by_name", read_only=True, help_text="Who logged the hours.")

    class Meta:
        model = CsmHourEntry
        fields = ["id", "contract", "contract_number", "customer", "day", "hours", "note", "logged_by", "created_at"]
        read_only_fields = ["customer", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and request.user.is_authenticated:
            fields["contract"].queryset = selectors.enterprise_contracts_visible_to(request.user)
        return fields


class CsmHourEntryFilter(ScopedChoicesFilterSet):
    customer = filters.ModelChoiceFilter(queryset=Customer.objects.all())
    contract = filters.NumberFilter(field_name="contract_id")
    month = filters.CharFilter(method="filter_month", help_text="YYYY-MM")

    class Meta:
        model = CsmHourEntry
        fields = ["customer", "contract", "month"]

    def filter_month(self, queryset, name, value):
        try:
            month = MonthField().to_internal_value(value)
        except serializers.ValidationError:
            raise serializers.ValidationError({"month": ["Give the month as YYYY-MM."]}) from None
        return queryset.filter(day__gte=month, day__lte=month_end(month))


class CsmHourEntryViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    """CSM hours logged against an Enterprise contract's blocks (8 h a month each). The customer's
    CSM or a Poly admin logs them; partners read their customers' hours."""

    serializer_class = CsmHourEntrySerializer
    permission_classes = [ReadOrCsmLogsHours]
    filterset_class = CsmHourEntryFilter
    ordering_fields = ["day", "created_at"]

    def get_queryset(self):
        return selectors.csm_hour_entries_visible_to(self.request.user).order_by("-day", "-pk")

    def get_object(self):
        return self.checked(get_or_404(self.get_queryset(), pk=self.kwargs["pk"]))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry = services.csm_hours_log(by=request.user, contract=data["contract"], day=data["day"],
                                       hours=data["hours"], note=data.get("note", ""))
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("inventory-uploads", InventoryUploadViewSet, basename="inventory-upload")
    router.register("reconciliations", ReconciliationViewSet, basename="reconciliation")
    router.register("true-ups", TrueUpViewSet, basename="true-up")
    router.register("csm-hours", CsmHourEntryViewSet, basename="csm-hour")

