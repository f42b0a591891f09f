"""The edition's figures and the survey's results as spreadsheet tables (written by
``backoffice.exports``, which keeps text that looks like a formula from running), in the
language of the current locale."""

from __future__ import annotations

from flask_babel import gettext as _

from school import i18n
from school.labels import KIND_LABELS
from school.services.aftercare.figures import Figures
from school.services.aftercare.results import Results
from school.services.aftercare.survey import again_label
from school.services.backoffice.exports import Table
from school.services.network.countries import country_names


def figures_tables(found: Figures) -> list[Table]:
    lang = i18n.language()
    countries = country_names(lang)
    summary = [
        [_("Registered people"), found.registered],
        [_("Present (checked in at least once)"), found.present],
        [_("No-shows"), found.no_shows],
        [_("Cancelled registrations"), found.cancelled],
        [_("Sessions held"), found.sessions_held],
        [_("Workshops"), found.workshops],
        [_("Cités present"), found.cites_present],
        [_("Countries present"), found.countries_present],
    ]
    if found.initiatives_shared is not None:
        summary.append([_("Initiatives shared"), found.initiatives_shared])
    if found.survey is not None:
        summary += [
            [_("Invited to the survey"), found.survey.invited],
            [_("Survey answers"), found.survey.answered],
            [_("Response rate (%)"), _percent(found.survey.response_rate)],
            [_("Overall rating (out of 5)"), found.survey.overall_average],
        ]
    averages = found.survey.session_averages if found.survey else {}
    return [
        Table(_("Figures"), [_("Figure"), _("Value")], summary),
        Table(
            _("Present per day"),
            [_("Day"), _("Present")],
            [[day, n] for day, n in found.present_per_day.items()],
        ),
        Table(
            _("Sessions held"),
            [_("Kind"), _("Sessions")],
            [[str(KIND_LABELS.get(k, k)), n] for k, n in found.sessions_held_by_kind.items()],
        ),
        Table(
            _("Attendance per session"),
            [_("Starts at"), _("Session"), _("Kind"), _("Present"), _("Rating (out of 5)")],
            [
                [
                    found.edition.local(a.session.starts_at).replace(tzinfo=None),
                    a.session.text("title", lang),
                    str(KIND_LABELS.get(a.session.kind, a.session.kind)),
                    a.present,
                    averages.get(a.session.id),
                ]
                for a in found.attendance
            ],
        ),
        Table(_("Cités"), [_("Cité des métiers"), _("Present")], [list(x) for x in found.per_cite]),
        Table(
            _("Countries"),
            [_("Country"), _("Code"), _("Present")],
            [[countries.get(code, code), code, n] for code, n in found.per_country],
        ),
    ]


def survey_tables(results: Results, lang: str) -> list[Table]:
    """Per question, per session, then every comment (with its author's name when the
    results were read ``with_names``: admins only)."""
    named = any(c.respondent for q in results.questions for c in q.comments) or any(
        c.respondent for s in results.sessions for c in s.comments
    )
    questions = []
    for q in results.questions:
        if q.question.kind == "rating":
            spread = " · ".join(i18n.pair(k, n) for k, n in q.ratings.distribution.items())
            questions.append([str(q.question.label), q.ratings.count, q.ratings.average, spread])
        elif q.question.kind == "choice":
            spread = " · ".join(i18n.pair(again_label(k), n) for k, n in q.choices.most_common())
            questions.append([str(q.question.label), sum(q.choices.values()), None, spread])
        elif q.question.kind == "text":
            questions.append([str(q.question.label), len(q.comments), None, None])
    sessions = [
        [s.session.text("title", lang), s.ratings.count, s.ratings.average, len(s.comments)]
        for s in results.sessions
    ]
    comments = []
    for q in results.questions:
        for c in q.comments:
            comments.append([str(q.question.label), c.text, c.language, c.submitted_at])
            if named:
                comments[-1].append(c.respondent)
    for s in results.sessions:
        for c in s.comments:
            comments.append([s.session.text("title", lang), c.text, c.language, c.submitted_at])
            if named:
                comments[-1].append(c.respondent)
    for row in comments:
        row[3] = row[3].replace(tzinfo=None) if row[3] else None
    comment_headers = [_("Question or session"), _("Comment"), _("Language"), _("Sent at (UTC)")]
    return [
        Table(
            _("Survey"),
            [_("Question"), _("Answers"), _("Average (out of 5)"), _("Spread")],
            [
                [_("Invited"), results.invited, None, None],
                [_("Answered"), results.answered, None, None],
                [_("Response rate (%)"), _percent(results.response_rate), None, None],
                *questions,
            ],
        ),
        Table(
            _("Sessions rated"),
            [_("Session"), _("Ratings"), _("Average (out of 5)"), _("Comments")],
            sessions,
        ),
        Table(_("Comments"), comment_headers + ([_("Name")] if named else []), comments),
    ]


def _percent(share: float | None) -> float | None:
    return round(share * 100, 1) if share is not None else None
