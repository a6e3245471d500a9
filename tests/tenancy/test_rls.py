"""Row-level security, seen from raw SQL: the database itself keeps partners apart.

Every query here is an unfiltered `connection.cursor()` statement, so nothing but the
PostgreSQL policies stands between partner A's context and partner B's rows.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from polyplus.tenancy import rls
from polyplus.tenancy.context import NO_TENANT, SIGN_IN, TenantContext, tenant_context
from polyplus.tenancy.models import Partner, User
from polyplus.tenancy.services import api_token_create
from tests import factories

PROJECT_APPS = {"tenancy", "portal", "contracts", "installbase", "tickets", "rma", "ecps"}

# Tables with a partner column, and their audit event tables, checked row by row below.
PARTNER_TABLES = [
    "tenancy_customer",
    "tenancy_site",
    "tenancy_certification",
    "tenancy_trainingrecord",
    "tenancy_csmassignment",
    "tenancy_partnerbrand",
    "tenancy_customerevent",
    "tenancy_siteevent",
    "tenancy_certificationevent",
    "tenancy_userevent",
]


@pytest.fixture
def two_tenants(partner_a, partner_b, site_a, site_b, partner_a_engineer, partner_b_engineer, csm):
    """Partner A and B, each with a customer, a site, a certification, training, a CSM and a token."""
    for partner, engineer, customer in ((partner_a, partner_a_engineer, site_a.customer),
                                        (partner_b, partner_b_engineer, site_b.customer)):
        factories.CertificationFactory(partner=partner)
        factories.TrainingRecordFactory(engineer=engineer)
        factories.CsmAssignmentFactory(customer=customer, csm=csm)
        api_token_create(user=engineer, name="PSA")
    return partner_a, partner_b


def partner_ids_in(table: str, column: str = "partner_id") -> set:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT DISTINCT "{column}" FROM "{table}"')
        return {row[0] for row in cursor.fetchall()}


def row_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return cursor.fetchone()[0]


def refused(sql: str, params: list) -> str:
    """Run a statement that row-level security must refuse; return the database's message."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


# ---- reading -------------------------------------------------------------------------------

@pytest.mark.parametrize("table", PARTNER_TABLES)
def test_a_raw_select_in_partner_a_context_returns_none_of_partner_bs_rows(two_tenants, table):
    partner_a, partner_b = two_tenants
    assert partner_b.pk in partner_ids_in(table)  # the staff context of the test sees both

    with tenant_context(TenantContext(partner_id=partner_a.pk)):
        assert partner_ids_in(table) == {partner_a.pk}


def test_a_raw_select_of_partners_and_their_events_in_a_context_shows_only_partner_a(two_tenants):
    partner_a, _ = two_tenants
    with tenant_context(TenantContext(partner_id=partner_a.pk)):
        assert partner_ids_in("tenancy_partner", "id") == {partner_a.pk}
        assert partner_ids_in("tenancy_partnerevent", "pgh_obj_id") == {partner_a.pk}


def test_a_raw_select_of_users_and_tokens_in_a_context_shows_only_partner_as_people(two_tenants, csm):
    partner_a, _ = two_tenants
    with tenant_context(TenantContext(partner_id=partner_a.pk)), connection.cursor() as cursor:
        cursor.execute("SELECT partner_id, email FROM tenancy_user")
        users = cursor.fetchall()
        cursor.execute("SELECT DISTINCT partner_id FROM tenancy_apitoken")
        token_partners = {row[0] for row in cursor.fetchall()}
    assert users and {partner for partner, _ in users} == {partner_a.pk}
    assert csm.email not in {email for _, email in users}  # nor Poly staff
    assert token_partners == {partner_a.pk}


@pytest.mark.parametrize("table", [*PARTNER_TABLES, "tenancy_partner", "tenancy_user", "tenancy_apitoken"])
def test_with_no_context_at_all_no_tenant_row_is_visible(two_tenants, table):
    with tenant_context(NO_TENANT):
        assert row_count(table) == 0


