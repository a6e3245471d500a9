"""PDF documents (monthly CSM reports, quotes) under the partner's brand, by WeasyPrint.

The HTML comes from a Django template; WeasyPrint fetches nothing from the network or the
disk: the logo is read through Django's storage and inlined as a data: URI, the chart is
inline SVG, and the fetcher refuses every other URL (so a crafted logo or text cannot make
the worker read a file or call a host).
"""

from __future__ import annotations

import base64
import functools
import gc
import logging
import mimetypes
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.http import FileResponse, Http404
from django.template.loader import render_to_string

from polyplus.tenancy.models import Partner, PartnerBrand

logger = logging.getLogger("polyplus.portal.pdf")


@dataclass(frozen=True)
class PdfBrand:
    """What a PDF shows of the partner: its brand only, never Poly-internal data."""

    display_name: str
    primary_color: str
    accent_color: str
    support_email: str
    support_phone: str
    logo_data_uri: str


def pdf_brand(partner: Partner) -> PdfBrand:
    brand = PartnerBrand.objects.filter(partner=partner).first()
    if brand is None:
        return PdfBrand(partner.name, "#0b3d91", "#f28c28", "", "", "")
    return PdfBrand(
        display_name=brand.display_name or partner.name,
        primary_color=brand.primary_color,
        accent_color=brand.accent_color,
        support_email=brand.support_email,
        support_phone=brand.support_phone,
        logo_data_uri=_logo_data_uri(brand),
    )


def _logo_data_uri(brand: PartnerBrand) -> str:
    if not brand.logo:
        return ""
    try:
        with brand.logo.open("rb") as logo:
            data = logo.read()
    except OSError:  # a missing logo file must not stop a report; the brand name still shows
        logger.warning("brand logo %s could not be read", brand.logo.name, exc_info=True)
        return ""
    content_type = mimetypes.guess_type(brand.logo.name)[0] or "application/octet-stream"
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _refuse_fetch(url: str, *args, **kwargs):
    """Only data: URIs (the inlined logo); WeasyPrint's default would follow file: and http:."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise ValueError(f"PDF documents fetch nothing: {url[:60]}")


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector off while WeasyPrint works, then one pass over what it left.

    A ten-page render builds some 180,000 objects that live until it ends (styles, boxes,
    pages), so the collector would otherwise scan the whole process heap several times per
    report: a quarter of the render's time. The render's cyclic garbage is all in the youngest
    generation afterwards, and one collection of that generation frees it (the process peaks
    some 25 MB higher meanwhile). The switch is process-wide: documents render in the worker's
    processes, one at a time each.
    """
    if not gc.isenabled():  # the caller turned it off: leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


USER_AGENT_STYLESHEET = Path(__file__).with_name("pdf_ua.css")


@functools.lru_cache(maxsize=8)
def _renderer(process_id: int, thread_id: int):
    """WeasyPrint's HTML class with the documents' own user-agent sheet, and a font configuration,
    made once per process and thread (the ids key the cache: a forked worker makes its own, and
    no two threads share Pango's font map).

    Reusing the font configuration spares each render finding the same fonts again.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    class DocumentHTML(HTML):
        user_agent_sheet = CSS(filename=str(USER_AGENT_STYLESHEET))

        def _ua_stylesheets(self, forms=False):
            return [self.user_agent_sheet]

    return DocumentHTML, FontConfiguration()


def render_pdf(template_name: str, context: dict) -> tuple[bytes, int]:
    """The template rendered to PDF bytes, and its page count."""
    html_class, font_config = _renderer(os.getpid(), threading.get_ident())
    html = render_to_string(template_name, context)
    with _cycle_collector_paused():
        document = html_class(string=html, url_fetcher=_refuse_fetch).render(font_config=font_config)
        pdf, pages = document.write_pdf(), len(document.pages)
        del document  # freed before the collection that ends the pause
    return pdf, pages


def pdf_download(document) -> FileResponse:
    """A stored report's or quote's PDF as a private download (404 until it is made)."""
    if not document.pdf:
        raise Http404
    response = FileResponse(document.pdf.open("rb"), as_attachment=True, filename=document.filename,
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response
