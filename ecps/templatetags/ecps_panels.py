"""The ECPS panel on the case page: the case's escalations to cloud providers (provider, state and
the provider's incident number) and, while the case is open, the way to escalate it."""

from django import template

from ecps.selectors import escalations_visible_to
from ecps.views import ACTORS, STATUS_BADGE

register = template.Library()


@register.inclusion_tag("ecps/_case_escalations.html", takes_context=True)
def case_escalations(context, case, may_act: bool):
    user = context["request"].user
    escalations = list(escalations_visible_to(user).filter(case=case).order_by("-requested_at", "-pk"))
    for escalation in escalations:
        escalation.badge = STATUS_BADGE.get(escalation.status, "")
    return {"escalations": escalations, "case": case, "may_escalate": may_act and case.is_open and user.role in ACTORS}
