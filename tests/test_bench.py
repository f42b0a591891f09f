"""The benchmark harness's own parts that need no server: its synthetic data goes in
through ``programme import``, its ceiling replays an answer, its results read as a
table. (The benchmarks themselves are not tests: see bench/README.md.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bench import ceiling, floor, server
from bench.harness import Context
from bench.load import Measure, Request, wrk_script
from bench.programme import load_synthetic
from bench.report import Environment, Point, SuiteResult, document, summary


def test_synthetic_edition_goes_in_through_the_import_command(client, database_url, tmp_path):
    ctx = Context(server.app_environment(database_url), "http://unused", tmp_path)
    load_synthetic(ctx, sessions=30, speakers=12, slug="synthetic-30")
    data = client.get("/api/v1/editions/synthetic-30/programme").get_json()
    assert len(data["sessions"]) == 30
    assert any(session["speakers"] for session in data["sessions"])
    assert client.get("/synthetic-30/programme").status_code == 200


def test_the_ceiling_replays_the_recorded_answer(tmp_path):
    body = '{"sessions": ["Café métiers"]}'.encode()
    path = ceiling.record(tmp_path, 0, status=201, content_type="application/json", body=body)
    response = ceiling.create_app(str(tmp_path)).test_client().post(path, data="{}")
    assert response.status_code == 201
    assert response.content_type == "application/json"
    assert response.data == body


def test_the_floor_checks_the_token_as_the_check_in_api_does(app_config, db, demo):
    from school.services.backoffice import organisers

    staff = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
    token = organisers.create_api_token(db, staff, "door phone")
    db.commit()
    client = floor.create_app(app_config).test_client()
    path = f"/bench/floor/{demo.slug}"
    assert client.post(path, json={}).status_code == 401
    assert client.post("/bench/floor/no-such", json={}, headers=_bearer(token)).status_code == 404
    answer = client.post(path, json={}, headers=_bearer(token))
    assert answer.status_code == 200 and answer.get_json()["edition"] == demo.id
    assert 350 < len(answer.data) < 600  # about a verdict's size


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_wrk_script_sends_the_request_as_given():
    body = json.dumps({"n": 'é"'}, ensure_ascii=False)
    request = Request("POST", {"Content-Type": "application/json"}, body)
    script = wrk_script(request, "run1")
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    assert r'wrk.body = "{\034n\034: \034\195\169\092\034\034}"' in script
    assert 'bench_run = "run1"' in script


def _measure(rps: float, p50: float) -> Measure:
    return Measure(int(rps * 10), seconds=10, p50_ms=p50, p99_ms=p50 * 3, errors=0, tool="wrk")


def test_results_are_a_markdown_table_with_the_machine_described():
    env = Environment(
        date=datetime(2030, 6, 18, 9, 0, tzinfo=UTC),
        cpu="Test CPU",
        cores=2,
        ram_gib=24,
        load_average=(0.1, 0.2, 0.3),
        python="3.11.7",
        postgres="15.20",
        gunicorn="2 workers, sync",
        load_tool="wrk 4.1.0, 1 thread",
        warmup=2,
        duration=10,
        command="python -m bench.programme",
        label="Preliminary (machine shared)",
        cpu_ticks=(100, 10_000),
        cpu_ticks_end=(130, 11_000),
    )
    suite = SuiteResult("programme", "Programme: page and JSON")
    suite.points.append(
        Point("programme page, 500 sessions", 314_502, 8, _measure(50, 150), _measure(1000, 8))
    )
    text = document("Benchmark: programme", env, [suite])
    assert "> **Preliminary (machine shared)**" in text
    assert "- Date: 2030-06-18 09:00 UTC" in text
    assert "Test CPU, 2 cores, 24.0 GiB RAM; load average at start: 0.10, 0.20, 0.30" in text
    assert "taken by the hypervisor during the run (steal): 3.0%" in text
    assert "PostgreSQL 15.20" in text
    assert "2 workers, sync" in text and "wrk 4.1.0" in text
    row = (
        "| programme page, 500 sessions | 314.5 kB | 8 | 50 | 150 | 450 | 0 "
        "| 1000 | 8.0 | 24.0 | 5.0% |"
    )
    assert row in text


def test_the_summary_gives_each_endpoint_its_p99_and_ratio_at_8_and_32():
    suite = SuiteResult("checkin", "Check-in API")
    suite.points += [
        Point("check-in API", 90, 8, _measure(800, 9), _measure(3200, 2)),
        Point("check-in API", 90, 32, _measure(600, 40), _measure(2400, 9)),
        Point("roster", 20_000, 8, _measure(100, 70)),  # measured without its ceiling
    ]
    lines = summary([suite], (8, 32)).splitlines()
    assert lines[0].startswith("| endpoint | req/s at 8 | p99 ms at 8 | ratio at 8 | req/s at 32")
    assert "| check-in API | 800 | 27.0 | 25% | 600 | 120 | 25% |" in lines
    assert "| roster | 100 | 210 | – | – | – | – |" in lines
