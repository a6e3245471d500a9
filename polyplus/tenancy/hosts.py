"""Which partner a request's host name belongs to: a partner's approved host shows its brand
from the sign-in page on, and only its own people may sign in there.

The host is looked up once per request, in the sign-in lookup context (brands and host names
are what anybody reaching the host sees anyway: rls.py lets that context read them). The
portal's own hosts (POLYPLUS_PORTAL_HOSTS) are never looked up; any other host that Django
allows but no partner owns is unknown and gets a plain 404 (PartnerHostMiddleware), never a
partner's page or the portal's.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import Http404
from django.http.request import split_domain_port

from polyplus.tenancy.languages import speak
from polyplus.tenancy.models import PartnerBrand, PartnerDomain


def request_host_name(request) -> str:
    """The request's host without its port, lower-cased; '' when Django would refuse it."""
    get_host = getattr(request, "get_host", None)
    if get_host is None:
        return ""
    try:
        host = get_host()
    except DisallowedHost:
        return ""
    domain, _port = split_domain_port(host)
    return domain.lower().rstrip(".")


def is_portal_host(host: str) -> bool:
    return not host or host in settings.POLYPLUS_PORTAL_HOSTS


def brand_for_host(host: str) -> PartnerBrand | None:
    """The brand of the partner that owns `host`, in one query (no join to the partners table,
    which the sign-in context does not show)."""
    if is_portal_host(host):
        return None
    owners = PartnerDomain.objects.filter(host=host).values("partner_id")
    return PartnerBrand.objects.filter(partner_id__in=owners).first()


def resolve_request_host(request) -> None:
    """Remember on the request whose host it came in on: `host_brand` (None on the portal's own
    hosts and unknown ones), `host_partner_id`, and `host_unknown` (no partner owns it)."""
    host = request_host_name(request)
    brand = brand_for_host(host)
    request.host_brand = brand
    request.host_partner_id = brand.partner_id if brand is not None else None
    request.host_unknown = brand is None and not is_portal_host(host)


def use_path_brand(request, code: str) -> PartnerBrand:
    """On the portal's own host, /p/<code>/ pages wear the brand of the active partner with that
    code and follow a partner host's rules (only its people sign in there). 404 for an unknown
    code, and on a partner's own host (which has its brand already)."""
    if getattr(request, "host_partner_id", None) is not None or not re.fullmatch(r"[A-Za-z0-9]{2,8}", code):
        raise Http404("No such partner address.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT polyplus_partner_for_code(%s)", [code])
        partner_id = cursor.fetchone()[0]
    brand = PartnerBrand.objects.filter(partner_id=partner_id).first() if partner_id else None
    if brand is None:
        raise Http404("No such partner address.")
    request.host_brand, request.host_partner_id, request.path_partner_code = brand, brand.partner_id, code.upper()
    speak(request, brand)
    return brand


def host_partner_id(request) -> int | None:
    request = getattr(request, "_request", request)  # DRF's request wraps Django's
    return getattr(request, "host_partner_id", None)


def may_use_host(user, request) -> bool:
    """Whether `user` may work on the host the request came in on: anyone on the portal's own
    hosts, and only the owning partner's people on a partner's host."""
    owner = host_partner_id(request)
    return owner is None or (user.partner_id is not None and user.partner_id == owner)


def own_sign_in_address(user, request) -> str:
    """Where `user` signs in: their partner's first host, else the portal's own address."""
    domain = (PartnerDomain.objects.filter(partner_id=user.partner_id).order_by("host").values_list("host", flat=True)
              .first() if user.partner_id else None)
    host = domain or settings.POLYPLUS_PORTAL_HOSTS[0]
    _domain, port = split_domain_port(getattr(request, "_request", request).get_host())
    scheme = "https" if request.is_secure() else "http"
    suffix = f":{port}" if port and port not in {"80", "443"} else ""
    return f"{scheme}://{host}{suffix}/"
