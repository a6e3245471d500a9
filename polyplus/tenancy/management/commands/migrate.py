from django.core.management.commands.migrate import Command as DjangoMigrate

from polyplus.tenancy.db import app_role, as_schema_owner
from polyplus.tenancy.rls import apply_row_level_security


class Command(DjangoMigrate):
    help = "Migrate as the schema owner, then refresh row-level security and the app role's grants."

    def handle(self, *args, **options):
        role = app_role()
        with as_schema_owner(options["database"]):
            super().handle(*args, **options)
            apply_row_level_security(role)
