"""What every API view shares: pagination, errors and role checks."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, permissions
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """Service errors become the API's error shapes (API.md): 400 by field, 403, 404."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(response.data["detail"], "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(response.data["detail"]), "code": code}
    return response


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
    """Reads for anyone signed in (lists are scoped); writes need `write_permission`."""

    write_permission = IsPolyAdmin

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return self.write_permission().has_permission(request, view)


class ReadOrPolyAdminWrites(ReadOnlyOr):
    message = IsPolyAdmin.message
    write_permission = IsPolyAdmin


class ReadOrPartnerAdminWrites(ReadOnlyOr):
    message = IsPartnerAdminOrPolyAdmin.message
    write_permission = IsPartnerAdminOrPolyAdmin
