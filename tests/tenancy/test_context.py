"""The tenant context: transaction-local settings, set per request, command and task."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest

from polyplus.tenancy.context import (
    NO_TENANT,
    SIGN_IN,
    TenantContext,
    context_for_user,
    context_in_force,
    partner_context,
    read_context,
    set_request_context,
    staff_context,
    switch_request_to_user,
    tenant_context,
    user_context,
    write_context,
)
from polyplus.tenancy.models import Customer
from polyplus.tenancy.selectors import audit_events_visible_to
from tests import factories


def test_tests_make_their_data_in_an_explicit_staff_context(db):
    assert read_context() == TenantContext(staff=True)


def test_a_context_holds_inside_its_block_and_the_previous_one_returns_after(db, partner_a):
    before = read_context()
    with tenant_context(TenantContext(partner_id=partner_a.pk, user_id=7)):
        assert read_context() == TenantContext(partner_id=partner_a.pk, user_id=7)
        with tenant_context(NO_TENANT):
            assert read_context() == NO_TENANT
        assert read_context().partner_id == partner_a.pk
    assert read_context() == before


def test_a_failing_block_rolls_back_its_writes_and_its_context(db, partner_a):
    before = read_context()
    with pytest.raises(RuntimeError, match="boom"), tenant_context(TenantContext(partner_id=partner_a.pk)):
        Customer.objects.create(partner=partner_a, name="Half-made")
        raise RuntimeError("boom")
    assert read_context() == before
    assert not Customer.objects.filter(name="Half-made").exists()


def test_a_database_error_in_a_block_is_not_hidden_by_restoring_the_context(db, partner_a, partner_b):
    with pytest.raises(DatabaseError, match="row-level security"), \
            tenant_context(TenantContext(partner_id=partner_a.pk)), connection.cursor() as cursor:
        cursor.execute("INSERT INTO tenancy_customer (partner_id, name, master_account_id, created_at)"
                       " VALUES (%s, 'x', '', now())", [partner_b.pk])
    assert read_context() == TenantContext(staff=True)


def test_a_block_that_asks_for_rollback_leaves_the_outer_context_usable(db, partner_a):
    with tenant_context(TenantContext(partner_id=partner_a.pk)):
        Customer.objects.create(partner=partner_a, name="Rolled back")
        transaction.set_rollback(True)
    assert read_context() == TenantContext(staff=True)
    assert not Customer.objects.filter(name="Rolled back").exists()


def test_the_context_is_transaction_local_and_needs_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match="transaction"):
        write_context(TenantContext(staff=True))
    with transaction.atomic():
        write_context(TenantContext(staff=True))
        assert read_context().staff
    assert read_context() == NO_TENANT  # gone with the transaction, never left on the connection


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("partner_a_admin", lambda u: TenantContext(partner_id=u.partner_id, user_id=u.pk)),
        ("partner_a_engineer", lambda u: TenantContext(partner_id=u.partner_id, user_id=u.pk)),
        ("customer_viewer", lambda u: TenantContext(partner_id=u.partner_id, user_id=u.pk)),
        ("poly_admin", lambda u: TenantContext(staff=True, user_id=u.pk)),
        ("poly_support", lambda u: TenantContext(staff=True, user_id=u.pk)),
        ("csm", lambda u: TenantContext(staff=True, user_id=u.pk)),
    ],
)
def test_each_persona_works_in_its_partner_or_in_polys_staff_context(db, request, fixture, expected):
    user = request.getfixturevalue(fixture)
    assert context_for_user(user) == expected(user)


def test_an_anonymous_visitor_may_only_look_up_a_sign_in(db):
    from django.contrib.auth.models import AnonymousUser

    assert context_for_user(AnonymousUser()) == SIGN_IN
    assert context_for_user(None) == SIGN_IN


def test_switching_a_request_to_a_user_shows_only_their_partner(db, partner_a_engineer, customer_a, customer_b):
    request = HttpRequest()
    with tenant_context(SIGN_IN):
        switch_request_to_user(request, partner_a_engineer)
        assert context_in_force(request) == read_context() == TenantContext(
            partner_id=partner_a_engineer.partner_id, user_id=partner_a_engineer.pk)
        assert list(Customer.objects.all()) == [customer_a]


def test_a_context_undone_by_a_rolled_back_savepoint_is_written_again(db, partner_a_engineer, customer_a):
    request = HttpRequest()
    with tenant_context(SIGN_IN):
        set_request_context(request, SIGN_IN)
        with transaction.atomic():
            switch_request_to_user(request, partner_a_engineer)
            transaction.set_rollback(True)
        assert read_context() == SIGN_IN and context_in_force(request) is None  # not trusted any more
        switch_request_to_user(request, partner_a_engineer)
        assert read_context().partner_id == partner_a_engineer.partner_id


def test_user_context_records_who_did_what_in_the_audit_log(db, partner_a_admin):
    with user_context(partner_a_admin, url="/test/"):
        Customer.objects.create(partner=partner_a_admin.partner, name="Audited AB")
    event = audit_events_visible_to(partner_a_admin).filter(pgh_data__name="Audited AB").first()
    assert event.pgh_data["name"] == "Audited AB"
    assert event.pgh_context["user"] == partner_a_admin.pk
    assert event.pgh_context["user_email"] == partner_a_admin.email


def test_the_staff_context_is_explicit_and_its_reason_lands_in_the_audit_log(db, poly_admin, partner_a):
    with staff_context(reason="merge duplicate customers", actor=poly_admin):
        assert read_context() == TenantContext(staff=True, user_id=poly_admin.pk)
        Customer.objects.create(partner=partner_a, name="Made by staff")
    event = audit_events_visible_to(poly_admin).filter(pgh_data__name="Made by staff").first()
    assert event.pgh_context["reason"] == "merge duplicate customers"
    assert event.pgh_context["staff_context"] is True
    assert event.pgh_context["user"] == poly_admin.pk


def test_a_partner_context_for_jobs_sees_and_writes_only_that_partner(db, partner_a, customer_a, customer_b):
    with partner_context(partner_id=partner_a.pk, reason="nightly job"):
        assert list(Customer.objects.all()) == [customer_a]
        Customer.objects.create(partner=partner_a, name="Job-made")
        with pytest.raises(DatabaseError), transaction.atomic():
            Customer.objects.create(partner=customer_b.partner, name="Not mine")


def test_data_made_in_one_partners_context_is_invisible_in_anothers(db, partner_a, partner_b):
    with partner_context(partner_id=partner_a.pk, reason="test"):
        factories.CustomerFactory(partner=partner_a, name="Only A")
    with partner_context(partner_id=partner_b.pk, reason="test"):
        assert not Customer.objects.filter(name="Only A").exists()


def test_every_staff_request_is_named_in_the_log_and_partner_requests_are_not(
        client_for, poly_support, partner_a_engineer, caplog):
    with caplog.at_level("INFO", logger="polyplus.tenancy"):
        client_for(poly_support).get("/customers/")
        client_for(partner_a_engineer).get("/customers/")
    staff_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("staff context:")]
    assert any("support@poly.example" in line and "url=/customers/" in line for line in staff_lines)
    assert not any("eng@nordic.example" in line for line in staff_lines)
