"""Writes of the portal: status page share links."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from polyplus.portal.models import StatusShareLink, StatusShareLinkUse
from polyplus.tenancy.models import Customer, User
from polyplus.tenancy.services import require_partner_admin_of

SHARE_LINK_LONGEST_DAYS = 366


def share_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def share_link_create(*, by: User, customer: Customer, expires_on: datetime.date) -> tuple[StatusShareLink, str]:
    """A read-only link to `customer`'s status page, usable up to and including `expires_on`.
    The partner's admin (or a Poly admin) makes it; the key is returned once and never stored."""
    require_partner_admin_of(by, customer.partner)
    today = timezone.localdate()
    if not isinstance(expires_on, datetime.date) or expires_on < today:
        raise ValidationError({"expires_on": ["Choose today or a later day."]})
    if expires_on > today + datetime.timedelta(days=SHARE_LINK_LONGEST_DAYS):
        raise ValidationError({"expires_on": ["A link can last a year at most: choose an earlier day."]})
    key = secrets.token_urlsafe(24)
    link = StatusShareLink.objects.create(partner_id=customer.partner_id, customer=customer, prefix=key[:8],
                                          key_hash=share_key_hash(key), expires_on=expires_on, created_by=by)
    return link, key


@transaction.atomic
def share_link_revoke(*, by: User, link: StatusShareLink) -> StatusShareLink:
    """From now on the link shows nothing. Revoking twice changes nothing."""
    if not (by.is_poly_admin or (by.is_partner_admin and by.partner_id == link.partner_id)):
        raise PermissionDenied("Only the partner's admin or a Poly admin may do this.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def share_link_record_use(*, link: StatusShareLink, address: str | None, user_agent: str) -> StatusShareLinkUse:
    """Every opening of a usable link is recorded (run in the link's partner's context)."""
    return StatusShareLinkUse.objects.create(partner_id=link.partner_id, link=link, address=address or None,
                                             user_agent=user_agent[:300])
