"""Audit by the database: pghistory triggers record every insert, update and delete.

The context (who, from where, under which tenant) is stored in each event row, so an
event table is tenant-owned like the table it tracks and row-level security covers it.
"""

import pghistory


def audited(**options):
    """Track inserts, updates and deletes of a model in an append-only event table."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        context_field=pghistory.ContextJSONField(),
        append_only=True,
        **options,
    )
