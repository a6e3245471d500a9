"""REST API for 24/7 service cases and health events (API.md: cases/, health-events/).

Views read through tickets.selectors and write through tickets.services, so a program gets
the same answers, the same state machine and the same error texts as a person in the pages.
Internal notes and their attachments reach Poly staff only; a case of another partner (or
customer) answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

import datetime

from django.db.models import F
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.models import Offering, ProductCategory
from contracts.selectors import product_get_for_user
from installbase.coverage import Flag, Reason
from installbase.selectors import devices_by_serial
from polyplus.tenancy.api_common import (
    ErrorSerializer,
    FieldErrorsSerializer,
    Pagination,
    ReadOnlyOr,
    ScopedChoicesFilterSet,
    TenantApiViewMixin,
)
from polyplus.tenancy.pagination import KeysFirstPaginator
from polyplus.tenancy.selectors import site_get_for_user
from tickets import selectors, services
from tickets.models import (
    OPEN_STATUSES,
    BreachKind,
    Case,
    CaseAttachment,
    CaseComment,
    CaseEscalation,
    CaseSource,
    CaseStatus,
    DispatchStatus,
    EscalationLevel,
    OnsiteDispatch,
    Severity,
    VisitPurpose,
)

LONG_TEXT = 20000  # a description, reply or alert longer than this is a mistake or an attack
MAX_ATTACHMENTS = 10
SEVERITY_MESSAGE = "Choose a severity from 1 (down) to 4 (question)."


# ---- who may act --------------------------------------------------------------------------


class IsCaseActor(permissions.BasePermission):
    """Poly's case workers on every case; a partner's admins and engineers on their own (services decide)."""

    message = "Only the partner's engineers or Poly support may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated
                    and (user.is_partner_member or services.is_poly_case_worker(user)))


class ReadOrCaseActorWrites(ReadOnlyOr):
    message = IsCaseActor.message
    write_permission = IsCaseActor


# ---- enums under one name wherever they appear ---------------------------------------------


class EnumChoiceField(serializers.ChoiceField):
    """A choice field documented as the named enum component `enum_name`, wherever it is used.

    Several case fields share a choice set under different names (escalation_level, from_level,
    to_level) or a name with another app's choice set (status, source); naming the component
    keeps the schema free of enum-collision warnings.
    """

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        built = build_choice_field(field)
        schema = {"enum": [value for value in built["enum"] if value not in ("", None)]}
        if "type" in built:
            schema["type"] = built["type"]
        if "description" in built:
            schema["description"] = built["description"]
        component = ResolvedComponent(name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name,
                                      schema=schema)
        auto_schema.registry.register_on_missing(component)
        return component.ref


def case_status_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(CaseStatus.choices, enum_name="CaseStatusEnum",
                           error_messages={"invalid_choice": "“{input}” is not a case status."}, **kwargs)


def escalation_level_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(EscalationLevel.choices, enum_name="EscalationLevelEnum", **kwargs)


def severity_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(Severity.choices, error_messages={"invalid_choice": SEVERITY_MESSAGE},
                                   help_text="1 (down) to 4 (question).", **kwargs)


# ---- serializers --------------------------------------------------------------------------


def _now(serializer) -> datetime.datetime:
    return serializer.context.get("now") or timezone.now()


class CaseSerializer(serializers.ModelSerializer):
    """A case in a list: its SLA clocks as of the moment of the request."""

    site_id = serializers.CharField(source="site.site_id", read_only=True)
    product = serializers.CharField(source="product.sku", read_only=True, allow_null=True, default=None,
                                    help_text="SKU, when given.")
    serial = serializers.CharField(source="device.serial", read_only=True, allow_null=True, default=None,
                                   help_text="Only for hardware replacement and device health alerts.")
    severity = serializers.ChoiceField(Severity.choices, read_only=True)
    category = serializers.ChoiceField(ProductCategory.choices, read_only=True)
    status = case_status_field(read_only=True)
    source = EnumChoiceField(CaseSource.choices, enum_name="CaseSourceEnum", read_only=True)
    entitlement_reason = EnumChoiceField(Reason.choices, enum_name="ReasonEnum", read_only=True,
                                         help_text="`covered`, or why the case is not entitled.")
    offering = serializers.ChoiceField(Offering.choices, read_only=True,
                                       help_text="The offering whose SLA applies (Poly+ when not entitled).")
    escalation_level = escalation_level_field(read_only=True)
    flags = serializers.SerializerMethodField(help_text="For Poly support; always empty for customer viewers.")
    time_left_seconds = serializers.SerializerMethodField(
        help_text="Seconds until the next SLA time (negative when overdue); null while paused or done.")
    breached = serializers.SerializerMethodField(help_text="A first-response or resolution target missed.")
    first_response_breached = serializers.SerializerMethodField()
    resolution_breached = serializers.SerializerMethodField()
    paused = serializers.SerializerMethodField(help_text="The clocks stand still while waiting on the partner.")
    owner = serializers.SerializerMethodField(
        help_text="The Poly engineer working the case (user id, shown to Poly staff); null while in the pool.")
    owner_name = serializers.SerializerMethodField(
        help_text="Who owns the case for Poly, as the reader may know it (\"Poly support\" to a partner).")
    partner_owner = serializers.IntegerField(source="partner_owner_id", read_only=True, allow_null=True,
                                             help_text="The partner's engineer responsible for its side (user id).")
    partner_owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "number", "partner", "customer", "site_id", "category", "product", "severity", "subject",
            "status", "source", "hardware_replacement", "serial", "health_alert_kind",
            "entitled", "entitlement_reason", "entitlement_explanation", "contract", "offering", "priority", "flags",
            "opened_at", "first_response_due", "first_response_at", "resolution_due", "resolved_at", "closed_at",
            "next_due_at", "time_left_seconds", "breached", "first_response_breached", "resolution_breached",
            "paused", "escalation_level", "owner", "owner_name", "partner_owner", "partner_owner_name",
        ]
        read_only_fields = fields

    def get_owner(self, case) -> int | None:
        request = self.context.get("request")
        return case.owner_id if request is not None and request.user.is_poly_staff else None

    def get_owner_name(self, case) -> str | None:
        if case.owner_id is None:
            return None
        return _person(self.context, case.owner, case.owner_id)[0]

    def get_partner_owner_name(self, case) -> str | None:
        person = case.partner_owner
        return None if person is None else person.full_name or person.email

    def get_flags(self, case) -> list[Flag]:
        request = self.context.get("request")
        if request is not None and request.user.is_customer_viewer:
            return []
        return list(case.entitlement_flags)

    def get_time_left_seconds(self, case) -> int | None:
        left = case.time_left(_now(self))
        return None if left is None else int(left.total_seconds())

    def get_breached(self, case) -> bool:
        return case.breached(_now(self))

    def get_first_response_breached(self, case) -> bool:
        return case.first_response_breached(_now(self))

    def get_resolution_breached(self, case) -> bool:
        return case.resolution_breached(_now(self))

    def get_paused(self, case) -> bool:
        return case.paused_since is not None


class CaseAttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = ["id", "name", "content_type", "size", "internal", "comment", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        url = reverse("case-attachment", kwargs={"pk": attachment.case_id, "attachment_pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


def support_name(user) -> str:
    """What Poly's people are called to this reader: a customer sees only its partner's brand."""
    if user.is_authenticated and user.is_customer_viewer:
        partner = user.partner if user.partner_id else None
        brand = getattr(partner, "brand", None)
        return f"{brand.display_name if brand else partner.name if partner else 'Your'} support"
    return "Poly support"


def case_context(request) -> dict:
    return {"request": request, "now": timezone.now()}


def _person(context, user, user_id) -> tuple[str | None, bool]:
    """Who wrote something, as the reader may know them, and whether it was Poly. Poly staff are
    named to Poly staff only: a partner reads "Poly support", a customer its partner's brand."""
    if user_id is None:
        return None, False
    if user is not None and not user.is_poly_staff:
        return user.full_name or user.email, False
    reader = context["request"].user
    if user is not None and reader.is_poly_staff:
        return user.full_name or user.email, True
    if "support_name" not in context:  # once per response
        context["support_name"] = support_name(reader)
    return context["support_name"], True


