"""REST API for advance parts replacements (API.md: rmas/, with its actions and the estimate).

Views read through rma.selectors and write through rma.services: the same checks, state
machine and error texts as the pages. Another partner's (or customer's) RMA answers 404
exactly like one that does not exist; internal notes reach Poly staff only. Times in UTC.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from installbase.coverage import Flag
from polyplus.tenancy.api_common import (
    ErrorSerializer,
    FieldErrorsSerializer,
    Pagination,
    ScopedChoicesFilterSet,
    TenantApiViewMixin,
)
from polyplus.tenancy.dates import PortalDateField, PortalDateTimeField
from polyplus.tenancy.selectors import site_get_for_user
from rma import selectors, services
from rma.calendar import shipping_dates
from rma.models import Rma, RmaStatus, RmaStep, RmaStepKind, overdue_condition
from tickets.api import EnumChoiceField, ReadOrCaseActorWrites
from tickets.models import Case
from tickets.selectors import case_get_for_user, cases_visible_to

LONG_TEXT = services.LONG_TEXT


def rma_status_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(RmaStatus.choices, enum_name="RmaStatusEnum",
                           error_messages={"invalid_choice": "“{input}” is not an RMA status."}, **kwargs)


# ---- serializers --------------------------------------------------------------------------------


class SkippedHolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField()


# Billing and allowance are between Poly and the partner: a customer viewer's RMAs carry none of them
# (as on the pages), so a customer never learns what its partner is billed.
BILLING_FIELDS = ("billable", "billed_price", "billed_currency", "allowance_year", "allowance_position",
                  "allowance_committed")


def billing_fields_optional(result: dict, generator, request, public) -> dict:
    """Schema hook: an RMA's billing and allowance fields are left out for customer viewers, so the
    schema does not promise them (drf-spectacular marks every read-only field required)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.startswith("Rma") and "billable" in component.get("properties", {}):
            component["required"] = [field for field in component.get("required", []) if field not in BILLING_FIELDS]
    return result


def _reader(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class RmaSerializer(serializers.ModelSerializer):
    """An RMA in a list. Dates are the site's calendar days; times are UTC. Billing and allowance
    fields (billable, billed_price, billed_currency, allowance_*) are absent for customer viewers."""

    case_number = serializers.CharField(source="case.number", read_only=True)
    serial = serializers.CharField(source="device.serial", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    site_id = serializers.CharField(source="site.site_id", read_only=True)
    timezone = serializers.CharField(source="site.timezone", read_only=True,
                                     help_text="The site's IANA time zone: the ship and delivery days are its days.")
    status = rma_status_field(read_only=True)
    overdue = serializers.SerializerMethodField(
        help_text="Return due date passed and the failed unit not received (marked sent or not).")
    flags = serializers.SerializerMethodField(help_text="For Poly support and the partner; always empty for "
                                                        "customer viewers.")
    billed_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True,
                                            coerce_to_string=True,
                                            help_text="The product's list price at approval, when billable.")

    class Meta:
        model = Rma
        fields = [
            "id", "number", "partner", "customer", "case", "case_number", "site_id", "timezone", "serial", "sku",
            "status", "requested_at", "approved_at", "ship_date", "promised_delivery", "carrier", "tracking_number",
            "shipped_at", "delivered_on", "return_due", "return_sent_on", "return_received_on", "overdue",
            "billable", "billed_price", "billed_currency", "allowance_year", "allowance_position",
            "allowance_committed", "flags",
        ]
        read_only_fields = fields

    def get_flags(self, rma) -> list[Flag]:
        reader = _reader(self)
        if reader is None or reader.is_customer_viewer:
            return []
        return list(rma.coverage_flags)

    def to_representation(self, rma):
        data = super().to_representation(rma)
        reader = _reader(self)
        if reader is None or reader.is_customer_viewer:
            for name in BILLING_FIELDS:
                data.pop(name, None)
        return data

    def get_overdue(self, rma) -> bool:
        return rma.is_overdue(self.context.get("today"))


class RmaStepSerializer(serializers.ModelSerializer):
    kind = EnumChoiceField(RmaStepKind.choices, enum_name="RmaStepKindEnum", read_only=True)
    detail = serializers.SerializerMethodField(help_text="Billing is left out for customer viewers.")
    from_status = rma_status_field(read_only=True)
    to_status = rma_status_field(read_only=True)
    by = serializers.SerializerMethodField(help_text="Poly staff read as \"Poly support\" to partners.")

    class Meta:
        model = RmaStep
        fields = ["kind", "from_status", "to_status", "detail", "by", "at"]
        read_only_fields = fields

    def get_detail(self, step) -> str:
        return services.step_detail_for(step, self.context["request"].user)

    def get_by(self, step) -> str | None:
        if step.by_id is None:
            return None
        reader = self.context["request"].user
        # Poly's people are not rows a partner may read: they are "Poly support" to it.
        if step.by is None or (step.by.is_poly_staff and not reader.is_poly_staff):
            return "Poly support"
        return step.by.full_name or step.by.email


class RmaDetailSerializer(RmaSerializer):
    """An RMA with the failed unit's fault, the return mark, the holidays its dates skipped and its
    timeline. `internal_note` is Poly's alone: never present for a partner or customer."""

    skipped_holidays = SkippedHolidaySerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="What the caller may do now.")
    internal_note = serializers.CharField(read_only=True, required=False, help_text="Poly staff only.")

    class Meta(RmaSerializer.Meta):
        fields = [*RmaSerializer.Meta.fields, "fault", "rejection_reason", "cancel_reason", "return_carrier",
                  "return_tracking_number", "closed_at", "cancelled_at", "skipped_holidays", "steps", "actions",
                  "internal_note"]
        read_only_fields = fields

    @extend_schema_field(RmaStepSerializer(many=True))
    def get_steps(self, rma):
        return RmaStepSerializer(selectors.steps_of(rma), many=True, context=self.context).data

    def get_actions(self, rma) -> list[str]:
        return [name.replace("_", "-") for name in services.allowed_actions(self.context["request"].user, rma)]

    def to_representation(self, rma):
        data = super().to_representation(rma)
        if not self.context["request"].user.is_poly_staff:
            data.pop("internal_note", None)
        return data


