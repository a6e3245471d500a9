"""Row-level security for every tenant-owned table, kept in step with the models.

After each `migrate` (run as the schema owner) every model that carries a partner gets
a policy keyed to the tenant context (context.py), and the app role is granted plain
data access to the tables, never ownership, so it cannot bypass the policies. A new
model with a `partner` field is protected without anyone remembering to do it.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.db.models import Model

POLICY = "tenant_isolation"

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION polyplus_partner_visible(row_partner bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('app.staff_context', true), '') = 'on'
        OR row_partner = nullif(current_setting('app.current_partner', true), '')::bigint
$$;
CREATE OR REPLACE FUNCTION polyplus_identity_visible(row_partner bigint, row_user bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT polyplus_partner_visible(row_partner)
        OR coalesce(current_setting('app.identity_lookup', true), '') = 'on'
        OR row_user = nullif(current_setting('app.current_user', true), '')::bigint
$$;
"""


def partner_column(model: type[Model]) -> str | None:
    """The column that names a row's partner, or None for a table no tenant owns."""
    if hasattr(model, "rls_partner_column"):
        return model.rls_partner_column
    names = {f.name: f for f in model._meta.concrete_fields}
    if "partner" in names:
        return names["partner"].column
    obj = names.get("pgh_obj")
    if obj is not None and obj.related_model is not None and hasattr(obj.related_model, "rls_partner_column"):
        return obj.column  # the audit events of a table keyed on its own id (Partner)
    return None


def policy_expression(model: type[Model]) -> str | None:
    column = partner_column(model)
    if column is None:
        return None
    identity = getattr(model, "rls_identity_column", None)
    if identity:
        return f'polyplus_identity_visible("{column}", "{identity}")'
    return f'polyplus_partner_visible("{column}")'


def tenant_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and policy_expression(model)
    ]


def apply_row_level_security(app_role: str) -> None:
    """Create or refresh the policies and the app role's grants. Run as the schema owner."""
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        for model in tenant_models():
            table = model._meta.db_table
            expression = policy_expression(model)
            cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            cursor.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
            cursor.execute(
                f'CREATE POLICY {POLICY} ON "{table}" USING ({expression}) WITH CHECK ({expression})'
            )
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{app_role}"')
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{app_role}"')
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{app_role}"')
        cursor.execute(f'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "{app_role}"')
