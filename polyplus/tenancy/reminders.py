"""Reminding partners' admins of certifications that expire soon (the daily job's service).

A certification lapsing ends the partner's right to sell in that category (DOMAIN.md), so
each partner's admins hear about it POLYPLUS_CERT_REMINDER_DAYS ahead (default 30).

Each reminder is recorded, then mailed, in one transaction per partner: a failed send
rolls the record back, so the next run sends it (none lost); a committed record is never
sent again, because (certification, expires_on) is unique, and a second run that races
the first waits on that unique key and then skips. Only a crash between the mail server
accepting the message and the COMMIT can repeat a mail, which beats losing one.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from polyplus.tenancy.context import partner_context, staff_context
from polyplus.tenancy.models import Certification, CertificationReminder, Partner, Role, User

logger = logging.getLogger("polyplus.tenancy.reminders")

DEFAULT_REMINDER_DAYS = 30


def reminder_days() -> int:
    return int(getattr(settings, "POLYPLUS_CERT_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def certifications_due_reminder(*, partner_id: int, today: datetime.date) -> list[Certification]:
    """The partner's certifications that expire within the reminder window and have had no reminder."""
    already_reminded = CertificationReminder.objects.filter(
        certification=OuterRef("pk"), expires_on=OuterRef("expires_on")
    )
    return list(
        Certification.objects.filter(
            partner_id=partner_id,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=reminder_days()),
        )
        .exclude(Exists(already_reminded))
        .order_by("expires_on", "category")
    )


def _reminder_message(*, partner: Partner, admin: User, certifications: list[Certification],
                      today: datetime.date) -> EmailMessage:
    if len(certifications) == 1:
        only = certifications[0]
        subject = f"Your Poly {only.get_category_display()} service certification expires on {only.expires_on}"
    else:
        subject = f"{len(certifications)} of your Poly service certifications expire soon"
    lines = [
        f"Hello {admin.full_name or admin.email},",
        "",
        f"These Poly service certifications of {partner.name} expire soon:",
        "",
    ]
    for certification in certifications:
        days_left = (certification.expires_on - today).days
        lines.append(
            f"  - {certification.get_category_display()}: valid up to and including "
            f"{certification.expires_on} ({days_left} day{'s' if days_left != 1 else ''} from today)"
        )
    lines += [
        "",
        "Once a certification lapses you can no longer sell Poly+ or Poly+ Enterprise, renew a",
        "contract or add that category for your customers. Existing customers stay covered.",
        "Please arrange the renewal with your Poly partner manager.",
        "",
        "Poly+ partner portal",
    ]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[admin.email])


@transaction.atomic
def certification_reminders_send(*, partner_id: int, today: datetime.date | None = None) -> list[CertificationReminder]:
    """Mail the partner's admins, one message each, about certifications that expire soon.

    Run inside the partner's context (or the staff context). Returns the reminders recorded
    and sent now; an empty list when nothing is due, or when the partner has no active admin
    to tell (then nothing is recorded, so the reminder goes out once there is one).
    """
    today = today or timezone.localdate()
    partner = Partner.objects.get(pk=partner_id)
    due = certifications_due_reminder(partner_id=partner_id, today=today)
    if not due:
        return []
    admins = list(
        User.objects.filter(partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True).order_by("email")
    )
    if not admins:
        logger.warning("partner %s has certifications expiring but no active admin to remind", partner.slug)
        return []
    recorded: list[CertificationReminder] = []
    for certification in due:
        reminder = CertificationReminder(
            partner_id=partner_id, certification=certification, category=certification.category,
            expires_on=certification.expires_on, recipients="\n".join(admin.email for admin in admins),
        )
        try:
            with transaction.atomic():
                reminder.save()
        except IntegrityError:
            continue  # another run recorded (and sent) this one first
        recorded.append(reminder)
    if recorded:
        messages = [
            _reminder_message(partner=partner, admin=admin, certifications=[r.certification for r in recorded],
                              today=today)
            for admin in admins
        ]
        get_connection().send_messages(messages)
        logger.info("reminded %d admin(s) of %s about %d certification(s)", len(admins), partner.slug, len(recorded))
    return recorded


def certification_reminders_send_all(*, today: datetime.date | None = None) -> int:
    """The daily job: each active partner in its own context and its own transaction.

    Returns how many reminders were sent. A partner whose mail fails raises after the
    partners before it have committed, so a retry sends only what is still missing.
    """
    today = today or timezone.localdate()
    with staff_context(reason="certification reminders: list the partners"):
        partner_ids = list(Partner.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    sent = 0
    for partner_id in partner_ids:
        with partner_context(partner_id=partner_id, reason="certification reminders"):
            sent += len(certification_reminders_send(partner_id=partner_id, today=today))
    return sent
