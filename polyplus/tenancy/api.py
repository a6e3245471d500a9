"""REST API for partners, certifications, customers, sites, users and tokens (API.md).

Views read through selectors and write through services, so the API gives the same
answers and the same error texts as the pages.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from polyplus.tenancy import selectors, services
from polyplus.tenancy.api_auth import TenantTokenAuthentication
from polyplus.tenancy.api_common import (
    ClientAddressThrottle,
    ErrorSerializer,
    FieldErrorsSerializer,
    IdRelatedField,
    ReadOrPartnerAdminWrites,
    ReadOrPolyAdminWrites,
    ScopedChoicesFilterSet,
    TenantApiViewMixin,
)
from polyplus.tenancy.context import NO_TENANT, SIGN_IN, set_request_context, switch_request_to_user
from polyplus.tenancy.hosts import may_use_host
from polyplus.tenancy.lockout import account_locked, record_failed_sign_in
from polyplus.tenancy.models import (
    ApiToken,
    Certification,
    Customer,
    Partner,
    PartnerBrand,
    Role,
    Site,
    User,
)

# Free text longer than this is a mistake or an attack, never an address or a name.
LONG_TEXT = 2000

# ---- serializers --------------------------------------------------------------------------


class BrandSerializer(serializers.ModelSerializer):
    host = serializers.SerializerMethodField()
    logo = serializers.SerializerMethodField(
        help_text="Where the portal serves the logo to those who may see the partner; null without one.")

    class Meta:
        model = PartnerBrand
        fields = ["display_name", "logo", "primary_color", "accent_color", "support_email",
                  "support_phone", "default_language", "host"]

    def get_host(self, brand) -> str | None:
        domains = list(brand.partner.domains.all())
        return domains[0].host if domains else None

    def get_logo(self, brand) -> str | None:
        """The portal's own logo address: stored files are private, never a storage URL."""
        if not brand.logo:
            return None
        url = reverse("tenancy:brand_logo", args=[brand.partner_id])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PartnerSerializer(serializers.ModelSerializer):
    brand = BrandSerializer(read_only=True)
    display_name = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)
    primary_color = serializers.CharField(write_only=True, required=False, max_length=7)

    class Meta:
        model = Partner
        fields = ["id", "name", "slug", "code", "country", "is_active", "brand", "display_name", "primary_color"]
        extra_kwargs = {
            "name": {"validators": []}, "slug": {"validators": []},
            "code": {"validators": [], "required": False, "allow_blank": True,
                     "help_text": "2 to 8 capital letters or digits, unique across the portal, fixed once set; "
                                  "it starts the partner's case and contract numbers. Made from the slug if omitted."},
        }


class CertificationSerializer(serializers.ModelSerializer):
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = ["id", "category", "certified_on", "expires_on", "is_current"]
        extra_kwargs = {"category": {"validators": []}}

    def get_is_current(self, certification) -> bool:
        return certification.is_current(timezone.localdate())


class CustomerSerializer(serializers.ModelSerializer):
    partner = IdRelatedField(queryset=Partner.objects.none(), required=False)
    csm = serializers.SerializerMethodField(
        help_text="The assigned Customer Success Manager's name, where the caller may see Poly staff."
    )

    class Meta:
        model = Customer
        fields = ["id", "partner", "name", "master_account_id", "csm", "created_at"]
        read_only_fields = ["created_at"]
        # The service normalises (upper-cases) and validates the Master Account ID, so the
        # page and the API accept and refuse the same input.
        extra_kwargs = {"master_account_id": {"required": False, "validators": []}}
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and request.user.is_authenticated:
            fields["partner"].queryset = selectors.partners_visible_to(request.user)
        return fields

    def get_csm(self, customer) -> str | None:
        assignment = getattr(customer, "csm_assignment", None)
        # Poly staff rows are not visible in a partner's context (row-level security).
        csm = getattr(assignment, "csm", None) if assignment is not None else None
        return csm.full_name if csm is not None else None


