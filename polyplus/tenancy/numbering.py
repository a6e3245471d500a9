"""Case and contract numbers: short, readable and unique across the portal by construction.

A number is the partner's code (unique across the portal, fixed once set) and the next
value of the partner's counter for that kind of number:

    case       NORD-000123   six digits, more once a partner passes 999,999 cases
    contract   NORD-C-0042   four digits, more once a partner passes 9,999 contracts
    quote      NORD-Q-00007  five digits (true-up and renewal quotes share the counter)

Codes contain no hyphen, so a case number (one hyphen) never equals a contract number
(two), and two partners never share a prefix. The database still keys numbers per
partner, (partner, number), so the tables can be distributed by partner.

The counter is one row per (partner, kind), bumped by a single
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`. That statement takes the row's lock and
holds it to the end of the transaction, so a concurrent request for the same partner and
kind waits and then reads the value this one wrote: no two transactions get the same value.
A transaction that rolls back returns its value with it; a committed value is never issued
again, whatever is deleted later, because nothing counts rows.
"""

from __future__ import annotations

import re

from django.db import connection

from polyplus.tenancy.models import NumberKind, Partner, PartnerNumberCounter

NUMBER_FORMATS = {
    NumberKind.CASE: "{code}-{value:06d}",
    NumberKind.CONTRACT: "{code}-C-{value:04d}",
    NumberKind.QUOTE: "{code}-Q-{value:05d}",
}


def next_number(partner: Partner, kind: NumberKind) -> str:
    """Take the partner's next number of this kind. Call inside the transaction that stores it."""
    table = PartnerNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (partner_id, kind, last_value) VALUES (%s, %s, 1) '
            f'ON CONFLICT (partner_id, kind) DO UPDATE SET last_value = "{table}".last_value + 1 '
            "RETURNING last_value",
            [partner.pk, str(kind)],
        )
        (value,) = cursor.fetchone()
    return NUMBER_FORMATS[kind].format(code=partner.code, value=value)


def propose_partner_code(slug: str, taken: set[str]) -> str:
    """A code made from the slug's letters and digits (up to 8), with digits added if it is taken."""
    base = re.sub(r"[^A-Z0-9]", "", slug.upper())[:8].ljust(2, "X")
    if base not in taken:
        return base
    for counter in range(2, 10_000_000):
        suffix = str(counter)
        candidate = base[: 8 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise ValueError("No free partner code.")
