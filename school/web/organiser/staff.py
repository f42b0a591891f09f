"""Staff accounts, for admins: who has an account, on how many devices each is signed in,
and "sign out everywhere" for any of them (a lost phone, someone leaving the team)."""

from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import logout_user

from school.database import utcnow
from school.extensions import db
from school.services.backoffice import logins, organisers
from school.web.auth import lifetimes
from school.web.organiser.blueprint import actor, bp


@bp.get("/staff")
def staff():
    return render_template(
        "organiser/staff.html",
        accounts=organisers.list_organisers(db.session),
        signed_in=logins.open_counts(db.session, now=utcnow(), lifetimes=lifetimes()),
        utc=UTC,
    )


@bp.post("/staff/<int:organiser_id>/sign-out")
def staff_sign_out(organiser_id: int):
    me = actor()
    account = organisers.get_organiser(db.session, organiser_id)
    ended = organisers.sign_out_everywhere(db.session, account, now=utcnow(), actor=me)
    db.session.commit()
    if account.id == me.id:
        logout_user()
        return redirect(url_for(".login"))
    flash(
        ngettext(
            "%(email)s is signed out everywhere (%(num)d session ended).",
            "%(email)s is signed out everywhere (%(num)d sessions ended).",
            ended,
            email=account.email,
        )
    )
    return redirect(url_for(".staff"))
