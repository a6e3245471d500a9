"""REST API for devices and the coverage check (API.md: devices/, coverage/)."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.models import Contract, Product, ProductCategory
from contracts.selectors import contract_get_for_user, product_get_for_user
from installbase import api_workspace, selectors, services
from installbase.coverage import CoverageAnswer, Flag, Reason, check_coverage
from installbase.models import ContractDevice, Device
from polyplus.tenancy.api_common import (
    ErrorSerializer,
    IdRelatedField,
    ReadOnlyOr,
    ScopedChoicesFilterSet,
    TenantApiViewMixin,
)
from polyplus.tenancy.dates import PortalDateField
from polyplus.tenancy.models import Site
from polyplus.tenancy.selectors import site_get_for_user, sites_visible_to
from polyplus.tenancy.wording import with_article


class IsPartnerMemberOrPolyAdmin(permissions.BasePermission):
    message = "Only the partner's admins and engineers or a Poly admin may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_poly_admin or user.is_partner_member))


class ReadOrPartnerMemberWrites(ReadOnlyOr):
    message = IsPartnerMemberOrPolyAdmin.message
    write_permission = IsPartnerMemberOrPolyAdmin


class DeviceSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="sku", queryset=Product.objects.all())
    site = serializers.SlugRelatedField(slug_field="site_id", queryset=Site.objects.none())
    customer = serializers.PrimaryKeyRelatedField(read_only=True)
    category = serializers.CharField(source="product.category", read_only=True)

    class Meta:
        model = Device
        fields = ["id", "serial", "product", "category", "site", "customer", "source", "in_production", "registered_at"]
        read_only_fields = ["source", "in_production", "registered_at"]
        # No unique-together check here: it would see only the caller's rows and answer a serial
        # taken by another partner differently. The service answers both the same way.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and request.user.is_authenticated:
            fields["site"].queryset = sites_visible_to(request.user)
        return fields


class DeviceFilter(ScopedChoicesFilterSet):
    site_id = filters.CharFilter(field_name="site__site_id", lookup_expr="iexact")
    category = filters.ChoiceFilter(field_name="product__category", choices=ProductCategory.choices)
    serial = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Device
        fields = ["site_id", "category", "customer", "serial", "in_production"]


class DeviceViewSet(
    TenantApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Registered units at customers' sites."""

    serializer_class = DeviceSerializer
    permission_classes = [ReadOrPartnerMemberWrites]
    filterset_class = DeviceFilter
    search_fields = ["serial", "site__site_id", "product__sku"]
    ordering_fields = ["serial", "registered_at"]

    def get_queryset(self):
        return selectors.devices_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.device_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.device_register(
            by=self.request.user, site=data["site"], product=data["product"], serial=data["serial"]
        )


class ContractDeviceSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="device.serial", read_only=True)
    product = serializers.CharField(source="device.product.sku", read_only=True)
    site_id = serializers.CharField(source="device.site.site_id", read_only=True)
    device = IdRelatedField(queryset=Device.objects.none(), write_only=True)

    class Meta:
        model = ContractDevice
        fields = ["id", "device", "serial", "product", "site_id", "added_at"]
        read_only_fields = ["added_at"]


