"""Row-level security for every tenant-owned table, kept in step with the models.

After each `migrate` (run as the schema owner) every model that carries a partner gets
two policies, and the app and staff roles are granted plain data access to the tables,
never ownership, so neither can bypass the policies. A new model with a `partner` field
is protected without anyone remembering to do it.

The design, and why it is fast:

- `tenant_isolation`, for the app role the portal connects as: a row is visible when its
  partner is the transaction's `app.current_partner`. The expression is a plain
  `partner_id = <stable value>`, which the planner treats like a query parameter: it can
  read an index on the partner column, and it estimates one partner's share of the rows
  from the column's statistics. (An earlier single policy also let staff through with
  `OR current_setting('app.staff_context') = 'on'`; the planner could not estimate that
  OR, took every table for nearly empty, and chose plans that read and sorted every open
  case instead of reading an index and stopping at one page.)
- `staff_access`, for the staff role: every row. Poly staff work across partners in an
  explicit, audited staff context (context.py), which enters the staff role with a
  transaction-local `SET ROLE`. The app role is a member of the staff role without
  inheriting its rights, so outside that context the staff policy does not apply to it.
  Queries in the staff context carry no per-row test at all.
- Identity tables (users, tokens) also show the app role its own row (`app.current_user`)
  and, during sign-in (`app.identity_lookup`), every row, as a user must be found before
  the partner is known. They are small, and read by primary key or unique email. A
  person's e-mail addresses and authenticators (allauth's tables) follow their person.
- Brands and partner host names (`rls_sign_in_visible`) are also visible during sign-in:
  a partner's host shows its brand on the sign-in page, before anyone is known (hosts.py).

No setting at all means nothing visible: a query that forgets its context finds no rows.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model

APP_POLICY = "tenant_isolation"
STAFF_POLICY = "staff_access"

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION polyplus_current_partner() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.current_partner', true), '')::bigint
$$;
CREATE OR REPLACE FUNCTION polyplus_current_user() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.current_user', true), '')::bigint
$$;
CREATE OR REPLACE FUNCTION polyplus_identity_lookup() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('app.identity_lookup', true), '') = 'on'
$$;
"""

# A partner without a host of its own signs its people in at /p/<code>/ (hosts.py): the code
# must find the partner before anyone is known, and the sign-in context sees no partner row.
# This owner-run function answers that one question (an active partner's id, or null) and no other.
PARTNER_CODE_SQL = """
CREATE OR REPLACE FUNCTION polyplus_partner_for_code(wanted text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN (SELECT id FROM tenancy_partner WHERE code = upper(wanted) AND is_active);
END
$$;
"""

# The single-policy design's functions, dropped once no policy uses them.
RETIRED_FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS polyplus_identity_visible(bigint, bigint);
DROP FUNCTION IF EXISTS polyplus_partner_visible(bigint);
"""


def staff_role() -> str:
    """The role the staff context enters (a member role of the app role's, never inherited)."""
    return settings.DATABASE_STAFF_ROLE


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


# Rows that belong to a person rather than a partner (allauth's e-mail addresses and two-factor
# authenticators): visible exactly when their person is, so the users table's policy decides.
PERSON_OWNED = {"account.emailaddress": "user_id", "mfa.authenticator": "user_id"}


def policy_expression(model: type[Model]) -> str | None:
    """The app role's test for one row of `model`, or None for a table no tenant owns."""
    person = PERSON_OWNED.get(model._meta.label_lower)
    if person:
        users = get_user_model()._meta
        return f'"{person}" IN (SELECT "{users.pk.column}" FROM "{users.db_table}")'
    column = partner_column(model)
    if column is None:
        return None
    expression = f'"{column}" = polyplus_current_partner()'
    if getattr(model, "rls_sign_in_visible", False):
        return f"({expression} OR polyplus_identity_lookup())"
    identity = getattr(model, "rls_identity_column", None)
    if identity:
        return f'({expression} OR polyplus_identity_lookup() OR "{identity}" = polyplus_current_user())'
    return expression


def tenant_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and policy_expression(model)
    ]


def _create_policies(cursor, table: str, expression: str, app_role: str) -> None:
    cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    for policy in (APP_POLICY, STAFF_POLICY):
        cursor.execute(f'DROP POLICY IF EXISTS {policy} ON "{table}"')
    cursor.execute(
        f'CREATE POLICY {APP_POLICY} ON "{table}" TO "{app_role}" USING ({expression}) WITH CHECK ({expression})'
    )
    cursor.execute(f'CREATE POLICY {STAFF_POLICY} ON "{table}" TO "{staff_role()}" USING (true) WITH CHECK (true)')


def apply_row_level_security(app_role: str) -> None:
    """Create or refresh the policies and both roles' grants. Run as the schema owner."""
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        for model in tenant_models():
            _create_policies(cursor, model._meta.db_table, policy_expression(model), app_role)
        cursor.execute(RETIRED_FUNCTIONS_SQL)
        cursor.execute(PARTNER_CODE_SQL)
        for role in (app_role, staff_role()):
            cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
            cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
            cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
            cursor.execute(f'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "{role}"')
