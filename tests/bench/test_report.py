"""The bench's report: what it reads from the environment and how it judges the figures."""

import pytest

from polyplus.bench import load
from polyplus.bench.endpoints import endpoints_for


def figures(rps: float, p95: float = 40.0, errors: int = 0) -> dict:
    return {"rps": rps, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.5, "errors": errors}


def result(scale: str, rps: dict[str, float], **overrides) -> dict:
    runs = {e.key: {"4": figures(rps.get(e.key, 100.0)), "16": figures(rps.get(e.key, 100.0))}
            for e in endpoints_for(scale)}
    for key, run in overrides.items():
        runs[key]["4"] = run
    return {"scale": scale, "load": runs,
            "probe": {"endpoints": {e.key: {"statements": 9} for e in endpoints_for(scale)}, "plans": {}}}


def test_it_runs_both_sizes_small_first_unless_told(monkeypatch):
    monkeypatch.delenv("BENCH_SCALES", raising=False)
    assert load.parse_args([]).scales == ["small", "full"]
    assert load.parse_args(["--scales", "full,small"]).scales == ["small", "full"]
    monkeypatch.setenv("BENCH_SCALES", "full")
    assert load.parse_args([]).scales == ["full"]


def test_an_unknown_size_is_refused():
    with pytest.raises(SystemExit):
        load.parse_args(["--scales", "huge"])


def test_the_bench_database_keeps_the_servers_address():
    url = "postgresql://polyplus_app:pw@/polyplus?host=/srv/var/postgres"
    assert load.with_database(url, "polyplus_bench_full") == \
        "postgresql://polyplus_app:pw@/polyplus_bench_full?host=/srv/var/postgres"


def test_the_deep_queue_page_is_measured_at_full_size_only():
    assert "queue_deep" in {e.key for e in endpoints_for("full")}
    assert "queue_deep" not in {e.key for e in endpoints_for("small")}


def test_targets_name_what_is_missed_and_by_how_much():
    small = result("small", {"ceiling": 200.0, "queue": 120.0, "partner_cases": 50.0})
    full = result("full", {"ceiling": 200.0, "queue": 60.0, "partner_cases": 50.0},
                  case_page=figures(80.0, p95=400.0, errors=3))

    lines = "\n".join(load.target_checks({"small": small, "full": full}, [4, 16]))

    assert "| zero errors | 10k | met |" in lines
    assert "| zero errors | full | NOT met: 3 errors |" in lines
    assert "NOT met: case_page 400 ms" in lines
    assert "| queue ≥ 0.5 × ceiling at c=4 | full | met: 0.30 |" not in lines
    assert "| queue ≥ 0.5 × ceiling at c=4 | full | NOT met: 0.30 |" in lines
    assert "| partner_cases ≥ 0.3 × ceiling at c=4 | 10k | NOT met: 0.25 |" in lines
    assert "| queue at full within 20% of 10k (c=4) | both | NOT met: -50% |" in lines
    assert "| partner_cases at full within 20% of 10k (c=4) | both | met: +0% |" in lines


def test_the_side_by_side_table_has_a_row_per_full_size_endpoint():
    table = load.comparison_table(result("small", {}), result("full", {"queue": 50.0}), [4, 16])

    assert len(table) == 2 + len(endpoints_for("full"))
    queue_row = next(row for row in table if "`/cases/queue/`" in row)
    assert "| 100.0 | 50.0 | 0.50 |" in queue_row
