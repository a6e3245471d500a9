"""What the bench requests, as whom: shared by the probe (in Django) and the load run (outside it)."""

from __future__ import annotations

from dataclasses import dataclass

ENGINEER, STAFF = "engineer", "staff"
SESSION, TOKEN = "session", "token"
CEILING, HTML, API = "ceiling", "html", "api"


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    path: str  # may name {case_id} and {site_id}
    who: str
    auth: str
    kind: str
    full_only: bool = False

    def url_path(self, seeded: dict) -> str:
        return self.path.format(case_id=seeded["case_id"], site_id=seeded["site_id"])

    def headers(self, seeded: dict, session_cookie_name: str = "sessionid") -> dict[str, str]:
        if self.auth == TOKEN:
            return {"Authorization": f"Token {seeded['engineer_token']}"}
        return {"Cookie": f"{session_cookie_name}={seeded[f'{self.who}_session']}"}


ENDPOINTS = (
    # The cheapest signed-in page: the engineer's own API tokens, a short list through the
    # whole middleware stack (session, user, tenant context) and the base template.
    Endpoint("ceiling", "cheapest signed-in page (ceiling) `/account/tokens/`", "/account/tokens/",
             ENGINEER, SESSION, CEILING),
    Endpoint("partner_cases", "partner engineer's case list `/cases/`", "/cases/", ENGINEER, SESSION, HTML),
    Endpoint("queue", "Poly queue, first page `/cases/queue/`", "/cases/queue/", STAFF, SESSION, HTML),
    Endpoint("queue_deep", "Poly queue, page 1,000 `/cases/queue/?page=1000`", "/cases/queue/?page=1000",
             STAFF, SESSION, HTML, full_only=True),
    Endpoint("case_page", "case page (Poly support) `/cases/<id>/`", "/cases/{case_id}/", STAFF, SESSION, HTML),
    Endpoint("coverage_api", "coverage by Site ID (token) `GET /api/v1/coverage/`",
             "/api/v1/coverage/?site_id={site_id}&category=video", ENGINEER, TOKEN, API),
    Endpoint("cases_api", "partner's cases (token) `GET /api/v1/cases/`", "/api/v1/cases/", ENGINEER, TOKEN, API),
    Endpoint("cases_api_open", "Poly's open cases (session) `GET /api/v1/cases/?open=true`",
             "/api/v1/cases/?open=true", STAFF, SESSION, API),
)


def endpoints_for(scale: str) -> list[Endpoint]:
    return [endpoint for endpoint in ENDPOINTS if scale == "full" or not endpoint.full_only]
