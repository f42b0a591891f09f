"""The organisers' dashboard in a real browser, on a phone and on a laptop: every word of
its charts reads whole, at a readable size, apart from the others and on the screen."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school.models import Session
from tests.support.backoffice import PASSWORD, fresh, make_admin
from tests.support.browser import require_chromium
from tests.support.factories import make_choice, make_registration

CITES = [
    "Cité des métiers de Marseille et de Provence-Alpes-Côte d'Azur",
    "Cité des métiers de Paris la Villette",
    "Città dei mestieri di Milano e della Lombardia",
]

# Every piece of text drawn in a chart, where it is and how large it is on the screen
# (an SVG drawn smaller than its viewBox shrinks its letters with it).
TEXTS = """() => {
  const found = [];
  for (const chart of document.querySelectorAll('.dash-chart')) {
    const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent.trim() || element.closest('title, desc, .visually-hidden')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      const scale = element.getScreenCTM ? element.getScreenCTM().a : 1;
      found.push({text: node.textContent.trim(), left: box.left, right: box.right,
                  top: box.top, bottom: box.bottom,
                  size: parseFloat(getComputedStyle(element).fontSize) * scale});
    }
  }
  return found;
}"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_every_word_of_the_dashboard_charts_reads_whole(app, browser, live_server, demo, db, width):
    require_chromium()
    make_admin(app, db)
    visit = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    for n in range(12):
        registration = make_registration(db, demo, cite=CITES[n % 3], country="FR")
        if n < 5:
            make_choice(db, registration, visit)
    db.commit()
    titles = {fresh(db).get(Session, visit.id).title_en}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, base_url=live_server.url, locale="en-GB"
    )
    page = context.new_page()
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("chef@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/**")
    page.goto(f"/organiser/{demo.slug}/?lang=en")
    texts = page.evaluate(TEXTS)
    context.close()

    shown = {t["text"] for t in texts}
    assert set(CITES) | titles <= shown, "a label is cut short"
    small = [(t["text"], round(t["size"], 1)) for t in texts if t["size"] < 12]
    assert small == [], "too small to read"
    outside = [t["text"] for t in texts if t["left"] < 0 or t["right"] > width]
    assert outside == [], "off the screen"
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if _overlap(a, b)
    ]
    assert clashes == [], "written over each other"
