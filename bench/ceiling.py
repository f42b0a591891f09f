"""The ceiling: a bare Flask app that answers with a recorded response.

For every endpoint, the harness records one real answer of school (status,
content type, body) into a folder, then serves this app on the same gunicorn
configuration. ``/ceiling/<n>`` returns recorded answer ``n`` without any work:
what Flask and gunicorn alone cost for a response of that size and type on this
machine. An endpoint's ``ratio`` is its requests/s divided by its ceiling's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, request


def record(folder: Path, n: int, *, status: int, content_type: str, body: bytes) -> str:
    """Store answer ``n``; the ceiling's path that serves it."""
    (folder / f"{n}.body").write_bytes(body)
    (folder / f"{n}.json").write_text(json.dumps({"status": status, "content_type": content_type}))
    return f"/ceiling/{n}"


def create_app(folder: str | None = None) -> Flask:
    root = Path(folder or os.environ["BENCH_CEILING_DIR"])
    answers: dict[int, tuple[bytes, int, str]] = {}
    for meta_file in root.glob("*.json"):
        meta = json.loads(meta_file.read_text())
        body = (root / f"{meta_file.stem}.body").read_bytes()
        answers[int(meta_file.stem)] = (body, meta["status"], meta["content_type"])

    app = Flask(__name__)

    @app.route("/ceiling/<int:n>", methods=["GET", "POST"])
    def answer(n: int) -> Response:
        request.get_data()  # read what a real endpoint would read
        body, status, content_type = answers[n]
        return Response(body, status=status, content_type=content_type)

    @app.get("/")
    def ready() -> str:
        return "ready"

    return app