class RmaCreateSerializer(serializers.Serializer):
    """What a partner engineer gives to ask for an advance replacement, from a case."""

    case = serializers.IntegerField(min_value=1, max_value=10**18, help_text="The case's id.")
    serial = serializers.CharField(max_length=60, allow_blank=True, help_text="The failed unit's serial number.")
    sku = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                help_text="Only when two products carry the serial.")
    fault = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, help_text="What is wrong with the unit.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, default="")


class ShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=100, allow_blank=True)
    tracking_number = serializers.CharField(max_length=100, allow_blank=True)


class DeliverSerializer(serializers.Serializer):
    delivered_on = PortalDateField(help_text="The day the replacement arrived (the site's calendar).")


class ReturnSentSerializer(serializers.Serializer):
    sent_on = PortalDateField()
    carrier = serializers.CharField(max_length=100, allow_blank=True)
    tracking_number = serializers.CharField(max_length=100, allow_blank=True)


class ReceiveReturnSerializer(serializers.Serializer):
    received_on = PortalDateField()


class EmptySerializer(serializers.Serializer):
    pass


class EstimateQuerySerializer(serializers.Serializer):
    site_id = serializers.CharField(max_length=40)
    at = PortalDateTimeField(required=False, help_text="ISO 8601 with an offset; default now.")

    def validate_at(self, value):
        written = parse_datetime(str(self.initial_data.get("at", "")).strip().replace("Z", "+00:00"))
        if written is not None and timezone.is_naive(written):
            raise serializers.ValidationError("Give the instant with its offset, e.g. 2026-12-04T13:30:00Z.")
        return value


class EstimateSerializer(serializers.Serializer):
    site_id = serializers.CharField()
    timezone = serializers.CharField(help_text="The site's IANA time zone.")
    at = serializers.DateTimeField(help_text="The approval instant, UTC.")
    local_time = serializers.CharField(help_text="The same instant in the site's time, with its offset.")
    cutoff = serializers.TimeField(help_text="Approvals before this local time on a business day ship that day.")
    before_cutoff = serializers.BooleanField()
    ship_date = serializers.DateField()
    promised_delivery = serializers.DateField()
    skipped_holidays = SkippedHolidaySerializer(many=True)


# ---- filters ---------------------------------------------------------------------------------------


