"""The ``flask --app school …`` commands, one module per command group. Each command runs
its service calls and commits once."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from school.cli import (
        attendance,
        backup,
        badges,
        cache,
        demo,
        deploy,
        mail,
        network,
        organisers,
        privacy,
        programme,
        registrations,
        report,
        speakers,
        survey,
        tokens,
    )

    for group in (
        organisers.organiser_cli,
        tokens.token_cli,
        registrations.registrations_cli,
        badges.badges_cli,
        speakers.speakers_cli,
        attendance.attendance_cli,
        programme.programme_cli,
        demo.demo_cli,
        mail.mail_cli,
        privacy.privacy_cli,
        deploy.deploy_cli,
        backup.backup_cli,
        cache.cache_cli,
        survey.survey_cli,
        network.cites_cli,
        network.initiatives_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(report.report_command)
