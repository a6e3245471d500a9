"""Pages for 24/7 service cases: open a case by Site ID, the partner's list, Poly's queue, the
case page with its timeline and actions, attachment downloads, and the SLA targets.

Reads go through tickets/selectors.py, so another partner's case (its attachments and its
actions too) is a 404 exactly like a missing one, and an internal note never reaches a
partner or customer; writes go through tickets/services.py, so the one state machine,
the coverage check and the onsite rules decide, a role that may not act gets a 403, and a
refusal comes back in the service's own words next to its field, with nothing written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from contracts.selectors import products_visible_to
from installbase.coverage import Flag
from polyplus.tenancy.models import Role, User
from polyplus.tenancy.pagination import KeysFirstPaginator
from polyplus.tenancy.selectors import partners_visible_to, sites_search, sites_visible_to
from polyplus.tenancy.views import EVERYONE, paginate, put_errors, roles_required
from tickets import forms, selectors, services
from tickets.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    EscalationLevel,
    SlaTarget,
)

CASE_WORKERS = frozenset(services.POLY_CASE_ROLES)
CASE_ACTORS = CASE_WORKERS | {Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER}
SITE_PICKER_LIMIT = 15

STATUS_BADGE = {
    CaseStatus.NEW: "brand", CaseStatus.IN_PROGRESS: "", CaseStatus.WAITING_ON_PARTNER: "warn",
    CaseStatus.RESOLVED: "ok", CaseStatus.CLOSED: "",
}
SEVERITY_BADGE = {1: "bad", 2: "warn", 3: "", 4: ""}
STATUS_ORDER = list(CaseStatus.values)
BREACHED = {"yes": True, "no": False}


def text_param(value: str | None, limit: int = 200) -> str:
    """What a person typed; PostgreSQL text cannot hold NUL, so it is dropped."""
    return (value or "").replace("\x00", "").strip()[:limit]


def posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def uploads_of(files) -> tuple[services.Upload, ...]:
    return tuple(services.Upload(name=file.name, file=file, size=file.size) for file in files)


def person_label(obj, field: str, viewer: User) -> str:
    """Who did something (`obj.<field>`), as the viewer may know it: partners and customers see
    “Poly support”, never a staff member's name or address. Row-level security hides Poly staff
    from a partner's session, so a set id with no row behind it is Poly staff too."""
    person = getattr(obj, field)
    if person is None:
        return "Automatic" if getattr(obj, f"{field}_id") is None else "Poly support"
    if person.is_poly_staff and not viewer.is_poly_staff:
        return "Poly support"
    return person.full_name or person.email


# ---- SLA clocks as people read them ----------------------------------------------------------

@dataclass(frozen=True)
class Clock:
    due_at: datetime.datetime | None
    due_what: str
    left: str
    overdue: bool
    breached: bool
    paused: bool


def clock_of(case: Case, now: datetime.datetime) -> Clock:
    """The next SLA time, how long is left (or how late it is), breached, paused."""
    paused = case.paused_since is not None and case.is_open
    left = case.time_left(now)
    if case.next_due_at is None:
        due_what = ""
    elif case.first_response_at is None and case.next_due_at == case.first_response_due:
        due_what = "First response"
    else:
        due_what = "Resolution"
    if paused:
        words = "Paused"
    elif left is None:
        words = "—"
    elif left < datetime.timedelta(0):
        words = f"Overdue by {forms.duration_words(left)}"
    else:
        words = forms.duration_words(left)
    return Clock(due_at=case.next_due_at, due_what=due_what, left=words,
                 overdue=left is not None and left < datetime.timedelta(0),
                 breached=case.breached(now), paused=paused)


def case_summary(user: User) -> dict:
    """Open and breached cases the person may see, for a dashboard card: one query."""
    now = timezone.now()
    counts = selectors.cases_visible_to(user).order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        breached=Count("pk", filter=Q(status__in=OPEN_STATUSES) & selectors.breached_condition(now)),
        waiting=Count("pk", filter=Q(status=CaseStatus.WAITING_ON_PARTNER)),
    )
    return {"case_counts": counts, "cases_url": reverse("tickets:case_queue" if user.role in CASE_WORKERS
                                                        else "tickets:case_list")}


# ---- lists -----------------------------------------------------------------------------------

