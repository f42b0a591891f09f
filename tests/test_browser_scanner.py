"""The check-in scanner in Debian's chromium, with a fake camera filming a real badge.

Chromium plays a YUV4MPEG2 clip as its camera (tests/camera.py): the badge's QR code
for 1.5 s, then nothing for 2.5 s, in a loop, like people passing one after the other.
The page decodes it with the vendored ZXing WebAssembly decoder (chromium on Linux has no
native BarcodeDetector), so these tests read the QR code the way a volunteer's phone does.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from school.models import CheckIn, Edition, RegistrationMeal, Session
from school.services.backoffice import organisers
from school.services.badges import tokens
from school.services.checkin import checkpoints, scanning
from school.services.checkin import roster as rosters
from tests.support.browser import launch
from tests.support.camera import write_y4m
from tests.support.door import PASSWORD, WAIT_MS, verdict
from tests.support.factories import make_choice, make_edition, make_registration


@pytest.fixture
def badge(app, db, demo):
    """A participant with a seat in the Explora visit, and her badge token."""
    with app.app_context():
        organisers.create_organiser(db, "door@example.org", "checkin", PASSWORD)
        edition = db.get(Edition, demo.id)
        person = make_registration(
            db, edition, first_name="Majda", last_name="Jelenčić", dietary="Vegetarian"
        )
        explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        make_choice(db, person, explora)
        db.commit()
        return {"token": tokens.token_for(person), "person": person, "explora": explora}


@pytest.fixture
def camera(playwright_instance, tmp_path, badge):
    """A chromium whose camera films the badge (the clip is made before the launch)."""
    video = write_y4m(tmp_path / "badge.y4m", badge["token"])
    browser = launch(
        playwright_instance,
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def scanner(camera, live_server):
    """A door volunteer's phone, logged in; fails on any request to another host."""
    context = camera.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, locale="en-GB"
    )
    outside: list[str] = []
    context.on(
        "request",
        lambda r: (
            None if r.url.startswith((live_server.url, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    # Console errors: a Content-Security-Policy refusal, a missing file, a script error
    # (not the requests that fail while the test has cut the network).
    page.on(
        "console",
        lambda m: (
            page.problems.append(m.text)
            if m.type == "error" and "ERR_INTERNET_DISCONNECTED" not in m.text
            else None
        ),
    )
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("door@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")
    yield page
    context.close()
    assert outside == [], f"requests to other hosts: {outside}"


def checkins(db, registration_id: int) -> list[CheckIn]:
    db.rollback()  # see what the server's requests wrote since
    return db.scalars(
        sa.select(CheckIn)
        .where(CheckIn.registration_id == registration_id)
        .order_by(CheckIn.scanned_at)
    ).all()


def ready_offline(page, slug: str) -> None:
    """The checkpoint list, once it has readied the phone for offline scanning."""
    page.goto(f"/organiser/{slug}/checkin")
    expect(page.locator("#offline-readiness")).to_have_attribute(
        "data-ready", "true", timeout=WAIT_MS
    )
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline: 1 participant,")


def test_a_badge_is_welcome_then_already_checked_in(scanner, badge, demo, db):
    page = scanner
    page.goto(f"/organiser/{demo.slug}/checkin")
    page.get_by_role("link", name="Entrance Wednesday 19 June 2019").click()
    expect(page.locator("h1")).to_have_text("Entrance")

    screen = verdict(page, "Welcome!")
    expect(screen).to_have_class("verdict verdict-ok")
    expect(screen.locator(".verdict-icon")).to_have_text("✓")
    expect(screen.locator(".verdict-name")).to_have_text("Majda Jelenčić")
    expect(screen.locator(".verdict-details")).to_contain_text("Dietary needs: Vegetarian")
    expect(screen.locator(".verdict-details")).to_contain_text("Explora")  # today's visit
    expect(screen).to_be_hidden(timeout=WAIT_MS)  # clears itself for the next person
    expect(page.locator("#arrivals")).to_have_text("1")

    # The badge comes into view again: the server says it was seen, when and by whom.
    screen = verdict(page, "Already checked in")
    expect(screen).to_have_class("verdict verdict-warn")
    expect(screen.locator(".verdict-icon")).to_have_text("↻")
    expect(screen.locator(".verdict-details")).to_contain_text("by door@example.org")
    screen.click()  # a tap clears it sooner
    expect(screen).to_be_hidden()
    expect(page.locator("#arrivals")).to_have_text("1")

    records = checkins(db, badge["person"].id)
    assert [r.verdict for r in records[:2]] == ["ok", "already"]
    assert {r.checkpoint for r in records} == {"entrance:2019-06-19"}
    assert len({r.client_id for r in records}) == len(records)
    assert page.problems == []

    # Logging out takes the roster, the scans and the kept pages off the phone.
    expect(page.locator("#verdict")).to_be_hidden(timeout=WAIT_MS)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/organiser/login")
    assert page.evaluate("indexedDB.databases().then((all) => all.map((d) => d.name))") == []
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0


def test_offline_scan_waits_then_syncs_exactly_once(scanner, badge, demo, db):
    page = scanner
    ready_offline(page, demo.slug)
    page.context.set_offline(True)
    # The venue Wi-Fi is gone: the scanner page still opens (service worker), the camera
    # reads the badge, and the verdict is decided on the phone from the kept roster.
    page.locator(f'a[href$="/checkin/session:{badge["explora"].id}"]').click()
    expect(page.locator("h1")).to_contain_text("Explora")
    screen = verdict(page, "Welcome!")
    expect(screen.locator(".verdict-details")).to_contain_text("Decided on this phone")
    expect(page.locator("#network")).to_have_text("Offline")
    expect(page.locator("#pending")).to_have_text("1 scan waiting to sync")
    expect(page.locator("#arrivals")).to_have_text("1")
    assert checkins(db, badge["person"].id) == []
    went_online = datetime.now(UTC)

    page.context.set_offline(False)
    expect(page.locator("#network")).to_have_text("Online", timeout=WAIT_MS)
    expect(page.locator("#pending")).to_have_attribute("data-count", "0", timeout=WAIT_MS)
    records = checkins(db, badge["person"].id)
    standing = [r for r in records if r.verdict == "ok"]
    assert len(standing) == 1  # the check-in is on the server exactly once
    assert standing[0].checkpoint == f"session:{badge['explora'].id}"
    assert standing[0].scanned_at < went_online  # when it was read, not when it was sent
    assert all(r.verdict == "already" for r in records[1:])
    assert page.problems == []


def test_two_devices_offline_make_one_check_in_and_one_already(
    scanner, badge, demo, db, client, app
):
    with app.app_context():
        staff = organisers.get_by_email(db, "door@example.org")
        other_phone = organisers.create_api_token(db, staff, "second door phone")
        db.commit()
    page = scanner
    ready_offline(page, demo.slug)
    page.context.set_offline(True)
    page.get_by_role("link", name="Entrance Thursday 20 June 2019").click()
    verdict(page, "Welcome!")
    expect(page.locator("#pending")).to_contain_text("waiting to sync")

    # Meanwhile a second phone, offline too, scanned the same badge a moment later and
    # synced first: for now, the server holds its scan as the check-in.
    later = datetime.now(UTC).isoformat()
    answer = client.post(
        f"/api/v1/editions/{demo.slug}/checkins",
        json={
            "token": badge["token"],
            "client_id": str(uuid.uuid4()),
            "day": "2019-06-20",
            "scanned_at": later,
        },
        headers={"Authorization": f"Bearer {other_phone}"},
    ).get_json()
    assert answer["verdict"] == "ok"

    page.context.set_offline(False)
    expect(page.locator("#pending")).to_have_attribute("data-count", "0", timeout=WAIT_MS)
    records = [r for r in checkins(db, badge["person"].id) if r.checkpoint == "entrance:2019-06-20"]
    # The earliest scan wins: this phone's, read first; the other phone's is ``already``.
    assert [r.verdict for r in records].count("ok") == 1
    assert records[0].verdict == "ok" and records[0].device.startswith("scanner-")
    assert db.get(CheckIn, answer["checkin_id"]).verdict == "already"
    assert page.problems == []


def test_a_forgotten_badge_is_found_by_name_then_the_check_in_undone(phone, badge, demo, db):
    page = phone  # no camera at all: the search box still checks people in
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("door@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/organiser/{demo.slug}/checkin/entrance:2019-06-21")
    expect(page.locator("#camera-message")).to_contain_text("No camera found on this device.")
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline")

    page.get_by_label("Find a participant by name").fill("jelencic maj")  # no accents
    page.get_by_role("button", name="Check in: Majda Jelenčić").click()
    screen = verdict(page, "Welcome!")
    screen.click()
    expect(page.locator("#arrivals")).to_have_text("1")

    page.get_by_role("button", name="Undo last check-in").click()
    expect(page.locator("#notice")).to_have_text("Check-in of Majda Jelenčić undone.")
    expect(page.locator("#arrivals")).to_have_text("0")
    (record,) = checkins(db, badge["person"].id)
    assert record.verdict == "ok" and record.undone_at is not None
    page.get_by_role("button", name="Undo last check-in").click()
    expect(page.locator("#notice")).to_have_text("No check-in to undo at this checkpoint.")


def test_without_a_camera_the_code_is_typed_and_the_keyboard_serves_the_next_person(
    phone, badge, demo, db
):
    page = phone  # no camera: the page says what to do, in plain words
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("door@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/organiser/{demo.slug}/checkin/entrance:2019-06-19")
    message = page.locator("#camera-message")
    expect(message).to_have_text(
        "No camera found on this device. Type the code printed under the QR code below,"
        " or find the person by name."
    )
    expect(message).not_to_contain_text("Error")
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline")

    code = page.get_by_label("Code printed under the QR code")
    code.fill("not a badge")
    code.press("Enter")
    expect(page.locator("#code-error")).to_contain_text("This is not a badge code.")
    assert checkins(db, badge["person"].id) == []

    # As printed on the badge: the signature in groups of four, typed in lower case.
    head, _, mac = badge["token"].rpartition(":")
    code.fill(f"{head.lower()}:{' '.join(mac[i : i + 4] for i in range(0, 24, 4)).lower()}")
    code.press("Enter")
    screen = verdict(page, "Welcome!")
    expect(screen).to_be_focused()
    # The room in the scanner's language (English here), not the French name.
    expect(screen.locator(".verdict-details")).to_contain_text("· Explora — permanent exhibitions")
    expect(screen.locator(".verdict-tap")).to_have_text("Tap or press Esc to continue")
    page.keyboard.press("Escape")
    expect(screen).to_be_hidden()
    expect(code).to_be_focused()
    (record,) = checkins(db, badge["person"].id)
    assert record.verdict == "ok"

    # The name search: the verdict takes the focus, Enter gives it back to the search.
    search = page.get_by_label("Find a participant by name")
    search.focus()
    page.keyboard.type("jelencic")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check in: Majda Jelenčić")).to_be_focused()
    page.keyboard.press("Enter")
    screen = verdict(page, "Already checked in")
    expect(screen).to_be_focused()
    page.keyboard.press("Enter")
    expect(screen).to_be_hidden()
    expect(search).to_be_focused()


def test_the_offline_decision_agrees_with_the_server(phone, app, db, demo):
    """decide.js, run in the browser on the roster, gives the server's verdict for every
    person at every checkpoint: seats, waiting lines, members-only, invitation, meals, a
    cancelled session, days not attended, a cancelled registration, unknown badges."""
    edition = db.get(Edition, demo.id)
    sessions = {s.key: s for s in edition.sessions}
    explora, tour = sessions["d1-visit-explora"], sessions["d1-visit-spaces"]
    sessions["d2-stakes"].status = "cancelled"
    people = [
        make_registration(
            db, edition, category="member", member_verified=False, days=edition.dates[:1]
        ),
        make_registration(db, edition, category="partner", days=edition.dates[:2]),
        make_registration(db, edition, category="guest", days=edition.dates[1:]),
        make_registration(db, edition, status="cancelled"),
        # A member who proved it (the member code): the General Assembly's door opens.
        make_registration(
            db, edition, category="member", member_verified=True, days=edition.dates[:1]
        ),
    ]
    make_choice(db, people[0], explora)
    make_choice(db, people[1], tour)
    make_choice(db, people[2], explora, "waitlisted")
    make_choice(db, people[1], explora, "waitlisted")
    # A meal's door: those taking it, whatever the days of the others.
    db.add(RegistrationMeal(registration_id=people[1].id, session_id=sessions["d1-lunch"].id))
    stranger = make_registration(db, make_edition(db))  # a genuine badge of another edition
    db.commit()
    with app.app_context():
        points = checkpoints.checkpoints(db, edition)
        badge_tokens = [tokens.token_for(p) for p in [*people, stranger]]
    forged = badge_tokens[0][:-1] + ("A" if badge_tokens[0][-1] != "A" else "B")
    badge_tokens += [forged, "hello"]
    cases = [
        {"token": t, "key": p.key, "session_id": p.session_id, "day": p.day.isoformat()}
        for p in points
        for t in badge_tokens
    ]
    page = phone
    page.goto("/")
    # Twice: first scans, then the same badges again (``already`` where the first was ok).
    for round_ in ("first", "again"):
        with app.app_context():
            roster = rosters.roster(db, edition)
            db.rollback()
            local = page.evaluate(
                """async ([roster, cases]) => {
                    const { decide, indexRoster } = await import("/static/js/scanner/decide.js");
                    const index = indexRoster(roster);
                    return cases.map((c) => {
                        const result = decide(index, c, c.token, []);
                        return [result.verdict, result.badge_edition || null];
                    });
                }""",
                [roster, cases],
            )
            server = [_server_verdict(db, edition, case) for case in cases]
            db.commit()
        differ = [
            (case["token"][:9], case["key"], s, v)
            for case, s, v in zip(cases, server, local, strict=True)
            if s != v
        ]
        assert differ == [], round_
    admissions = {s["admission"] for s in roster["sessions"]}
    assert admissions == {"everyone", "members", "seat", "meal", "closed"}
    # Another edition's badge names that edition, offline as online.
    assert ["wrong_edition", {"id": stranger.edition_id, "title": STRANGERS}] in server
    assert {verdict for verdict, _named in server} == {
        "already",
        "not_registered_for_session",
        "cancelled",
        "wrong_edition",
        "invalid",
    }


STRANGERS = {"fr": "Université d'automne 2024", "en": "Autumn School 2024"}


def _server_verdict(db, edition, case) -> list:
    now = datetime.now(UTC)
    result = scanning.scan(
        db,
        edition,
        token=case["token"],
        client_id=str(uuid.uuid4()),
        session_id=case["session_id"],
        day=date.fromisoformat(case["day"]),
        scanned_at=now,
        now=now,
    )
    return [result.verdict, result.badge_edition]
