"""The check-in scanner for door and room staff, on the organiser blueprint.

``/organiser/<slug>/checkin`` picks a checkpoint (the entrance on each day, then every
session) and readies the phone for the venue Wi-Fi dropping: the roster goes to the
browser's IndexedDB and every scanner page to the service worker's cache.
``/organiser/<slug>/checkin/<checkpoint>`` is the scanner itself (``entrance:2019-06-19``
or ``session:17``). ``/organiser/sw.js`` is the service worker: behind the login like
every organiser page, so only a logged-in staff member's browser ever installs it.

The verdicts are the API's (``POST /api/v1/editions/<slug>/checkins``); offline, the page
decides from the roster with the ``admission`` the server computed for each session.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_wtf.csrf import generate_csrf

from school.extensions import db
from school.i18n import language
from school.models import Edition
from school.models.vocabulary import Verdict
from school.services.checkin import checkpoints, scanning
from school.services.programme import catalogue
from school.web.api.checkin import verdict_message
from school.web.auth import allow_checkin_staff
from school.web.organiser.blueprint import bp

PAGES_CACHE = "school-scanner-pages"

# What the scanner page loads, kept by the service worker so the page opens offline.
SCANNER_ASSETS = (
    "vendor/pico/pico.min.css",
    "css/school.css",
    "css/scanner.css",
    "favicon.svg",
    "js/scanner/main.js",
    "js/scanner/api.js",
    "js/scanner/camera.js",
    "js/scanner/decide.js",
    "js/scanner/offline.js",
    "js/scanner/page.js",
    "js/scanner/picker.js",
    "js/scanner/search.js",
    "js/scanner/store.js",
    "js/scanner/verdict.js",
    "js/scanner/vocabulary.js",
    "js/scanner/logout.js",
    "vendor/barcode-detector/ponyfill.js",
    "vendor/barcode-detector/zxing-exported.js",
    "vendor/zxing-wasm/zxing_reader.wasm",
)


def _offline_config(edition: Edition) -> dict:
    """What both pages need to keep the scanner working offline."""
    return {
        "slug": edition.slug,
        "edition_id": edition.id,
        # Sent with every scan and undo: the API takes this page's cookie only with it.
        "csrf_token": generate_csrf(),
        "language": language(),
        # Where a room or title has no text in the scanner's language (it, es, pt).
        "fallback": edition.content_fallback,
        "timezone": edition.timezone,
        "pages_cache": PAGES_CACHE,
        "urls": {
            "roster": url_for("api.get_roster", slug=edition.slug),
            "checkins": url_for("api.post_checkin", slug=edition.slug),
            "batch": url_for("api.post_checkin_batch", slug=edition.slug),
            "worker": url_for("organiser.service_worker"),
            "worker_scope": url_for("organiser.home"),
        },
    }


@bp.get("/<slug>/checkin")
@allow_checkin_staff
def checkin_picker(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    points = checkpoints.checkpoints(db.session, edition)
    entrances = [p for p in points if p.session is None]
    sessions = [
        (day, list(group))
        for day, group in groupby((p for p in points if p.session is not None), key=lambda p: p.day)
    ]
    pages = [url_for(".checkin_scanner", slug=slug, checkpoint=p.key) for p in points]
    return render_template(
        "organiser/checkin_picker.html",
        current_edition=edition,
        entrances=entrances,
        sessions_by_day=sessions,
        config=_offline_config(edition) | {"pages": pages},
        i18n=_picker_strings(),
    )


@bp.get("/<slug>/checkin/<checkpoint>")
@allow_checkin_staff
def checkin_scanner(slug: str, checkpoint: str):
    edition = catalogue.get_edition(db.session, slug)
    point = checkpoints.checkpoint_by_key(db.session, edition, checkpoint)
    config = _offline_config(edition) | {
        "checkpoint": {
            "key": point.key,
            "session_id": point.session_id,
            "day": point.day.isoformat(),
        },
        "arrivals": scanning.arrivals(db.session, edition, point.key),
        "page": url_for(".checkin_scanner", slug=slug, checkpoint=point.key),
    }
    config["urls"]["wasm"] = url_for("static", filename="vendor/zxing-wasm/zxing_reader.wasm")
    config["urls"]["undo"] = url_for("api.undo_checkin", slug=slug, checkin_id=0).replace(
        "/0/undo", "/{id}/undo"
    )
    return render_template(
        "organiser/checkin_scanner.html",
        current_edition=edition,
        checkpoint=point,
        config=config,
        i18n=_picker_strings() | _scanner_strings(),
    )


@bp.get("/sw.js")
@allow_checkin_staff
def service_worker():
    """The service worker's source with the list of what it keeps, and a version that
    changes with those files, so a new release replaces what phones have kept."""
    assets = [url_for("static", filename=name) for name in SCANNER_ASSETS]
    header = "const SCANNER = {};\n".format(
        json.dumps(
            {"version": _assets_version(), "assets": assets, "pages_cache": PAGES_CACHE},
            indent=2,
        )
    )
    source = _static_path("js/scanner/sw.js").read_text(encoding="utf-8")
    return Response(header + source, mimetype="text/javascript")


def _static_path(name: str) -> Path:
    return Path(current_app.static_folder) / name


def _assets_version() -> str:
    """From the files' contents, so every server of a release gives the same version."""
    digest = hashlib.sha256()
    for name in (*SCANNER_ASSETS, "js/scanner/sw.js"):
        path = _static_path(name)
        stat = path.stat()
        digest.update(_file_digest(path, stat.st_mtime_ns, stat.st_size))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=64)
