"""REST API for ECPS (API.md: `ecps/`), plus the cloud providers, agreements and authorisations it needs.

Views read through ecps.selectors and write through ecps.services: the same state machine and the
same error texts as the pages. Internal updates reach Poly staff only; another tenant's escalation
answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ecps import selectors, services
from ecps.models import (
    ACTIVE_STATUSES,
    CloudAgreement,
    CloudAuthorisation,
    CloudProvider,
    Escalation,
    EscalationStatus,
    EscalationUpdate,
    JointCall,
    JointCallStatus,
)
from polyplus.tenancy.api_common import (
    ErrorSerializer,
    IdRelatedField,
    Pagination,
    ReadOrPolyAdminWrites,
    ScopedChoicesFilterSet,
    TenantApiViewMixin,
)
from polyplus.tenancy.dates import PortalDateField, PortalDateTimeField
from polyplus.tenancy.pagination import KeysFirstPaginator
from polyplus.tenancy.selectors import customer_get_for_user
from tickets.api import LONG_TEXT, EnumChoiceField, ReadOrCaseActorWrites, _person, case_context
from tickets.selectors import case_get_for_user

STATUS_MESSAGE = "“{input}” is not an ECPS status."


def ecps_status_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(EscalationStatus.choices, enum_name="EcpsStatusEnum",
                           error_messages={"invalid_choice": STATUS_MESSAGE}, **kwargs)


# ---- serializers ------------------------------------------------------------------------------

class CloudProviderSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100, allow_blank=True)

    class Meta:
        model = CloudProvider
        fields = ["id", "name", "requires_authorisation", "direct_engagement", "active"]
        read_only_fields = ["id"]


class EscalationUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="Poly staff read as \"Poly support\" to partners.")
    from_poly = serializers.SerializerMethodField()

    class Meta:
        model = EscalationUpdate
        fields = ["id", "body", "internal", "author", "from_poly", "created_at"]
        read_only_fields = fields

    def get_author(self, update) -> str | None:
        return _person(self.context, update.author, update.author_id)[0]

    def get_from_poly(self, update) -> bool:
        return _person(self.context, update.author, update.author_id)[1]


class JointCallSerializer(serializers.ModelSerializer):
    status = EnumChoiceField(JointCallStatus.choices, enum_name="JointCallStatusEnum", read_only=True)

    class Meta:
        model = JointCall
        fields = ["id", "status", "note", "requested_at", "scheduled_for"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    """An escalation in a list."""

    reference = serializers.CharField(read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    site_id = serializers.CharField(source="case.site.site_id", read_only=True)
    cloud_provider = serializers.PrimaryKeyRelatedField(source="provider", read_only=True)
    cloud_provider_name = serializers.CharField(source="provider.name", read_only=True)
    status = ecps_status_field(read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "reference", "partner", "customer", "case", "case_number", "site_id", "cloud_provider",
                  "cloud_provider_name", "status", "problem", "raised_by_poly", "requested_at",
                  "provider_incident_number", "opened_at", "findings", "resolution", "cancel_reason", "closed_at"]
        read_only_fields = fields


class EscalationDetailSerializer(EscalationSerializer):
    """An escalation with the updates the reader may see, its joint calls, and what it still needs."""

    updates = serializers.SerializerMethodField()
    joint_calls = serializers.SerializerMethodField()
    agreement_on_file = serializers.SerializerMethodField(
        help_text="A current agreement with the provider is on file for the customer (needed to open an incident).")
    authorisation_needed = serializers.SerializerMethodField(
        help_text="The provider needs a signed authorisation and none is current today.")

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "agreement_on_file", "authorisation_needed", "updates",
                  "joint_calls"]
        read_only_fields = fields

    @extend_schema_field(EscalationUpdateSerializer(many=True))
    def get_updates(self, escalation):
        return EscalationUpdateSerializer(escalation.visible_updates, many=True, context=self.context).data

    @extend_schema_field(JointCallSerializer(many=True))
    def get_joint_calls(self, escalation):
        return JointCallSerializer(escalation.call_list, many=True).data

    def get_agreement_on_file(self, escalation) -> bool:
        return not services.missing_agreement(escalation, services.site_today(escalation.case))

    def get_authorisation_needed(self, escalation) -> bool:
        return services.missing_authorisation(escalation, services.site_today(escalation.case))


class EscalationCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=2**62, help_text="The case's id.")
    cloud_provider = serializers.IntegerField(min_value=1, max_value=2**62, help_text="The provider's id.")
    problem = serializers.CharField(max_length=LONG_TEXT, allow_blank=True,
                                    help_text="What goes wrong in the provider's system.")


class EcpsOpenIncidentSerializer(serializers.Serializer):
    provider_incident_number = serializers.CharField(max_length=100, allow_blank=True, required=False, default="",
                                                     help_text="The provider's incident tracking number (required).")
    note = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False, default="")


class EcpsAddUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=LONG_TEXT, allow_blank=True)
    internal = serializers.BooleanField(default=False, help_text="Poly staff only: never shown to partner or customer.")


class EcpsReferSerializer(serializers.Serializer):
    findings = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False, default="",
                                     help_text="The results of Poly's checks (required).")


class EcpsResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False, default="")


class EcpsCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class EcpsJointCallRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="",
                                 help_text="What the call is for, preferred times.")


class EcpsJointCallScheduleSerializer(serializers.Serializer):
    joint_call = serializers.IntegerField(min_value=1, max_value=2**62)
    scheduled_for = PortalDateTimeField(help_text="With its offset; shown in the site's time zone.")


class CloudAgreementSerializer(serializers.ModelSerializer):
    customer = IdRelatedField(queryset=CloudAgreement.objects.none())
    cloud_provider = IdRelatedField(source="provider", queryset=CloudProvider.objects.none())
    reference = serializers.CharField(max_length=100, allow_blank=True)
    valid_until = PortalDateField()

    class Meta:
        model = CloudAgreement
        fields = ["id", "customer", "cloud_provider", "reference", "valid_until", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            from polyplus.tenancy.selectors import customers_visible_to

            self.fields["customer"].queryset = customers_visible_to(request.user)
            self.fields["cloud_provider"].queryset = selectors.providers_all()


class CloudAuthorisationSerializer(serializers.ModelSerializer):
    cloud_provider = serializers.PrimaryKeyRelatedField(source="provider", read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CloudAuthorisation
        fields = ["id", "customer", "cloud_provider", "name", "signed_on", "valid_until", "uploaded_at",
                  "download_url"]
        read_only_fields = fields

    def get_download_url(self, authorisation) -> str:
        url = reverse("api-cloud-authorisation-file", kwargs={"pk": authorisation.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CloudAuthorisationCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=2**62)
    cloud_provider = serializers.IntegerField(min_value=1, max_value=2**62)
    file = serializers.FileField(help_text="The signed authorisation, a PDF (checked by content).")
    signed_on = PortalDateField()
    valid_until = PortalDateField()


# ---- filters ------------------------------------------------------------------------------------

class EscalationFilter(ScopedChoicesFilterSet):
    status = filters.ChoiceFilter(choices=EscalationStatus.choices)
    cloud_provider = filters.ModelChoiceFilter(field_name="provider", queryset=CloudProvider.objects.all())
    case = filters.NumberFilter(field_name="case_id", min_value=1, max_value=2**62)
    provider_incident_number = filters.CharFilter(lookup_expr="iexact")
    open = filters.BooleanFilter(method="filter_open", label="Requested, awaiting authorisation or opened")

    class Meta:
        model = Escalation
        fields = ["status", "cloud_provider", "partner", "customer", "case", "provider_incident_number", "open"]

    def filter_open(self, queryset, name, value):
        active = [str(s) for s in ACTIVE_STATUSES]
        return queryset.filter(status__in=active) if value else queryset.exclude(status__in=active)


class CloudAgreementFilter(ScopedChoicesFilterSet):
    class Meta:
        model = CloudAgreement
        fields = ["customer", "provider"]


class CloudAuthorisationFilter(ScopedChoicesFilterSet):
    class Meta:
        model = CloudAuthorisation
        fields = ["customer", "provider"]


# ---- views --------------------------------------------------------------------------------------

class EscalationPagination(Pagination):
    django_paginator_class = KeysFirstPaginator


class EcpsViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """ECPS escalations of cases to cloud providers, newest first. Every move goes through the one
    state machine the pages use; a refused move is a 400 naming what is missing."""

    queryset = Escalation.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = EscalationSerializer
    pagination_class = EscalationPagination
    permission_classes = [ReadOrCaseActorWrites]
    filterset_class = EscalationFilter
    search_fields = ["=provider_incident_number", "=case__number", "customer__name"]
    ordering_fields = ["requested_at", "opened_at", "closed_at"]

    def get_queryset(self):
        return selectors.escalations_visible_to(self.request.user).order_by("-requested_at", "-pk")

    def get_object(self):
        return self.checked(selectors.escalation_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def retrieve(self, request, *args, **kwargs):
        self.get_object()
        return self._respond(self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **case_context(self.request)}

    def _respond(self, pk, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.escalation_detail_for_user(user=self.request.user, pk=pk)
        return Response(EscalationDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _data(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=EscalationCreateSerializer, responses={201: EscalationDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Escalate a case to a cloud provider (a partner's request, or Poly's)."""
        data = self._data(EscalationCreateSerializer)
        try:
            case = case_get_for_user(user=request.user, pk=data["case"])
        except Http404:
            raise serializers.ValidationError({"case": [f"No case has id {data['case']}."]}) from None
        try:
            provider = selectors.provider_get(pk=data["cloud_provider"])
        except Http404:
            raise serializers.ValidationError(
                {"cloud_provider": [f"No cloud provider has id {data['cloud_provider']}."]}) from None
        escalation = services.escalation_request(by=request.user, case=case, provider=provider,
                                                 problem=data["problem"])
        return self._respond(escalation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=EcpsOpenIncidentSerializer, responses=EscalationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="open-incident")
    def open_incident(self, request, pk=None):
        """Record the incident opened with the provider and its tracking number (shown to partner and
        customer). Needs a current agreement and, where the provider asks, a current authorisation."""
        escalation = self.get_object()
        data = self._data(EcpsOpenIncidentSerializer)
        services.escalation_open_incident(by=request.user, escalation=escalation,
                                          provider_incident_number=data["provider_incident_number"],
                                          note=data["note"])
        return self._respond(escalation.pk)

    @extend_schema(request=EcpsAddUpdateSerializer, responses={201: EscalationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="add-update")
    def add_update(self, request, pk=None):
        """Record an exchange with the provider; internal ones (Poly only) are never shown to partner or customer."""
        escalation = self.get_object()
        data = self._data(EcpsAddUpdateSerializer)
        services.escalation_add_update(by=request.user, escalation=escalation, body=data["body"],
                                       internal=data["internal"])
        return self._respond(escalation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=EcpsReferSerializer, responses=EscalationDetailSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Poly: no incident can be opened; give the partner Poly's findings and refer it to the provider."""
        escalation = self.get_object()
        data = self._data(EcpsReferSerializer)
        services.escalation_refer(by=request.user, escalation=escalation, findings=data["findings"])
        return self._respond(escalation.pk)

    @extend_schema(request=EcpsResolveSerializer, responses=EscalationDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The provider fixed it: close an escalation opened with the provider."""
        escalation = self.get_object()
        data = self._data(EcpsResolveSerializer)
        services.escalation_resolve(by=request.user, escalation=escalation, resolution=data["resolution"])
        return self._respond(escalation.pk)

    @extend_schema(request=EcpsCancelSerializer, responses=EscalationDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw an escalation that is still active."""
        escalation = self.get_object()
        data = self._data(EcpsCancelSerializer)
        services.escalation_cancel(by=request.user, escalation=escalation, reason=data["reason"])
        return self._respond(escalation.pk)

    @extend_schema(request=EcpsJointCallRequestSerializer, responses={201: EscalationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="request-joint-call")
    def request_joint_call(self, request, pk=None):
        """Ask for a joint call of Poly, the cloud partner and the Poly partner."""
        escalation = self.get_object()
        data = self._data(EcpsJointCallRequestSerializer)
        services.joint_call_request(by=request.user, escalation=escalation, note=data["note"])
        return self._respond(escalation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=EcpsJointCallScheduleSerializer, responses=EscalationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="schedule-joint-call")
    def schedule_joint_call(self, request, pk=None):
        """Poly sets the time of a requested joint call."""
        escalation = self.get_object()
        data = self._data(EcpsJointCallScheduleSerializer)
        call = escalation.joint_calls.filter(pk=data["joint_call"]).first()
        if call is None:
            raise serializers.ValidationError({"joint_call": ["No such joint call on this escalation."]})
        services.joint_call_schedule(by=request.user, call=call, scheduled_for=data["scheduled_for"])
        return self._respond(escalation.pk)


class CloudProviderViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The cloud providers Poly escalates to; Poly admins keep the list."""

    queryset = CloudProvider.objects.none()
    serializer_class = CloudProviderSerializer
    permission_classes = [ReadOrPolyAdminWrites]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["active", "requires_authorisation"]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.providers_all()

    def get_object(self):
        return self.checked(selectors.provider_get(pk=self.kwargs["pk"]))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.provider_save(
            by=self.request.user, name=data["name"], requires_authorisation=data.get("requires_authorisation", True),
            direct_engagement=data.get("direct_engagement", True), active=data.get("active", True))

    def perform_update(self, serializer):
        provider, data = serializer.instance, serializer.validated_data
        serializer.instance = services.provider_save(
            by=self.request.user, provider=provider, name=data.get("name", provider.name),
            requires_authorisation=data.get("requires_authorisation", provider.requires_authorisation),
            direct_engagement=data.get("direct_engagement", provider.direct_engagement),
            active=data.get("active", provider.active))


class IsPartnerMemberOrPolyWorker(permissions.BasePermission):
    message = "Only the partner's people or Poly support may do this."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return user.is_partner_member or services.is_poly_case_worker(user)


class CloudAgreementViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Customers' agreements with cloud providers (an ECPS precondition). Not shown to customer viewers."""

    queryset = CloudAgreement.objects.none()
    serializer_class = CloudAgreementSerializer
    permission_classes = [IsPartnerMemberOrPolyWorker]
    filterset_class = CloudAgreementFilter

    def get_queryset(self):
        return selectors.agreements_visible_to(self.request.user).order_by("-recorded_at", "-pk")

    def get_object(self):
        from polyplus.tenancy.scoping import get_or_404

        return self.checked(get_or_404(self.get_queryset(), pk=self.kwargs["pk"]))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.agreement_record(
            by=self.request.user, customer=data["customer"], provider=data["provider"],
            reference=data["reference"], valid_until=data["valid_until"])


class CloudAuthorisationViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Customers' signed authorisations for Poly to act with a provider (PDF, checked by content)."""

    queryset = CloudAuthorisation.objects.none()
    serializer_class = CloudAuthorisationSerializer
    permission_classes = [IsPartnerMemberOrPolyWorker]
    filterset_class = CloudAuthorisationFilter

    def get_queryset(self):
        return selectors.authorisations_visible_to(self.request.user).order_by("-uploaded_at", "-pk")

    def get_object(self):
        return self.checked(selectors.authorisation_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    @extend_schema(request={"multipart/form-data": CloudAuthorisationCreateSerializer},
                   responses={201: CloudAuthorisationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CloudAuthorisationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            customer = customer_get_for_user(user=request.user, pk=data["customer"])
        except Http404:
            raise serializers.ValidationError({"customer": [f"No customer has id {data['customer']}."]}) from None
        try:
            provider = selectors.provider_get(pk=data["cloud_provider"])
        except Http404:
            raise serializers.ValidationError(
                {"cloud_provider": [f"No cloud provider has id {data['cloud_provider']}."]}) from None
        upload = data["file"]
        authorisation = services.authorisation_upload(
            by=request.user, customer=customer, provider=provider, name=upload.name, file=upload, size=upload.size,
            signed_on=data["signed_on"], valid_until=data["valid_until"])
        return Response(CloudAuthorisationSerializer(authorisation, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={
        (200, "application/pdf"): OpenApiTypes.BINARY,
        404: OpenApiResponse(ErrorSerializer, description="No such authorisation visible to you.")})
    @action(detail=True, methods=["get"], url_path="file", url_name="file", filter_backends=[], pagination_class=None)
    def file(self, request, pk=None):
        """Download the signed PDF."""
        authorisation = self.get_object()
        try:
            handle = authorisation.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404("No such authorisation visible to you.") from None
        return FileResponse(handle, as_attachment=True, filename=authorisation.original_name,
                            content_type="application/pdf")


def register(router) -> None:
    router.register("ecps", EcpsViewSet, basename="ecps")
    router.register("cloud-providers", CloudProviderViewSet, basename="cloud-provider")
    router.register("cloud-agreements", CloudAgreementViewSet, basename="cloud-agreement")
    router.register("cloud-authorisations", CloudAuthorisationViewSet, basename="api-cloud-authorisation")
