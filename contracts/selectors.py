"""Every read of the catalogue and contracts, scoped to the reader."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from contracts.models import Contract, ContractLine, CustomQuote, Product, QuoteStatus
from polyplus.tenancy.models import User
from polyplus.tenancy.scoping import scope_by_customer


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def products_visible_to(user: User) -> QuerySet[Product]:
    """Poly's catalogue is the same for everyone signed in."""
    return Product.objects.all() if user.is_authenticated else Product.objects.none()


def product_get_for_user(*, user: User, sku: str) -> Product:
    return _get_or_404(products_visible_to(user), sku=str(sku).upper())


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    contracts = Contract.objects.select_related("customer", "partner", "renewal_of").prefetch_related(
        Prefetch("lines", queryset=ContractLine.objects.order_by("category"))
    )
    return scope_by_customer(contracts, user)


def status_reason_for(user: User, contract: Contract) -> str:
    """Why the contract is in its state (a cancellation's reason, say): the partner's and Poly's
    business, never shown to a customer viewer."""
    return "" if user.is_customer_viewer else contract.status_reason


def contract_get_for_user(*, user: User, pk) -> Contract:
    return _get_or_404(contracts_visible_to(user), pk=pk)


def custom_quotes_visible_to(user: User) -> QuerySet[CustomQuote]:
    quotes = CustomQuote.objects.select_related("contract__customer", "partner", "decided_by").prefetch_related(
        "products"
    )
    return scope_by_customer(quotes, user, customer_path="contract__customer")


def custom_quote_get_for_user(*, user: User, pk) -> CustomQuote:
    return _get_or_404(custom_quotes_visible_to(user), pk=pk)


def custom_quotes_awaiting_decision(user: User) -> QuerySet[CustomQuote]:
    return custom_quotes_visible_to(user).filter(status=QuoteStatus.REQUESTED)