class ContractDevicesViewSet(TenantApiViewMixin, viewsets.GenericViewSet):
    """The serials a Poly+ contract covers: GET lists, POST adds {"device": id}."""

    serializer_class = ContractDeviceSerializer
    permission_classes = [ReadOrPartnerMemberWrites]
    filter_backends = []
    queryset = ContractDevice.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return selectors.contract_devices(self._contract())

    def _contract(self):
        return contract_get_for_user(user=self.request.user, pk=self.kwargs["contract_pk"])

    def list(self, request, contract_pk=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ContractDeviceSerializer(page, many=True).data)

    def create(self, request, contract_pk=None):
        contract = self._contract()
        serializer = ContractDeviceSerializer(data=request.data)
        serializer.fields["device"].queryset = selectors.devices_visible_to(request.user)
        serializer.is_valid(raise_exception=True)
        entry = services.contract_device_add(
            by=request.user, contract=contract, device=serializer.validated_data["device"]
        )
        return Response(ContractDeviceSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def remove(self, request, contract_pk=None, pk=None):
        """Take a serial off the contract's list (draft or active contracts only)."""
        entry = self.get_queryset().filter(pk=pk).first()
        if entry is None:
            raise Http404
        services.contract_device_remove(by=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoverageContractSerializer(serializers.ModelSerializer):
    """The contract that decided the answer."""

    class Meta:
        model = Contract
        fields = ["id", "number", "offering", "status", "start_date", "end_date"]


class CoverageSerializer(serializers.Serializer):
    covered = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=Reason.choices, help_text="`covered`, or why not.")
    explanation = serializers.CharField(help_text="The answer in a sentence a person understands.")
    site_id = serializers.CharField(source="site.site_id")
    category = serializers.CharField()
    on_date = serializers.DateField()
    contract = CoverageContractSerializer(allow_null=True)
    serial = serializers.CharField(source="device.serial", allow_null=True, default=None)
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=Flag.choices),
        help_text="For Poly support; always empty for customer viewers.",
    )


class CoverageQuerySerializer(serializers.Serializer):
    site_id = serializers.CharField(required=False, max_length=40)
    category = serializers.ChoiceField(choices=ProductCategory.choices, required=False)
    product = serializers.CharField(required=False, max_length=40, help_text="SKU, optional with site_id")
    serial = serializers.CharField(required=False, max_length=60)
    sku = serializers.CharField(required=False, max_length=40, help_text="When a serial exists for two products")
    on = PortalDateField(required=False, help_text="Date to check (default today)")

    def validate(self, attrs):
        if attrs.get("serial"):
            return attrs
        if not attrs.get("site_id") or not (attrs.get("category") or attrs.get("product")):
            raise serializers.ValidationError({"site_id": ["Give site_id with category (or product), or a serial."]})
        return attrs


def coverage_for_query(user, query: dict) -> CoverageAnswer:
    """Resolve what the caller named through their own scope, then ask the one coverage check."""
    on_date: datetime.date | None = query.get("on")
    if query.get("serial"):
        devices = selectors.devices_by_serial(user=user, serial=query["serial"], sku=query.get("sku"))
        if not devices:
            raise Http404
        if len(devices) > 1:
            raise serializers.ValidationError({"sku": ["Two products share this serial; give the SKU too."]})
        return check_coverage(
            site=devices[0].site, category=devices[0].product.category, device=devices[0], on_date=on_date
        )
    site = site_get_for_user(user=user, site_id=query["site_id"])
    product = None
    if query.get("product"):
        try:
            product = product_get_for_user(user=user, sku=query["product"])
        except Http404:  # the catalogue is everyone's: an unknown SKU is a typo, not someone else's
            raise serializers.ValidationError({"product": [f"No product has SKU {query['product']}."]}) from None
    if product is not None and query.get("category") not in (None, product.category):
        raise serializers.ValidationError(
            {"category": [f"{product.sku} is {with_article(product.get_category_display())} product; "
                          "leave out the category or give its own."]}
        )
    category = query.get("category") or product.category
    return check_coverage(site=site, category=category, product=product, on_date=on_date)


class CoverageView(TenantApiViewMixin, APIView):
    """Is it covered, and why: by Site ID and category (or product), or by serial."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CoverageQuerySerializer],
        responses={200: CoverageSerializer,
                   404: OpenApiResponse(ErrorSerializer, description="No such site or serial visible to you.")},
    )
    def get(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = coverage_for_query(request.user, query.validated_data)
        data = CoverageSerializer(answer).data
        if request.user.is_customer_viewer:
            data["flags"] = []
        return Response(data)


urlpatterns = [path("coverage/", CoverageView.as_view(), name="api-coverage")]


def register(router) -> None:
    router.register("devices", DeviceViewSet, basename="device")
    router.register(r"contracts/(?P<contract_pk>[0-9]{1,18})/devices", ContractDevicesViewSet,
                    basename="contract-device")
    api_workspace.register(router)