class RmaFilter(ScopedChoicesFilterSet):
    status = filters.ChoiceFilter(choices=RmaStatus.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label="Return due date passed, failed unit not received")
    billable = filters.BooleanFilter(method="filter_billable", label="Billable (ignored for customer viewers)")
    site_id = filters.CharFilter(field_name="site__site_id", lookup_expr="iexact")
    serial = filters.CharFilter(field_name="device__serial", lookup_expr="iexact")
    case = filters.ModelChoiceFilter(queryset=lambda request: cases_visible_to(request.user) if request else
                                     Case.objects.none(), error_messages={"invalid_choice": "No such case."})

    class Meta:
        model = Rma
        fields = ["status", "overdue", "billable", "partner", "customer", "case", "site_id", "serial"]

    def filter_billable(self, queryset, name, value):
        reader = getattr(self.request, "user", None)
        if reader is None or reader.is_customer_viewer:
            return queryset  # billing is not the customer's to know, not even by filtering on it
        return queryset.filter(billable=value)

    def filter_overdue(self, queryset, name, value):
        condition = overdue_condition(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


# ---- views --------------------------------------------------------------------------------------------


class RmaViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                 viewsets.GenericViewSet):
    """Advance parts replacements, newest request first. Every change goes through the one state
    machine the pages use; a move out of order is a 400 naming the state."""

    queryset = Rma.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = RmaSerializer
    pagination_class = Pagination
    permission_classes = [ReadOrCaseActorWrites]
    filterset_class = RmaFilter
    search_fields = ["=number", "=device__serial", "=tracking_number", "=case__number"]
    ordering_fields = ["requested_at", "approved_at", "ship_date", "return_due", "number"]

    def get_queryset(self):
        return selectors.rmas_visible_to(self.request.user).order_by("-requested_at", "-pk")

    def get_object(self):
        return self.checked(selectors.rma_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RmaDetailSerializer
        return super().get_serializer_class()

    def _respond(self, rma: Rma, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.rma_get_for_user(user=self.request.user, pk=rma.pk)
        return Response(RmaDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _data(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=RmaCreateSerializer, responses={201: RmaDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Ask for an advance replacement from a case. The one coverage check runs: a device not
        covered, not on the Poly+ contract or at end of service is refused with the check's reason
        (`coverage_reason`) and sentence, and nothing is created."""
        data = self._data(RmaCreateSerializer)
        try:
            case = case_get_for_user(user=request.user, pk=data["case"])
        except Http404:
            raise serializers.ValidationError({"case": ["No such case."]}) from None
        rma = services.rma_request(by=request.user, case=case, serial=data["serial"], fault=data["fault"],
                                   sku=data["sku"])
        return self._respond(rma, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Poly support approves: ship date and promised delivery by the site's business days and the
        cut-off, and (Enterprise headsets) billing against the 5% allowance, decided once."""
        return self._respond(services.rma_approve(by=request.user, rma=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Poly support refuses the replacement, saying why."""
        rma = self.get_object()
        data = self._data(ReasonSerializer)
        return self._respond(services.rma_reject(by=request.user, rma=rma, reason=data["reason"]))

    @extend_schema(request=ShipSerializer, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        """Poly support ships the replacement (carrier and tracking number)."""
        rma = self.get_object()
        data = self._data(ShipSerializer)
        return self._respond(services.rma_ship(by=request.user, rma=rma, carrier=data["carrier"],
                                               tracking_number=data["tracking_number"]))

    @extend_schema(request=DeliverSerializer, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """The replacement arrived on `delivered_on`; the failed unit is due back within the return window."""
        rma = self.get_object()
        data = self._data(DeliverSerializer)
        return self._respond(services.rma_deliver(by=request.user, rma=rma, delivered_on=data["delivered_on"]))

    @extend_schema(request=ReturnSentSerializer, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return-sent", url_name="return-sent")
    def return_sent(self, request, pk=None):
        """The partner sent the failed unit back: a mark, not a state (it stops the reminder mails)."""
        rma = self.get_object()
        data = self._data(ReturnSentSerializer)
        return self._respond(services.rma_mark_return_sent(
            by=request.user, rma=rma, sent_on=data["sent_on"], carrier=data["carrier"],
            tracking_number=data["tracking_number"]))

    @extend_schema(request=ReceiveReturnSerializer, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"], url_path="receive-return", url_name="receive-return")
    def receive_return(self, request, pk=None):
        """Poly received the failed unit."""
        rma = self.get_object()
        data = self._data(ReceiveReturnSerializer)
        return self._respond(services.rma_receive_return(by=request.user, rma=rma, received_on=data["received_on"]))

    @extend_schema(request=None, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Poly closes the RMA once the failed unit is received."""
        return self._respond(services.rma_close(by=request.user, rma=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=RmaDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel before the replacement ships."""
        rma = self.get_object()
        data = self._data(ReasonSerializer)
        return self._respond(services.rma_cancel(by=request.user, rma=rma, reason=data["reason"]))

    @extend_schema(
        parameters=[OpenApiParameter("site_id", str, required=True, description="The site's Site ID."),
                    OpenApiParameter("at", datetime.datetime, required=False,
                                     description="The approval instant, ISO 8601 with an offset; default now.")],
        responses={200: EstimateSerializer,
                   400: OpenApiResponse(FieldErrorsSerializer, description="Bad input or no such site."),
                   401: OpenApiResponse(ErrorSerializer)},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def estimate(self, request):
        """When a replacement for this site would ship and arrive if approved at `at`: the same
        computation the approval makes (site's time zone, cut-off, weekends and public holidays)."""
        query = EstimateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            site = site_get_for_user(user=request.user, site_id=data["site_id"].strip())
        except Http404:
            raise serializers.ValidationError({"site_id": [f"No site has Site ID {data['site_id'].strip()}."]}) \
                from None
        dates = shipping_dates(site=site, at=data.get("at") or timezone.now())
        return Response(EstimateSerializer({
            "site_id": site.site_id, "timezone": dates.timezone, "at": dates.approved_at.astimezone(datetime.UTC),
            "local_time": dates.local_approved_at.isoformat(), "cutoff": dates.cutoff,
            "before_cutoff": dates.before_cutoff, "ship_date": dates.ship_date,
            "promised_delivery": dates.promised_delivery, "skipped_holidays": dates.skipped_holidays,
        }).data)


def register(router) -> None:
    router.register("rmas", RmaViewSet, basename="rma")