def _file_digest(path: Path, _mtime_ns: int, _size: int) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def _plural(forms: Callable[[int], str]) -> dict[str, str]:
    """Both forms of a message for the page's script, which picks one with
    Intl.PluralRules (French says "0 scan" like "1 scan": both are its "one" form)."""
    return {"one": forms(1), "other": forms(2)}


def _picker_strings() -> dict[str, str]:
    return {
        "preparing": _("Getting this phone ready to scan without network…"),
        "ready": _plural(
            lambda n: ngettext(
                "Ready offline: %(count)s participant, list saved at %(time)s.",
                "Ready offline: %(count)s participants, list saved at %(time)s.",
                n,
                count="{n}",
                time="{time}",
            )
        ),
        "stale": _("Offline: using the list saved at %(time)s.", time="{time}"),
        "no_roster": _("No participant list on this phone yet: connect to the network once."),
        "no_worker": _("This browser cannot keep the scanner for offline use."),
    }


def _scanner_strings() -> dict:
    return {
        "verdicts": {verdict.value: verdict_message(verdict) for verdict in Verdict},
        "online": _("Online"),
        "offline": _("Offline"),
        "arrivals": _plural(lambda n: ngettext("arrival", "arrivals", n)),
        "waiting": _plural(
            lambda n: ngettext(
                "%(count)s scan waiting to sync", "%(count)s scans waiting to sync", n, count="{n}"
            )
        ),
        "login_again": _("Log in again to send the waiting scans."),
        "first_scan": _("First scan at %(time)s", time="{time}"),
        "first_scan_by": _("First scan at %(time)s by %(who)s", time="{time}", who="{who}"),
        "today": _("Today:"),
        "dietary": _("Dietary needs:"),
        "not_today": _("Not registered for this day."),
        "expected": _("Expected at:"),
        "waitlist": _("Number %(position)s on the waiting list", position="{position}"),
        "no_seat": _("No seat booked in this session: let in only if the room allows."),
        "badge_for": _("This badge is for %(edition)s.", edition="{edition}"),
        # A red verdict: not for the door to sort out.
        "send_to_desk": _("Do not let in: send the person to the reception desk."),
        "saved_offline": _("Decided on this phone: will be sent when the network is back."),
        "tap": _("Tap or press Esc to continue"),
        "check_in": _("Check in"),
        "cancelled_tag": pgettext("registration", "cancelled"),
        "no_match": _("Nobody found with that name."),
        "undone": _("Check-in of %(name)s undone.", name="{name}"),
        "nothing_to_undo": _("No check-in to undo at this checkpoint."),
        "undo_needs_network": _("Undoing a check-in already sent needs the network."),
        "undo_failed": _("The check-in could not be undone."),
        "camera_starting": _("Starting the camera…"),
        # What the volunteer can do about it, in plain words; the browser's reason is kept
        # for whoever helps them (it stays in the page, not in the sentence).
        "camera_refused": _(
            "The camera is not allowed on this page. Allow it in the browser's settings and "
            "press “Start the camera”, or type the code printed under the QR code below."
        ),
        "camera_missing": _(
            "No camera found on this device. Type the code printed under the QR code below, "
            "or find the person by name."
        ),
        "camera_failed": _(
            "The camera cannot be used. Press “Start the camera” to try again, or type the "
            "code printed under the QR code below."
        ),
        "code_invalid": _(
            "This is not a badge code. Check the code under the QR code (letters, digits "
            "and colons) and type it again."
        ),
    }
