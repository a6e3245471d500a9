from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from polyplus.tenancy.db import app_role, as_schema_owner
from polyplus.tenancy.rls import apply_row_level_security, staff_role


class Command(DjangoMigrate):
    help = "Migrate as the schema owner, then refresh row-level security and the app and staff roles' grants."

    def handle(self, *args, **options):
        role = app_role()
        with as_schema_owner(options["database"]):
            check_staff_role(connections[options["database"]], app=role, staff=staff_role())
            super().handle(*args, **options)
            apply_row_level_security(role)


def check_staff_role(connection, *, app: str, staff: str) -> None:
    """The staff role must exist, and the app role may enter it but never inherit it: an app
    role that inherited it would fall under its see-everything policy in every context."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = %s", [staff])
        row = cursor.fetchone()
        if row is None:
            raise CommandError(f"The staff role {staff!r} does not exist: create it NOLOGIN and grant it to "
                               f"{app!r} without inheritance (see README, 'Database roles').")
        if row[0]:
            raise CommandError(f"The staff role {staff!r} must not be a superuser or bypass row-level security.")
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER'), pg_has_role(%s, %s, 'USAGE')", [app, staff, app, staff])
        member, inherits = cursor.fetchone()
        if not member:
            raise CommandError(f"The app role {app!r} must be granted the staff role {staff!r}.")
        if inherits:
            raise CommandError(f"The app role {app!r} inherits the staff role {staff!r}: make it NOINHERIT "
                               "(PostgreSQL 16+: GRANT ... WITH INHERIT FALSE).")
