"""Pages of the largest lists found by their keys first.

An OFFSET over a list with joined tables walks every skipped row through the joins (and,
for a partner, through each joined table's row-level security test). Finding a page's keys
alone walks an index; the page's rows, with their joins, are then read by primary key. The
cost is one more statement a page, the same for page 1 and page 1,000.
"""

from __future__ import annotations

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    def page(self, number):
        page = super().page(number)  # lazy: its slice of the list is not read here
        keys = list(page.object_list.values_list("pk", flat=True))
        rows = self.object_list.filter(pk__in=keys).order_by().in_bulk()
        page.object_list = [rows[key] for key in keys if key in rows]
        return page
