"""REST API for monthly CSM reports and quotes (API.md: reports/, quotes/)."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.models import Contract
from polyplus.portal import reports, selectors
from polyplus.portal.models import Quote, QuoteKind, QuoteStatus, Report, ReportStatus
from polyplus.portal.pdf import pdf_download
from polyplus.tenancy.api_common import ErrorSerializer, IdRelatedField, ScopedChoicesFilterSet, TenantApiViewMixin
from polyplus.tenancy.models import ServiceCategory

MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])(-01)?$")


@extend_schema_field({"type": "string", "pattern": r"^20\d\d-(0[1-9]|1[0-2])(-01)?$", "example": "2026-10-01"})
class MonthField(serializers.Field):
    """A calendar month: `2026-10` or its first day `2026-10-01`; always answered as the first day."""

    default_error_messages = {"invalid": "Give a month as YYYY-MM (or its first day, YYYY-MM-01), 2000 to 2099."}

    def to_internal_value(self, data):
        match = MONTH.fullmatch(str(data)) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)

    def to_representation(self, value):
        return value.isoformat()


class ReportSerializer(serializers.ModelSerializer):
    contract = IdRelatedField(queryset=Contract.objects.none())
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    customer = serializers.CharField(source="contract.customer.name", read_only=True)
    month = MonthField(help_text="The month reported on, as its first day (YYYY-MM-01); YYYY-MM is accepted.")
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    pdf = serializers.SerializerMethodField(help_text="Where to download the PDF once the report is ready.")
    reviewed = serializers.SerializerMethodField(help_text="The CSM marked the month reviewed.")

    class Meta:
        model = Report
        fields = ["id", "contract", "contract_number", "customer", "month", "status", "pages", "pdf", "reviewed",
                  "created_at", "finished_at"]
        read_only_fields = ["pages", "created_at", "finished_at"]
        validators = []  # asking again for the same contract and month answers the report already there

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["contract"].queryset = selectors.reportable_contracts_for(request.user)
        return fields

    def get_reviewed(self, report: Report) -> bool:
        return bool(getattr(report, "reviewed", False))

    def get_pdf(self, report: Report) -> str | None:
        if report.status != ReportStatus.DONE:
            return None
        path = reverse("report-pdf", kwargs={"pk": report.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportFilter(ScopedChoicesFilterSet):
    month = filters.DateFilter()
    status = filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = Report
        fields = ["contract", "month", "status"]


class CanRequestReports(permissions.BasePermission):
    message = "Only the customer's CSM or a Poly admin may ask for a report."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return bool(request.user and request.user.is_authenticated
                    and request.user.role in selectors.REPORT_REQUESTERS)


class ReportViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly CSM reports: the CSM, the partner's admins and Poly admins read them; the CSM or a
    Poly admin asks for any past month's (made on the worker: poll until `status` is `done`)."""

    serializer_class = ReportSerializer
    permission_classes = [CanRequestReports]
    filterset_class = ReportFilter
    search_fields = ["contract__number", "contract__customer__name"]
    ordering_fields = ["month", "created_at"]

    def get_queryset(self):
        return selectors.reports_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.report_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    @extend_schema(responses={200: ReportSerializer, 202: ReportSerializer})
    def create(self, request):
        """Ask for a contract's report of a past month: 202 while it is made, 200 when it already is."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = reports.report_request(contract=data["contract"], month=data["month"], by=request.user)
        code = status.HTTP_200_OK if report.status == ReportStatus.DONE else status.HTTP_202_ACCEPTED
        return Response(self.get_serializer(report).data, status=code)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(ErrorSerializer, description="No such report, or not ready.")})
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        """The report's PDF."""
        return pdf_download(self.get_object())


class QuoteSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    customer = serializers.CharField(source="contract.customer.name", read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    kind = serializers.ChoiceField(choices=QuoteKind.choices)
    category = serializers.ChoiceField(choices=[("", "none"), *ServiceCategory.choices])
    status = serializers.ChoiceField(choices=QuoteStatus.choices)
    pdf = serializers.SerializerMethodField(help_text="Where to download the PDF once the quote is ready.")

    class Meta:
        model = Quote
        fields = ["id", "number", "contract", "contract_number", "customer", "kind", "category", "month",
                  "amount", "currency", "status", "pdf", "created_at"]
        read_only_fields = fields

    def get_pdf(self, quote: Quote) -> str | None:
        if quote.status != QuoteStatus.DONE:
            return None
        path = reverse("quote-pdf", kwargs={"pk": quote.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class QuoteFilter(ScopedChoicesFilterSet):
    kind = filters.ChoiceFilter(choices=QuoteKind.choices)

    class Meta:
        model = Quote
        fields = ["contract", "kind"]


class QuoteViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """True-up and renewal quotes, made by the daily job from the install base's figures."""

    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    search_fields = ["number", "contract__number", "contract__customer__name"]
    ordering_fields = ["created_at", "number"]

    def get_queryset(self):
        return selectors.quotes_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.quote_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(ErrorSerializer, description="No such quote, or not ready.")})
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        """The quote's PDF."""
        return pdf_download(self.get_object())


def register(router) -> None:
    router.register("reports", ReportViewSet, basename="report")
    router.register("quotes", QuoteViewSet, basename="quote")
