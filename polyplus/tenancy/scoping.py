"""One rule for who sees which customer's rows, shared by every app's selectors (DOMAIN.md personas).

Poly admins, support engineers and escalation managers see every partner; a CSM sees the
customers assigned to them; partner admins and engineers see their partner's customers;
a customer viewer sees only their own customer.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from polyplus.tenancy.models import Role, User

ALL_PARTNERS_ROLES = frozenset({Role.POLY_ADMIN, Role.POLY_SUPPORT, Role.ESCALATION_MANAGER})


def get_or_404(queryset: QuerySet, **lookup):
    """The one row `lookup` finds in an actor-scoped queryset; foreign and missing alike are 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def scope_by_customer(queryset: QuerySet, user: User, customer_path: str | None = "customer") -> QuerySet:
    """Narrow rows that belong to a customer (through `customer_path`; None for customers
    themselves) to what `user` may see."""
    if not user.is_authenticated:
        return queryset.none()
    if user.role in ALL_PARTNERS_ROLES:
        return queryset
    if user.role == Role.CSM:
        csm_lookup = f"{customer_path}__csm_assignment__csm" if customer_path else "csm_assignment__csm"
        return queryset.filter(**{csm_lookup: user})
    if user.role == Role.CUSTOMER_VIEWER:
        own_customer = f"{customer_path}_id" if customer_path else "pk"
        return queryset.filter(**{own_customer: user.customer_id, "partner_id": user.partner_id})
    if user.role in {Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER}:
        return queryset.filter(partner_id=user.partner_id)
    return queryset.none()
