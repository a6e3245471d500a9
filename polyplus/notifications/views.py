"""Pages of a person's own notifications: the list (with its unread count in the navigation)
and how they hear of each kind of event."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from polyplus.notifications import forms, selectors, services
from polyplus.tenancy.scoping import get_or_404
from polyplus.tenancy.views import EVERYONE, paginate, roles_required


@roles_required(*EVERYONE)
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    page, query_string = paginate(request, selectors.notifications_of(user))
    return render(request, "notifications/notification_list.html", {
        "page_obj": page, "query_string": query_string, "unread": selectors.unread_count(user),
    })


@roles_required(*EVERYONE)
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The navigation's unread count (htmx, after the page has loaded: no page waits for it)."""
    return render(request, "notifications/_unread_badge.html", {"unread": selectors.unread_count(request.user)})


@require_POST
@roles_required(*EVERYONE)
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the person's notifications read and go where it points."""
    notification = get_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications:list")
    return redirect(target)


@require_POST
@roles_required(*EVERYONE)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_read(user=request.user)
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return redirect("notifications:list")


@roles_required(*EVERYONE)
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.PreferencesForm(request.POST if request.method == "POST" else None,
                                 preferences=selectors.preferences_of(user))
    if request.method == "POST" and form.is_valid():
        for kind, delivery in form.cleaned_data.items():
            services.preference_set(user=user, kind=kind, delivery=delivery)
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
