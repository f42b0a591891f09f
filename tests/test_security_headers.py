"""What the browser is told to enforce, on every kind of answer (HTML, JSON, calendar,
PDF, static file, 404, 429, 503): no inline script, no framing, no sniffing, no Referer
to other sites; cookies out of scripts' reach and, as deployed, over HTTPS only; every
form refuses a post without its CSRF token and changes nothing; the public forms and the
login are rate-limited."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from school import create_app
from school.cli.deploy import DEPLOY_DIR
from school.models import Base, Registration
from tests.support.security_world import ADMIN, login
from tests.support.servers import free_port
from tests.support.visitor import Visitor, answers


def assert_protected(response, what):
    headers = response.headers
    parts = (part.strip().partition(" ") for part in headers["Content-Security-Policy"].split(";"))
    policy = {name: sources for name, _, sources in parts}
    assert "'unsafe-inline'" not in policy["script-src"], what
    assert "'unsafe-eval'" not in policy["script-src"].replace("'wasm-unsafe-eval'", ""), what
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'", what
    assert headers["X-Content-Type-Options"] == "nosniff", what
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin"), what
    assert headers["X-Frame-Options"] == "DENY", what


def test_every_kind_of_answer_carries_the_headers(client, world):
    my = f"/my/{world.alice.manage}"
    pages = {
        "html": "/",
        "programme": f"/{world.slug}/programme",
        "json": "/api/v1/openapi.json",
        "ics": f"/{world.slug}/programme.ics",
        "private ics": f"{my}/agenda.ics",
        "pdf": f"{my}/badge.pdf",
        "svg": f"{my}/badge.svg",
        "static": "/static/css/school.css",
        "404": "/no/such/page",
        "api 404": "/api/v1/editions/nope/programme",
        "api 401": f"/api/v1/editions/{world.slug}/roster",
    }
    for what, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 401, 404), (what, response.status_code)
        assert_protected(response, what)
    assert client.get("/no/such/page").status_code == 404


@pytest.mark.parametrize(
    "path", ["/spring-school-2019/programme", "/api/v1/editions/spring-school-2019/programme"]
)
def test_a_503_carries_them_too(app_config, tmp_path, path):
    app_config["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/school"
    app = create_app(app_config)
    app.instance_path = str(tmp_path)
    response = app.test_client().get(path)
    assert response.status_code == 503
    assert_protected(response, "503")


def test_no_page_has_inline_script_or_handler(client, world):
    # The policy forbids them: any left would silently not run.
    login(client, *ADMIN)
    for url in ("/", f"/{world.slug}/register", f"/my/{world.alice.manage}", "/organiser/"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url


def _deployed_settings() -> dict[str, str]:
    """The SCHOOL_* settings of the deployment's environment file that need no filling."""
    text = (DEPLOY_DIR / "school.env").read_text()
    pairs = re.findall(r"^(SCHOOL_\w+)=(.*)$", text, re.M)
    return {key: value for key, value in pairs if "{{" not in value}


def test_cookies_are_httponly_samesite_and_secure_as_deployed(app_config, monkeypatch, tmp_path):
    settings = _deployed_settings()
    assert settings["SCHOOL_SESSION_COOKIE_SECURE"] == "true"
    for key in ("SCHOOL_PROXY_FIX", "SCHOOL_PREFERRED_URL_SCHEME", "SCHOOL_SESSION_COOKIE_SECURE"):
        monkeypatch.setenv(key, settings[key])
    deployed = create_app({k: v for k, v in app_config.items() if k != "PREFERRED_URL_SCHEME"})
    deployed.instance_path = str(tmp_path)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    response = deployed.test_client().get("/organiser/login?lang=en", headers=https)
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "the login form keeps its CSRF secret in the session cookie"
    for cookie in cookies:
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "secure"} <= attributes, cookie
        assert re.search(r"SameSite=(Lax|Strict)", cookie), cookie


def test_the_development_cookie_is_httponly_and_samesite(client):
    cookie = client.get("/organiser/login?lang=en").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _fingerprint(engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in ("organisers", "login_sessions"):
                continue  # a logged-in request records when the session was last used
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest.update(repr(rows).encode())
    return digest.hexdigest()


def test_every_form_refuses_a_post_without_its_csrf_token(app, client, engine, world):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    login(client, *ADMIN)
    before = _fingerprint(engine)
    posts = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        if rule.endpoint == "unsubscribe.page":
            continue  # RFC 8058's one-click POST carries no form token: tests/test_mail_headers.py
        url = world.url(rule.rule, token=world.speakers[0][1])
        if rule.rule.startswith("/my/"):
            url = world.url(rule.rule)
        data = answers(email="csrf@example.org") | {"email": "alice@example.org"}
        for sent in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data | sent)
            assert response.status_code == 400, (rule.rule, response.status_code)
            assert "This form has expired" in response.get_data(as_text=True) or (
                "Ce formulaire a expiré" in response.get_data(as_text=True)
            )
            posts += 1
    assert posts >= 2 * 30
    assert _fingerprint(engine) == before
    assert client.get("/organiser/").status_code == 200  # logout was refused too


@pytest.fixture
def limited_app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def test_the_registration_form_is_rate_limited(limited_app_config, client, db, demo):
    visitor = Visitor(client)
    url = f"/{demo.slug}/register"
    statuses = [visitor.submit(url, {"email": "not an address"}).status_code for _ in range(30)]
    assert 429 not in statuses
    refused = visitor.submit(url, answers())
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert_protected(refused, "429")
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_the_lost_link_form_is_rate_limited(limited_app_config, client, demo):
    visitor = Visitor(client)
    url = f"/{demo.slug}/register/lost-link"
    statuses = [visitor.submit(url, {"email": f"p{n}@example.org"}).status_code for n in range(11)]
    assert 429 not in statuses[:10] and statuses[10] == 429
