"""Read-only links to a customer's status page that a partner admin shares, and every use of them."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from polyplus.tenancy.audit import audited
from polyplus.tenancy.dates import validate_portal_date
from polyplus.tenancy.models import Customer, Partner, User


@audited(exclude=["key_hash"])
class StatusShareLink(models.Model):
    """A link that shows one customer's status page, read-only, to whoever holds it, until it
    expires (the end of `expires_on`) or is revoked. Only a hash of its key is kept."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="status_share_links")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_on = models.DateField(validators=[validate_portal_date])
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Opened by someone not signed in: found by its key's hash before any partner is known.
    rls_sign_in_visible = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "customer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… · {self.customer}"

    def is_usable(self, today: datetime.date) -> bool:
        return self.revoked_at is None and today <= self.expires_on


class StatusShareLinkUse(models.Model):
    """One opening of a share link: when, and from which address."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(StatusShareLink, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["link", "at"])]

    def __str__(self) -> str:
        return f"{self.link} · {self.at:%Y-%m-%d %H:%M}"
