"""The check-in scanner: how fast a verdict comes, online and offline.

python -m bench.scanner                       # 170 participants, like Brussels 2024
python -m bench.scanner --count 170 --count 1000 --output bench/results/scanner.md

Everything runs on this machine: the app on a threaded HTTP server on 127.0.0.1 (SQLite
in a temporary folder), Debian's chromium driven by Playwright. Measured:

- the check-in API as three volunteers use it at 8:45: each sends its share of the
  badges at once, first scans (``ok``) then the same badges again (``already``);
- the roster a phone keeps for offline use: size, and time to build and send it;
- in the browser: ZXing (WebAssembly) reading a 1280×720 camera frame; deciding a
  verdict offline from the roster; and a check-in from the search box to the verdict on
  screen (the same path as a scan after decoding), online, then offline, then the sync.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import platform
import random
import statistics
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from PIL import Image
from werkzeug.serving import WSGIRequestHandler, make_server

from bench.synthetic import FIRST, LAST
from school import create_app
from school.database import utcnow
from school.extensions import db
from school.models import Choice, Registration, RegistrationDay, Session
from school.paths import DEMO_FILE
from school.services.backoffice import organisers
from school.services.badges import qr, tokens
from school.services.programme import importer

CHROMIUM = "/usr/bin/chromium"
VOLUNTEERS = 3
BROWSER_SCANS = 20
PASSWORD = "bench door password"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


def _fill(app, count: int, seed: int = 5) -> tuple[str, list[str], list[str], str]:
    """The demo edition with ``count`` participants (two seats each where there is room)."""
    rng = random.Random(seed)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        edition = importer.import_file(db.session, DEMO_FILE)
        seated = db.session.scalars(
            sa.select(Session).where(
                Session.edition_id == edition.id, Session.capacity.is_not(None)
            )
        ).all()
        people = []
        for n in range(count):
            registration = Registration(
                edition_id=edition.id,
                first_name=rng.choice(FIRST),
                last_name=f"{rng.choice(LAST)} {n:04d}",
                email=f"p{n}@example.org",
                email_key=f"p{n}@example.org",
                organisation="Cité des métiers de Genève",
                country="CH",
                category=rng.choice(["member"] * 5 + ["partner", "guest"]),
                language=rng.choice(["fr", "en"]),
                dietary=rng.choice([None] * 8 + ["Vegetarian", "No pork"]),
                privacy_consent_at=utcnow(),
            )
            registration.days = [RegistrationDay(date=day) for day in edition.dates]
            db.session.add(registration)
            people.append(registration)
        db.session.flush()
        for registration in people:
            for session in rng.sample(seated, 2):
                db.session.add(
                    Choice(
                        registration_id=registration.id, session_id=session.id, status="confirmed"
                    )
                )
        staff = organisers.create_organiser(db.session, "door@example.org", "checkin", PASSWORD)
        api_token = organisers.create_api_token(db.session, staff, "bench")
        db.session.commit()
        badge_tokens = [tokens.token_for(r) for r in people]
        names = [f"{r.first_name} {r.last_name}" for r in people]
        return edition.slug, badge_tokens, names, api_token


def _post(url: str, api_token: str, body: dict) -> float:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_token}"},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    elapsed = time.perf_counter() - started
    assert answer["verdict"] in ("ok", "already"), answer
    return elapsed


def _api_rush(
    base: str, slug: str, badge_tokens: list[str], api_token: str
) -> dict[str, list[float]]:
    """Three volunteers at once, each with its share of the queue; then the same again."""
    url = f"{base}/api/v1/editions/{slug}/checkins"
    results: dict[str, list[float]] = {}
    for label in ("first scan (ok)", "scanned again (already)"):
        shares = [badge_tokens[n::VOLUNTEERS] for n in range(VOLUNTEERS)]

        def volunteer(share):
            return [
                _post(
                    url,
                    api_token,
                    {"token": t, "client_id": os.urandom(16).hex(), "day": "2019-06-19"},
                )
                for t in share
            ]

        with ThreadPoolExecutor(VOLUNTEERS) as pool:
            results[label] = [t for times in pool.map(volunteer, shares) for t in times]
    return results


def _roster(base: str, slug: str, api_token: str) -> tuple[int, list[float]]:
    request = urllib.request.Request(
        f"{base}/api/v1/editions/{slug}/roster", headers={"Authorization": f"Bearer {api_token}"}
    )
    times, size = [], 0
    for _ in range(5):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            size = len(response.read())
        times.append(time.perf_counter() - started)
    return size, times


def _frame_png(token: str) -> str:
    """A 1280×720 camera frame with the badge's QR code in it, as a data: URL."""
    code = qr.qr_code(token)
    size = code.size
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in code.modules for dark in row])
    image = image.resize((size * 10, size * 10), Image.NEAREST)
    frame = Image.new("L", (1280, 720), 200)
    frame.paste(image, (400, 150))
    out = io.BytesIO()
    frame.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


DECODE_JS = """async ([frame, wasm, runs]) => {
  const ponyfill = "/static/vendor/barcode-detector/ponyfill.js";
  const { BarcodeDetector, prepareZXingModule } = await import(ponyfill);
  const locateFile = (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path);
  prepareZXingModule({ overrides: { locateFile } });
  const image = new Image();
  image.src = frame;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = 1280; canvas.height = 720;
  canvas.getContext("2d").drawImage(image, 0, 0);
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  let started = performance.now();
  const first = await detector.detect(canvas);
  const cold = performance.now() - started;
  const times = [];
  for (let n = 0; n < runs; n++) {
    started = performance.now();
    await detector.detect(canvas);
    times.push(performance.now() - started);
  }
  return { value: first[0] && first[0].rawValue, cold, times };
}"""

