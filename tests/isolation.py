"""What every isolation test needs, whichever app it is about: the outsiders who try another
partner's rows, a client signed in as one (by forced authentication or a real token), ids
filled into paths and bodies, and answers compared without the ids that differ.

An app's isolation module builds its world (`world_a`, `world_b`, MISSING ids) and then:

    @pytest.fixture(params=isolation.OUTSIDERS)
    def outsider(request, world_b, partner_a, customer_b):
        return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)

    @pytest.fixture(params=isolation.AUTH_WAYS)
    def client_as(request, api_for):
        return isolation.client_maker(request.param, api_for)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rest_framework.test import APIClient

from polyplus.tenancy import services as tenancy_services
from tests import factories

# Partner B's people and customer, a viewer of partner A's other customer, a CSM of someone else's.
OUTSIDERS = ("partner_b_admin", "partner_b_engineer", "customer_b_viewer", "viewer_of_another_a_customer",
             "csm_of_another_customer")
# Partner B's own people only: the outsiders of partner-level rows (a partner's own record, its users).
PARTNER_B_PEOPLE = ("partner_b_admin", "partner_b_engineer", "customer_b_viewer")
AUTH_WAYS = ("forced", "token")


def make_outsider(request, *, partner_a, customer_b):
    """The outsider `request.param` names (one of OUTSIDERS)."""
    kind = request.param
    if kind == "customer_b_viewer":
        return factories.CustomerViewerFactory(customer=customer_b, email="it@orlen.example")
    if kind == "viewer_of_another_a_customer":
        other = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
        return factories.CustomerViewerFactory(customer=other, email="it@ericsson.example")
    if kind == "csm_of_another_customer":
        return factories.CsmAssignmentFactory(customer=customer_b).csm
    return request.getfixturevalue(kind)


def client_maker(way: str, api_for) -> Callable[..., APIClient]:
    """An API client for a user: authenticated by force, or by a real token made for it."""

    def make(user) -> APIClient:
        if way == "forced":
            return api_for(user)
        _, key = tenancy_services.api_token_create(user=user, name="outsider")
        return APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    return make


def filled(value, ids: dict):
    """`value` (a path or a body) with {kind} replaced by the ids of one world."""
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: filled(item, ids) for key, item in value.items()}
    return value


def without_ids(content: bytes, ids: dict) -> str:
    """A response body with each of `ids` replaced by <id>, so two worlds' answers compare equal."""
    text = content.decode()
    for value in ids.values():
        text = re.sub(rf"\b{re.escape(str(value))}\b", "<id>", text)
    return text


def answer(response) -> tuple:
    """(status, body) of a response, JSON decoded when it is JSON."""
    content = response.json() if response["Content-Type"].startswith("application/json") else response.content
    return response.status_code, content
