"""Never a 500: malformed JSON, wrong types, unknown ids, huge strings, NUL and non-ASCII text.

Each battery collects every answer that is a server error (or not in the API's error
shape) and reports them all at once, so one run shows the whole picture.
"""

import pytest
from django.test import Client

from polyplus.tenancy import services
from polyplus.tenancy.context import read_context, tenant_context
from polyplus.tenancy.models import ApiToken, Customer, Partner, Site, User

NASTY_VALUES = [
    None, True, False, 0, -1, 10**30, -(10**30), 1.5, float("1e308"), "", " ", "x" * 100_000, "\x00", "a\x00b",
    "😀" * 50, "ضصث قفغ", "Zażółć gęślą jaźń", "<script>alert(1)</script>", "' OR 1=1 --", "%s%s%n", "{}", [],
    {}, ["a"], {"a": "b"}, [[[]]], "9" * 400, "2025-02-30", "\ud7ff", "\u202e", "../../etc/passwd",
]



@pytest.fixture
def world(partner_a, partner_b, site_a, site_b, partner_a_engineer, customer_viewer, poly_admin, partner_a_admin):
    token, _ = services.api_token_create(user=poly_admin, name="mine")
    return {"partner": partner_a.pk, "customer": site_a.customer_id, "site": site_a.site_id,
            "user": partner_a_engineer.pk, "token": token.pk}


def valid_bodies(world) -> dict:
    return {
        "partners/": {"name": "New partner", "slug": "new-partner", "display_name": "New", "primary_color": "#000000"},
        f"partners/{world['partner']}/certifications/": {"category": "video", "certified_on": "2025-01-01",
                                                         "expires_on": "2026-01-01"},
        "customers/": {"name": "New customer", "master_account_id": "NEW-1", "partner": world["partner"]},
        "sites/": {"customer": world["customer"], "site_id": "NEW-SITE-1", "name": "New", "address": "Street 1",
                   "country": "SE", "subdivision": "SE-AB", "timezone": "Europe/Stockholm"},
        "users/": {"email": "new@nordic.example", "full_name": "New", "role": "partner_engineer",
                   "partner": world["partner"], "customer": None, "is_active": True, "password": ""},
        "auth/token/": {"email": "eng@nordic.example", "password": "x", "name": "tool"},
    }


def detail_urls(world) -> dict:
    return {
        f"partners/{world['partner']}/": "partners/",
        f"customers/{world['customer']}/": "customers/",
        f"sites/{world['site']}/": "sites/",
        f"users/{world['user']}/": "users/",
    }


class Verdicts:
    def __init__(self):
        self.bad = []

    def check(self, label, response):
        if response.status_code >= 500:
            self.bad.append((label, response.status_code, response.content[:200]))
            return
        if response.status_code >= 400 and response.status_code != 405:
            body = response.json()
            if not isinstance(body, dict) or not body:
                self.bad.append((label, response.status_code, "not a JSON object", response.content[:200]))


    def assert_none_bad(self):
        assert not self.bad, "\n".join(repr(item) for item in self.bad)


@pytest.fixture
def verdicts():
    return Verdicts()