def test_unset_settings_show_nothing_either(two_tenants):
    with tenant_context(NO_TENANT), connection.cursor() as cursor:
        cursor.execute("RESET app.current_partner; RESET app.identity_lookup; RESET app.\"current_user\"; RESET role")
        assert row_count("tenancy_customer") == 0
        assert row_count("tenancy_user") == 0


def test_a_garbled_partner_setting_fails_the_query_instead_of_showing_rows(two_tenants):
    with tenant_context(NO_TENANT), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.current_partner', '1 OR true', true)")
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("SELECT count(*) FROM tenancy_customer")


def test_the_staff_context_sees_every_partners_rows(two_tenants):
    partner_a, partner_b = two_tenants
    with tenant_context(TenantContext(staff=True)):
        for table in PARTNER_TABLES:
            assert partner_ids_in(table) >= {partner_a.pk, partner_b.pk}, table


def test_the_sign_in_lookup_sees_people_and_tokens_but_no_tenant_data(two_tenants):
    partner_a, partner_b = two_tenants
    with tenant_context(SIGN_IN):
        assert {partner_a.pk, partner_b.pk} <= partner_ids_in("tenancy_user")
        assert partner_ids_in("tenancy_apitoken") == {partner_a.pk, partner_b.pk}
        assert row_count("tenancy_customer") == 0
        assert row_count("tenancy_partner") == 0


def test_a_person_sees_their_own_identity_row_whatever_the_partner(two_tenants, csm):
    with tenant_context(TenantContext(user_id=csm.pk)), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tenancy_user")
        assert [row[0] for row in cursor.fetchall()] == [csm.pk]


# ---- writing -------------------------------------------------------------------------------

def test_inserting_a_row_for_partner_b_from_partner_as_context_is_refused(two_tenants):
    partner_a, partner_b = two_tenants
    with tenant_context(TenantContext(partner_id=partner_a.pk)):
        message = refused(
            "INSERT INTO tenancy_customer (partner_id, name, master_account_id, created_at)"
            " VALUES (%s, 'Smuggled', '', now())",
            [partner_b.pk],
        )
    assert "row-level security" in message
    assert not partner_b.customers.filter(name="Smuggled").exists()


def test_inserting_a_site_under_partner_bs_customer_from_as_context_is_refused(two_tenants, customer_b):
    partner_a, partner_b = two_tenants
    with tenant_context(TenantContext(partner_id=partner_a.pk)):
        message = refused(
            "INSERT INTO tenancy_site (partner_id, customer_id, site_id, name, address, country, subdivision,"
            " timezone) VALUES (%s, %s, 'SMUGGLED-1', 'x', 'x', 'PL', '', 'Europe/Warsaw')",
            [partner_b.pk, customer_b.pk],
        )
    assert "row-level security" in message


def test_updating_or_deleting_partner_bs_rows_from_as_context_touches_nothing(two_tenants, customer_b, site_b):
    partner_a, _ = two_tenants
    with tenant_context(TenantContext(partner_id=partner_a.pk)), connection.cursor() as cursor:
        cursor.execute("UPDATE tenancy_customer SET name = 'Hijacked' WHERE id = %s", [customer_b.pk])
        assert cursor.rowcount == 0
        cursor.execute("UPDATE tenancy_site SET name = 'Hijacked' WHERE partner_id <> %s", [partner_a.pk])
        assert cursor.rowcount == 0
        cursor.execute("UPDATE tenancy_user SET full_name = 'Hijacked' WHERE partner_id <> %s", [partner_a.pk])
        assert cursor.rowcount == 0
        cursor.execute("UPDATE tenancy_apitoken SET revoked_at = now() WHERE partner_id <> %s", [partner_a.pk])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM tenancy_certification WHERE partner_id <> %s", [partner_a.pk])
        assert cursor.rowcount == 0
    customer_b.refresh_from_db()
    site_b.refresh_from_db()
    assert customer_b.name == "Orlen Płock" and site_b.name != "Hijacked"
    assert not User.objects.filter(full_name="Hijacked").exists()


