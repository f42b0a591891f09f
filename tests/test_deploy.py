"""Production as school/deploy/README.md describes it: gunicorn's settings load, the
rendered nginx site passes `nginx -t` and serves, the units and the environment file
configure the app, and behind the proxy the app builds https links and counts rate
limits per client."""

from __future__ import annotations

import configparser
import gzip
import re
import runpy
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from school import create_app
from school.paths import PACKAGE_DIR
from tests.support import production
from tests.support.http_client import HttpClient

SLUG = "spring-school-2019"
REGISTRATIONS = f"/api/v1/editions/{SLUG}/registrations"
STAFF, PASSWORD = "door@example.org", "door-password-1"

pytestmark = pytest.mark.deploy
WASM = PACKAGE_DIR.parent / "static" / "vendor" / "zxing-wasm" / "zxing_reader.wasm"


def _render(runner, output: Path, *args: str) -> Path:
    result = runner.invoke(args=["deploy", "render", str(output), *args])
    assert result.exit_code == 0, result.output
    return output


def read_environment_file(path: Path) -> dict[str, str]:
    """What systemd's EnvironmentFile= gives the services."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = shlex.split(value)[0] if value.strip() else ""
    return values


def _unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read(path)
    return unit


# -- gunicorn, systemd, environment ----------------------------------------------


def test_gunicorn_settings_load_and_gunicorn_accepts_them(tmp_path):
    settings = runpy.run_path(str(production.GUNICORN_CONF))
    assert settings["wsgi_app"] == "school:create_app()"
    assert settings["worker_class"] == "gthread"
    assert settings["preload_app"] is False

    env = production.app_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'school.db'}")
    env.update(WEB_CONCURRENCY="3", GUNICORN_THREADS="6")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(production.GUNICORN_CONF),
         "--check-config", "--print-config"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    printed = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
    assert printed["workers"] == "3"
    assert printed["threads"] == "6"
    assert printed["worker_class"] == "gthread"
    assert printed["control_socket_disable"] == "True"  # several servers on one account
    assert printed["post_worker_init"] == "<post_worker_init()>"


def test_rendered_units_run_this_installation(runner, app, tmp_path):
    site = _render(runner, tmp_path / "site", "--server-name", "school.example.org")

    web = _unit(site / "school.service")["Service"]
    command = shlex.split(web["ExecStart"])
    assert command[:3] == [sys.executable, "-m", "gunicorn"]
    assert Path(command[command.index("--config") + 1]) == production.GUNICORN_CONF
    assert command[command.index("--bind") + 1] == "unix:/run/school/gunicorn.sock"
    assert web["EnvironmentFile"] == "/etc/school/school.env"
    assert web["Type"] == "notify"  # gunicorn tells systemd when it is ready

    mail = shlex.split(_unit(site / "school-mail.service")["Service"]["ExecStart"])
    assert mail == [sys.executable, "-m", "flask", "--app", "school", "mail", "worker",
                    "--every", "15"]  # fmt: skip
    backup = _unit(site / "school-backup.service")["Service"]
    assert shlex.split(backup["ExecStart"])[-5:] == [
        "backup", "create", "/var/backups/school", "--keep", "14"
    ]  # fmt: skip
    assert "/var/backups/school" in backup["ReadWritePaths"]
    assert _unit(site / "school-backup.timer")["Timer"]["Persistent"] == "true"

    for command in (mail, shlex.split(backup["ExecStart"])):  # the commands exist
        assert runner.invoke(args=[*command[5:7], "--help"]).exit_code == 0


def test_the_environment_file_configures_the_app_for_https_behind_nginx(
    runner, app, tmp_path, monkeypatch
):
    site = _render(runner, tmp_path / "site", "--server-name", "school.example.org")
    env_file = site / "school.env"
    assert env_file.stat().st_mode & 0o077 == 0  # the secret key is not for everyone

    values = read_environment_file(env_file)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    configured = create_app()
    config = configured.config
    assert config["PROXY_FIX"] == 1
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["BASE_URL"] == "https://school.example.org"
    assert config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://school@")
    assert config["MAIL_SENDER"] == "Spring School <no-reply@school.example.org>"
    assert len(config["SECRET_KEY"]) >= 48
    # Each rendering makes its own key.
    again = _render(runner, tmp_path / "again", "--server-name", "school.example.org")
    assert (
        read_environment_file(again / "school.env")["SCHOOL_SECRET_KEY"]
        != values["SCHOOL_SECRET_KEY"]
    )


# -- nginx -----------------------------------------------------------------------


def test_the_rendered_nginx_site_passes_nginx_t(runner, app, tmp_path):
    production.nginx_binary()
    cert, key = production.self_signed_certificate(tmp_path, "school.example.org")
    site = _render(
        runner, tmp_path / "site", "--server-name", "school.example.org",
        "--certificate", str(cert), "--certificate-key", str(key),
    )  # fmt: skip
    text = (site / "nginx-site.conf").read_text()
    assert f"alias {app.static_folder}/;" in text
    assert "server unix:/run/school/gunicorn.sock;" in text

    conf = production.nginx_conf(tmp_path, site / "nginx-site.conf")
    result = production.nginx_test(tmp_path, conf)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr

    broken = tmp_path / "broken.conf"
    broken.write_text(text.replace("proxy_pass http://school_app;", "proxy_pass;"))
    assert production.nginx_test(tmp_path, production.nginx_conf(tmp_path, broken)).returncode


@dataclass(frozen=True)
class Site:
    base: str  # https://localhost:<port>, the canonical address
    https_port: int
    http_port: int


@contextmanager
def production_site(runner, tmp_path: Path) -> Iterator[Site]:
    """The whole chain on this machine: nginx (TLS, the rendered site) → gunicorn (the
    deploy settings, on a unix socket) → the app configured by the rendered environment
    file, on a SQLite database with the demo and a check-in account."""
    production.nginx_binary()
    database = f"sqlite:///{tmp_path / 'school.db'}"
    production.prepare_database(database)
    production.create_organiser(database, STAFF, "checkin", PASSWORD)

    http_port, https_port = production.free_port(), production.free_port()
    socket_path = tmp_path / "gunicorn.sock"
    cert, key = production.self_signed_certificate(tmp_path)
    site = _render(
        runner, tmp_path / "site", "--server-name", "localhost", "--no-ipv6",
        "--http-port", str(http_port), "--https-port", str(https_port),
        "--bind", f"unix:{socket_path}", "--certificate", str(cert), "--certificate-key", str(key),
    )  # fmt: skip
    env = production.app_environment()
    env.update(read_environment_file(site / "school.env"))
    env.update(
        SCHOOL_DATABASE_URL=database,
        SCHOOL_RATELIMIT_STORAGE_URL="memory://",  # one worker: its memory is the store
        SCHOOL_MAIL_SEND_AFTER_REQUEST="false",
        WEB_CONCURRENCY="1",
    )
    conf = production.nginx_conf(tmp_path, site / "nginx-site.conf")
    with (
        production.gunicorn(env, f"unix:{socket_path}"),
        production.nginx(tmp_path, conf, https_port),
    ):
        yield Site(f"https://localhost:{https_port}", https_port, http_port)


def test_nginx_serves_static_files_and_proxies_the_app_over_tls(runner, app, tmp_path):
    tls = production.insecure_tls()
    with production_site(runner, tmp_path) as site:
        base, https_port, http_port = site.base, site.https_port, site.http_port
        phone = HttpClient(base, context=tls)

        # Plain HTTP only redirects, to the canonical name.
        status, headers, _ = HttpClient(f"http://127.0.0.1:{http_port}").get(f"/{SLUG}/")
        assert (status, headers["Location"]) == (301, f"{base}/{SLUG}/")

        # The app, through the proxy: https links, HSTS from nginx, the app's own headers.
        status, headers, page = phone.get(f"/{SLUG}/programme?lang=en")
        assert status == 200 and "Explora" in page
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        status, _, schedule = phone.get(f"/{SLUG}/schedule.json")
        assert status == 200 and f'"{base}/{SLUG}/sessions/' in schedule

        # Static files come from nginx itself (no CSP: the app adds one to all it serves).
        status, headers, body = phone.request(
            "GET", "/static/vendor/zxing-wasm/zxing_reader.wasm", raw=True
        )
        assert status == 200 and body == WASM.read_bytes()
        assert headers["Content-Type"] == "application/wasm"
        assert headers["Cache-Control"] == "max-age=2592000"
        assert "Content-Security-Policy" not in headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        status, headers, _ = phone.get("/static/css/school.css")
        assert status == 200 and headers["Cache-Control"] == "no-cache"
        status, _, _ = phone.request(
            "GET", "/static/css/school.css", headers={"If-None-Match": headers["ETag"]}
        )
        assert status == 304

        # Compressed by nginx, the programme's ETag becomes weak and still answers 304.
        gzipped = {"Accept-Encoding": "gzip"}
        path = f"/api/v1/editions/{SLUG}/programme"
        status, headers, body = phone.request("GET", path, headers=gzipped, raw=True)
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert b'"seats_left"' in gzip.decompress(body)
        status, _, _ = phone.request(
            "GET", path, headers={**gzipped, "If-None-Match": headers["ETag"]}
        )
        assert status == 304

        # The scanner's service worker is the app's, behind the login.
        status, headers, _ = phone.get("/organiser/sw.js")
        assert status == 302 and "/organiser/login" in headers["Location"]
        status, headers, _ = phone.submit_form(
            "/organiser/login", {"email": STAFF, "password": PASSWORD}
        )
        assert status == 302
        assert "Secure" in headers["Set-Cookie"]
        status, headers, worker = phone.get("/organiser/sw.js")
        assert status == 200 and worker.startswith("const SCANNER = ")
        assert headers["Content-Type"].startswith("text/javascript")

        # Rate limits count per client address, as nginx saw it: a client cannot pick
        # another one by sending X-Forwarded-For itself.
        one = HttpClient(base.replace("localhost", "127.0.0.1"), context=tls,
                         source_address="127.0.0.2")  # fmt: skip
        for n in range(60):
            forged = {"X-Forwarded-For": f"192.0.2.{n}"}
            status, _, _ = one.request("POST", REGISTRATIONS, json_body={}, headers=forged)
            assert status == 422
        assert one.request("POST", REGISTRATIONS, json_body={})[0] == 429
        other = HttpClient(f"https://127.0.0.1:{https_port}", context=tls,
                           source_address="127.0.0.3")  # fmt: skip
        assert other.request("POST", REGISTRATIONS, json_body={})[0] == 422

        # nginx refuses what is far too big before it reaches Python, but a phone's photo
        # for an initiative: that one reaches the app (here refused there: no form token).
        status, _, _ = phone.request("POST", REGISTRATIONS, data={"x": "y" * 3_000_000})
        assert status == 413
        photo = {"x": "y" * 3_000_000}
        status, _, _ = phone.request("POST", f"/{SLUG}/initiatives/submit", data=photo)
        assert status in (400, 403)


def test_a_browser_registers_and_logs_in_over_https(runner, app, tmp_path, browser):
    """Forms over HTTPS, as a phone sends them: a CSRF token, the session cookie marked
    Secure, the Referer of this site (Flask-WTF checks it on HTTPS)."""
    with production_site(runner, tmp_path) as site:
        context = browser.new_context(
            ignore_https_errors=True, base_url=site.base, locale="en-GB",
            viewport={"width": 390, "height": 844},
        )  # fmt: skip
        try:
            page = context.new_page()
            page.goto(f"/{SLUG}/register?lang=en")
            page.get_by_label("First name").fill("Ève")
            page.get_by_label("Last name").fill("Moreau")
            page.get_by_label("E-mail").fill("eve@example.org")
            page.get_by_label("Country").select_option("FR")
            page.get_by_label("Network member").check()
            page.get_by_label("I agree that the organisers keep").check()
            page.get_by_role("button", name="Register").click()
            page.wait_for_url(re.compile(r"/my/[A-Za-z0-9_-]{40,}$"))
            assert page.url.startswith(site.base)
            assert "Moreau" in page.locator("main").inner_text()

            page.goto("/organiser/login?lang=en")
            page.get_by_label("E-mail").fill(STAFF)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{site.base}/organiser/")
            cookies = {c["name"]: c for c in context.cookies()}
            assert cookies["session"]["secure"] and cookies["session"]["httpOnly"]
        finally:
            context.close()


# -- the app behind a proxy, in process ------------------------------------------

FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "school.example.org",
    "X-Forwarded-Port": "443",
}


def _registration(email: str) -> dict:
    return {
        "first_name": "Inês", "last_name": "Carvalho", "email": email, "country": "PT",
        "category": "member", "days": ["2019-06-19"], "sessions": [], "consent": True,
    }  # fmt: skip


@pytest.fixture
def rate_limited(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URL="memory://")
    return app_config


@pytest.fixture
def behind_one_proxy(rate_limited):
    rate_limited["PROXY_FIX"] = 1
    # Links made of the address the proxy forwards: BASE_URL, when set, is used instead.
    rate_limited["BASE_URL"] = None


def test_behind_one_proxy_links_are_https_and_the_client_is_the_last_forwarded_address(
    behind_one_proxy, client, demo
):
    client_a = {**FORWARDED, "X-Forwarded-For": "198.51.100.7, 203.0.113.5"}
    response = client.post(REGISTRATIONS, json=_registration("ines@example.org"), headers=client_a)
    assert response.status_code == 201
    assert response.get_json()["manage_url"].startswith("https://school.example.org/my/")
    schedule = client.get(f"/{SLUG}/schedule.json", headers=client_a).get_data(as_text=True)
    assert "https://school.example.org/spring-school-2019/sessions/" in schedule

    # 203.0.113.5 (what the proxy saw) has 59 requests left; the forged first address
    # does not matter.
    for n in range(59):
        forged = {**FORWARDED, "X-Forwarded-For": f"192.0.2.{n}, 203.0.113.5"}
        assert client.post(REGISTRATIONS, json={}, headers=forged).status_code == 422
    assert client.post(REGISTRATIONS, json={}, headers=client_a).status_code == 429
    client_b = {**FORWARDED, "X-Forwarded-For": "203.0.113.6"}
    assert client.post(REGISTRATIONS, json={}, headers=client_b).status_code == 422


def test_without_a_proxy_forwarded_headers_are_not_believed(rate_limited, client, demo):
    for n in range(60):
        forged = {**FORWARDED, "X-Forwarded-For": f"192.0.2.{n}"}
        assert client.post(REGISTRATIONS, json={}, headers=forged).status_code == 422
    other = {**FORWARDED, "X-Forwarded-For": "203.0.113.6"}
    assert client.post(REGISTRATIONS, json={}, headers=other).status_code == 429
    schedule = client.get(f"/{SLUG}/schedule.json", headers=other).get_data(as_text=True)
    assert "http://localhost/spring-school-2019/sessions/" in schedule
    assert "school.example.org" not in schedule