def _mark_for_lists(case: Case, now: datetime.datetime) -> None:
    """What a row of a case list shows beside the case's own fields: its SLA clock and badges."""
    case.clock = clock_of(case, now)
    case.status_badge = STATUS_BADGE[CaseStatus(case.status)]
    case.severity_badge = SEVERITY_BADGE.get(case.severity, "")


def _render_cases(request: HttpRequest, cases, filters: forms.CaseFilterForm, *, queue: bool,
                  views: list | None = None, follows_severity_one: bool | None = None) -> HttpResponse:
    page, query_string = paginate(request, cases, paginator_class=KeysFirstPaginator)
    now = timezone.now()
    user = request.user
    for case in page.object_list:
        _mark_for_lists(case, now)
        case.owner_label = person_label(case, "owner", user) if case.owner_id else ""
    context = {
        "page_obj": page, "query_string": query_string, "filters": filters, "queue": queue,
        "filtered": bool(filters.values()), "show_partner": queue,
        "can_open": user.role in CASE_ACTORS, "can_edit_targets": user.is_poly_admin,
        "can_see_escalations": user.role in CASE_ACTORS,
        "views": views or [], "show_owner": queue, "follows_severity_one": follows_severity_one,
    }
    template = "tickets/_case_results.html" if request.htmx else "tickets/case_list.html"
    return render(request, template, context)


@roles_required(*EVERYONE)
def case_list(request: HttpRequest) -> HttpResponse:
    """A partner's own cases, a CSM's assigned customers', a customer viewer's own (read only)."""
    user = request.user
    if user.role in CASE_WORKERS:
        query = request.GET.urlencode()
        return redirect(reverse("tickets:case_queue") + (f"?{query}" if query else ""))
    filters = forms.CaseFilterForm(request.GET)
    wanted = filters.values()
    cases = selectors.case_queue(user, severity=wanted.get("severity"), status=wanted.get("status"),
                                 category=wanted.get("category"), breached=BREACHED.get(wanted.get("breached")),
                                 escalation_level=wanted.get("escalation_level"), search=wanted.get("q", ""))
    if wanted.get("site"):
        cases = cases.filter(site__site_id__iexact=wanted["site"])
    return _render_cases(request, cases, filters, queue=False,
                         follows_severity_one=selectors.follows_severity_one(user) if user.is_partner_admin else None)


@dataclass(frozen=True)
class QueueView:
    key: str
    label: str
    count: int
    url: str
    current: bool


def _queue_views(request: HttpRequest, current: str) -> list[QueueView]:
    """The person's views of the queue (mine, unassigned, my escalations, all) with their open counts,
    each keeping the other filters."""
    counts = selectors.queue_counts(request.user)
    views = []
    for key, label in selectors.QUEUE_VIEWS.items():
        params = request.GET.copy()
        params.pop("page", None)
        params["view"] = key
        views.append(QueueView(key, label, counts[key], f"{request.path}?{params.urlencode()}", key == current))
    return views


@roles_required(*CASE_WORKERS)
def case_queue(request: HttpRequest) -> HttpResponse:
    """Poly's one queue across partners, in SLA order (Enterprise first at equal due time), viewed as
    all, mine, unassigned or my escalations."""
    user = request.user
    filters = forms.CaseFilterForm(request.GET, partners=partners_visible_to(user).order_by("name"),
                                   owners=selectors.poly_case_workers())
    wanted = filters.values()
    view = wanted.get("view") if wanted.get("view") in selectors.QUEUE_VIEWS else "all"
    cases = selectors.case_queue(
        user, partner=wanted.get("partner"), severity=wanted.get("severity"), status=wanted.get("status"),
        category=wanted.get("category"), breached=BREACHED.get(wanted.get("breached")),
        escalation_level=wanted.get("escalation_level"), search=wanted.get("q", ""), view=view,
        owner=wanted.get("owner", ""),
    )
    return _render_cases(request, cases, filters, queue=True, views=_queue_views(request, view))


@dataclass
class LevelGroup:
    level: int
    label: str
    cases: list


