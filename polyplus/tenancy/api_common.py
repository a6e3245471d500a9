"""What every API view shares: the tenant context, pagination, errors and role checks."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.http import Http404
from django_filters import rest_framework as filters
from django_filters.fields import ModelChoiceField
from rest_framework import exceptions, pagination, parsers, permissions, serializers
from rest_framework.schemas.inspectors import DefaultSchema, ViewInspector
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from polyplus.tenancy.context import NO_TENANT, set_request_context, switch_request_to_user
from polyplus.tenancy.lockout import client_ip
from polyplus.tenancy.text import first_unstorable
from polyplus.tenancy.web import ID_PATTERN


class Pagination(pagination.PageNumberPagination):
    """`page` counts from 1 (`last` is the last page); anything else is a 400, a page past the
    last one a 404. `page_size` is at most 200; a size that is not a positive number is ignored."""

    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "No such page: there are fewer pages than that."

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param) or "1"
        if number in self.last_page_strings:
            return paginator.num_pages
        if not ID_PATTERN.fullmatch(number) or int(number) < 1:
            raise exceptions.ValidationError({self.page_query_param: ["A page is a whole number from 1."]})
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


class ClientAddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting per client address as the sign-in form does (client_ip)."""

    def get_ident(self, request):
        return client_ip(request)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a document nested deeper than Python can follow is a parse error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from None


# ---- errors ---------------------------------------------------------------------------------

def _detail(message, code: str) -> dict:
    return {"detail": str(message), "code": str(code or "error")}


def _from_django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        errors = exc.message_dict
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(errors)
    codes = {error.code for error in exc.error_list if error.code}
    return exceptions.ValidationError(
        _detail(" ".join(exc.messages), codes.pop() if len(codes) == 1 else "invalid")
    )


def exception_handler(exc, context):
    """Service errors become the API's error shapes (API.md): 400 by field, 401, 403, 404.

    Any error answer also rolls back what the request wrote so far: the request runs in one
    transaction (TenancyMiddleware), and a refused request must leave nothing behind.
    """
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if connection.in_atomic_block:
        transaction.set_rollback(True)
    data = response.data
    if isinstance(data, list):  # e.g. a bare ValidationError(["message"]) from a library filter
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes[0] if isinstance(codes, list) and codes and isinstance(codes[0], str) else "invalid"
        response.data = _detail(" ".join(str(item) for item in data), code)
    elif isinstance(data, dict) and set(data) <= {"detail", "code"} and "detail" in data:
        detail = data["detail"]
        code = data.get("code") or getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = _detail(detail, code)
    return response


class ErrorSerializer(serializers.Serializer):
    """The shape of every error that is not about particular fields."""

    detail = serializers.CharField()
    code = serializers.CharField()


# ---- ids ---------------------------------------------------------------------------------------
# Python's int() reads digits of every script ("１" is 1); an id in a request is ASCII digits only,
# and anything else answers exactly as an id that does not exist.

class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by its id: ASCII digits (or a JSON number) only."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isdecimal() and not ID_PATTERN.fullmatch(data):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class VisibleChoiceField(ModelChoiceField):
    """A filter's id: one answer for a missing id, one the caller may not see, and one that is
    not ASCII digits."""

    def to_python(self, value):
        if value not in self.empty_values and not ID_PATTERN.fullmatch(str(value)):
            raise DjangoValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ScopedChoicesFilterSet(filters.FilterSet):
    """Filters by an object's id offer only what the caller may see: an id outside that answers
    400 "No such customer." exactly like an id that does not exist (row-level security alone
    would let a customer viewer tell another customer of its partner from a missing one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from polyplus.tenancy import selectors

        visible = {"customer": selectors.customers_visible_to, "partner": selectors.partners_visible_to,
                   "user": selectors.users_visible_to}
        user = getattr(self.request, "user", None)
        for filter_ in self.filters.values():
            if not isinstance(filter_, filters.ModelChoiceFilter):
                continue
            filter_.field_class = VisibleChoiceField
            if filter_.queryset is None or callable(filter_.queryset):
                continue
            model = filter_.queryset.model
            filter_.extra["error_messages"] = {"invalid_choice": f"No such {model._meta.verbose_name}."}
            selector = visible.get(model._meta.model_name)
            if selector is not None and user is not None and user.is_authenticated:
                filter_.queryset = selector(user)


class FieldErrorsSerializer(serializers.Serializer):
    """A 400 about fields: each invalid field with its messages (or `detail` and `code`)."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


