"""The mail outbox: every product mail is a row first, sent once by a worker after commit."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from polyplus.tenancy.models import Partner


class OutboundMail(models.Model):
    """One message to one address. `key` names the (event, recipient) it is for, so the same
    event never mails the same person twice. A mail of a partner's business carries the
    partner (row-level security); one without a partner is seen by Poly staff only."""

    key = models.CharField(max_length=200, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True,
                                   help_text="[filename, storage name, content type] of stored files.")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The sweeper reads the unsent mails only.
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbound_mail_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