class CaseEscalationSerializer(serializers.ModelSerializer):
    from_level = escalation_level_field(read_only=True)
    to_level = escalation_level_field(read_only=True)
    breach = serializers.ChoiceField(BreachKind.choices, allow_blank=True, read_only=True,
                                     help_text="Set when a breached target escalated the case automatically.")
    automatic = serializers.SerializerMethodField()
    by = serializers.SerializerMethodField(help_text="Who escalated; null when it was automatic.")

    class Meta:
        model = CaseEscalation
        fields = ["id", "from_level", "to_level", "reason", "automatic", "breach", "by", "at"]
        read_only_fields = fields

    def get_automatic(self, escalation) -> bool:
        return escalation.by_id is None

    def get_by(self, escalation) -> str | None:
        return _person(self.context, escalation.by, escalation.by_id)[0]


class CaseDetailSerializer(CaseSerializer):
    """A case with its description, attachments and escalations."""

    attachments = serializers.SerializerMethodField()
    escalations = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "description", "attachments", "escalations"]
        read_only_fields = fields

    @extend_schema_field(CaseAttachmentSerializer(many=True))
    def get_attachments(self, case):
        request = self.context["request"]
        attachments = selectors.attachments_visible_to(request.user, case)
        return CaseAttachmentSerializer(attachments, many=True, context=self.context).data

    @extend_schema_field(CaseEscalationSerializer(many=True))
    def get_escalations(self, case):
        escalations = selectors.escalations_visible_to(self.context["request"].user, case)
        return CaseEscalationSerializer(escalations, many=True, context=self.context).data


