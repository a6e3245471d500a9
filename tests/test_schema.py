"""The OpenAPI schema: complete, valid, generated without a warning, and served with its docs."""

import pytest
from django.core.management import call_command

TENANCY_PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/token/revoke/": {"post"},
    "/api/v1/tokens/": {"get"},
    "/api/v1/tokens/{id}/": {"get"},
    "/api/v1/tokens/{id}/revoke/": {"post"},
    "/api/v1/partners/": {"get", "post"},
    "/api/v1/partners/{id}/": {"get", "put", "patch"},
    "/api/v1/partners/{id}/certifications/": {"get", "post"},
    "/api/v1/customers/": {"get", "post"},
    "/api/v1/customers/{id}/": {"get", "put", "patch"},
    "/api/v1/sites/": {"get", "post"},
    "/api/v1/sites/{site_id}/": {"get", "put", "patch"},
    "/api/v1/users/": {"get", "post"},
    "/api/v1/users/{id}/": {"get", "put", "patch"},
}
CONTRACT_PATHS = {
    "/api/v1/products/": {"get", "post"},
    "/api/v1/products/{sku}/": {"get", "put", "patch"},
    "/api/v1/products/import/": {"post"},
    "/api/v1/contracts/": {"get", "post"},
    "/api/v1/contracts/{id}/": {"get"},
    "/api/v1/contracts/{id}/activate/": {"post"},
    "/api/v1/contracts/{id}/cancel/": {"post"},
    "/api/v1/contracts/{id}/renew/": {"post"},
    "/api/v1/contracts/{id}/add-line/": {"post"},
    "/api/v1/contracts/{contract_pk}/devices/": {"get", "post"},
    "/api/v1/contracts/{contract_pk}/devices/{id}/remove/": {"post"},
    "/api/v1/devices/": {"get", "post"},
    "/api/v1/devices/{id}/": {"get"},
    "/api/v1/coverage/": {"get"},
}
ALL_PATHS = {**TENANCY_PATHS, **CONTRACT_PATHS}


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_generates_and_validates_without_a_single_warning(tmp_path):
    # --fail-on-warn turns any warning (an unresolvable field, a missing type) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/sites/{site_id}/" in (tmp_path / "schema.yaml").read_text()


def test_every_endpoint_and_method_is_in_the_schema(schema):
    for path, methods in ALL_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_every_operation_documents_its_errors(schema):
    for path, methods in ALL_PATHS.items():
        for method in methods:
            responses = schema["paths"][path][method]["responses"]
            if path != "/api/v1/auth/token/":
                assert "401" in responses, (method, path)
            if method != "get":
                assert {"400", "403"} <= set(responses), (method, path)
            if "{" in path or path == "/api/v1/coverage/":
                assert "404" in responses, (method, path)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code"}


def test_lists_are_paginated_searchable_and_filterable_in_the_schema(schema):
    for path in ("/api/v1/partners/", "/api/v1/customers/", "/api/v1/sites/", "/api/v1/users/",
                 "/api/v1/products/", "/api/v1/contracts/", "/api/v1/devices/"):
        parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"page", "page_size", "search", "ordering"} <= parameters, path
    customer_filters = {p["name"] for p in schema["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert {"partner", "master_account_id"} <= customer_filters
    paginated = schema["components"]["schemas"]["PaginatedSiteList"]["properties"]
    assert {"count", "next", "previous", "results"} <= set(paginated)
    device_filters = {p["name"] for p in schema["paths"]["/api/v1/devices/"]["get"]["parameters"]}
    assert {"site_id", "category", "customer", "serial"} <= device_filters
    contract_filters = {p["name"] for p in schema["paths"]["/api/v1/contracts/"]["get"]["parameters"]}
    assert {"customer", "status", "offering", "partner"} <= contract_filters
    coverage = {p["name"] for p in schema["paths"]["/api/v1/coverage/"]["get"]["parameters"]}
    assert {"site_id", "category", "serial", "product", "sku", "on"} <= coverage


def test_the_schema_names_the_contract_fields_and_enums_of_api_md(schema):
    components = schema["components"]["schemas"]
    assert {"sku", "name", "category", "list_price", "currency", "end_of_sale", "end_of_service",
            "quote_required"} <= set(components["Product"]["properties"])
    assert {"serial", "product", "site", "customer", "category"} <= set(components["Device"]["properties"])
    contract = components["Contract"]["properties"]
    assert {"id", "partner", "customer", "offering", "start_date", "end_date", "status", "options",
            "lines"} <= set(contract)
    assert {"category", "installed", "growth", "committed", "baseline", "annual_unit_price"} <= set(
        components["ContractLine"]["properties"])
    assert set(components["ContractOptions"]["properties"]) == {
        "onsite_extension", "csm_hour_blocks", "csm_hours_per_month", "technical_account_management"}
    coverage = components["Coverage"]["properties"]
    assert {"covered", "reason", "explanation", "contract", "flags", "site_id", "serial"} <= set(coverage)
    assert set(components["CoverageContract"]["properties"]) == {
        "id", "number", "offering", "status", "start_date", "end_date"}
    assert set(components["ReasonEnum"]["enum"]) == {
        "covered", "no_contract", "contract_not_active", "category_not_covered", "end_of_service",
        "quote_required", "not_on_contract"}
    assert set(components["OfferingEnum"]["enum"]) == {"poly_plus", "poly_plus_enterprise"}
    assert {"itp", "medialign", "vertical_solution", "infrastructure"} <= set(
        components["ProductCategoryEnum"]["enum"])


def test_created_answers_are_documented_as_created(schema):
    paths = schema["paths"]
    for path in ("/api/v1/contracts/{id}/renew/", "/api/v1/contracts/{id}/add-line/",
                 "/api/v1/contracts/{contract_pk}/devices/"):
        assert "201" in paths[path]["post"]["responses"], path
    assert set(paths["/api/v1/contracts/{contract_pk}/devices/{id}/remove/"]["post"]["responses"]) >= {"204"}
    assert "multipart/form-data" in paths["/api/v1/products/import/"]["post"]["requestBody"]["content"]


def test_the_schema_names_the_fields_and_enums_of_api_md(schema):
    components = schema["components"]["schemas"]
    site_fields = {"site_id", "customer", "name", "country", "subdivision", "timezone"}
    assert site_fields <= set(components["Site"]["properties"])
    assert {"id", "partner", "name", "master_account_id"} <= set(components["Customer"]["properties"])
    assert {"id", "name", "slug", "brand"} <= set(components["Partner"]["properties"])
    assert {"display_name", "logo", "primary_color", "host"} <= set(components["Brand"]["properties"])
    assert {"category", "expires_on"} <= set(components["Certification"]["properties"])
    roles = components["RoleEnum"]["enum"]
    assert {"poly_admin", "partner_admin", "partner_engineer", "customer_viewer", "csm"} <= set(roles)
    assert set(components["ServiceCategoryEnum"]["enum"]) == {"headset", "video", "voice"}
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_schema_and_the_docs_are_served(client, db):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Poly+ partner portal API"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower() and b"/api/schema/" in docs.content


def test_rma_billing_fields_are_not_promised_since_customer_viewers_never_get_them(schema):
    from rma.api import BILLING_FIELDS

    for name in ("Rma", "RmaDetail"):
        component = schema["components"]["schemas"][name]
        assert set(BILLING_FIELDS) <= set(component["properties"])
        assert not set(BILLING_FIELDS) & set(component["required"]), name
        assert {"number", "status", "serial"} <= set(component["required"])