class SiteSerializer(serializers.ModelSerializer):
    customer = IdRelatedField(queryset=Customer.objects.none())
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    # Declared rather than derived from the model: a derived unique check would query only
    # the caller's rows and answer differently for a Site ID taken by another partner.
    site_id = serializers.CharField(max_length=40)
    address = serializers.CharField(max_length=LONG_TEXT)
    # Lengths generous enough that the service's clearer messages explain a wrong code.
    country = serializers.CharField(max_length=64)
    subdivision = serializers.CharField(max_length=64, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64)

    class Meta:
        model = Site
        fields = ["site_id", "customer", "partner", "name", "address", "country", "subdivision", "timezone"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and request.user.is_authenticated:
            fields["customer"].queryset = selectors.customers_visible_to(request.user)
        return fields


class UserSerializer(serializers.ModelSerializer):
    partner = IdRelatedField(queryset=Partner.objects.none(), required=False, allow_null=True)
    customer = IdRelatedField(queryset=Customer.objects.none(), required=False, allow_null=True)
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=4096,
                                     style={"input_type": "password"})

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "partner", "customer", "is_active", "password",
                  "date_joined"]
        read_only_fields = ["date_joined"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and request.user.is_authenticated:
            fields["partner"].queryset = selectors.partners_visible_to(request.user)
            fields["customer"].queryset = selectors.customers_visible_to(request.user)
        return fields


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(required=False, default="API", max_length=100)


class TokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key; shown once, only its hash is kept.")
    id = serializers.IntegerField()
    name = serializers.CharField()


# ---- views --------------------------------------------------------------------------------


class PartnerViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Certified partners. Poly admins write; a partner's users see their own partner only."""

    queryset = Partner.objects.none()
    serializer_class = PartnerSerializer
    permission_classes = [ReadOrPolyAdminWrites]
    filterset_fields = ["is_active"]
    search_fields = ["name", "slug", "code"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.partners_visible_to(self.request.user).prefetch_related("domains")

    def get_object(self):
        return self.checked(selectors.partner_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.partner_create(
            by=self.request.user, name=data["name"], slug=data["slug"], code=data.get("code", ""),
            country=data.get("country", ""),
            display_name=data.get("display_name", ""), primary_color=data.get("primary_color", "#0b3d91"),
        )

    def perform_update(self, serializer):
        partner, data, actor = serializer.instance, serializer.validated_data, self.request.user
        services.partner_update(by=actor, partner=partner, name=data.get("name", partner.name),
                                slug=data.get("slug", partner.slug), code=data.get("code"), country=data.get("country"),
                                is_active=data.get("is_active", partner.is_active))
        if "display_name" in data or "primary_color" in data:
            brand = getattr(partner, "brand", None)
            services.partner_brand_update(
                by=actor, partner=partner,
                display_name=data.get("display_name") or (brand.display_name if brand else partner.name),
                primary_color=data.get("primary_color", brand.primary_color if brand else "#0b3d91"),
                accent_color=brand.accent_color if brand else "#f28c28",
                support_email=brand.support_email if brand else "",
                support_phone=brand.support_phone if brand else "",
            )
            partner.refresh_from_db()

    @extend_schema(methods=["GET"], responses=CertificationSerializer(many=True))
    @extend_schema(methods=["POST"], request=CertificationSerializer,
                   responses={201: CertificationSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=CertificationSerializer,
            filter_backends=[], pagination_class=None)
    def certifications(self, request, pk=None):
        """The partner's service certifications per category (one each); Poly admins add or renew them."""
        partner = self.get_object()
        if request.method == "POST":
            serializer = CertificationSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            certification = services.certification_set(by=request.user, partner=partner,
                                                       **serializer.validated_data)
            return Response(CertificationSerializer(certification).data, status=status.HTTP_201_CREATED)
        certifications = selectors.certifications_visible_to(request.user).filter(partner=partner)
        return Response(CertificationSerializer(certifications, many=True).data)


class CustomerFilter(ScopedChoicesFilterSet):
    class Meta:
        model = Customer
        fields = ["partner", "master_account_id"]


class CustomerViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """End customers; partner admins manage their own partner's."""

    queryset = Customer.objects.none()
    serializer_class = CustomerSerializer
    permission_classes = [ReadOrPartnerAdminWrites]
    filterset_class = CustomerFilter
    search_fields = ["name", "master_account_id"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return selectors.customers_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.customer_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def perform_create(self, serializer):
        data, user = serializer.validated_data, self.request.user
        partner = data.get("partner") or user.partner
        if partner is None:
            raise serializers.ValidationError({"partner": ["Choose the partner the customer belongs to."]})
        serializer.instance = services.customer_create(by=user, partner=partner, name=data["name"],
                                                       master_account_id=data.get("master_account_id", ""))

    def perform_update(self, serializer):
        customer, data = serializer.instance, serializer.validated_data
        if "partner" in data and data["partner"] != customer.partner:
            raise serializers.ValidationError({"partner": ["A customer cannot move to another partner."]})
        services.customer_update(by=self.request.user, customer=customer, name=data.get("name", customer.name),
                                 master_account_id=data.get("master_account_id", customer.master_account_id))


class SiteFilter(ScopedChoicesFilterSet):
    country = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Site
        fields = ["customer", "country"]


class SiteViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Customer sites, looked up by Site ID."""

    queryset = Site.objects.none()
    serializer_class = SiteSerializer
    permission_classes = [ReadOrPartnerAdminWrites]
    lookup_field = "site_id"
    lookup_value_regex = "[^/]+"
    filterset_class = SiteFilter
    search_fields = ["site_id", "name", "customer__name"]
    ordering_fields = ["site_id", "name"]

    def get_queryset(self):
        return selectors.sites_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.site_get_for_user(user=self.request.user, site_id=self.kwargs["site_id"]))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.site_create(
            by=self.request.user, customer=data["customer"], site_id=data["site_id"], name=data["name"],
            address=data["address"], country=data["country"], subdivision=data.get("subdivision", ""),
            timezone_name=data["timezone"],
        )

    def perform_update(self, serializer):
        site, data = serializer.instance, serializer.validated_data
        if "customer" in data and data["customer"] != site.customer:
            raise serializers.ValidationError({"customer": ["A site cannot move to another customer."]})
        services.site_update(
            by=self.request.user, site=site, site_id=data.get("site_id", site.site_id),
            name=data.get("name", site.name), address=data.get("address", site.address),
            country=data.get("country", site.country), subdivision=data.get("subdivision", site.subdivision),
            timezone_name=data.get("timezone", site.timezone),
        )


class UserFilter(ScopedChoicesFilterSet):
    class Meta:
        model = User
        fields = ["partner", "role", "is_active", "customer"]


class UserViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """People and their roles. Partner admins manage their partner's users; Poly admins everyone."""

    queryset = User.objects.none()
    serializer_class = UserSerializer
    permission_classes = [ReadOrPartnerAdminWrites]
    filterset_class = UserFilter
    search_fields = ["email", "full_name"]
    ordering_fields = ["email", "full_name", "date_joined"]

    def get_queryset(self):
        return selectors.users_visible_to(self.request.user)

    def get_object(self):
        return self.checked(selectors.user_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    def perform_create(self, serializer):
        data, actor = serializer.validated_data, self.request.user
        partner = data.get("partner", None)
        if partner is None and actor.is_partner_admin:
            partner = actor.partner
        serializer.instance = services.user_create(
            by=actor, email=data["email"], full_name=data.get("full_name", ""), role=data["role"],
            partner=partner, customer=data.get("customer"), password=data.get("password") or None,
            invite_from=self.request.build_absolute_uri("/"),
        )

    def perform_update(self, serializer):
        user, data = serializer.instance, serializer.validated_data
        if "email" in data and data["email"].lower() != user.email:
            raise serializers.ValidationError({"email": ["The email address cannot be changed here."]})
        if "partner" in data and data["partner"] != user.partner:
            raise serializers.ValidationError({"partner": ["A user cannot move to another partner."]})
        if data.get("password"):
            raise serializers.ValidationError({"password": ["A password is set by its owner, not changed here."]})
        role = data.get("role", user.role)
        # Only a customer viewer is tied to a customer: a new role drops it unless one is given.
        customer = data.get("customer", user.customer if role == Role.CUSTOMER_VIEWER else None)
        services.user_update(
            by=self.request.user, user=user, full_name=data.get("full_name", user.full_name),
            role=role, is_active=data.get("is_active", user.is_active), customer=customer,
        )


class ApiTokenViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """The caller's own API tokens (never the keys); revoke one with POST .../{id}/revoke/."""

    queryset = ApiToken.objects.none()
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        return selectors.api_tokens_of(self.request.user)

    def get_object(self):
        return self.checked(selectors.api_token_get_for_user(user=self.request.user, pk=self.kwargs["pk"]))

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke one of your tokens: it stops working at once. Revoking twice is harmless."""
        token = self.get_object()
        return Response(ApiTokenSerializer(services.api_token_revoke(by=request.user, token=token)).data)


class ObtainTokenView(TenantApiViewMixin, APIView):
    """Exchange an email and password for a personal API token (shown once).

    Throttled per address, and refused while the account is locked after too many failed
    attempts here, on the sign-in form or at the two-factor step (polyplus.tenancy.lockout).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenCreatedSerializer,
                   400: OpenApiResponse(FieldErrorsSerializer,
                                        description="Invalid input, or wrong email or password "
                                                    "(`code`: `invalid_credentials`), or a person of "
                                                    "another partner on a partner's own host "
                                                    "(`code`: `wrong_portal`)."),
                   403: OpenApiResponse(ErrorSerializer, description="Poly staff create tokens in the portal."),
                   429: OpenApiResponse(ErrorSerializer,
                                        description="Too many attempts from this address (`code`: `throttled`) "
                                                    "or for this account (`code`: `account_locked`); "
                                                    "try again later.")},
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        email = data["email"].lower()
        if account_locked(email):
            return Response({"detail": "Too many failed sign-ins for this account; try again later.",
                             "code": "account_locked"}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        set_request_context(request, SIGN_IN)
        user = authenticate(request._request, email=email, password=data["password"])
        if user is None or not user.is_active:
            set_request_context(request, NO_TENANT)
            record_failed_sign_in(email)
            return Response({"detail": "Wrong email or password.", "code": "invalid_credentials"},
                            status=status.HTTP_400_BAD_REQUEST)
        if not may_use_host(user, request):
            set_request_context(request, NO_TENANT)
            return Response({"detail": "This address is another partner's portal: ask for a token at your own.",
                             "code": "wrong_portal"}, status=status.HTTP_400_BAD_REQUEST)
        switch_request_to_user(request, user)
        if user.is_poly_staff and settings.POLYPLUS_REQUIRE_STAFF_MFA:
            raise PermissionDenied("Poly staff create tokens in the portal, after two-factor sign-in.")
        token, key = services.api_token_create(user=user, name=data["name"])
        return Response({"token": key, "id": token.pk, "name": token.name}, status=status.HTTP_201_CREATED)


class RevokeCurrentTokenView(TenantApiViewMixin, APIView):
    """Revoke the token this request is authenticated with."""

    authentication_classes = [TenantTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.api_token_revoke(by=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("partners", PartnerViewSet, basename="partner")
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("sites", SiteViewSet, basename="site")
    router.register("users", UserViewSet, basename="user")
    router.register("tokens", ApiTokenViewSet, basename="token")


urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token-obtain"),
    path("auth/token/revoke/", RevokeCurrentTokenView.as_view(), name="api-token-revoke"),
]
