"""When the database cannot be reached: a clear "try again shortly", never a stack trace,
and the app recovers by itself."""

from __future__ import annotations

import pytest

from tests.support.servers import free_port


@pytest.fixture
def app_config(app_config):
    # A PostgreSQL server that does not exist (nothing listens on that port).
    app_config["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/school"
    return app_config


@pytest.fixture
def app(app_config, tmp_path):
    from school import create_app

    app = create_app(app_config)
    app.instance_path = str(tmp_path)
    return app


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_say_try_again_shortly(app, lang):
    response = app.test_client().get(f"/spring-school-2019/programme?lang={lang}")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert ("Merci de réessayer" if lang == "fr" else "Please try again shortly") in html
    assert "Traceback" not in html and "psycopg" not in html
    assert response.headers["Retry-After"] == "30"


def test_the_api_answers_a_503_in_json(app):
    response = app.test_client().post(
        "/api/v1/editions/spring-school-2019/registrations?lang=en", json={"first_name": "Ève"}
    )
    assert response.status_code == 503 and response.is_json
    assert "try again shortly" in response.get_json()["message"]
