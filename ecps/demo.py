"""ECPS demo data: for a partner's first customer, agreements with three providers, a signed
authorisation for Microsoft Teams, and one escalation in each state. Idempotent: a customer that
already has escalations is left alone. Called once per partner from seed_demo."""

from __future__ import annotations

import datetime
import io

from pypdf import PdfWriter

from ecps import services
from ecps.models import CloudProvider, Escalation
from polyplus.tenancy.models import Customer, Role, User
from tickets import services as tickets_services


def _signed_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Authorisation for Poly to act with the cloud provider"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seed_ecps_demo(*, engineer: User, staff: dict[str, User], customer: Customer, today: datetime.date) -> int:
    """Create the demo escalations for `customer`; returns how many records were made (0 when present).
    `staff` maps roles to seed_demo's Poly people; Poly support works the escalations."""
    support = staff[Role.POLY_SUPPORT]
    if Escalation.objects.filter(customer=customer).exists():
        return 0
    site = customer.sites.order_by("site_id").first()
    if site is None:
        return 0
    teams, zoom, webex = (services.provider_named(name) for name in ("Microsoft Teams", "Zoom", "Webex"))
    made = 0
    for provider, reference in ((teams, "MS-EA-4471"), (zoom, "ZM-ENT-2208"), (webex, "WX-FLEX-9031")):
        services.agreement_record(by=engineer, customer=customer, provider=provider, reference=reference,
                                  valid_until=today + datetime.timedelta(days=300))
        made += 1
    pdf = _signed_pdf()
    # Signed before the whole of last month, whose demo history has a Teams escalation (portal/demo.py).
    services.authorisation_upload(by=engineer, customer=customer, provider=teams, name="teams-authorisation.pdf",
                                  file=io.BytesIO(pdf), size=len(pdf), signed_on=today - datetime.timedelta(days=70),
                                  valid_until=today + datetime.timedelta(days=335))
    made += 1

    def escalation(provider: CloudProvider, subject: str, problem: str, *, by: User = engineer) -> Escalation:
        case = tickets_services.case_open(by=engineer, site=site, category="video", severity=2, subject=subject,
                                          description=problem)
        return services.escalation_request(by=by, case=case, provider=provider, problem=problem)

    opened = escalation(teams, "Teams Rooms drop calls after 60 minutes",
                        "Every Teams meeting on the room system ends after exactly 60 minutes; the call logs show "
                        "a BYE from the Teams service.")
    services.escalation_open_incident(by=support, escalation=opened, provider_incident_number="TM-2026-118244",
                                      note="Opened with Microsoft by phone; the partner asked us to.")
    services.escalation_add_update(by=support, escalation=opened, body="Microsoft reproduced it in their lab.")
    services.escalation_add_update(by=support, escalation=opened, internal=True,
                                   body="Microsoft escalation engineer: contact through the Poly-Microsoft bridge.")
    services.joint_call_request(by=engineer, escalation=opened, note="Mornings, Central European time.")

    resolved = escalation(teams, "Teams calendar does not show on the panel",
                          "The scheduling panel shows no meetings for rooms moved to the new tenant.")
    services.escalation_open_incident(by=engineer, escalation=resolved, provider_incident_number="TM-2026-117730")
    services.escalation_resolve(by=support, escalation=resolved, resolution="Fixed by a tenant policy change.")

    escalation(zoom, "Zoom Rooms sign-in loops", "The Zoom Rooms app returns to the sign-in page every few minutes.")

    escalation(webex, "Webex calls have one-way audio",
               "Outgoing audio is lost on Webex calls from the boardroom; local calls are fine.", by=support)

    referred = escalation(webex, "Webex device shows offline in Control Hub",
                          "Control Hub shows the codec offline although it registers and calls work.")
    services.escalation_refer(by=support, escalation=referred,
                              findings="The device registers and its network path is clean; the status comes from "
                                       "the customer's Control Hub configuration. Please raise it with Webex.")

    cancelled = escalation(webex, "Webex whiteboard freezes", "Whiteboarding freezes after a few minutes.")
    services.escalation_cancel(by=engineer, escalation=cancelled, reason="A local network fault after all.")
    return made + 6
