from django.core.management.commands.flush import Command as DjangoFlush

from polyplus.tenancy.db import as_schema_owner


class Command(DjangoFlush):
    help = "Empty every table, as the schema owner (the app role may not TRUNCATE)."

    def handle(self, **options):
        with as_schema_owner(options["database"]):
            super().handle(**options)
