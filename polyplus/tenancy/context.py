"""The tenant context: transaction-local PostgreSQL settings that row-level security reads.

`app.current_partner`  the partner whose rows are visible ('' for none)
`app.identity_lookup`  'on' while sign-in looks up a user or token before a tenant is known
`app.current_user`     the signed-in person, who may always see their own identity row
role                   the staff role while Poly staff work across partners (explicit and
                       audited), else the app role the portal connected as (rls.py)

All of it is written by one statement, and reverts when the transaction (or the savepoint
of a failed block) ends. Nothing set means nothing visible: a query that forgets its
context finds no tenant rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger("polyplus.tenancy")


@dataclass(frozen=True)
class TenantContext:
    partner_id: int | None = None
    staff: bool = False
    identity_lookup: bool = False
    user_id: int | None = None


NO_TENANT = TenantContext()
SIGN_IN = TenantContext(identity_lookup=True)


def _as_setting(value) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    return str(value)


def read_context() -> TenantContext:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('app.current_partner', true), current_user = %s,"
            " current_setting('app.identity_lookup', true), current_setting('app.current_user', true)",
            [settings.DATABASE_STAFF_ROLE],
        )
        partner, staff, lookup, user = cursor.fetchone()
    return TenantContext(
        partner_id=int(partner) if partner else None,
        staff=staff,
        identity_lookup=lookup == "on",
        user_id=int(user) if user else None,
    )


def write_context(ctx: TenantContext) -> None:
    """Set the context for the rest of the current transaction, in one statement."""
    if not connection.in_atomic_block:
        raise RuntimeError("A tenant context needs a transaction: wrap the work in transaction.atomic().")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('role', %s, true), set_config('app.current_partner', %s, true),"
            " set_config('app.identity_lookup', %s, true), set_config('app.current_user', %s, true)",
            [settings.DATABASE_STAFF_ROLE if ctx.staff else "none", _as_setting(ctx.partner_id),
             _as_setting(ctx.identity_lookup), _as_setting(ctx.user_id)],
        )


def _transaction_ends_with_block() -> bool:
    """Whether an atomic block opened now is the whole transaction (its settings end with it)."""
    return not connection.in_atomic_block and connection.get_autocommit()


@contextmanager
def tenant_context(ctx: TenantContext) -> Iterator[TenantContext]:
    """Run a block under `ctx` inside a transaction, restoring the previous context after.

    When the block fails (an exception, or a rollback it asked for), its savepoint is rolled
    back, and PostgreSQL undoes the settings with it: nothing is written then, because a
    query in a failed transaction would hide the block's own error. When the block is the
    whole transaction (a request, a task), the settings end with it: nothing to restore.
    """
    outermost = _transaction_ends_with_block()
    with transaction.atomic():
        previous = None if outermost else read_context()
        write_context(ctx)
        yield ctx
        if previous is not None and not connection.needs_rollback:
            write_context(previous)


def context_for_user(user) -> TenantContext:
    """The context a signed-in person works in; anonymous visitors may only sign in."""
    if user is None or not user.is_authenticated:
        return SIGN_IN
    if user.is_poly_staff:
        return TenantContext(staff=True, user_id=user.pk)
    return TenantContext(partner_id=user.partner_id, user_id=user.pk)


def audit_metadata_for_user(user, **extra) -> dict:
    if user is None or not user.is_authenticated:
        return {"user": None, **extra}
    return {
        "user": user.pk,
        "user_email": user.email,
        "partner_id": user.partner_id,
        "staff_context": user.is_poly_staff,
        **extra,
    }


@contextmanager
def staff_context(*, reason: str, actor=None) -> Iterator[None]:
    """Work across partners as Poly. Explicit: the reason and actor go into every audit event."""
    logger.info("staff context entered: %s (actor=%s)", reason, getattr(actor, "email", None))
    metadata = audit_metadata_for_user(actor, staff_context=True, reason=reason)
    with tenant_context(TenantContext(staff=True, user_id=getattr(actor, "pk", None))), pghistory.context(**metadata):
        yield


@contextmanager
def partner_context(*, partner_id: int, reason: str) -> Iterator[None]:
    """Work inside one partner only (background jobs, commands)."""
    with tenant_context(TenantContext(partner_id=partner_id)), pghistory.context(partner_id=partner_id, reason=reason):
        yield


def log_staff_access(user, **where) -> None:
    """Poly staff see every partner: each request they make is named in the log (writes are
    also in the audit trail, with the staff context on every event)."""
    if user is not None and user.is_authenticated and user.is_poly_staff:
        logger.info("staff context: %s %s", user.email, " ".join(f"{key}={value}" for key, value in where.items()))


@contextmanager
def user_context(user, **audit) -> Iterator[None]:
    """Work as a signed-in person: their partner, or Poly's audited staff context."""
    log_staff_access(user, **audit)
    with tenant_context(context_for_user(user)), pghistory.context(**audit_metadata_for_user(user, **audit)):
        yield


@contextmanager
def request_context(request) -> Iterator[None]:
    """One request in one transaction: sign-in lookup for the session's user (and the brand of
    the partner host it came in on), then that person's context. Two statements when the
    request is the whole transaction and comes in on the portal's own host."""
    from polyplus.tenancy.hosts import resolve_request_host

    with tenant_context(SIGN_IN):
        user = request.user
        user.is_authenticated  # noqa: B018 - loads the session's user now, under SIGN_IN
        resolve_request_host(request)
        audit = {"url": request.path, "method": request.method}
        log_staff_access(user, **audit)
        _remember(request, SIGN_IN)  # just written by tenant_context
        with pghistory.context(**audit_metadata_for_user(user, **audit)):
            set_request_context(request, context_for_user(user))
            yield


def _remember(request, ctx: TenantContext) -> None:
    request._tenant_context = (ctx, len(connection.savepoint_ids))


def context_in_force(request) -> TenantContext | None:
    """The context this request last wrote, if it surely still holds: written at the present
    savepoint depth (a savepoint rolled back, or a nested context that ended, since then may
    have changed it; then None, and the next switch writes it anew)."""
    request = getattr(request, "_request", request)  # DRF's request wraps Django's
    ctx, depth = getattr(request, "_tenant_context", (None, None))
    return ctx if depth == len(connection.savepoint_ids) else None


def set_request_context(request, ctx: TenantContext) -> None:
    """Inside request_context, work under `ctx` for the rest of the request: written only when
    it changes, and remembered on the request, so the context in force is never read back."""
    if context_in_force(request) != ctx:
        write_context(ctx)
        _remember(getattr(request, "_request", request), ctx)


def switch_request_to_user(request, user) -> None:
    """Inside request_context, work as `user` (the session's, one just signed in, or an API
    token's owner). Anonymous visitors stay in the sign-in lookup, where a token is looked up next."""
    set_request_context(request, context_for_user(user))
    pghistory.context(**audit_metadata_for_user(user))