DECIDE_JS = """async ([url, key, day, runs]) => {
  const { decide, indexRoster } = await import("/static/js/scanner/decide.js");
  const roster = await (await fetch(url, { credentials: "same-origin" })).json();
  let started = performance.now();
  const index = indexRoster(roster);
  const indexing = performance.now() - started;
  const tokens = roster.participants.map((p) => p.token);
  started = performance.now();
  for (let n = 0; n < runs; n++) {
    decide(index, { key, session_id: null, day }, tokens[n % tokens.length], []);
  }
  return { indexing, each: (performance.now() - started) / runs };
}"""

CHECK_IN_JS = """async (names) => {
  const verdict = document.getElementById("verdict");
  const search = document.getElementById("search");
  const times = [], verdicts = [];
  for (const name of names) {
    search.value = name;
    search.dispatchEvent(new Event("input"));
    const button = document.querySelector(`#search-results button[aria-label="Check in: ${name}"]`);
    const shown = new Promise((resolve) => {
      const watch = new MutationObserver(() => {
        if (!verdict.hidden) { watch.disconnect(); resolve(performance.now()); }
      });
      watch.observe(verdict, { attributes: true });
    });
    const started = performance.now();
    button.click();
    times.push((await shown) - started);
    verdicts.push(verdict.dataset.verdict);
    verdict.click();
  }
  return { times, verdicts };
}"""


def _browser(base: str, slug: str, badge_tokens: list[str], names: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_context(base_url=base, locale="en-GB").new_page()
        page.goto("/organiser/login?lang=en")
        page.get_by_label("E-mail").fill("door@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/organiser/")
        page.goto(f"/organiser/{slug}/checkin/entrance:2019-06-21")
        page.wait_for_selector("#offline-readiness:has-text('Ready offline')", timeout=60_000)
        wasm = "/static/vendor/zxing-wasm/zxing_reader.wasm"
        out["decode"] = page.evaluate(DECODE_JS, [_frame_png(badge_tokens[0]), wasm, 20])
        assert out["decode"]["value"] == badge_tokens[0], out["decode"]
        roster_url = f"/api/v1/editions/{slug}/roster"
        out["decide"] = page.evaluate(
            DECIDE_JS, [roster_url, "entrance:2019-06-21", "2019-06-21", 1000]
        )
        online = names[:BROWSER_SCANS]
        out["online"] = page.evaluate(CHECK_IN_JS, online)
        page.context.set_offline(True)
        offline = names[BROWSER_SCANS : 2 * BROWSER_SCANS]
        out["offline"] = page.evaluate(CHECK_IN_JS, offline)
        started = time.perf_counter()
        page.context.set_offline(False)
        page.wait_for_selector('#pending[data-count="0"]', state="attached", timeout=120_000)
        out["sync"] = time.perf_counter() - started
        browser.close()
    return out


def _ms(values: list[float], scale: float = 1000) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return (
        f"median {statistics.median(ordered) * scale:.0f} ms, p95 {p95 * scale:.0f} ms,"
        f" max {ordered[-1] * scale:.0f} ms"
    )


def _machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    system = f"Linux {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}), {system}"


def _run(count: int) -> list[tuple[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-scanner-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    slug, badge_tokens, names, api_token = _fill(app, count)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        rush = _api_rush(base, slug, badge_tokens, api_token)
        size, roster_times = _roster(base, slug, api_token)
        seen = _browser(base, slug, badge_tokens, names) if os.path.exists(CHROMIUM) else None
    finally:
        server.shutdown()
        thread.join(timeout=10)

    rows = [
        (f"API: {label}, {VOLUNTEERS} volunteers at once, {len(times)} badges", _ms(times))
        for label, times in rush.items()
    ]
    rows.append((f"roster of {count} participants ({size / 1024:.0f} KB)", _ms(roster_times)))
    if seen:
        decode, decide = seen["decode"], seen["decide"]
        indexing = f"{decide['indexing']:.1f} ms" if decide["indexing"] >= 0.1 else "< 0.1 ms"
        rows += [
            (
                "browser: ZXing wasm reads a 1280×720 frame (after the first)",
                _ms(decode["times"], 1),
            ),
            ("browser: the first frame (WebAssembly compiled)", f"{decode['cold']:.0f} ms"),
            (
                "browser: offline verdict from the roster (decide.js)",
                f"{decide['each'] * 1000:.1f} µs each; roster indexed in {indexing}",
            ),
            (
                f"browser: check-in to verdict on screen, online ({BROWSER_SCANS} people)",
                _ms(seen["online"]["times"], 1),
            ),
            (
                f"browser: check-in to verdict on screen, offline ({BROWSER_SCANS} people)",
                _ms(seen["offline"]["times"], 1),
            ),
            (
                f"browser: back online, {BROWSER_SCANS} waiting scans synced",
                f"{seen['sync']:.1f} s",
            ),
        ]
        assert set(seen["online"]["verdicts"]) == {"ok"}, seen["online"]["verdicts"]
        assert set(seen["offline"]["verdicts"]) == {"ok"}, seen["offline"]["verdicts"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, action="append", help="participants (repeatable)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    counts = args.count or [170]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    options = " ".join(f"--count {count}" for count in counts)
    lines = [
        "# Check-in scanner: how fast a verdict comes",
        "",
        f"Run on {when} with `python -m bench.scanner {options}`.",
        f"Machine: {_machine()}. SQLite; werkzeug's threaded server on 127.0.0.1;"
        " Debian's chromium, headless.",
    ]
    for count in counts:
        lines += [
            "",
            f"## {count} participants",
            "",
            "| measure | value |",
            "|---|---|",
            *(f"| {name} | {value} |" for name, value in _run(count)),
        ]
    text = "\n".join([*lines, ""])
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
