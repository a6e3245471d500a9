"""The kinds of event people are notified of, and how each person wants to hear of each.

To add a kind (an RMA shipped, an ECPS incident opened, as below): add a member here, then call the
notifying function of the app whose object it is about (for a case: `tickets.notify.notify_case_event`)
with its audience. Preferences, the in-portal list and the digest pick the new kind up by themselves.
"""

from django.db import models


class EventKind(models.TextChoices):
    CASE_REPLY = "case_reply", "A public reply on a case"
    CASE_INTERNAL_NOTE = "case_internal_note", "An internal note on a case (Poly only)"
    CASE_STATUS = "case_status", "A case changes status"
    CASE_INFO_REQUESTED = "case_info_requested", "Information is asked for (the SLA clock pauses)"
    CASE_REOPENED = "case_reopened", "A case is reopened"
    CASE_ESCALATED = "case_escalated", "A case is escalated"
    CASE_SLA_WARNING = "case_sla_warning", "An SLA target is about to be missed"
    CASE_ASSIGNED = "case_assigned", "A case is handed to you"
    RMA_APPROVED = "rma_approved", "Your RMA is approved (ship and delivery days)"
    RMA_REJECTED = "rma_rejected", "Your RMA is rejected (with the reason)"
    RMA_SHIPPED = "rma_shipped", "Your replacement ships (carrier and tracking number)"
    ECPS_NEWS = "ecps_news", "News from Poly or the cloud provider on an ECPS escalation"
    ECPS_REQUEST = "ecps_request", "A partner's ECPS escalation request or update (Poly only)"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "At once"
    DIGEST = "digest", "In a daily digest"
    OFF = "off", "Off"


DEFAULT_DELIVERY = Delivery.IMMEDIATE

# Kinds that only ever reach Poly staff: a partner or customer has no preference to set for them.
POLY_ONLY_KINDS = frozenset({EventKind.CASE_INTERNAL_NOTE, EventKind.ECPS_REQUEST})
