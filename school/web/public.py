"""Public pages: the editions, the programme, sessions and speakers."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from markupsafe import Markup

from school import i18n
from school.extensions import db
from school.services.mail import rich_text
from school.services.programme import catalogue, lifecycle
from school.services.registration import privacy as privacy_rules
from school.web.auth import may_preview
from school.web.render_cache import render_cache

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    editions = lifecycle.listed(catalogue.list_editions(db.session), organiser=may_preview())
    return render_template("public/index.html", editions=editions)


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/<slug>/")
def edition_home(slug: str):
    edition = catalogue.get_edition(db.session, slug, preview=may_preview())
    return render_template(
        "public/edition.html", edition=edition, figures=catalogue.key_figures(db.session, edition)
    )


@bp.get("/<slug>/programme")
def programme_page(slug: str):
    # The whole page is kept by the state of the programme and its seats: a visit then
    # costs no query. Not when the visitor has a message waiting (it is theirs) or the
    # address carries other parameters than the language (links reflect them).
    state = catalogue.edition_state(db.session, slug, preview=may_preview())
    key = programme_page_key(state, i18n.language(), request.host, request.path)
    cacheable = state is not None and set(request.args) <= {"lang"} and not session.get("_flashes")
    cache = render_cache()
    page = cache.get(key) if cacheable else None
    if page is None:
        edition = catalogue.get_edition(db.session, slug, preview=may_preview())
        # Kept encoded: 300 kB of text for 500 sessions is not encoded again per visit.
        page = render_template(
            "public/programme.html", edition=edition, timetable=_timetable(edition, state)
        ).encode()
        if cacheable:
            cache.put(key, page)
    return Response(page, mimetype="text/html")


def programme_page_key(state: str | None, lang: str, host: str, path: str) -> str:
    """What names a kept programme page (``web.front`` serves it by the same name)."""
    return f"programme-page:{state}:{lang}:{host}:{path}"


def _timetable(edition, state: str | None) -> Markup:
    """The timetable alone, kept by the same state: shared by the page's variants that are
    not kept whole (another address, a visitor's message)."""
    key = f"timetable:{state}:{i18n.language()}"
    cache = render_cache()
    timetable = cache.get(key) if state is not None else None
    if timetable is None:
        plan = catalogue.load_programme(db.session, edition)
        timetable = render_template("public/_timetable.html", edition=edition, programme=plan)
        if state is not None:
            cache.put(key, timetable)
    # The fragment is our own template output, already escaped when it was rendered.
    return Markup(timetable)  # noqa: S704


@bp.get("/<slug>/sessions/<int:session_id>")
def session_page(slug: str, session_id: int):
    edition = catalogue.get_edition(db.session, slug, preview=may_preview())
    session = catalogue.get_session(db.session, edition, session_id)
    taken = catalogue.seats_taken(db.session, [session.id])
    plan = catalogue.Programme(edition, [session], taken)
    return render_template("public/session.html", edition=edition, session=session, programme=plan)


@bp.get("/<slug>/speakers")
def speakers(slug: str):
    edition = catalogue.get_edition(db.session, slug, preview=may_preview())
    entries = catalogue.load_speakers(db.session, edition)
    return render_template("public/speakers.html", edition=edition, entries=entries)


@bp.get("/<slug>/speakers/<key>")
def speaker(slug: str, key: str):
    edition = catalogue.get_edition(db.session, slug, preview=may_preview())
    entry = catalogue.get_person(db.session, edition, key)
    return render_template("public/speaker.html", edition=edition, entry=entry)


@bp.get("/<slug>/privacy")
def privacy(slug: str):
    """The edition's privacy notice: the organisers' own text, else the default one."""
    edition = catalogue.get_edition(db.session, slug)
    own = privacy_rules.custom_notice(edition, i18n.language())
    return render_template(
        "public/privacy.html", edition=edition, own=rich_text.to_html(own) if own else None
    )