@pytest.fixture
def plain_static_files(settings):
    """Tests run with DEBUG off and no collectstatic; HTML answers need the static files found."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.mark.parametrize("persona", ["poly_admin", "partner_a_admin"])
def test_no_field_value_of_any_type_causes_a_server_error(request, world, api_for, verdicts, persona):
    client = api_for(request.getfixturevalue(persona))
    client.raise_request_exception = False
    for path, body in valid_bodies(world).items():
        for field in body:
            for value in NASTY_VALUES:
                response = client.post(f"/api/v1/{path}", {**body, field: value}, format="json")
                verdicts.check(f"POST {path} {field}={value!r:.40}", response)
    for url, create_path in detail_urls(world).items():
        body = valid_bodies(world)[create_path]
        for field in body:
            for value in NASTY_VALUES:
                response = client.patch(f"/api/v1/{url}", {field: value}, format="json")
                verdicts.check(f"PATCH {url} {field}={value!r:.40}", response)
        response = client.put(f"/api/v1/{url}", {}, format="json")
        verdicts.check(f"PUT {url} empty", response)
    verdicts.assert_none_bad()


RAW_BODIES = [
    (b'{"name": ', "application/json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (b"{" * 50_000, "application/json"),
    (b'"just a string"', "application/json"),
    (b"null", "application/json"),
    (b"[]", "application/json"),
    (b'[{"name": "x"}]', "application/json"),
    (b"", "application/json"),
    (b"\xff\xfe\x00\x00", "application/json"),
    (b'{"name": "\\ud800"}', "application/json"),
    (b'{"name": NaN}', "application/json"),
    (b'{"name": 1e999}', "application/json"),
    (b"name=x&slug=y", "application/x-www-form-urlencoded"),
    (b"<xml/>", "application/xml"),
    (b"plain", "text/plain"),
    (b"--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--x--", "multipart/form-data; boundary=x"),
]


def test_no_raw_body_causes_a_server_error(world, api_for, poly_admin, verdicts):
    client = api_for(poly_admin)
    client.raise_request_exception = False
    paths = [*valid_bodies(world), *detail_urls(world)]
    for path in paths:
        for body, content_type in RAW_BODIES:
            method = client.patch if path in detail_urls(world) else client.post
            response = method(f"/api/v1/{path}", body, content_type=content_type)
            verdicts.check(f"{path} {content_type} {body[:30]!r}", response)
    verdicts.assert_none_bad()


QUERY_PARAMS = [
    {"page": "abc"}, {"page": "0"}, {"page": "-1"}, {"page": "9" * 40}, {"page": "2"}, {"page_size": "abc"},
    {"page_size": "-5"}, {"page_size": "9" * 40}, {"ordering": "password"}, {"ordering": "-"},
    {"ordering": "name,-name,,"}, {"ordering": "partner__users__password"}, {"search": "x" * 10_000},
    {"search": "😀 ضصث"}, {"search": "\x00"}, {"search": "%_\\"}, {"partner": "abc"}, {"partner": "9" * 40},
    {"partner": "-1"}, {"customer": "1.5"}, {"customer": ""}, {"role": "x" * 1000}, {"is_active": "maybe"},
    {"country": "\x00"}, {"master_account_id": "😀"}, {"\x00": "x"}, {"format": "xml"}, {"format": "api"},
]
LISTS = ["partners/", "customers/", "sites/", "users/", "tokens/"]


@pytest.mark.parametrize("persona", ["poly_admin", "customer_viewer"])
def test_no_query_parameter_causes_a_server_error(request, world, api_for, verdicts, persona, plain_static_files):
    client = api_for(request.getfixturevalue(persona))
    client.raise_request_exception = False
    for path in LISTS:
        for params in QUERY_PARAMS:
            response = client.get(f"/api/v1/{path}", params)
            if response.status_code < 500 and params.get("format") != "api":
                verdicts.check(f"GET {path} {params!r:.60}", response)
            elif response.status_code >= 500:
                verdicts.bad.append((path, params, response.status_code))
    verdicts.assert_none_bad()


WEIRD_IDS = ["abc", "-1", "0", "1.5", "1e3", "9" * 30, "%00", "%F0%9F%98%80", "x" * 5000, "%20", "..", "1;DROP",
             "ü", "%C0%AF"]


@pytest.mark.parametrize("persona", ["poly_admin", "partner_b_engineer"])
def test_no_id_in_a_path_causes_a_server_error(request, world, api_for, verdicts, persona):
    client = api_for(request.getfixturevalue(persona))
    client.raise_request_exception = False
    for weird in WEIRD_IDS:
        for template in ("partners/{}/", "partners/{}/certifications/", "customers/{}/", "sites/{}/", "users/{}/",
                         "tokens/{}/", "tokens/{}/revoke/"):
            url = "/api/v1/" + template.format(weird)
            for method in ("get", "patch", "post"):
                response = getattr(client, method)(url, {"name": "x"}, format="json")
                if response.status_code not in (404, 405, 403, 400):
                    verdicts.bad.append((method, url[:60], response.status_code, response.content[:100]))
                verdicts.check(f"{method} {url[:60]}", response)
    verdicts.assert_none_bad()


def test_unknown_api_paths_answer_a_json_404(api_for, poly_admin):
    client = api_for(poly_admin)
    for url in ("/api/v1/nonexistent/", "/api/v1/customers/1/nonexistent/", "/api/v1/%00/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_refused_request_leaves_nothing_behind(world, api_for, poly_admin):
    counts = [m.objects.count() for m in (Partner, Customer, Site, User, ApiToken)]
    client = api_for(poly_admin)
    for path, body in valid_bodies(world).items():
        huge = {field: "x" * 10_000 if isinstance(value, str) else value for field, value in body.items()}
        # (the token exchange may also be throttled by now: either way, nothing is written)
        assert client.post(f"/api/v1/{path}", huge, format="json").status_code in {400, 429}, path
    assert [m.objects.count() for m in (Partner, Customer, Site, User, ApiToken)] == counts


def test_the_browsable_api_renders_for_a_signed_in_person(partner_a_admin, site_a, plain_static_files):
    browser = Client()
    with tenant_context(read_context()):  # signing in switches the context; keep the test's own
        browser.force_login(partner_a_admin)
    for url in ("/api/v1/", "/api/v1/sites/", f"/api/v1/sites/{site_a.site_id}/"):
        response = browser.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url


def test_service_errors_without_fields_become_detail_and_code():
    from django.core.exceptions import PermissionDenied, ValidationError

    from polyplus.tenancy.api_common import exception_handler

    response = exception_handler(ValidationError("The contract has ended.", code="contract_ended"), {})
    assert (response.status_code, response.data) == (400, {"detail": "The contract has ended.",
                                                           "code": "contract_ended"})
    response = exception_handler(ValidationError({"__all__": ["Dates overlap."]}), {})
    assert response.data == {"non_field_errors": ["Dates overlap."]}
    response = exception_handler(PermissionDenied("Only a Poly admin may do this."), {})
    assert (response.status_code, response.data) == (403, {"detail": "Only a Poly admin may do this.",
                                                           "code": "permission_denied"})
