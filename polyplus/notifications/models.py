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


class Event(models.Model):
    """Something happened that people may need to hear of, recorded in the transaction that did it.

    A worker fans it out after commit (who is told is worked out there, as Poly, since a partner's
    session cannot see Poly's people); `processed_at` marks it done, and the sweeper re-enqueues
    events left unprocessed. Fan-out is keyed by (event, recipient), so running it twice tells
    nobody twice."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=40)
    case_id = models.BigIntegerField(null=True, blank=True, help_text="The case it is about, when it is about one.")
    actor = models.ForeignKey("tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["created_at"], condition=Q(processed_at__isnull=True),
                                name="notification_event_pending")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Notification(models.Model):
    """One person's entry in the in-portal list (and, by their preference, a mail now or in the digest)."""

    key = models.CharField(max_length=200, unique=True, help_text="(event, recipient): told once.")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    recipient = models.ForeignKey("tenancy.User", on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=40)
    case_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    delivery = models.CharField(max_length=20, default="immediate")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["recipient", "created_at"], condition=Q(delivery="digest", digested_at__isnull=True),
                         name="notification_digest_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind of event; no row means at once."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                help_text="The person's partner (row-level security); empty for Poly staff.")
    user = models.ForeignKey("tenancy.User", on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=20)

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"