class CaseCreateSerializer(serializers.Serializer):
    """What a partner engineer gives to open a case; as multipart, files go in `attachments`."""

    site_id = serializers.CharField(max_length=40, help_text="The site's Site ID: a case is keyed by it.")
    category = serializers.ChoiceField(ProductCategory.choices, required=False, allow_null=True,
                                       help_text="Required unless a product is given.")
    product = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True,
                                    help_text="SKU, optional.")
    severity = severity_field()
    subject = serializers.CharField(max_length=200, allow_blank=True,
                                    error_messages={"max_length": "At most 200 characters."})
    description = serializers.CharField(max_length=LONG_TEXT, allow_blank=True)
    hardware_replacement = serializers.BooleanField(default=False)
    serial = serializers.CharField(
        max_length=60, required=False, allow_blank=True, allow_null=True, default="",
        help_text="The failed unit's serial, only with hardware_replacement (ignored otherwise: "
                  "a case is keyed by Site ID).")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, max_length=MAX_ATTACHMENTS,
                                        write_only=True, help_text="Logs and photos (multipart only).")

    def validate(self, attrs):
        if not attrs.get("category") and not attrs.get("product"):
            raise serializers.ValidationError({"category": ["Choose a category, or give the product."]})
        return attrs


class CaseTransitionSerializer(serializers.Serializer):
    status = case_status_field()


class CaseEscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, default="",
                                   help_text="Why the case needs a higher level (required).")
    to_level = escalation_level_field(required=False, help_text="Default: the next level up.")


class CaseAssignSerializer(serializers.Serializer):
    """Give only the side(s) to change: a user id, or null to put the case back in the pool."""

    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
                                     help_text="A Poly support engineer or escalation manager (Poly staff only).")
    partner_owner = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
                                             help_text="One of the partner's own engineers.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                 help_text="For the colleague the case is handed to.")

    def validate(self, attrs):
        if "owner" not in attrs and "partner_owner" not in attrs:
            raise serializers.ValidationError(
                {"owner": ["Say who should own the case, or null to put it back in the pool."]})
        return attrs


class CaseFollowSerializer(serializers.Serializer):
    follow = serializers.BooleanField(default=True, help_text="false to stop following.")


class CaseCommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="Poly staff read as \"Poly support\" to partners.")
    from_poly = serializers.SerializerMethodField()
    attachments = CaseAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = CaseComment
        fields = ["id", "body", "internal", "author", "from_poly", "created_at", "attachments"]
        read_only_fields = fields

    def get_author(self, comment) -> str | None:
        return _person(self.context, comment.author, comment.author_id)[0]

    def get_from_poly(self, comment) -> bool:
        return _person(self.context, comment.author, comment.author_id)[1]


class CaseCommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=LONG_TEXT, allow_blank=True)
    internal = serializers.BooleanField(default=False, help_text="Poly staff only: never shown to partner or customer.")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, max_length=MAX_ATTACHMENTS,
                                        write_only=True, help_text="Logs and photos (multipart only).")


class OnsiteDispatchSerializer(serializers.ModelSerializer):
    purpose = serializers.ChoiceField(VisitPurpose.choices,
                                      error_messages={"invalid_choice": "“{input}” is not a visit purpose."})
    status = EnumChoiceField(DispatchStatus.choices, enum_name="DispatchStatusEnum", read_only=True)
    remote_diagnostics_summary = serializers.CharField(max_length=LONG_TEXT, allow_blank=True)
    partner_engineer_name = serializers.CharField(max_length=200, allow_blank=True)
    details = serializers.CharField(max_length=500, allow_blank=True, default="")
    technician = serializers.CharField(max_length=200, allow_blank=True, default="")

    class Meta:
        model = OnsiteDispatch
        fields = ["id", "purpose", "details", "remote_diagnostics_summary", "partner_engineer_name",
                  "scheduled_for", "technician", "status", "created_at"]
        read_only_fields = ["status", "created_at"]


class HealthEventSerializer(serializers.Serializer):
    """A device's (or a site's) health alert, e.g. from a monitoring tool."""

    serial = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                   help_text="The alerting device's serial; or give site_id and category.")
    sku = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                help_text="When two products share the serial.")
    site_id = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(ProductCategory.choices, required=False,
                                       help_text="Required for a site alert without a serial.")
    severity = severity_field()
    message = serializers.CharField(max_length=LONG_TEXT, allow_blank=True)
    alert_kind = serializers.CharField(
        max_length=60, allow_blank=True, default="",
        help_text="e.g. `offline`, `high_temperature`: one open case per device and kind.")

    def validate(self, attrs):
        if not attrs["serial"].strip() and not attrs["site_id"].strip():
            raise serializers.ValidationError({"serial": ["Give the device's serial, or a site_id and category."]})
        return attrs


# ---- filters ------------------------------------------------------------------------------


