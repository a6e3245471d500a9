"""`make bench`: seed each world, serve it as production does, drive it with wrk, write the report.

For each scale (small, then full, by default) the bench works in a database of its own on
the same PostgreSQL server, `polyplus_bench_<scale>` (BENCH_DATABASE changes the prefix),
which the owner role creates when it is missing and `seed_bench` empties and fills. Then:

1. `bench_probe` requests each endpoint in-process as the same person and counts its SQL
   statements, and runs the case lists' queries under EXPLAIN ANALYZE as the app role;
2. gunicorn serves the portal with production settings (DEBUG off, the app role, row-level
   security on, staff with TOTP set up), sync workers, 2 × cores + 1 of them;
3. wrk requests each endpoint for a fixed time at each number of connections, after a short
   warm-up of every endpoint, with the session cookie or API token of the person it is measured as.

Both tables are printed, side by side when both scales ran, and docs/benchmarks.md is
written anew with them, the machine, the command and the plans. Run from devstack
(`python -m polyplus.devstack bench`), which has started or found PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from polyplus.bench.endpoints import API, CEILING, Endpoint, endpoints_for

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_VAR = ROOT / "var" / "bench"
DOCS = ROOT / "docs" / "benchmarks.md"
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
SCALE_ORDER = ("small", "full")
SCALE_TITLES = {"small": "10k", "full": "full"}
WARM_UP_SECONDS = 2
# The targets on a 2-core machine (docs/benchmarks.md checks them).
P95_TARGET_MS = 150
FLAT_TOLERANCE = 0.20
LIST_KEYS = ("partner_cases", "queue", "cases_api", "cases_api_open")


class BenchError(Exception):
    pass


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m polyplus.devstack bench")
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES") or "small,full",
                        help="comma-separated: small (10k cases), full (300k cases); default both")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION") or 10),
                        help="seconds of load per endpoint and number of connections (default 10)")
    parser.add_argument("--connections", default=os.environ.get("BENCH_CONNECTIONS") or "4,16")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS") or 0),
                        help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--no-seed", action="store_true", default=os.environ.get("BENCH_SEED") == "0",
                        help="reuse the worlds a previous run seeded (their logins are in var/bench/)")
    args = parser.parse_args(argv)
    args.scales = [scale.strip() for scale in args.scales.split(",") if scale.strip()]
    unknown = set(args.scales) - set(SCALE_ORDER)
    if unknown or not args.scales:
        parser.error(f"--scales takes small and/or full, not {', '.join(sorted(unknown)) or 'nothing'}")
    args.scales = [scale for scale in SCALE_ORDER if scale in args.scales]
    args.connections = [int(value) for value in args.connections.split(",")]
    args.workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    return args


# ---- the database and the environment the portal runs in -----------------------------------

def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def ensure_database(owner_url: str, app_url: str, name: str, *, fresh: bool) -> None:
    """Create the bench database as the owner role (dropped first when `fresh`, so migrations
    renamed since the last run cannot trip over it); the app role may use it."""
    import psycopg
    from psycopg import sql

    app_role = urlsplit(app_url).username
    with psycopg.connect(with_database(owner_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not fresh:
            return
        try:
            if exists:
                conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege:
            raise BenchError(f"The owner role may not create or drop {name}: create it owned by the owner "
                             "role, or set BENCH_DATABASE to a prefix of databases it owns.") from None
        except psycopg.errors.ObjectInUse:
            raise BenchError(f"{name} is in use (a portal still serving it?): stop that and run again.") from None
    with psycopg.connect(with_database(owner_url, name), autocommit=True) as conn:
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(app_role)))


def portal_environment(scale: str, *, fresh: bool) -> dict[str, str]:
    """Production settings on plain http at 127.0.0.1, against the scale's own database."""
    prefix = os.environ.get("BENCH_DATABASE") or "polyplus_bench"
    name = f"{prefix}_{scale}"
    app_url, owner_url = os.environ["DATABASE_URL"], os.environ["DATABASE_OWNER_URL"]
    ensure_database(owner_url, app_url, name, fresh=fresh)
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({
        "DATABASE_URL": with_database(app_url, name),
        "DATABASE_OWNER_URL": with_database(owner_url, name),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "0",  # plain http on 127.0.0.1, as behind a proxy that ends TLS
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(BENCH_VAR / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    })
    env.pop("POLYPLUS_REQUIRE_STAFF_MFA", None)  # production's default: staff need TOTP
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """manage.py in the portal's environment; its log quieter than the portal's (no per-request lines)."""
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env={**env, "LOG_LEVEL": "WARNING"},
                   check=True)


