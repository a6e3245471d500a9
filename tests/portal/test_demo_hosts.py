"""The demo partners' own hosts work under `make run`: <slug>.localhost, printed with who signs in."""

import io

from django.core.management import call_command
from django.test import Client

from polyplus.tenancy.models import PartnerDomain


def test_the_demo_gives_each_partner_a_localhost_host_that_wears_its_brand(db, settings):
    settings.ALLOWED_HOSTS = [".localhost"]
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    printed = out.getvalue()
    assert {"nordic.localhost", "wisla.localhost"} <= set(PartnerDomain.objects.values_list("host", flat=True))
    assert "http://nordic.localhost:8000/" in printed and "http://wisla.localhost:8000/" in printed
    assert "it@gota-logistik.example (customer viewer)" in printed
    html = Client(HTTP_HOST="wisla.localhost:8000").get("/accounts/login/").content.decode()
    assert "--brand-primary: #8b1e3f" in html and "Nordic" not in html
    again = io.StringIO()
    call_command("seed_demo", force=True, stdout=again)
    assert "nothing changed" in again.getvalue()
