"""school run as school/deploy/README.md says: gunicorn with school/deploy/gunicorn.conf.py,
nginx with the rendered site, PostgreSQL databases of their own, Redis. Each server is a
context manager that stops its whole process group, whatever happened."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from school import create_app
from school.config import database_uri
from school.paths import PACKAGE_DIR
from tests.support.servers import free_port

ROOT = PACKAGE_DIR.parent
GUNICORN_CONF = PACKAGE_DIR / "deploy" / "gunicorn.conf.py"
SUITE_DATABASE_URL = os.environ.get("SCHOOL_DATABASE_URL", "")
SUITE_ON_POSTGRES = SUITE_DATABASE_URL.startswith(("postgres://", "postgresql"))
POSTGRES_URL = (
    SUITE_DATABASE_URL if SUITE_ON_POSTGRES else "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("SCHOOL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def app_environment(**settings: str) -> dict[str, str]:
    """The environment of an app server: this one without the suite's SCHOOL_*
    variables, plus ``settings`` as SCHOOL_<NAME>."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOOL_")}
    env["SCHOOL_SECRET_KEY"] = "deploy-test-secret"
    env.update({f"SCHOOL_{name}": value for name, value in settings.items()})
    return env


def prepare_database(url: str, *, demo: bool = True) -> None:
    """Migrate the database at ``url`` and load the demo, as the guide's first steps do."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "deploy-test-secret"})
    with app.app_context():
        from flask_migrate import upgrade

        from school.extensions import db

        upgrade()
        db.engine.dispose()
    if demo:
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        from school.extensions import db

        db.engine.dispose()


def create_organiser(url: str, email: str, role: str, password: str) -> None:
    runner = create_app({"DATABASE_URL": url, "SECRET_KEY": "x"}).test_cli_runner()
    args = ["organiser", "create", email, "--role", role, "--password", password]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


# PostgreSQL and Redis ------------------------------------------------------------


def _admin_engine() -> sa.Engine:
    url = sa.engine.make_url(database_uri(POSTGRES_URL, Path()))
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def require_postgres() -> None:
    engine = _admin_engine()
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL}: {exc.orig}")
    finally:
        engine.dispose()


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis server at {REDIS_URL}: {exc}")


@contextmanager
def postgres_database(hint: str, *, owner: str | None = None) -> Iterator[str]:
    """An empty database of our own (owned by ``owner``, a role made for it, when
    given); dropped afterwards with that role."""
    name = f"school_i8c_{hint}_{secrets.token_hex(4)}"
    admin = _admin_engine()
    base = sa.engine.make_url(database_uri(POSTGRES_URL, Path()))
    try:
        with admin.connect() as conn:
            if owner:
                conn.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN')
            clause = f' OWNER "{owner}"' if owner else ""
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
        url = base.set(database=name)
        if owner:
            url = url.set(username=owner, password=None)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if owner:
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{owner}"')
        admin.dispose()


# gunicorn and nginx --------------------------------------------------------------


@contextmanager
def process_group(args: list[str], env: dict[str, str] | None = None) -> Iterator[tuple]:
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process, log
        finally:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                except ProcessLookupError:
                    pass


def _output(log) -> str:
    log.seek(0)
    return log.read()


def wait_until(ready, process, log, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}:\n{_output(log)}")
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not ready after {timeout} s:\n{_output(log)}")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"GET /static/favicon.svg HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


@contextmanager
def gunicorn(env: dict[str, str], *binds: str) -> Iterator[list[subprocess.Popen]]:
    """school under gunicorn, started as the systemd unit does: one server per ``bind``,
    started together, each answering when the block begins. Gives the master processes
    (each leads a process group with its workers)."""
    with ExitStack() as stack:
        started = []
        for bind in binds:
            args = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
                    "--bind", bind]  # fmt: skip
            started.append((bind, *stack.enter_context(process_group(args, env))))
        for bind, process, log in started:
            wait_until(_listening(bind), process, log, f"gunicorn on {bind}")
        yield [process for _bind, process, _log in started]


def _listening(bind: str):
    if bind.startswith("unix:"):
        return Path(bind.removeprefix("unix:")).exists
    host, port = bind.rsplit(":", 1)
    return lambda: _answers(host, int(port))


def self_signed_certificate(folder: Path, name: str = "localhost") -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def nginx_binary() -> str:
    for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"):
        if os.access(path, os.X_OK):
            return path
    pytest.skip("nginx is not installed (Debian: apt-get install nginx; .ci/run does)")


def nginx_conf(prefix: Path, site: Path) -> Path:
    """A main nginx.conf that includes ``site`` and keeps every file under ``prefix``,
    so testing touches nothing in /etc or /var."""
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(exist_ok=True)
    # Run by root, workers would become nobody, who cannot read pytest's private temp
    # folders; in production the main nginx.conf says `user www-data`.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""
    )
    return conf


def nginx_test(prefix: Path, conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [nginx_binary(), "-t", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )


@contextmanager
def nginx(prefix: Path, conf: Path, port: int) -> Iterator[None]:
    args = [nginx_binary(), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    with process_group(args) as (process, log):
        wait_until(lambda: _tls_answers(port), process, log, "nginx", timeout=20)
        yield


def _tls_answers(port: int) -> bool:
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=1) as sock,
            insecure_tls().wrap_socket(sock, server_hostname="localhost"),
        ):
            return True
    except OSError:
        return False


def insecure_tls() -> ssl.SSLContext:
    """For the test's self-signed certificate only."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def unique_prefix() -> str:
    return f"school-i8c-test-{secrets.token_hex(4)}"


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


__all__ = ["free_port"]
