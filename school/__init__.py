"""school — the Spring/Autumn School of the international network of Cités des métiers."""

from __future__ import annotations

from typing import Any

from flask import Flask

from school.paths import MIGRATIONS_DIR, asset_dir


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(asset_dir("templates")),
        static_folder=str(asset_dir("static")),
    )
    from school.config import load_config

    load_config(app, config)
    register_id_converter(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from school.web.actions import register_mail_wake
    from school.web.auth import register_login_sessions
    from school.web.errors import register_error_handlers
    from school.web.security import register_security
    from school.web.templating import register_templating

    register_error_handlers(app)
    register_templating(app)
    register_security(app)
    register_login_sessions(app)
    register_mail_wake()
    register_front(app)
    register_proxy(app)  # last: what it wraps sees the client's own address
    return app


def register_front(app: Flask) -> None:
    if app.config["ANSWER_IN_FRONT"]:
        from school.web import front

        front.install(app)


def register_proxy(app: Flask) -> None:
    """Behind PROXY_FIX proxies, take the client's address, scheme, host and port from
    the X-Forwarded-* headers the last proxies added (the earlier values are the
    client's to forge, so they are not read)."""
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


def register_id_converter(app: Flask) -> None:
    """``<int:...>`` in URLs are database ids, 32-bit integers: a larger number names
    nothing (404) rather than overflowing the database's integer (a 500 on PostgreSQL)."""
    from werkzeug.routing import IntegerConverter

    from school.database import MAX_ID

    class IdConverter(IntegerConverter):
        def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
            super().__init__(url_map, fixed_digits, min, max, signed)

    app.url_map.converters["int"] = IdConverter


def register_extensions(app: Flask) -> None:
    from school import data_versions
    from school.database import configure_engine, render_migration_item
    from school.extensions import babel, csrf, db, limiter, login, migrate
    from school.i18n import select_locale, vary_with_negotiated_language

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        versions = data_versions.install(db.engine, enabled=app.config["KEEP_BETWEEN_REQUESTS"])
        app.extensions["school.data_versions"] = versions
    migrate.init_app(
        app,
        db,
        directory=str(MIGRATIONS_DIR),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(vary_with_negotiated_language)
    limiter.init_app(app)
    login.init_app(app)

    @app.teardown_request
    def _end_database_session(_exc: BaseException | None) -> None:
        # One session per request, even when an outer app context lives on (tests, CLI).
        db.session.remove()


def register_blueprints(app: Flask) -> None:
    from school.web import (
        api,
        feeds,
        initiatives,
        organiser,
        participant,
        public,
        registration,
        speaker,
        survey,
        unsubscribe,
    )

    for blueprint in (
        api, organiser, participant, registration, feeds, speaker, survey, unsubscribe,
        initiatives, public,
    ):  # fmt: skip
        app.register_blueprint(blueprint.bp)


def register_commands(app: Flask) -> None:
    from school.cli import register

    register(app)