@cache
def tenancy_auto_schema_class():
    """drf-spectacular's AutoSchema, documenting the error answers every endpoint can give.

    Built on first use: drf-spectacular imports DRF's generic views, which import this
    module (the pagination setting), so it cannot be imported at the top.
    """
    from drf_spectacular.openapi import AutoSchema
    from drf_spectacular.utils import OpenApiResponse

    class TenancyAutoSchema(AutoSchema):
        def _get_response_bodies(self, direction="response"):
            responses = super()._get_response_bodies(direction)
            detail_route = "{" in self.path
            errors = {}
            if not any(permission is permissions.AllowAny for permission in self.view.permission_classes):
                errors["401"] = OpenApiResponse(ErrorSerializer, description="No or invalid credentials.")
            if self.method != "GET" or not detail_route:
                errors["400"] = OpenApiResponse(FieldErrorsSerializer, description="Invalid input; nothing written.")
            if self.method != "GET":
                errors["403"] = OpenApiResponse(ErrorSerializer, description="Your role may not do this.")
            if self.method in ("POST", "PUT", "PATCH"):
                errors["415"] = OpenApiResponse(
                    ErrorSerializer, description="A body whose Content-Type is missing or not one listed here."
                )
            if detail_route:
                errors["404"] = OpenApiResponse(ErrorSerializer, description="No such object visible to you.")
            elif self.method == "GET" and self._is_list_view() and self._get_paginator() is not None:
                errors["404"] = OpenApiResponse(ErrorSerializer, description="A page past the last one.")
            for status_code, response in errors.items():
                responses.setdefault(
                    status_code, self._get_response_for_code(response, status_code, direction=direction)
                )
            return responses

    return TenancyAutoSchema


class TenancySchema(DefaultSchema):
    """A view's `schema`, as DRF's DefaultSchema but with the TenancyAutoSchema."""

    def __get__(self, instance, owner):
        result = ViewInspector.__get__(self, instance, owner)
        if not isinstance(result, TenancySchema):
            return result
        inspector = tenancy_auto_schema_class()()
        inspector.view = instance
        return inspector


# ---- the tenant context of an API request ---------------------------------------------------

class TenantApiViewMixin:
    """Every API view: the context follows whoever DRF authenticated, whatever the means.

    TenancyMiddleware set the context for the session's user and token authentication
    switches to the token's owner; this also covers any other authenticator (and test
    clients' forced authentication). Anonymous callers see no tenant rows at all.
    Object lookups in `get_object` go through a selector (404 for foreign and missing
    alike) and then the object permission (403 for a role that may not act).
    """

    schema = TenancySchema()
    parser_classes = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
    lookup_value_regex = "[0-9]{1,18}"  # ASCII: "１" is no id (Django's \d matches it)
    checks_role_per_object = True

    def perform_authentication(self, request):
        user = request.user
        if user is not None and user.is_authenticated:
            switch_request_to_user(request, user)
        else:
            set_request_context(request, NO_TENANT)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Text PostgreSQL cannot store (text.py) is refused here, naming the field, for every
        # view and field alike: in the address, the query string and the body.
        if first_unstorable([str(value) for value in kwargs.values()]):
            raise exceptions.NotFound()
        for data in (request.query_params, request.data):
            found = first_unstorable(data)
            if found:
                field, message = found
                raise exceptions.ValidationError({field: [message]})

    def checked(self, obj):
        """`obj` (already found by a selector) once the caller's role may act on it.

        Every `get_object` of a view with this mixin must return through here.
        """
        self.check_object_permissions(self.request, obj)
        return obj


# ---- who may act ----------------------------------------------------------------------------

class IsPolyAdmin(permissions.BasePermission):
    message = "Only a Poly admin may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_poly_admin)


class IsPartnerAdminOrPolyAdmin(permissions.BasePermission):
    message = "Only a partner admin or a Poly admin may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_poly_admin or user.is_partner_admin))


class ReadOnlyOr(permissions.BasePermission):
    """Reads for anyone signed in (lists are scoped); writes need `write_permission`.

    In a view that checks roles per object (TenantApiViewMixin, whose `get_object` ends in
    `checked()`), a write to one object is judged after the object is found: another
    tenant's object answers 404 exactly like a missing one, and only a visible one can
    answer 403. Other views check the role before any lookup.
    """

    write_permission = IsPolyAdmin

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "detail", False) and getattr(view, "checks_role_per_object", False):
            return True
        return self.write_permission().has_permission(request, view)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return self.write_permission().has_permission(request, view)


class ReadOrPolyAdminWrites(ReadOnlyOr):
    message = IsPolyAdmin.message
    write_permission = IsPolyAdmin


class ReadOrPartnerAdminWrites(ReadOnlyOr):
    message = IsPartnerAdminOrPolyAdmin.message
    write_permission = IsPartnerAdminOrPolyAdmin
