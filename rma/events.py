"""The one hook every RMA state change (and the return-sent mark) calls.

Mail for RMA events belongs to the notifications outbox; this is where it plugs in, so
the services stay free of mail. Called inside the service's transaction: anything it
queues is written with the change or not at all.
"""

from __future__ import annotations

import logging

from rma.models import Rma, RmaStep

logger = logging.getLogger("polyplus.rma")


def rma_event_recorded(*, rma: Rma, event: RmaStep) -> None:
    """An RMA moved (or was marked as sent back). Nothing is mailed yet: a hook for notifications."""
    logger.info("rma %s: %s (%s → %s)", rma.number, event.kind, event.from_status, event.to_status)