class CaseFilter(ScopedChoicesFilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    severity = filters.TypedChoiceFilter(choices=Severity.choices, coerce=int)
    category = filters.ChoiceFilter(choices=ProductCategory.choices)
    site_id = filters.CharFilter(field_name="site__site_id", lookup_expr="iexact")
    escalation_level = filters.TypedChoiceFilter(choices=EscalationLevel.choices, coerce=int)
    source = filters.ChoiceFilter(choices=CaseSource.choices)
    breached = filters.BooleanFilter(method="filter_breached", label="A target missed")
    open = filters.BooleanFilter(method="filter_open", label="New, in progress or waiting on the partner")

    class Meta:
        model = Case
        fields = ["status", "severity", "category", "partner", "customer", "site_id", "breached", "open",
                  "entitled", "escalation_level", "source"]

    def filter_breached(self, queryset, name, value):
        condition = selectors.breached_condition(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_open(self, queryset, name, value):
        open_statuses = [str(status) for status in OPEN_STATUSES]
        return queryset.filter(status__in=open_statuses) if value else queryset.exclude(status__in=open_statuses)


# ---- views --------------------------------------------------------------------------------


def _uploads(files) -> tuple[services.Upload, ...]:
    return tuple(services.Upload(name=f.name, file=f, size=f.size) for f in files or ())


class CasePagination(Pagination):
    django_paginator_class = KeysFirstPaginator


class CaseViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Service cases of every status, in SLA queue order: next due first, Enterprise first at equal due,
    paused and done last (`?open=true` is the working queue). Every change goes through the one
    state machine the pages use."""

    queryset = Case.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = CaseSerializer
    pagination_class = CasePagination
    permission_classes = [ReadOrCaseActorWrites]
    filterset_class = CaseFilter
    search_fields = ["=number", "=site__site_id", "subject"]
    ordering_fields = ["opened_at", "severity", "number", "first_response_due", "resolution_due", "next_due_at"]

    def get_queryset(self):
        return selectors.cases_visible_to(self.request.user).order_by(
            F("next_due_at").asc(nulls_last=True), "priority", "opened_at", "pk")

    def get_object(self):
        return self.checked(selectors.case_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **case_context(self.request)}

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CaseDetailSerializer
        return super().get_serializer_class()

    def _respond(self, case: Case, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.case_get_for_user(user=self.request.user, pk=case.pk)
        return Response(CaseDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Open a case at any hour. It is recorded whatever the coverage check says, with its answer."""
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, user = serializer.validated_data, request.user
        try:
            site = site_get_for_user(user=user, site_id=data["site_id"])
        except Http404:  # another partner's Site ID reads exactly like one that does not exist
            raise serializers.ValidationError({"site_id": [f"No site has Site ID {data['site_id']}."]}) from None
        product = None
        if data.get("product"):
            try:
                product = product_get_for_user(user=user, sku=data["product"])
            except Http404:
                raise serializers.ValidationError({"product": [f"No product has SKU {data['product']}."]}) from None
        case = services.case_open(
            by=user, site=site, category=data.get("category") or product.category, severity=data["severity"],
            subject=data["subject"], description=data["description"], product=product,
            hardware_replacement=data["hardware_replacement"],
            serial=(data.get("serial") or "") if data["hardware_replacement"] else "",
            source=CaseSource.API, uploads=_uploads(data.get("attachments")),
        )
        return self._respond(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseTransitionSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the case through its lifecycle: new → in progress → waiting on partner → resolved →
        closed, reopened within the reopen window."""
        case = self.get_object()
        serializer = CaseTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(services.case_transition(by=request.user, case=case,
                                                      to_status=serializer.validated_data["status"]))

    @extend_schema(request=CaseEscalateSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Poly support moves the case up (tier 1 → tier 2 → specialist → engineering), with a reason."""
        case = self.get_object()
        services.require_poly_case_worker(request.user)
        serializer = CaseEscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.case_escalate(by=request.user, case=case, reason=data["reason"],
                               to_level=data.get("to_level"))
        return self._respond(case)

    @extend_schema(request=CaseAssignSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Take the case, hand it to a colleague with a note, or put it back in the pool (null).
        Poly names only Poly's case workers as `owner`; a partner only its own engineers as `partner_owner`."""
        case = self.get_object()
        serializer = CaseAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "owner" in data and not services.is_poly_case_worker(request.user):
            raise PermissionDenied("Only Poly support names the Poly owner.")
        people = {}
        for side, message in (("owner", "Choose one of Poly's support engineers or escalation managers."),
                              ("partner_owner", "Choose one of the partner's own engineers.")):
            if side not in data:
                continue
            if data[side] is None:
                people[side] = None
                continue
            # Row-level security shows a partner its own people only: anyone else reads as missing.
            person = selectors.person_for_assignment(user=request.user, pk=data[side])
            if person is None:
                raise serializers.ValidationError({side: [message]})
            people[side] = person
        services.case_assign(by=request.user, case=case, note=data["note"], **people)
        return self._respond(case)

    @extend_schema(request=CaseFollowSerializer, responses=CaseFollowSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def follow(self, request, pk=None):
        """Follow a case one may see (or stop, with `follow: false`): its events reach you as you chose."""
        case = self.get_object()
        serializer = CaseFollowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        following = services.case_follow(by=request.user, case=case, follow=serializer.validated_data["follow"])
        return Response({"follow": following})

    @extend_schema(methods=["GET"], responses=CaseCommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CaseCommentCreateSerializer, responses={201: CaseCommentSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """Replies on the case, oldest first. Partners and customers see public ones only; Poly staff
        also write and read internal notes. Poly's first public reply is the first response."""
        case = self.get_object()
        if request.method == "POST":
            serializer = CaseCommentCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            comment = services.case_comment_add(by=request.user, case=case, body=data["body"],
                                                internal=data["internal"], uploads=_uploads(data.get("attachments")))
            fresh = selectors.comments_visible_to(request.user, case).get(pk=comment.pk)
            return Response(CaseCommentSerializer(fresh, context=self.get_serializer_context()).data,
                            status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.comments_visible_to(request.user, case))
        return self.get_paginated_response(
            CaseCommentSerializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(methods=["GET"], responses=OnsiteDispatchSerializer(many=True))
    @extend_schema(methods=["POST"], request=OnsiteDispatchSerializer, responses={201: OnsiteDispatchSerializer})
    @action(detail=True, methods=["get", "post"], url_path="onsite-dispatches", filter_backends=[])
    def onsite_dispatches(self, request, pk=None):
        """Technician visits: only under a contract with the onsite option, only after remote
        diagnostics with the partner's engineer, never to install software updates or configure."""
        case = self.get_object()
        if request.method == "POST":
            serializer = OnsiteDispatchSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            dispatch = services.onsite_dispatch_request(
                by=request.user, case=case, purpose=data["purpose"],
                remote_diagnostics_summary=data["remote_diagnostics_summary"],
                partner_engineer_name=data["partner_engineer_name"], scheduled_for=data["scheduled_for"],
                details=data["details"], technician=data["technician"],
            )
            return Response(OnsiteDispatchSerializer(dispatch).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.dispatches_of(case))
        return self.get_paginated_response(OnsiteDispatchSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("attachment_pk", int, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                   404: OpenApiResponse(ErrorSerializer, description="No such attachment visible to you.")},
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]{1,18})", url_name="attachment",
            filter_backends=[], pagination_class=None)
    def attachment(self, request, pk=None, attachment_pk=None):
        """Download an attachment (internal ones: Poly staff only)."""
        case = self.get_object()
        attachment = selectors.attachment_get_for_user(user=request.user, case=case, pk=attachment_pk)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404("No such attachment visible to you.") from None
        return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)


class HealthEventView(TenantApiViewMixin, APIView):
    """A device health alert raises a proactive case: at most one open case per device and alert
    kind; a repeat adds a note to the open case (200) instead of opening another (201)."""

    permission_classes = [IsCaseActor]

    @extend_schema(
        request=HealthEventSerializer,
        responses={201: OpenApiResponse(CaseDetailSerializer, description="A new case."),
                   200: OpenApiResponse(CaseDetailSerializer, description="The case already open for this alert."),
                   400: OpenApiResponse(FieldErrorsSerializer,
                                        description="Invalid input, or no such serial or Site ID visible to you.")},
    )
    def post(self, request):
        serializer = HealthEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, user = serializer.validated_data, request.user
        device = None
        if data["serial"].strip():
            devices = devices_by_serial(user=user, serial=data["serial"], sku=data["sku"] or None)
            if not devices:
                raise serializers.ValidationError({"serial": [f"No device has serial {data['serial'].strip()}."]})
            if len(devices) > 1:
                raise serializers.ValidationError({"sku": ["Two products share this serial; give the SKU too."]})
            device = devices[0]
            if data["site_id"].strip() and data["site_id"].strip().upper() != device.site.site_id:
                raise serializers.ValidationError(
                    {"site_id": [f"Serial {device.serial} is not at site {data['site_id'].strip()}."]})
            site = device.site
        else:
            try:
                site = site_get_for_user(user=user, site_id=data["site_id"].strip())
            except Http404:
                raise serializers.ValidationError(
                    {"site_id": [f"No site has Site ID {data['site_id'].strip()}."]}) from None
        case, created = services.health_event_raise(
            by=user, site=site, severity=data["severity"], message=data["message"], alert_kind=data["alert_kind"],
            device=device, category="" if device else data.get("category", ""),
        )
        fresh = selectors.case_get_for_user(user=user, pk=case.pk)
        return Response(CaseDetailSerializer(fresh, context=case_context(request)).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


urlpatterns = [path("health-events/", HealthEventView.as_view(), name="api-health-events")]


def register(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
