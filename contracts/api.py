"""REST API for the catalogue and contracts (API.md: products/, contracts/)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts import selectors, services
from contracts.models import Contract, ContractLine, Offering, Product
from polyplus.tenancy.api_common import (
    IdRelatedField,
    IsPolyAdmin,
    ReadOrPartnerAdminWrites,
    ReadOrPolyAdminWrites,
    ScopedChoicesFilterSet,
    TenantApiViewMixin,
)
from polyplus.tenancy.models import Customer, ServiceCategory
from polyplus.tenancy.selectors import customers_visible_to


class ProductSerializer(serializers.ModelSerializer):
    quote_required = serializers.BooleanField(read_only=True)
    list_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, coerce_to_string=True)

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "category",
            "list_price",
            "currency",
            "end_of_sale",
            "end_of_service",
            "quote_required",
        ]
        extra_kwargs = {"sku": {"validators": []}}


class ContractLineSerializer(serializers.ModelSerializer):
    installed = serializers.IntegerField(min_value=0, max_value=services.MAX_DEVICES)
    growth = serializers.IntegerField(min_value=0, max_value=services.MAX_DEVICES, default=0)
    annual_unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    category = serializers.ChoiceField(choices=ServiceCategory.choices)
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = ContractLine
        fields = ["category", "installed", "growth", "committed", "baseline", "annual_unit_price"]
        read_only_fields = ["committed", "baseline"]

    def to_line_input(self, data: dict) -> services.LineInput:
        return services.LineInput(
            category=data["category"],
            installed=data["installed"],
            growth=data["growth"],
            annual_unit_price=data["annual_unit_price"],
        )


class ContractOptionsSerializer(serializers.Serializer):
    """The paid options of a contract (CSM hours and TAM are Poly+ Enterprise only)."""

    onsite_extension = serializers.BooleanField()
    csm_hour_blocks = serializers.IntegerField(help_text="Blocks of 8 CSM hours per month.")
    csm_hours_per_month = serializers.IntegerField()
    technical_account_management = serializers.BooleanField()


class ContractSerializer(serializers.ModelSerializer):
    customer = IdRelatedField(queryset=Customer.objects.none())
    lines = ContractLineSerializer(many=True)
    options = ContractOptionsSerializer(source="*", read_only=True)
    offering = serializers.ChoiceField(choices=Offering.choices)
    csm_hour_blocks = serializers.IntegerField(min_value=0, default=0, write_only=True)
    onsite_extension = serializers.BooleanField(default=False, write_only=True)
    technical_account_management = serializers.BooleanField(default=False, write_only=True)
    professional_services_discount = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=0
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "partner",
            "customer",
            "offering",
            "start_date",
            "end_date",
            "status",
            "currency",
            "options",
            "onsite_extension",
            "csm_hour_blocks",
            "technical_account_management",
            "professional_services_discount",
            "renewal_of",
            "lines",
            "status_reason",
        ]
        read_only_fields = ["number", "partner", "status", "renewal_of", "status_reason"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and request.user.is_authenticated:
            fields["customer"].queryset = customers_visible_to(request.user)
        return fields

    def to_representation(self, contract):
        data = super().to_representation(contract)
        request = self.context.get("request")
        reader = request.user if request and request.user.is_authenticated else None
        data["status_reason"] = selectors.status_reason_for(reader, contract) if reader else ""  # never by default
        return data


class ContractFilter(ScopedChoicesFilterSet):
    class Meta:
        model = Contract
        fields = ["customer", "status", "offering", "partner"]


class ProductFilter(filters.FilterSet):
    class Meta:
        model = Product
        fields = ["category", "currency"]


class ProductViewSet(
    TenantApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Poly's product catalogue. Everyone signed in reads it; Poly admins keep it."""

    serializer_class = ProductSerializer
    permission_classes = [ReadOrPolyAdminWrites]
    lookup_field = "sku"
    lookup_value_regex = "[^/]+"
    filterset_class = ProductFilter
    search_fields = ["sku", "name"]
    ordering_fields = ["sku", "name", "end_of_service"]

    def get_queryset(self):
        return selectors.products_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.product_get_for_user(user=self.request.user, sku=self.kwargs["sku"]))

    def perform_create(self, serializer):
        serializer.instance = services.product_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        services.product_update(by=self.request.user, product=serializer.instance, **serializer.validated_data)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("ProductImport", {"file": serializers.FileField()})},
        responses=inline_serializer(
            "ProductImportResult", {"created": serializers.IntegerField(), "updated": serializers.IntegerField()}
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        permission_classes=[IsPolyAdmin],
        parser_classes=[parsers.MultiPartParser],
    )
    def import_csv(self, request):
        """Import a catalogue CSV: all rows or none; each bad row is named by line and column."""
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["Attach the CSV as `file`."]})
        result = services.products_import_csv(by=request.user, file=upload)
        return Response({"created": result.created, "updated": result.updated})


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RenewSerializer(serializers.Serializer):
    growth = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=services.MAX_DEVICES),
        required=False,
        help_text='New growth estimate per category, e.g. {"video": 12}.',
    )


class ContractViewSet(
    TenantApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Contracts; state changes are POSTs on the contract (activate, cancel, renew, add-line)."""

    serializer_class = ContractSerializer
    permission_classes = [ReadOrPartnerAdminWrites]
    filterset_class = ContractFilter
    search_fields = ["number", "customer__name"]
    ordering_fields = ["start_date", "end_date", "number"]

    def get_queryset(self):
        return selectors.contracts_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.contract_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def perform_create(self, serializer):
        data = serializer.validated_data
        line_serializer = ContractLineSerializer()
        serializer.instance = services.contract_create(
            by=self.request.user,
            customer=data["customer"],
            offering=data["offering"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            lines=[line_serializer.to_line_input(line) for line in data["lines"]],
            currency=data.get("currency", ""),
            onsite_extension=data["onsite_extension"],
            csm_hour_blocks=data["csm_hour_blocks"],
            technical_account_management=data["technical_account_management"],
            professional_services_discount=data["professional_services_discount"],
        )

    def _respond(self, contract: Contract, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.contract_get_for_user(user=self.request.user, pk=contract.pk)
        return Response(ContractSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._respond(services.contract_activate(by=request.user, contract=self.get_object()))

    @extend_schema(request=CancelSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        contract = self.get_object()
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.contract_cancel(by=request.user, contract=contract, reason=serializer.validated_data["reason"])
        )

    @extend_schema(request=RenewSerializer, responses={201: ContractSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Draft the next term (the day after, as long), from each line's committed count plus new growth."""
        contract = self.get_object()
        serializer = RenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        renewal = services.contract_renew(
            by=request.user, contract=contract, growth_by_category=serializer.validated_data.get("growth")
        )
        return self._respond(renewal, status.HTTP_201_CREATED)

    @extend_schema(request=ContractLineSerializer, responses={201: ContractSerializer})
    @action(detail=True, methods=["post"], url_path="add-line")
    def add_line(self, request, pk=None):
        """Add a category to a draft or active contract (certification and overlap rules apply)."""
        contract = self.get_object()
        serializer = ContractLineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contract_line_add(
            by=request.user, contract=contract, line=serializer.to_line_input(serializer.validated_data)
        )
        return self._respond(contract, status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("contracts", ContractViewSet, basename="contract")