@roles_required(*CASE_ACTORS)
def escalations(request: HttpRequest) -> HttpResponse:
    """The escalation manager's view: escalated and breached open cases, by level, the oldest
    first in each. Poly sees every partner's; a partner only its own, as in its case list."""
    user = request.user
    now = timezone.now()
    page, query_string = paginate(request, selectors.escalated_or_breached_cases(user, now=now), per_page=100)
    groups: dict[int, LevelGroup] = {}
    for case in page.object_list:
        _mark_for_lists(case, now)
        case.at_level_for = forms.duration_words(now - (case.escalated_at or case.opened_at))
        case.open_for = forms.duration_words(now - case.opened_at)
        group = groups.setdefault(case.escalation_level, LevelGroup(
            case.escalation_level, EscalationLevel(case.escalation_level).label, []))
        group.cases.append(case)
    return render(request, "tickets/escalations.html", {
        "groups": list(groups.values()), "page_obj": page, "query_string": query_string,
        "show_partner": user.is_poly_staff, "queue_url": reverse("tickets:case_queue" if user.role in CASE_WORKERS
                                                                  else "tickets:case_list"),
    })


# ---- opening a case --------------------------------------------------------------------------

@roles_required(*CASE_ACTORS)
def case_open(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.CaseOpenForm(posted(request), request.FILES if request.method == "POST" else None,
                              sites=sites_visible_to(user), products=products_visible_to(user),
                              initial={"site": text_param(request.GET.get("site"), 40)})  # "open a case here"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                by=user, site=data["site"], category=data["category"], severity=data["severity"],
                subject=data["subject"], description=data["description"], product=data["product"],
                hardware_replacement=data["hardware_replacement"],
                serial=data["serial"] if data["hardware_replacement"] else "",
                uploads=uploads_of(data["attachments"]),
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Case {case.number} is open.")
            return redirect("tickets:case_detail", pk=case.pk)
    return render(request, "tickets/case_open.html", {"form": form, "site_value": form["site"].value() or ""})


@roles_required(*CASE_ACTORS)
def site_picker(request: HttpRequest) -> HttpResponse:
    """The Site ID picker's suggestions as the person types (htmx), and the site they picked."""
    user = request.user
    pick = text_param(request.GET.get("pick"), 40)
    if pick:
        site = sites_visible_to(user).filter(site_id__iexact=pick).first()
        return render(request, "tickets/_site_options.html",
                      {"picked": site, "query": pick, "pick_missing": site is None,
                       "site_value": site.site_id if site else pick, "oob": True})
    query = text_param(request.GET.get("site") or request.GET.get("q"), 40)
    sites = list(sites_search(user=user, text=query).order_by("site_id")[:SITE_PICKER_LIMIT]) if query else None
    return render(request, "tickets/_site_options.html", {
        "sites": sites, "query": query, "limit": SITE_PICKER_LIMIT, "show_partner": user.is_poly_staff,
    })


# ---- the case page ---------------------------------------------------------------------------

TRANSITION_WORDS = {
    (CaseStatus.NEW, CaseStatus.IN_PROGRESS): "Start work",
    (CaseStatus.WAITING_ON_PARTNER, CaseStatus.IN_PROGRESS): "Partner answered: resume",
    (CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS): "Reopen",
    (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS): "Reopen",
    (CaseStatus.RESOLVED, CaseStatus.CLOSED): "Close",
}


@dataclass(frozen=True)
class Transition:
    to_status: str
    label: str


def transitions_for(user: User, case: Case) -> list[Transition]:
    """The buttons of the state machine the person may press; the service still decides (reopen window)."""
    if not (services.is_poly_case_worker(user)
            or (user.is_partner_member and user.partner_id == case.partner_id)):
        return []
    allowed = []
    for to_status in sorted(services.TRANSITIONS[case.status], key=STATUS_ORDER.index):
        if services.is_poly_case_worker(user) or (case.status, to_status) in services.PARTNER_TRANSITIONS:
            words = TRANSITION_WORDS.get((case.status, to_status))
            if words is None:
                words = {CaseStatus.WAITING_ON_PARTNER: "Wait on partner",
                         CaseStatus.RESOLVED: "Resolve"}.get(to_status, CaseStatus(to_status).label)
            allowed.append(Transition(to_status, words))
    return allowed


@dataclass
class TimelineEntry:
    kind: str
    at: datetime.datetime
    who: str
    item: object = None
    anchor: str = ""
    files: list = field(default_factory=list)


def timeline_of(case: Case, viewer: User, attachments: list) -> list[TimelineEntry]:
    """The opening with the files sent with the case, replies (internal notes for Poly staff only),
    status changes, escalations and visits, oldest first. `attachments` are those the viewer may see."""
    sent_with_case = [attachment for attachment in attachments if attachment.comment_id is None]
    entries = [TimelineEntry("opened", case.opened_at, person_label(case, "opened_by", viewer), case,
                             files=sent_with_case)]
    for comment in selectors.comments_visible_to(viewer, case):
        entries.append(TimelineEntry("internal" if comment.internal else "comment", comment.created_at,
                                     person_label(comment, "author", viewer), comment, f"comment-{comment.pk}"))
    for change in case.status_changes.select_related("by"):
        entries.append(TimelineEntry("status", change.at, person_label(change, "by", viewer), change))
    for escalation in selectors.escalations_visible_to(viewer, case):
        entries.append(TimelineEntry("escalation", escalation.at, person_label(escalation, "by", viewer), escalation,
                                     f"escalation-{escalation.pk}"))
    for change in selectors.owner_changes_of(case):
        change.to_label = person_label(change, "to_user", viewer) if change.to_user_id else ""
        entries.append(TimelineEntry("owner", change.at, person_label(change, "by", viewer), change))
    for dispatch in selectors.dispatches_of(case).select_related("requested_by"):
        entries.append(TimelineEntry("dispatch", dispatch.created_at, person_label(dispatch, "requested_by", viewer),
                                     dispatch, f"dispatch-{dispatch.pk}"))
    order = {"opened": 0, "comment": 1, "internal": 1, "status": 2, "escalation": 3, "owner": 4, "dispatch": 5}
    return sorted(entries, key=lambda entry: (entry.at, order[entry.kind]))


def flag_labels(case: Case) -> list[str]:
    labels = []
    for flag in case.entitlement_flags or []:
        try:
            labels.append(Flag(flag).label)
        except ValueError:
            labels.append(str(flag).replace("_", " "))
    return labels


def render_case(request: HttpRequest, case: Case, *, bound: dict | None = None,
                action_errors: list[str] | None = None) -> HttpResponse:
    """The case page; after a refused action, `bound` carries the form that failed, errors and all."""
    user = request.user
    bound = bound or {}
    now = timezone.now()
    worker = services.is_poly_case_worker(user)
    may_act = worker or (user.is_partner_member and user.partner_id == case.partner_id)
    zone = case.site.zone
    attachments = list(selectors.attachments_visible_to(user, case))
    dispatches = list(selectors.dispatches_of(case))
    context = {
        "case": case,
        "clock": clock_of(case, now),
        "status_badge": STATUS_BADGE[CaseStatus(case.status)],
        "severity_badge": SEVERITY_BADGE.get(case.severity, ""),
        "severity_words": forms.SEVERITY_WORDS.get(case.severity, case.get_severity_display()),
        "enterprise": case.priority == 0,
        "show_flags": user.is_poly_staff or user.is_partner_member,
        "flags": flag_labels(case),
        "show_partner": user.is_poly_staff,
        "timeline": timeline_of(case, user, attachments),
        "attachments": attachments,
        "dispatches": dispatches,
        "zone": zone,
        "action_errors": action_errors or [],
        "may_act": may_act,
        "transitions": transitions_for(user, case),
        "reply_form": bound.get("reply") or forms.ReplyForm(),
        "can_write_internal": worker,
        "note_form": bound.get("note") or forms.InternalNoteForm(),
        "can_escalate": worker and case.is_open and case.escalation_level < EscalationLevel.ENGINEERING,
        "escalate_form": bound.get("escalate") or forms.EscalateForm(current_level=case.escalation_level),
        "can_request_onsite": may_act and case.is_open,
        "onsite_form": bound.get("onsite") or forms.OnsiteForm(zone=zone, may_name_technician=worker),
        "owner_label": person_label(case, "owner", user) if case.owner_id else "",
        "partner_owner_label": person_label(case, "partner_owner", user) if case.partner_owner_id else "",
        "may_take": worker and case.owner_id != user.pk,
        "hand_over_form": (bound.get("hand_over") or forms.HandOverForm(
            people=selectors.poly_case_workers().exclude(pk=case.owner_id))) if worker else None,
        "partner_owner_form": (bound.get("partner_owner") or forms.PartnerOwnerForm(
            people=selectors.partner_engineers(case), initial={"partner_owner": case.partner_owner_id}))
        if may_act else None,
        "following": selectors.is_following(user, case),
    }
    return render(request, "tickets/case_detail.html", context)


def _case(request: HttpRequest, pk: int) -> Case:
    return selectors.case_get_for_user(user=request.user, pk=pk)


def _case_to_act_on(request: HttpRequest, pk: int, roles: frozenset[str]) -> Case:
    """The case first, so that another partner's is a 404 like a missing one; then the role (403)."""
    case = _case(request, pk)
    if request.user.role not in roles:
        raise PermissionDenied("Your role may not do this on a case.")
    return case


def _back_to(case: Case, anchor: str = "") -> HttpResponse:
    return redirect(reverse("tickets:case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


@roles_required(*EVERYONE)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_case(request, _case(request, pk))


def _add_comment(request: HttpRequest, case: Case, form, *, internal: bool, bound_as: str) -> HttpResponse:
    if form.is_valid():
        try:
            comment = services.case_comment_add(
                by=request.user, case=case, body=form.cleaned_data["body"], internal=internal,
                uploads=uploads_of(form.cleaned_data["attachments"]),
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, "Internal note added (Poly only)." if comment.internal else "Reply sent.")
            return _back_to(case, f"comment-{comment.pk}")
    return render_case(request, case, bound={bound_as: form})


@require_POST
@roles_required(*EVERYONE)
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A public reply, always: an internal note has its own form and address."""
    case = _case_to_act_on(request, pk, CASE_ACTORS)
    return _add_comment(request, case, forms.ReplyForm(request.POST, request.FILES), internal=False,
                        bound_as="reply")


@require_POST
@roles_required(*EVERYONE)
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    """An internal note, Poly staff only."""
    case = _case_to_act_on(request, pk, CASE_WORKERS)
    return _add_comment(request, case, forms.InternalNoteForm(request.POST, request.FILES), internal=True,
                        bound_as="note")


@require_POST
@roles_required(*EVERYONE)
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_to_act_on(request, pk, CASE_ACTORS)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        return render_case(request, case, action_errors=["Choose what should happen to the case."])
    try:
        case = services.case_transition(by=request.user, case=case, to_status=form.cleaned_data["to_status"])
    except ValidationError as exc:
        return render_case(request, case, action_errors=exc.messages)
    messages.success(request, f"Case {case.number} is now {case.get_status_display().lower()}.")
    return _back_to(case)


@require_POST
@roles_required(*EVERYONE)
def case_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_to_act_on(request, pk, CASE_WORKERS)
    form = forms.EscalateForm(request.POST, current_level=case.escalation_level)
    if form.is_valid():
        try:
            escalation = services.case_escalate(by=request.user, case=case, reason=form.cleaned_data["reason"],
                                                to_level=form.cleaned_data["to_level"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Case {case.number} escalated to {escalation.get_to_level_display()}.")
            return _back_to(case, f"escalation-{escalation.pk}")
    return render_case(request, case, bound={"escalate": form})


@require_POST
@roles_required(*EVERYONE)
def case_onsite(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = _case_to_act_on(request, pk, CASE_ACTORS)
    worker = services.is_poly_case_worker(user)
    form = forms.OnsiteForm(request.POST, zone=case.site.zone, may_name_technician=worker)
    if form.is_valid():
        data = form.cleaned_data
        try:
            dispatch = services.onsite_dispatch_request(
                by=user, case=case, purpose=data["purpose"],
                remote_diagnostics_summary=data["remote_diagnostics_summary"],
                partner_engineer_name=data["partner_engineer_name"], scheduled_for=data["scheduled_for"],
                details=data["details"], technician=data.get("technician", ""),
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            local = timezone.localtime(dispatch.scheduled_for, case.site.zone)
            messages.success(request, f"Onsite visit scheduled for {local:%-d %b %Y %H:%M} ({case.site.timezone}).")
            return _back_to(case, f"dispatch-{dispatch.pk}")
    return render_case(request, case, bound={"onsite": form})


@require_POST
@roles_required(*EVERYONE)
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the case, put it back in the pool, hand it to a colleague, or name the partner's engineer."""
    user = request.user
    case = _case_to_act_on(request, pk, CASE_ACTORS)
    what = request.POST.get("action", "")
    try:
        if what == "take":
            case = services.case_assign(by=user, case=case, owner=user)
            messages.success(request, f"You own case {case.number}.")
        elif what == "release":
            case = services.case_assign(by=user, case=case, owner=None)
            messages.success(request, f"Case {case.number} is back in the pool.")
        elif what == "hand_over":
            if user.role not in CASE_WORKERS:
                raise PermissionDenied("Only Poly support names the Poly owner.")
            form = forms.HandOverForm(request.POST, people=selectors.poly_case_workers().exclude(pk=case.owner_id))
            if not form.is_valid():
                return render_case(request, case, bound={"hand_over": form})
            case = services.case_assign(by=user, case=case, owner=form.cleaned_data["owner"],
                                        note=form.cleaned_data["note"])
            messages.success(request, f"Case {case.number} handed over.")
        elif what == "partner_owner":
            form = forms.PartnerOwnerForm(request.POST, people=selectors.partner_engineers(case))
            if not form.is_valid():
                return render_case(request, case, bound={"partner_owner": form})
            case = services.case_assign(by=user, case=case, partner_owner=form.cleaned_data["partner_owner"])
            messages.success(request, "The partner's engineer for this case is saved.")
        else:
            return render_case(request, case, action_errors=["Choose what should happen to the case's owner."])
    except ValidationError as exc:
        return render_case(request, case, action_errors=exc.messages)
    return _back_to(case, "owners")


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def severity_one_follow(request: HttpRequest) -> HttpResponse:
    """A partner admin follows (or stops following) every Severity 1 case of the partner."""
    follow = request.POST.get("follow") == "1"
    services.severity_one_follow_set(by=request.user, follow=follow)
    messages.success(request, "You follow every Severity 1 case." if follow
                     else "You no longer follow every Severity 1 case.")
    return redirect("tickets:case_list")


@require_POST
@roles_required(*EVERYONE)
def case_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone who may see the case follows it, or stops."""
    case = _case(request, pk)
    follow = request.POST.get("follow") == "1"
    services.case_follow(by=request.user, case=case, follow=follow)
    messages.success(request, f"You follow case {case.number}." if follow
                     else f"You no longer follow case {case.number}.")
    return _back_to(case, "owners")


@roles_required(*EVERYONE)
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A case's log or photo, for those who may see it; an internal one is 404 to a partner or customer."""
    case = _case(request, pk)
    attachment = selectors.attachment_get_for_user(user=request.user, case=case, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Not found.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- SLA targets (Poly admin) ----------------------------------------------------------------

@dataclass
class TargetRow:
    target: SlaTarget
    form: forms.SlaTargetForm


def _sla_page(request: HttpRequest, bound: dict[int, forms.SlaTargetForm] | None = None) -> HttpResponse:
    bound = bound or {}
    # Targets are Poly's one policy table, the same for every partner: no tenant owns a row.
    rows = [
        TargetRow(target, bound.get(target.pk) or forms.SlaTargetForm(
            prefix=f"target-{target.pk}",
            initial={"first_response": target.first_response, "resolution": target.resolution},
        ))
        for target in SlaTarget.objects.order_by("severity", "offering")
    ]
    return render(request, "tickets/sla_targets.html", {"rows": rows, "severity_words": forms.SEVERITY_WORDS})


@roles_required(Role.POLY_ADMIN)
def sla_targets(request: HttpRequest) -> HttpResponse:
    return _sla_page(request)


@require_POST
@roles_required(Role.POLY_ADMIN)
def sla_target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(SlaTarget, pk=pk)
    form = forms.SlaTargetForm(request.POST, prefix=f"target-{target.pk}")
    if form.is_valid():
        try:
            target = services.sla_target_update(by=request.user, target=target, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{target}: first response {forms.duration_words(target.first_response)}, "
                                      f"resolution {forms.duration_words(target.resolution)}, for cases opened "
                                      "from now on.")
            return redirect("tickets:sla_targets")
    return _sla_page(request, bound={target.pk: form})