# ---- serving and loading --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env: dict[str, str], workers: int, port: int, log_path: Path) -> subprocess.Popen:
    from polyplus.devstack import die_with_parent

    command = [sys.executable, "-m", "gunicorn", "polyplus.wsgi:application", "--workers", str(workers),
               "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "60"]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  preexec_fn=die_with_parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped (exit code {server.returncode}); see {log_path}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.3)
    server.terminate()
    raise BenchError(f"gunicorn did not answer on port {port} within 60 s; see {log_path}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def check_answers(port: int, endpoint: Endpoint, seeded: dict) -> None:
    """One request before the load: it must be a 200, not a redirect to the sign-in page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", endpoint.url_path(seeded), headers=endpoint.headers(seeded))
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise BenchError(f"{endpoint.url_path(seeded)} answered {response.status} "
                         f"{response.getheader('Location') or body[:300]!r} instead of 200")


def wrk(port: int, endpoint: Endpoint, seeded: dict, connections: int, seconds: int) -> dict:
    threads = max(1, min(connections, os.cpu_count() or 1))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT)]
    for name, value in endpoint.headers(seeded).items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{endpoint.url_path(seeded)}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise BenchError(f"wrk printed no figures for {endpoint.key}:\n{output}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    errors = (raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
              + raw["not_2xx"])
    return {"connections": connections, "requests": raw["requests"],
            "rps": raw["requests"] / seconds_run if seconds_run else 0.0,
            "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
            "errors": errors, "not_2xx": raw["not_2xx"], "socket_errors": errors - raw["not_2xx"]}


def load(env: dict[str, str], seeded: dict, args: argparse.Namespace) -> dict:
    port = free_port()
    server = serve(env, args.workers, port, BENCH_VAR / f"gunicorn-{seeded['scale']}.log")
    try:
        endpoints = endpoints_for(seeded["scale"])
        for endpoint in endpoints:  # every worker answers every endpoint once before anything is timed
            check_answers(port, endpoint, seeded)
            wrk(port, endpoint, seeded, args.workers, WARM_UP_SECONDS)
        results = {}
        for endpoint in endpoints:
            results[endpoint.key] = {}
            for connections in args.connections:
                run = wrk(port, endpoint, seeded, connections, args.duration)
                results[endpoint.key][str(connections)] = run
                print(f"  {endpoint.key:<16} c={connections:<3} {run['rps']:8.1f} req/s  "
                      f"p50 {run['p50_ms']:7.1f}  p95 {run['p95_ms']:7.1f}  p99 {run['p99_ms']:7.1f} ms  "
                      f"errors {run['errors']}", flush=True)
        return results
    finally:
        stop(server)


# ---- one scale --------------------------------------------------------------------------------

def run_scale(scale: str, args: argparse.Namespace) -> dict:
    print(f"\n== {scale} ({SCALE_TITLES[scale]}) ==", flush=True)
    seeded_path, probe_path = BENCH_VAR / f"{scale}-world.json", BENCH_VAR / f"{scale}-probe.json"
    seed = not args.no_seed or not seeded_path.exists()
    env = portal_environment(scale, fresh=seed)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    if seed:
        manage(env, "seed_bench", "--scale", scale, "--out", str(seeded_path))
    seeded = json.loads(seeded_path.read_text())
    print("SQL statements per request (in-process, as the same person):", flush=True)
    manage(env, "bench_probe", str(seeded_path), "--out", str(probe_path))
    probe = json.loads(probe_path.read_text())
    print(f"Load: wrk, {args.duration} s per endpoint and connection count, gunicorn with "
          f"{args.workers} sync workers", flush=True)
    return {"scale": scale, "seeded": seeded, "probe": probe, "load": load(env, seeded, args),
            "postgres": postgres_version(env["DATABASE_URL"])}


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# ---- the report -------------------------------------------------------------------------------

def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "–"


def scale_table(result: dict, connections: list[int]) -> list[str]:
    endpoints = endpoints_for(result["scale"])
    head = "| endpoint | SQL/req |" + "".join(
        f" c={c} req/s | p50 ms | p95 ms | p99 ms | errors | × ceiling |" for c in connections)
    lines = [head, "|---|---:|" + "---:|---:|---:|---:|---:|---:|" * len(connections)]
    for endpoint in endpoints:
        probe = result["probe"]["endpoints"][endpoint.key]
        row = f"| {endpoint.label} | {probe['statements']} |"
        for c in connections:
            run = result["load"][endpoint.key][str(c)]
            ceiling = result["load"]["ceiling"][str(c)]["rps"]
            row += (f" {run['rps']:.1f} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | {run['p99_ms']:.1f} |"
                    f" {run['errors']} | {ratio(run['rps'], ceiling)} |")
        lines.append(row)
    return lines


def comparison_table(small: dict, full: dict, connections: list[int]) -> list[str]:
    head = "| endpoint |" + "".join(
        f" c={c} req/s 10k | full | full/10k | p95 ms 10k | full |" for c in connections) + " SQL 10k | full |"
    lines = [head, "|---|" + "---:|---:|---:|---:|---:|" * len(connections) + "---:|---:|"]
    for endpoint in endpoints_for("full"):
        row = f"| {endpoint.label} |"
        for c in connections:
            big = full["load"][endpoint.key][str(c)]
            little = small["load"].get(endpoint.key, {}).get(str(c))
            if little is None:
                row += f" – | {big['rps']:.1f} | – | – | {big['p95_ms']:.1f} |"
            else:
                row += (f" {little['rps']:.1f} | {big['rps']:.1f} | {ratio(big['rps'], little['rps'])} |"
                        f" {little['p95_ms']:.1f} | {big['p95_ms']:.1f} |")
        small_sql = small["probe"]["endpoints"].get(endpoint.key, {}).get("statements", "–")
        row += f" {small_sql} | {full['probe']['endpoints'][endpoint.key]['statements']} |"
        lines.append(row)
    return lines


def target_checks(results: dict[str, dict], connections: list[int]) -> list[str]:
    """The issue's targets that the figures alone can decide, each with its verdict."""
    base = str(min(connections))
    lines = ["| target | scale | result |", "|---|---|---|"]
    for scale, result in results.items():
        runs = result["load"]
        errors = sum(run["errors"] for by_c in runs.values() for run in by_c.values())
        title = SCALE_TITLES[scale]
        lines.append(f"| zero errors | {title} | {'met' if errors == 0 else f'NOT met: {errors} errors'} |")
        slow = [f"{key} {runs[key][base]['p95_ms']:.0f} ms" for key in runs
                if key != "ceiling" and runs[key][base]["p95_ms"] > P95_TARGET_MS]
        lines.append(f"| every page p95 ≤ {P95_TARGET_MS} ms at c={base} | {title} | "
                     f"{'met' if not slow else 'NOT met: ' + ', '.join(slow)} |")
        ceiling = runs["ceiling"][base]["rps"]
        for endpoint in endpoints_for(scale):
            if endpoint.kind == CEILING:
                continue
            floor = 0.5 if endpoint.key.startswith("queue") or endpoint.kind == API else 0.3
            share = runs[endpoint.key][base]["rps"] / ceiling if ceiling else 0
            verdict = "met" if share >= floor else "NOT met"
            lines.append(f"| {endpoint.key} ≥ {floor} × ceiling at c={base} | {title} | {verdict}: {share:.2f} |")
    if {"small", "full"} <= set(results):
        for key in LIST_KEYS:
            little = results["small"]["load"][key][base]["rps"]
            big = results["full"]["load"][key][base]["rps"]
            change = big / little - 1 if little else 0
            verdict = "met" if abs(change) <= FLAT_TOLERANCE or change > 0 else "NOT met"
            lines.append(f"| {key} at full within 20% of 10k (c={base}) | both | {verdict}: {change:+.0%} |")
    return lines


def machine() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor() or "unknown")
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    return {"cpus": str(os.cpu_count()), "cpu": model, "memory": f"{total_kb / 1024 / 1024:.1f} GiB",
            "os": platform.platform(), "python": platform.python_version(),
            "wrk": wrk_version[0].split(" Copyright")[0] if wrk_version else "wrk"}


def plan_sections(result: dict) -> list[str]:
    lines = []
    for plan in result["probe"]["plans"].values():
        lines += [f"#### {SCALE_TITLES[result['scale']]}: {plan['title']}", "", "```", plan["plan"], "```", "",
                  "<details><summary>SQL</summary>", "", "```sql", plan["sql"], "```", "", "</details>", ""]
    return lines


def report(results: dict[str, dict], args: argparse.Namespace, started: datetime.datetime,
           loads: tuple[tuple[float, ...], tuple[float, ...]], command: str) -> str:
    info = machine()
    postgres = next(iter(results.values()))["postgres"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC; run it again to replace this page.",
        "README's Benchmarks section says what is measured and how.",
        "",
        "## Machine",
        "",
        f"- {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory; {info['os']}",
        f"- PostgreSQL {postgres}, Python {info['python']}, {info['wrk']}",
        f"- gunicorn: {args.workers} sync workers; wrk on the same machine, {args.duration} s per endpoint "
        f"and connection count, after a {WARM_UP_SECONDS} s warm-up of each endpoint",
        f"- load average (1, 5, 15 min) at the start {', '.join(f'{x:.2f}' for x in loads[0])}, "
        f"at the end {', '.join(f'{x:.2f}' for x in loads[1])} (above {info['cpus']}: other work shared the CPUs)",
        "",
        "## Worlds",
        "",
        "| scale | partners | customers | sites | devices | cases | comments | seeded in |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, result in results.items():
        rows = result["seeded"]["rows"]
        lines.append(f"| {SCALE_TITLES[scale]} | {rows['tenancy_partner']:,} | {rows['tenancy_customer']:,} | "
                     f"{rows['tenancy_site']:,} | {rows['installbase_device']:,} | {rows['tickets_case']:,} | "
                     f"{rows['tickets_casecomment']:,} | {result['seeded']['seconds']:.0f} s |")
    lines.append("")
    if {"small", "full"} <= set(results):
        lines += ["## 10k against full", "", *comparison_table(results["small"], results["full"], args.connections),
                  ""]
    for scale, result in results.items():
        lines += [f"## {SCALE_TITLES[scale]}", "", *scale_table(result, args.connections), ""]
    lines += ["## Targets", "", *target_checks(results, args.connections), "",
              "## Plans (EXPLAIN ANALYZE as the app role, in the person's tenant context)", ""]
    for result in results.values():
        lines += plan_sections(result)
    return "\n".join(lines).rstrip() + "\n"


def print_tables(results: dict[str, dict], connections: list[int]) -> None:
    for scale, result in results.items():
        print(f"\n{SCALE_TITLES[scale]} (seeded in {result['seeded']['seconds']:.0f} s):")
        print("\n".join(scale_table(result, connections)))
    if {"small", "full"} <= set(results):
        print("\n10k against full:")
        print("\n".join(comparison_table(results["small"], results["full"], connections)))
    print("\nTargets:")
    print("\n".join(target_checks(results, connections)))


def run_bench(argv: list[str]) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian: apt-get install wrk).")
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    command = "make bench" + (f" BENCH_SCALES={','.join(args.scales)}" if args.scales != list(SCALE_ORDER) else "") \
        + (f" BENCH_DURATION={args.duration}" if args.duration != 10 else "")
    results = {}
    try:
        for scale in args.scales:
            results[scale] = run_scale(scale, args)
    except BenchError as exc:
        print(f"\n*** {exc}\n", file=sys.stderr)
        return 1
    print_tables(results, args.connections)
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(report(results, args, started, (load_before, os.getloadavg()), command))
    (BENCH_VAR / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"\nWrote {DOCS.relative_to(ROOT)} ({(datetime.datetime.now(datetime.UTC) - started).seconds} s in all).")
    return 0

