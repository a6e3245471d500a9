"""The RMA panel on the case page: the case's RMAs (overdue returns flagged) and the request link."""

from django import template
from django.utils import timezone

from rma import selectors
from rma.views import RMA_ACTORS

register = template.Library()


@register.inclusion_tag("rma/_case_rmas.html", takes_context=True)
def case_rmas(context, case):
    user = context["request"].user
    today = timezone.localdate()
    rmas = list(selectors.rma_list(user, case=case.pk))
    for rma in rmas:
        rma.overdue = rma.is_overdue(today)
    may_request = user.role in RMA_ACTORS and (user.is_poly_staff or user.partner_id == case.partner_id) \
        and case.status != "closed"
    return {"rmas": rmas, "case": case, "may_request": may_request, "request": context["request"]}
