"""A participant registers on a phone, in English, with a real browser."""

from __future__ import annotations

import re

import sqlalchemy as sa

from school.models import Registration, Session


def test_register_on_a_phone_and_land_on_the_private_page(phone, demo, db):
    explora = db.scalar(sa.select(Session.id).where(Session.key == "d1-visit-explora"))
    cafe = db.scalar(sa.select(Session.id).where(Session.key == "d3-work-cafe"))
    db.rollback()
    page = phone
    page.goto(f"/{demo.slug}/register?lang=en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.get_by_label("First name").fill("Ève")
    page.get_by_label("Last name").fill("O'Brien-Łukasiewicz")
    page.get_by_label("E-mail").fill("eve@example.org")
    page.get_by_label("Organisation").fill("Cité des métiers de Porto")
    page.get_by_label("Country").select_option("PT")
    page.get_by_label("Network member").check()
    page.get_by_label("English").check()
    # Members-only and day filters are shown as the answers change.
    page.locator(f'input[name=sessions][value="{explora}"]').check()
    page.locator(f'input[name=sessions][value="{cafe}"]').check()
    page.get_by_label("I agree that the organisers keep").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/my/[A-Za-z0-9_-]{40,}$"))
    text = page.locator("main").inner_text()
    assert "My registration" in text and "O'Brien-Łukasiewicz" in text
    assert text.count("Confirmed") == 2 and "Explora" in text and "Work café" in text
    db.rollback()
    registration = db.scalar(sa.select(Registration))
    assert sorted(c.session_id for c in registration.choices) == sorted([explora, cafe])


def test_unticking_a_day_hides_its_sessions(phone, demo, db):
    cafe = db.scalar(sa.select(Session.id).where(Session.key == "d3-work-cafe"))
    db.rollback()
    page = phone
    page.goto(f"/{demo.slug}/register?lang=en")
    cafe_box = page.locator(f'input[name=sessions][value="{cafe}"]')
    assert cafe_box.is_visible()
    page.locator('input[name=days][value="2019-06-21"]').uncheck()
    assert not cafe_box.is_visible()


def test_a_member_sees_the_assembly_beside_the_visits_it_overlaps(phone, demo, db):
    """The General Assembly is not chosen (members simply come), yet it overlaps the
    visits: a member sees it in their slot before choosing one; a guest does not."""
    db.rollback()
    page = phone
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.goto(f"/{demo.slug}/register?lang=en")
    slot = page.locator(".choice-slot", has_text="Tour of the permanent exhibitions (Explora)")
    assembly = slot.locator(".choice-card", has_text="General Assembly of the network")
    page.get_by_label("Network member").check()
    assert assembly.is_visible()
    assert "18:00–19:30" in assembly.inner_text()
    assert "network members attend without registering" in assembly.inner_text()
    assert assembly.locator("input").count() == 0
    page.get_by_label("Guest").check()
    assert not assembly.is_visible()
    assert failures == []
