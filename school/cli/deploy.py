"""``flask --app school deploy render``: the production files of this installation.

It fills the templates of ``school/deploy/`` (nginx site, systemd units, environment file)
with what only this installation knows: where its Python, its static files and its
instance folder are.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
import jinja2
from flask import current_app
from flask.cli import AppGroup

from school.paths import PACKAGE_DIR

DEPLOY_DIR = PACKAGE_DIR / "deploy"


TEMPLATES = (
    "nginx-site.conf",
    "school.service",
    "school-mail.service",
    "school-backup.service",
    "school-backup.timer",
    "school.env",
)


deploy_cli = AppGroup("deploy", help="Files to run school in production.")


@deploy_cli.command("render")
@click.argument("output", type=click.Path(file_okay=False, path_type=Path))
@click.option("--server-name", required=True, help="The site's public name (DNS).")
@click.option(
    "--bind",
    default="unix:/run/school/gunicorn.sock",
    show_default=True,
    help="Where gunicorn listens (unix:PATH or HOST:PORT).",
)
@click.option(
    "--upstream",
    multiple=True,
    help="An app server nginx sends requests to (repeat for several); default: --bind.",
)
@click.option("--certificate", help="Default: certbot's fullchain.pem for the server name.")
@click.option("--certificate-key", help="Default: certbot's privkey.pem for the server name.")
@click.option("--acme-root", default="/var/www/letsencrypt", show_default=True)
@click.option("--http-port", default=80, show_default=True)
@click.option("--https-port", default=443, show_default=True)
@click.option("--ipv6/--no-ipv6", default=True, show_default=True)
@click.option("--user", default="school", show_default=True, help="The services' account.")
@click.option("--home", type=click.Path(path_type=Path), help="Default: above the venv.")
@click.option("--environment-file", default="/etc/school/school.env", show_default=True)
@click.option("--backup-dir", default="/var/backups/school", show_default=True)
@click.option("--keep", default=14, show_default=True, help="Backups kept by the timer.")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--static-dir", type=click.Path(path_type=Path), help="Default: the package's.")
def render(output: Path, **options) -> None:
    """Write the nginx site, the systemd units and the environment file into OUTPUT."""
    context = render_context(**options)
    output.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATES:
        target = output / name
        target.write_text(render_template(name, context), encoding="utf-8")
        if name.endswith(".env"):
            target.chmod(0o600)  # it holds the secret key
    click.echo(f"Wrote {', '.join(TEMPLATES)} into {output}")
    click.echo(f"gunicorn's settings: {context['gunicorn_conf']}")
    click.echo(f"static files (nginx): {context['static_dir']}")
    click.echo(f"instance folder (writable by {context['user']}): {context['instance_path']}")
    click.echo("Next: school/deploy/README.md, 'Install'")


def render_context(
    *,
    server_name: str,
    bind: str,
    upstream: tuple[str, ...] = (),
    certificate: str | None = None,
    certificate_key: str | None = None,
    acme_root: str = "/var/www/letsencrypt",
    http_port: int = 80,
    https_port: int = 443,
    ipv6: bool = True,
    user: str = "school",
    home: Path | None = None,
    environment_file: str = "/etc/school/school.env",
    backup_dir: str = "/var/backups/school",
    keep: int = 14,
    workers: int = 2,
    static_dir: Path | None = None,
) -> dict:
    python = Path(sys.executable)
    letsencrypt = Path("/etc/letsencrypt/live") / server_name
    return {
        "server_name": server_name,
        "bind": bind,
        "upstreams": list(upstream) or [bind],
        "certificate": certificate or str(letsencrypt / "fullchain.pem"),
        "certificate_key": certificate_key or str(letsencrypt / "privkey.pem"),
        "acme_root": acme_root,
        "http_port": http_port,
        "https_port": https_port,
        "https_port_suffix": "" if https_port == 443 else f":{https_port}",
        "ipv6": ipv6,
        "user": user,
        # The folder holding the venv (/srv/school for /srv/school/venv).
        "home": str(home or Path(sys.prefix).parent),
        "environment_file": environment_file,
        "backup_dir": backup_dir,
        "keep": keep,
        "workers": workers,
        "static_dir": str(static_dir or Path(current_app.static_folder or "")),
        "instance_path": current_app.instance_path,
        "python": str(python),
        "gunicorn_conf": str(DEPLOY_DIR / "gunicorn.conf.py"),
        "secret_key": secrets.token_urlsafe(48),
    }


def render_template(name: str, context: dict) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(DEPLOY_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - configuration files, not HTML
    )
    return environment.get_template(name).render(context)
