"""Times on pages as people read them: in the site's local time with its zone's abbreviation
(CET, CEST, …); for Poly staff, whose day runs in their own zone, in theirs as well. The API
keeps UTC with offsets; pages use this one tag for every time of a site's case.

    {% load local_time %}
    {% site_time case.opened_at case.site %}            6 Dec 2026 09:15 CET
    {% site_time case.next_due_at case.site "short" %}  6 Dec 09:15 CET
"""

from __future__ import annotations

import datetime
import zoneinfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

register = template.Library()

FORMATS = {"long": "j M Y H:i", "short": "j M H:i"}


def zone_of(place) -> zoneinfo.ZoneInfo:
    """A site (or anything with a `zone`), a ZoneInfo, or a zone's name."""
    zone = getattr(place, "zone", place)
    return zone if isinstance(zone, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(str(zone))


def local_words(moment: datetime.datetime, zone: zoneinfo.ZoneInfo, style: str = "long") -> str:
    local = timezone.localtime(moment, zone)
    return f"{format_date(local, FORMATS[style])} {local.tzname()}"


def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def site_time(context, moment: datetime.datetime | None, place, style: str = "long") -> str:
    """`moment` at the site; for Poly staff in another zone, their own time after it."""
    if moment is None:
        return "—"
    zone = zone_of(place)
    shown = format_html('<time datetime="{}" title="{}">{}</time>', moment.astimezone(datetime.UTC).isoformat(),
                        zone.key, local_words(moment, zone, style))
    viewer = _viewer(context)
    if viewer is None or not getattr(viewer, "is_poly_staff", False):
        return shown
    own = viewer.zone
    if local_words(moment, own) == local_words(moment, zone):
        return shown
    own_local, site_local = timezone.localtime(moment, own), timezone.localtime(moment, zone)
    own_format = "H:i" if own_local.date() == site_local.date() else FORMATS["short"]
    return format_html('{} <span class="own-time">({} {} your time)</span>', shown,
                       format_date(own_local, own_format), own_local.tzname())
