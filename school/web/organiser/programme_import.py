"""Organisers: sessions from a spreadsheet — a template, a preview, then all or nothing."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from school.database import utcnow
from school.extensions import db
from school.forms.organiser_programme import SheetForm
from school.services.programme import sheet, sheet_export
from school.web.organiser.blueprint import actor, bp, load_edition


@bp.get("/<slug>/programme/template.<any(csv, xlsx):fmt>")
def sessions_template(slug: str, fmt: str):
    """The template (an example row), or with ``?current=1`` the sessions as they are."""
    edition = load_edition(slug)
    current = request.args.get("current") == "1"
    rows = (
        sheet_export.current_rows(db.session, edition)
        if current
        else sheet_export.template_rows(edition)
    )
    if fmt == "xlsx":
        body = sheet_export.to_xlsx(rows)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, media = sheet_export.to_csv(rows), "text/csv; charset=utf-8"
    name = f"{edition.slug}-sessions{'' if current else '-template'}.{fmt}"
    return Response(
        body, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/<slug>/programme/import", methods=["GET", "POST"])
def import_sessions(slug: str):
    """Upload → preview (the rows saved, then rolled back) → confirm (saved, committed
    only if every row is right)."""
    edition = load_edition(slug)
    form = SheetForm()
    result = rows = None
    if form.validate_on_submit():
        try:
            rows = _rows(form)
        except sheet.SheetError as refusal:
            flash(refusal.message, "error")
        if rows is not None:
            confirm = bool(form.rows.data) and not form.sheet.data
            result = sheet.apply_rows(
                db.session, edition, rows, actor=actor(), now=utcnow(), translate=_
            )
            if confirm and result.ok:
                db.session.commit()
                flash(ngettext("%(num)d row imported.", "%(num)d rows imported.", len(result.rows)))
                return redirect(url_for(".programme", slug=slug))
            db.session.rollback()
            if confirm:
                flash(_("Nothing was imported: correct the rows named below."), "error")
            edition = load_edition(slug)
            form.rows.data = json.dumps(rows, ensure_ascii=False)
    return render_template(
        "organiser/programme_import.html",
        edition=edition,
        form=form,
        result=result,
        columns=sheet.COLUMNS,
    )


def _rows(form: SheetForm) -> list[dict]:
    upload = form.sheet.data
    if upload:
        return sheet.read_rows(upload.filename or "", upload.read(sheet.MAX_BYTES + 1))
    try:
        rows = json.loads(form.rows.data or "")
    except ValueError:
        rows = None
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and isinstance(r.get("_row"), int) for r in rows
    ):
        raise sheet.SheetError(_("Choose a file to import."))
    return rows
