"""The OpenAPI schema documents every case endpoint, field, enum and error (API.md: cases/, health-events/)."""

import pytest

CASE_PATHS = {
    "/api/v1/cases/": {"get", "post"},
    "/api/v1/cases/{id}/": {"get"},
    "/api/v1/cases/{id}/transition/": {"post"},
    "/api/v1/cases/{id}/escalate/": {"post"},
    "/api/v1/cases/{id}/comments/": {"get", "post"},
    "/api/v1/cases/{id}/onsite-dispatches/": {"get", "post"},
    "/api/v1/cases/{id}/attachments/{attachment_pk}/": {"get"},
    "/api/v1/health-events/": {"post"},
}


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_case_endpoint_and_method_is_in_the_schema_with_its_errors(schema):
    for path, methods in CASE_PATHS.items():
        assert methods == set(schema["paths"][path]) - {"parameters"}, path
        for method in methods:
            responses = set(schema["paths"][path][method]["responses"])
            assert "401" in responses, (method, path)
            if method == "post":
                assert {"400", "403"} <= responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)


def test_the_case_list_is_paginated_searchable_and_filterable(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {"page", "page_size", "search", "ordering", "status", "severity", "category", "partner", "site_id",
            "breached"} <= parameters
    assert "/api/v1/cases/" in schema["paths"]
    assert {"count", "next", "previous", "results"} <= set(
        schema["components"]["schemas"]["PaginatedCaseList"]["properties"])


def test_the_case_fields_and_enums_of_api_md_are_named(schema):
    components = schema["components"]["schemas"]
    assert {"id", "number", "site_id", "severity", "category", "subject", "status", "entitled", "entitlement_reason",
            "entitlement_explanation", "first_response_due", "first_response_at", "resolution_due",
            "time_left_seconds", "breached", "paused", "escalation_level", "offering", "priority", "flags",
            "opened_at"} <= set(components["Case"]["properties"])
    assert {"description", "attachments", "escalations"} <= set(components["CaseDetail"]["properties"])
    assert components["CaseStatusEnum"]["enum"] == ["new", "in_progress", "waiting_on_partner", "resolved", "closed"]
    assert components["SeverityEnum"]["enum"] == [1, 2, 3, 4]
    assert components["EscalationLevelEnum"]["enum"] == [1, 2, 3, 4]
    assert set(components["ReasonEnum"]["enum"]) == {
        "covered", "no_contract", "contract_not_active", "category_not_covered", "end_of_service",
        "quote_required", "not_on_contract"}
    assert {"software_update", "configuration", "hardware_repair"} <= set(components["PurposeEnum"]["enum"])


def test_case_creation_and_replies_accept_json_and_multipart(schema):
    for path in ("/api/v1/cases/", "/api/v1/cases/{id}/comments/"):
        content = schema["paths"][path]["post"]["requestBody"]["content"]
        assert {"application/json", "multipart/form-data"} <= set(content), path
    assert "201" in schema["paths"]["/api/v1/cases/"]["post"]["responses"]
    health = schema["paths"]["/api/v1/health-events/"]["post"]["responses"]
    assert {"200", "201"} <= set(health)
    download = schema["paths"]["/api/v1/cases/{id}/attachments/{attachment_pk}/"]["get"]["responses"]["200"]
    assert "application/octet-stream" in download["content"]
