"""Organisers: the dashboard of an edition, figures from ``stats`` (the exports' too)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.labels import CATEGORY_LABELS, session_title
from school.services.backoffice import stats
from school.services.network import initiatives
from school.services.network.countries import country_names
from school.services.programme import lifecycle
from school.web.organiser import dashboard_charts as charts
from school.web.organiser.blueprint import bp, load_edition


def percent(rate: float | None) -> str:
    """A share in whole percent, except that a share above nothing never reads "0 %"
    (1 seat of 200 is "<1 %") nor a share short of all "100 %" (199 of 200 is ">99 %")."""
    if rate is None:
        return "—"
    shown = round(100 * rate)
    if shown == 0 and rate > 0:
        return "<1 %"
    if shown == 100 and rate < 1:
        return ">99 %"
    return f"{shown} %"


@bp.get("/<slug>/")
def dashboard(slug: str):
    edition = load_edition(slug)
    lang = i18n.language()
    countries = country_names(lang)
    over_time = stats.over_time(db.session, edition)
    by_country = [(countries.get(c, c), n) for c, n in stats.by_country(db.session, edition)]
    by_category = [
        (str(CATEGORY_LABELS.get(c, c)), n) for c, n in stats.by_category(db.session, edition)
    ]
    totals = stats.totals(db.session, edition)
    cite_figures = stats.by_cite_and_arrivals(db.session, edition)
    by_cite = [(c or _("(none)"), n) for c, n, _came in cite_figures]
    # Who came beside who registered, once the doors are open: two figures, two columns.
    shown = 3 if totals.checked_in else 2
    cite_rows = [(c or _("(none)"), n, came)[:shown] for c, n, came in cite_figures]
    by_cite_country = [
        (countries.get(c, c) or _("(unknown)"), n)
        for c, n in stats.by_cite_country(db.session, edition)
    ]
    fills = stats.session_fill(db.session, edition)
    checkins = stats.checkin_progress(db.session, edition)

    def day(value):
        return i18n.local_date(value, "d MMM", lang)

    figures = {
        "over_time": charts.timeline(
            _("Registrations over time"),
            [(point.day, point.total) for point in over_time],
            (day(over_time[0].day), day(over_time[-1].day)) if over_time else ("", ""),
        ),
        "country": charts.bars(_("Registrations by country"), by_country),
        "category": charts.bars(_("Registrations by category"), by_category),
        "cite": charts.bars(_("Registrations by Cité"), by_cite),
        "fill": charts.fill(
            _("Seats taken in sessions with limited seats"),
            [
                (session_title(f.session, lang), f.confirmed, f.capacity, f.waitlisted)
                for f in fills
            ],
        ),
        "entrance": charts.progress(
            _("Arrivals at the entrance"),
            [(day(d), a.arrived, a.expected) for d, a in checkins.days],
        ),
    }
    rows = {
        "over_time": [
            (i18n.local_date(p.day, "medium", lang), p.new, p.total) for p in over_time
        ],
        "fill": [
            (session_title(f.session, lang), f.capacity, f.confirmed, percent(f.fill_rate),
             f.waitlisted)
            for f in fills
        ],
        "checkins": [
            (i18n.local_date(d, "medium", lang), a.expected, a.arrived) for d, a in checkins.days
        ]
        + [(session_title(s, lang), a.expected, a.arrived) for s, a in checkins.sessions],
    }  # fmt: skip
    now = utcnow()
    return render_template(
        "organiser/dashboard.html",
        rows=rows,
        percent=percent,
        edition=edition,
        state=lifecycle.state_of(edition, now),
        programme=stats.programme(db.session, edition),
        call=initiatives.call_state(edition, now),
        received=initiatives.counts(db.session, edition),
        totals=totals,
        over_time=over_time,
        by_country=by_country,
        by_category=by_category,
        cite_rows=cite_rows,
        by_cite_country=by_cite_country,
        fills=fills,
        meals=stats.meals(db.session, edition),
        checkins=checkins,
        charts=figures,
    )