def test_moving_partner_as_row_over_to_partner_b_is_refused(two_tenants, customer_a):
    partner_a, partner_b = two_tenants
    with tenant_context(TenantContext(partner_id=partner_a.pk)):
        message = refused("UPDATE tenancy_customer SET partner_id = %s WHERE id = %s", [partner_b.pk, customer_a.pk])
    assert "row-level security" in message
    customer_a.refresh_from_db()
    assert customer_a.partner_id == partner_a.pk


def test_with_no_context_a_write_is_refused_too(two_tenants, customer_a):
    partner_a, _ = two_tenants
    with tenant_context(NO_TENANT):
        message = refused(
            "INSERT INTO tenancy_customer (partner_id, name, master_account_id, created_at)"
            " VALUES (%s, 'Orphan', '', now())",
            [partner_a.pk],
        )
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tenancy_customer WHERE id = %s", [customer_a.pk])
            assert cursor.rowcount == 0
    assert "row-level security" in message


# ---- the set-up itself ---------------------------------------------------------------------

def _has_partner_column(model) -> bool:
    """Partner itself, or any table that names a partner (its audit events included)."""
    return model is Partner or any(
        field.is_relation and field.related_model is Partner for field in model._meta.concrete_fields
    )


def _concrete_project_models():
    return [m for m in apps.get_models()
            if m._meta.app_label in PROJECT_APPS and m._meta.managed and not m._meta.proxy]


def test_every_table_with_a_partner_column_has_row_level_security_and_a_policy(db):
    tables = {m._meta.db_table: m for m in _concrete_project_models() if _has_partner_column(m)}
    assert "tenancy_customer" in tables and "tenancy_partner" in tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relrowsecurity FROM pg_class WHERE relname = ANY(%s)", [list(tables)])
        rls_on = dict(cursor.fetchall())
        cursor.execute("SELECT tablename, policyname, roles::text[], cmd, qual, with_check FROM pg_policies"
                       " WHERE schemaname = 'public' AND tablename = ANY(%s)", [list(tables)])
        policies = {(table, name): (roles, cmd, qual, check) for table, name, roles, cmd, qual, check
                    in cursor.fetchall()}
    missing_rls = sorted(t for t in tables if not rls_on.get(t))
    assert missing_rls == [], f"tables without row-level security: {missing_rls}"
    for table in tables:
        app = policies.get((table, rls.APP_POLICY))
        staff = policies.get((table, rls.STAFF_POLICY))
        assert app and staff, f"{table} lacks a policy: {app=} {staff=}"
        assert app[:2] == ([settings.DATABASE_APP_USER], "ALL"), table
        assert "polyplus_current_partner()" in app[2] and "polyplus_current_partner()" in app[3], table
        assert staff[:2] == ([settings.DATABASE_STAFF_ROLE], "ALL"), table
    assert {name for _, name in policies} == {rls.APP_POLICY, rls.STAFF_POLICY}


def test_every_project_table_that_points_at_tenant_data_carries_its_own_partner(db):
    """Child tables too (ARCHITECTURE.md): a table without `partner` is not covered by a policy."""
    # Users are identities, not tenant data: a Poly-wide table may name the Poly admin who set it.
    covered = set(rls.tenant_models())
    tenant_data = covered - {User}
    uncovered = []
    for model in _concrete_project_models():
        if model in covered:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in tenant_data:
                uncovered.append(f"{model._meta.label}.{field.name}")
    assert uncovered == []


def test_the_app_and_staff_roles_own_nothing_and_can_bypass_nothing(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_user, rolname, rolsuper, rolbypassrls, rolcreaterole, rolcanlogin"
                       " FROM pg_roles WHERE rolname IN (session_user, %s) ORDER BY rolname = session_user DESC",
                       [settings.DATABASE_STAFF_ROLE])
        (session_role, app, *app_rights, _), (_, staff, *staff_rights, staff_logs_in) = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                       " WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) IN (%s, %s)", [app, staff])
        owned = cursor.fetchone()[0]
        cursor.execute("SELECT pg_has_role(session_user, %s, 'MEMBER')", [settings.DATABASE_OWNER["USER"]])
        member_of_owner = cursor.fetchone()[0]
    assert app == session_role == settings.DATABASE_APP_USER != settings.DATABASE_OWNER["USER"]
    assert staff == settings.DATABASE_STAFF_ROLE
    assert app_rights == staff_rights == [False, False, False]
    assert staff_logs_in is False
    assert owned == 0
    assert member_of_owner is False


