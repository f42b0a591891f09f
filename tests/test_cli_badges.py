"""``flask badges print``: the organisers' A4 sheets of badges."""

from __future__ import annotations

from school.services.badges import tokens
from tests.support.factories import make_registration
from tests.support.pdf_tools import decode_qr, pdf_images, pdf_pages, pdf_text


def _people(db, demo):
    day1, day2, _ = demo.dates
    made = [
        make_registration(db, demo, first_name="Íñigo", last_name="Ñúñez", category="speaker"),
        make_registration(db, demo, first_name="Jan", last_name="Łukasiewicz", days=[day2]),
        make_registration(db, demo, first_name="Majda", last_name="Jelenčić", days=[day1]),
        make_registration(db, demo, first_name="Ada", last_name="Annulée", status="cancelled"),
    ]
    db.commit()
    return made


def test_print_every_badge_sorted_by_last_name(runner, app, db, demo, tmp_path):
    _people(db, demo)
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["badges", "print", "spring-school-2019", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 badges written to" in result.output
    pdf = out.read_bytes()
    [page] = pdf_pages(pdf)
    assert (round(page.width), round(page.height)) == (210, 297)
    lines = pdf_text(pdf).splitlines()
    order = [lines.index(name) for name in ("Jelenčić", "Łukasiewicz", "Ñúñez")]
    assert order == sorted(order) and "Annulée" not in lines
    with app.app_context():
        checks = [tokens.verify(db, t, demo) for t in decode_qr(pdf_images(pdf)[0])]
    assert [c.registration.last_name for c in checks] == ["Jelenčić", "Łukasiewicz", "Ñúñez"]


def test_print_by_category_and_day(runner, db, demo, tmp_path):
    _people(db, demo)
    out = tmp_path / "members.pdf"
    day1 = demo.dates[0].isoformat()
    args = ["badges", "print", "spring-school-2019", "--category", "member", "--day", day1]
    result = runner.invoke(args=[*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = pdf_text(out.read_bytes()).splitlines()
    assert "Jelenčić" in lines and "Łukasiewicz" not in lines and "Ñúñez" not in lines


def test_print_refuses_what_it_cannot_do(runner, db, demo, tmp_path):
    out = str(tmp_path / "x.pdf")
    nothing = runner.invoke(args=["badges", "print", "spring-school-2019", "-o", out])
    assert nothing.exit_code == 1 and "nothing to print" in nothing.output
    unknown = runner.invoke(args=["badges", "print", "nope", "-o", out])
    assert unknown.exit_code == 1 and "no edition 'nope'" in unknown.output
    bad = runner.invoke(
        args=["badges", "print", "spring-school-2019", "--category", "vip", "-o", out]
    )
    assert bad.exit_code == 1 and "There is no category “vip”" in bad.output
    off = runner.invoke(
        args=["badges", "print", "spring-school-2019", "--day", "2019-07-01", "-o", out]
    )
    assert off.exit_code == 1 and "“2019-07-01” is not a day of this School" in off.output
    size = runner.invoke(args=["badges", "print", "spring-school-2019", "--size", "zz", "-o", out])
    assert size.exit_code == 1 and "There is no badge size “zz”" in size.output
    assert "a6 = A6 (105 × 148 mm)" in size.output
