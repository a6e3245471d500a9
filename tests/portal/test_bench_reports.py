"""The render bench measures what the README says it does: a report of exactly ten pages."""

import io

from django.core.management import call_command


def test_the_render_bench_times_a_ten_page_report(db):
    out = io.StringIO()
    call_command("bench_reports", "--render-only", "--contracts", "1", "--renders", "1", stdout=out)
    assert out.getvalue().startswith("Render, 10 pages, warm: median ")
