"""Renders the demo edition's report to page images for the README:
``python docs/make_report_pages.py`` (poppler's pdftoppm). The demo is loaded into a
throw-away SQLite database, then some seventy participants come, are checked in through
the check-in service and answer the survey (tests/support/demo_aftercare.py), and
``flask report`` writes the PDF."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from school import create_app  # noqa: E402
from school.extensions import db  # noqa: E402
from tests.support.demo import import_demo  # noqa: E402
from tests.support.demo_aftercare import demo_after_the_school  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{tmp}/demo.db", "SECRET_KEY": "docs", "MAIL_URL": None}
        )
        app.instance_path = tmp
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            edition = import_demo(db.session)
            demo_after_the_school(db.session, edition.id)
        pdf = Path(tmp) / "report.pdf"
        result = app.test_cli_runner().invoke(args=["report", edition.slug, "-o", str(pdf)])
        assert result.exit_code == 0, result.output
        survey_page = _page_starting(pdf, "L’avis des participants")
        for page, name in ((1, "report-figures"), (survey_page, "report-survey")):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile",
                 str(pdf), str(OUT / name)],
                check=True,
            )  # fmt: skip
    print("\n".join(str(p) for p in sorted(OUT.glob("report-*.png"))))


def _page_starting(pdf: Path, heading: str) -> int:
    """The number of the page that holds ``heading``."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    for number, page in enumerate(text.decode().split("\f"), start=1):
        if heading in page:
            return number
    raise SystemExit(f"no page holds {heading!r}")


if __name__ == "__main__":
    main()