def test_the_app_role_may_enter_the_staff_role_but_never_inherits_it(db):
    """Inheriting it would put the app role under the staff policy in every context."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(session_user, %s, 'MEMBER'), pg_has_role(session_user, %s, 'USAGE')",
                       [settings.DATABASE_STAFF_ROLE, settings.DATABASE_STAFF_ROLE])
        assert cursor.fetchone() == (True, False)


def test_the_staff_context_works_as_the_staff_role_and_a_partner_context_as_the_app_role(two_tenants):
    partner_a, _ = two_tenants
    with tenant_context(TenantContext(staff=True)), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_STAFF_ROLE
        with tenant_context(TenantContext(partner_id=partner_a.pk)):
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == settings.DATABASE_APP_USER
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_STAFF_ROLE


def test_the_retired_staff_setting_opens_nothing(two_tenants):
    """Staff access is the staff role now: the old `app.staff_context` switch shows no rows."""
    with tenant_context(NO_TENANT), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.staff_context', 'on', true)")
        assert row_count("tenancy_customer") == 0
        assert row_count("tenancy_user") == 0


def test_the_migrate_command_refuses_an_app_role_that_inherits_the_staff_role():
    from django.core.management.base import CommandError

    from polyplus.tenancy.management.commands.migrate import check_staff_role

    class FakeCursor:
        def __init__(self, rows):
            self.rows = iter(rows)

        def execute(self, sql, params):
            pass

        def fetchone(self):
            return next(self.rows)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    class FakeConnection:
        def __init__(self, rows):
            self.rows = rows

        def cursor(self):
            return FakeCursor(self.rows)

    check_staff_role(FakeConnection([(False,), (True, False)]), app="app", staff="staff")
    for rows, message in (([None], "does not exist"), ([(True,)], "bypass"),
                          ([(False,), (False, False)], "must be granted"), ([(False,), (True, True)], "inherits")):
        with pytest.raises(CommandError, match=message):
            check_staff_role(FakeConnection(rows), app="app", staff="staff")


@pytest.fixture
def people_records(partner_a_engineer, partner_b_engineer):
    """Each engineer with an e-mail address and a two-factor authenticator (allauth's tables)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    for person in (partner_a_engineer, partner_b_engineer):
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
        Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return partner_a_engineer, partner_b_engineer


@pytest.mark.parametrize("table", ["account_emailaddress", "mfa_authenticator"])
def test_a_persons_addresses_and_authenticators_follow_their_person(people_records, table):
    engineer_a, engineer_b = people_records
    with tenant_context(TenantContext(partner_id=engineer_a.partner_id)):
        assert partner_ids_in(table, "user_id") == {engineer_a.pk}
    with tenant_context(NO_TENANT):
        assert row_count(table) == 0
    with tenant_context(SIGN_IN):  # the sign-in and two-factor steps find them before any partner is known
        assert partner_ids_in(table, "user_id") == {engineer_a.pk, engineer_b.pk}
    with tenant_context(TenantContext(user_id=engineer_b.pk)):
        assert partner_ids_in(table, "user_id") == {engineer_b.pk}


def test_another_partners_person_gets_no_address_written_for_them(people_records):
    engineer_a, engineer_b = people_records
    with tenant_context(TenantContext(partner_id=engineer_a.partner_id)):
        message = refused("INSERT INTO account_emailaddress (user_id, email, verified, \"primary\")"
                          " VALUES (%s, 'smuggled@example.com', true, false)", [engineer_b.pk])
    assert "row-level security" in message
