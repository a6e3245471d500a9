"""Every read of cases, scoped to the reader; internal notes only ever reach Poly staff."""

from __future__ import annotations

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from polyplus.tenancy.models import User
from polyplus.tenancy.scoping import get_or_404, scope_by_customer
from tickets.models import (
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseComment,
    CaseEscalation,
    CaseFollower,
    EscalationLevel,
    OnsiteDispatch,
)


def cases_visible_to(user: User) -> QuerySet[Case]:
    cases = Case.objects.select_related("site", "customer", "partner", "product", "contract", "device", "owner",
                                        "partner_owner")
    return scope_by_customer(cases, user)


def case_get_for_user(*, user: User, pk) -> Case:
    return get_or_404(cases_visible_to(user), pk=pk)


def breached_condition(now) -> Q:
    """Case.breached() as a filter: a target missed (answered or resolved late), or overdue and running."""
    running = Q(paused_since__isnull=True, status__in=OPEN_STATUSES)
    first_response = (Q(first_response_at__isnull=False, first_response_at__gt=F("first_response_due"))
                      | Q(running, first_response_at__isnull=True, first_response_due__lt=now))
    resolution = (Q(resolved_at__isnull=False, resolved_at__gt=F("resolution_due"))
                  | Q(running, resolved_at__isnull=True, resolution_due__lt=now))
    return first_response | resolution


QUEUE_VIEWS = {"all": "All", "mine": "Mine", "unassigned": "Unassigned", "escalations": "My escalations"}


def _my_escalations(user: User) -> Q:
    """Escalated cases the person owns or follows (an escalation manager's, or a former owner's)."""
    followed = CaseFollower.objects.filter(case=OuterRef("pk"), user=user)
    return Q(escalation_level__gt=EscalationLevel.TIER_1) & (Q(owner=user) | Q(Exists(followed)))


def queue_view_condition(user: User, view: str) -> Q:
    if view == "mine":
        return Q(owner=user)
    if view == "unassigned":
        return Q(owner__isnull=True)
    if view == "escalations":
        return _my_escalations(user)
    return Q()


def queue_counts(user: User) -> dict[str, int]:
    """Open cases in each of the person's queue views, in one query."""
    cases = cases_visible_to(user).filter(status__in=OPEN_STATUSES).order_by()
    return cases.aggregate(**{view: Count("pk", filter=queue_view_condition(user, view)) if view != "all"
                              else Count("pk") for view in QUEUE_VIEWS})


def case_queue(user: User, *, partner=None, severity=None, status=None, category=None, breached=None,
               escalation_level=None, search: str = "", view: str = "all", owner: str = "") -> QuerySet[Case]:
    """Cases in SLA order: the next due time first, Enterprise first at equal due, paused and done last.
    `view` narrows to the person's own, the unassigned or their escalations; `owner` to one owner's
    (a user id) or "none"."""
    cases = cases_visible_to(user)
    if view in QUEUE_VIEWS and view != "all":
        cases = cases.filter(queue_view_condition(user, view))
    if owner == "none":
        cases = cases.filter(owner__isnull=True)
    elif owner:
        cases = cases.filter(owner_id=owner)
    if partner:
        cases = cases.filter(partner_id=partner)
    if severity:
        cases = cases.filter(severity=severity)
    if escalation_level:
        cases = cases.filter(escalation_level=escalation_level)
    cases = cases.filter(status=status) if status else cases.filter(status__in=OPEN_STATUSES)
    if category:
        cases = cases.filter(category=category)
    if breached is not None:
        overdue = breached_condition(timezone.now())
        cases = cases.filter(overdue) if breached else cases.exclude(overdue)
    if search.strip():
        text = search.strip()
        cases = cases.filter(Q(number__iexact=text) | Q(site__site_id__iexact=text) | Q(subject__icontains=text))
    return cases.order_by(F("next_due_at").asc(nulls_last=True), "priority", "opened_at", "pk")


def escalated_or_breached_cases(user: User, *, now=None) -> QuerySet[Case]:
    """Open cases above tier 1 or past an SLA target, for the escalation view: the highest level
    first, and within a level the longest escalated (or, never escalated, the longest open) first.
    `escalated_at` is when the case reached its level."""
    now = now or timezone.now()
    cases = cases_visible_to(user).filter(status__in=OPEN_STATUSES).filter(
        Q(escalation_level__gt=EscalationLevel.TIER_1) | breached_condition(now)
    )
    cases = cases.annotate(escalated_at=Max("escalations__at"))
    return cases.order_by("-escalation_level", Coalesce("escalated_at", "opened_at").asc(), "pk")


def comments_visible_to(user: User, case: Case) -> QuerySet[CaseComment]:
    comments = CaseComment.objects.filter(case=case).select_related("author").prefetch_related(
        Prefetch("attachments", queryset=attachments_visible_to(user, case))
    )
    return comments if user.is_poly_staff else comments.filter(internal=False)


def attachments_visible_to(user: User, case: Case) -> QuerySet[CaseAttachment]:
    attachments = CaseAttachment.objects.filter(case=case)
    return attachments if user.is_poly_staff else attachments.filter(internal=False)


def attachment_get_for_user(*, user: User, case: Case, pk) -> CaseAttachment:
    return get_or_404(attachments_visible_to(user, case), pk=pk)


def escalations_of(case: Case) -> QuerySet[CaseEscalation]:
    return CaseEscalation.objects.filter(case=case).select_related("by")


def escalations_visible_to(user: User, case: Case) -> list[CaseEscalation]:
    """A case's escalations as the reader may know them: a customer viewer learns that the case
    went up a level, never why (the reasons are Poly's and the partner's working notes)."""
    escalations = list(escalations_of(case))
    if user.is_customer_viewer:
        for escalation in escalations:
            escalation.reason = ""
    return escalations


def dispatches_of(case: Case) -> QuerySet[OnsiteDispatch]:
    return OnsiteDispatch.objects.filter(case=case)


def person_for_assignment(*, user: User, pk: int) -> User | None:
    """Someone the reader may name as an owner, if the reader can see them at all (the service
    decides whether they fit the side)."""
    if not (user.is_poly_staff or user.is_partner_member):
        return None
    people = User.objects.all() if user.is_poly_staff else User.objects.filter(partner_id=user.partner_id)
    return people.filter(pk=pk).first()


def poly_case_workers() -> QuerySet[User]:
    """Who may own a case for Poly (read in a staff context)."""
    from polyplus.tenancy.models import Role

    return User.objects.filter(is_active=True, role__in=[Role.POLY_SUPPORT, Role.ESCALATION_MANAGER, Role.POLY_ADMIN]
                               ).order_by("full_name", "email")


def partner_engineers(case: Case) -> QuerySet[User]:
    """Who may own a case for its partner."""
    from polyplus.tenancy.models import Role

    return User.objects.filter(is_active=True, partner_id=case.partner_id,
                               role__in=[Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER]).order_by("full_name", "email")


def is_following(user: User, case: Case) -> bool:
    from tickets.models import CaseFollower

    return CaseFollower.objects.filter(case=case, user=user).exists()


def owner_changes_of(case: Case):
    from tickets.models import CaseOwnerChange

    return CaseOwnerChange.objects.filter(case=case).select_related("from_user", "to_user", "by")


def follows_severity_one(user: User) -> bool:
    from tickets.models import SeverityOneFollower

    return SeverityOneFollower.objects.filter(partner_id=user.partner_id, user=user).exists()
