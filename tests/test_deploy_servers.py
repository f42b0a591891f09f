"""Several app servers behind one PostgreSQL (school/deploy/README.md, "Several app
servers"): two gunicorn servers started with the deploy settings share everything a
person can notice — registrations, the organiser's login, rate limits (in Redis), the
seats the programme shows (each server's render cache is keyed by the data's state),
and the outbox, which a separate mail worker sends."""

from __future__ import annotations

import json
import sys

import pytest
import redis

from tests.support import production
from tests.support.http_client import HttpClient
from tests.support.servers import SmtpServer

pytestmark = [pytest.mark.deploy, pytest.mark.postgres]

SLUG = "spring-school-2019"
REGISTRATIONS = f"/api/v1/editions/{SLUG}/registrations"
PROGRAMME = f"/api/v1/editions/{SLUG}/programme"


def _explora(client: HttpClient) -> tuple[int, int, str]:
    """The Explora visit's id and seats left, and the answer's ETag."""
    status, headers, text = client.request("GET", PROGRAMME)
    assert status == 200
    explora = next(s for s in json.loads(text)["sessions"] if s["key"] == "d1-visit-explora")
    return explora["id"], explora["seats_left"], headers["ETag"]


def _ana(explora: int) -> dict:
    return {
        "first_name": "Ana", "last_name": "Ferreira-Cluster", "email": "ana@example.org",
        "country": "PT", "category": "member", "days": ["2019-06-19"],
        "sessions": [explora], "consent": True,
    }  # fmt: skip


def test_two_app_servers_on_one_postgresql_share_what_people_see(tmp_path):
    production.require_postgres()
    production.require_redis()
    prefix = production.unique_prefix()
    smtp = SmtpServer().start()
    try:
        with production.postgres_database("servers") as url:
            production.prepare_database(url)
            production.create_organiser(url, "chef@example.org", "admin", "chef-password-1")
            env = production.app_environment(
                DATABASE_URL=url,
                PROXY_FIX="1",
                RATELIMIT_STORAGE_URL=production.REDIS_URL,
                RATELIMIT_KEY_PREFIX=prefix,
                MAIL_URL=smtp.url,
                MAIL_SEND_AFTER_REQUEST="false",  # only the mail worker sends
            )
            env["WEB_CONCURRENCY"] = "1"
            a_bind = f"127.0.0.1:{production.free_port()}"
            b_bind = f"127.0.0.1:{production.free_port()}"
            # The mail worker, a process of its own as its systemd unit runs it, sends
            # what both servers queue.
            worker = [sys.executable, "-m", "flask", "--app", "school", "mail", "worker",
                      "--every", "1"]  # fmt: skip
            with production.process_group(worker, env), production.gunicorn(env, a_bind, b_bind):
                _share(HttpClient(f"http://{a_bind}"), HttpClient(f"http://{b_bind}"), smtp)
    finally:
        smtp.stop()
        store = redis.Redis.from_url(production.REDIS_URL)
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)


def _share(a: HttpClient, b: HttpClient, smtp: SmtpServer) -> None:
    # B has built and kept the programme's JSON; Ana takes a seat through A.
    explora, seats, etag = _explora(b)
    status, answer = a.post_json(REGISTRATIONS, _ana(explora))
    assert status == 201, answer
    manage = "/" + answer["manage_url"].split("/", 3)[3]

    # B shows the seat gone, at once, and does not answer "not modified" to the old ETag.
    assert _explora(b)[1] == seats - 1
    assert b.request("GET", PROGRAMME, headers={"If-None-Match": etag})[0] == 200
    # B knows Ana: her private page, and a second registration is refused.
    status, _, page = b.get(manage)
    assert status == 200 and "Ferreira-Cluster" in page
    assert b.post_json(REGISTRATIONS, _ana(explora))[0] == 409

    # The login form comes from A and is sent to B; the organiser is then logged in on
    # both (the session and its CSRF token are in a cookie signed with the shared key).
    _, _, form = a.get("/organiser/login")
    on_b = HttpClient(b.base_url, cookies=a.cookies)
    status, _, _ = on_b.request(
        "POST",
        "/organiser/login",
        data={"csrf_token": production.csrf_token(form), "email": "chef@example.org",
              "password": "chef-password-1"},
    )  # fmt: skip
    assert status == 302
    for server in (a, on_b):
        status, _, page = server.get(f"/organiser/{SLUG}/registrations?lang=en")
        assert status == 200 and "Ferreira-Cluster" in page

    # One client's requests count against one limit, whichever server answers (60 per
    # minute on the registration API); another client still gets through.
    client = {"X-Forwarded-For": "203.0.113.77"}
    for n in range(60):
        server = a if n % 2 else b
        assert server.request("POST", REGISTRATIONS, json_body={}, headers=client)[0] == 422
    assert a.request("POST", REGISTRATIONS, json_body={}, headers=client)[0] == 429
    assert b.request("POST", REGISTRATIONS, json_body={}, headers=client)[0] == 429
    other = {"X-Forwarded-For": "203.0.113.78"}
    assert b.request("POST", REGISTRATIONS, json_body={}, headers=other)[0] == 422

    # The mail worker sent Ana's confirmation (queued by A) and her link again (by B).
    messages = smtp.inbox.wait_for(2, timeout=60)
    assert [m["To"] for m in messages] == ["ana@example.org", "ana@example.org"]
