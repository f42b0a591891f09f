"""Every error of the JSON API, whatever the endpoint and whatever raised it, answers one
body: ``{"code", "message"}`` in the request's language, plus ``errors`` per field for
invalid input, as the OpenAPI document's ``Error`` describes it. Where that body is
made, and the document's account of it: test_api_error_handler.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jsonschema
import pytest
import sqlalchemy as sa

from school.extensions import csrf, limiter
from school.models import Edition, Registration
from school.services.backoffice import organisers
from school.services.badges import tokens
from school.web.api import checkin
from school.web.auth import staff_api

REGISTRATIONS = "/api/v1/editions/{slug}/registrations"
CHECKINS = "/api/v1/editions/{slug}/checkins"
UNDO = "/api/v1/editions/{slug}/checkins/{checkin_id}/undo"
ROSTER = "/api/v1/editions/{slug}/roster"
PROGRAMME = "/api/v1/editions/{slug}/programme"
LANGS = ["en", "fr"]
# What people read, by code: the same words whatever the endpoint.
MESSAGES = {
    "authentication_required": {
        "en": "Authentication required.",
        "fr": "Authentification requise.",
    },
    "forbidden": {
        "en": "Your account may not do this.",
        "fr": "Votre compte ne permet pas cette action.",
    },
    "not_found": {"en": "This page does not exist.", "fr": "Cette page n'existe pas."},
    "already_registered": {
        "en": "This address is already registered: we have e-mailed its private link to it.",
        "fr": "Cette adresse est déjà inscrite : nous lui avons envoyé son lien personnel.",
    },
    "not_undoable": {
        "en": "This check-in was refused or is already undone: nothing to undo.",
        "fr": "Ce pointage a été refusé ou est déjà annulé : rien à annuler.",
    },
    "too_large": {"en": "What you sent is too large.", "fr": "L'envoi est trop volumineux."},
    "invalid": {"en": "Some fields are wrong.", "fr": "Certains champs sont incorrects."},
    "rate_limited": {
        "en": "Too many attempts. Please wait a minute and try again.",
        "fr": "Trop de tentatives. Merci d'attendre une minute avant de réessayer.",
    },
    "edition_full": {
        "en": "The School is full. Please write to the organisers.",
        "fr": "L’événement est complet. Contactez les organisateurs.",
    },
    "method_not_allowed": {
        "en": "This action is not allowed here.",
        "fr": "Cette action n'est pas permise ici.",
    },
    "not_json": {"en": "Send a JSON object.", "fr": "Envoyez un objet JSON."},
    "unprintable": {
        "en": "This contains characters that cannot be printed.",
        "fr": "Ce texte contient des caractères impossibles à imprimer.",
    },
}

# Every staff route admits both roles today: these two, made in this test from the real
# views behind the real gate, admit admins only, so that a role's refusal can be seen.
ADMIN_ONLY = {
    "/api/v1/editions/<slug>/admin/roster": ("GET", checkin.get_roster),
    "/api/v1/editions/<slug>/admin/checkins": ("POST", checkin.post_checkin),
}


@pytest.fixture
def app(app):
    for rule, (method, view) in ADMIN_ONLY.items():
        gated = csrf.exempt(staff_api(roles=("admin",))(view.__wrapped__))  # as the API's are
        app.add_url_rule(rule, f"admin_only_{view.__name__}", gated, methods=[method])
    return app


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def staff(app, client, db, demo):
    """A check-in token, an admin token, and the badge of someone registered."""
    majda = person(first_name="Majda", last_name="Jelenčić", email="majda@example.org")
    assert client.post(REGISTRATIONS.format(slug=demo.slug), json=majda).status_code == 201
    with app.app_context():
        door = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        chef = organisers.create_organiser(db, "chef@example.org", "admin", "chef password 1")
        door_token = organisers.create_api_token(db, door, "door phone")
        chef_token = organisers.create_api_token(db, chef, "chef's laptop")
        db.commit()
        badge = tokens.token_for(db.scalar(sa.select(Registration)))
    return {
        "door": {"Authorization": f"Bearer {door_token}"},
        "admin": {"Authorization": f"Bearer {chef_token}"},
        "badge": badge,
    }


def person(**overrides) -> dict:
    return {
        "first_name": "Zainoudine", "last_name": "Younoussa", "email": "zai@example.org",
        "organisation": "Cité des métiers de Mamoudzou", "country": "YT", "category": "member",
        "language": "fr", "days": ["2019-06-19"], "sessions": [], "consent": True,
    } | overrides  # fmt: skip


def scan(**overrides) -> dict:
    return {"token": "not a badge", "client_id": str(uuid.uuid4())} | overrides


def call(client, method: str, url: str, lang: str, **kwargs):
    """The language asked as the rest of the app reads it: ``?lang=`` (it wins over the
    browser's), or the browser's Accept-Language alone."""
    if lang == "en":
        url, headers = f"{url}?lang=en", {"Accept-Language": "fr"}
    else:
        headers = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
    headers |= kwargs.pop("headers", {})
    return client.open(url, method=method, headers=headers, **kwargs)


def assert_error(response, status: int, code: str, lang: str, message: str | None = None):
    """The one shape: exactly code and message (and errors for 422), in JSON."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ({"code", "message", "errors"} if status == 422 else {"code", "message"})
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"] == (message or MESSAGES[code][lang])
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def documented(openapi, path: str, method: str, status: int, body) -> None:
    """The body is what the document says this operation answers with this status."""
    response = openapi["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = openapi["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    jsonschema.validate(body, {"components": openapi["components"]} | schema)


def count(db, model) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(model))


# -- 401


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", CHECKINS, {}),
        ("GET", ROSTER, {"Authorization": "Bearer sch_forged"}),
        ("POST", UNDO, {"Authorization": "Basic ZG9vcjpwYXNz"}),
    ],
    ids=["checkins without a token", "roster with a forged token", "undo with a password"],
)
def test_401_without_a_valid_token(client, demo, staff, openapi, lang, method, path, headers):
    url = path.format(slug=demo.slug, checkin_id=1)
    response = call(client, method, url, lang, headers=headers, json=scan(token=staff["badge"]))
    body = assert_error(response, 401, "authentication_required", lang)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="school"'
    documented(openapi, path, method.lower(), 401, body)


# -- 403


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("rule", sorted(ADMIN_ONLY))
def test_403_for_a_role_the_endpoint_does_not_admit(client, demo, staff, lang, rule):
    url = rule.replace("<slug>", demo.slug)
    method = ADMIN_ONLY[rule][0]
    body = scan(token=staff["badge"], day="2019-06-19")
    refused = call(client, method, url, lang, headers=staff["door"], json=body)
    assert_error(refused, 403, "forbidden", lang)
    assert "WWW-Authenticate" not in refused.headers
    # The refusal is the role's: the same call by an admin goes through.
    assert call(client, method, url, lang, headers=staff["admin"], json=body).status_code == 200


@pytest.mark.parametrize("lang", LANGS)
def test_403_when_registration_is_closed(client, db, demo, openapi, lang):
    edition = db.get(Edition, demo.id)
    edition.registration_closes_at = datetime(2019, 6, 1, tzinfo=UTC)
    db.commit()
    response = call(client, "POST", REGISTRATIONS.format(slug=demo.slug), lang, json=person())
    expected = {"en": "Registration closed on ", "fr": "Les inscriptions sont closes depuis le "}
    assert response.get_json()["message"].startswith(expected[lang])
    body = assert_error(response, 403, "registration_closed", lang, response.get_json()["message"])
    documented(openapi, REGISTRATIONS, "post", 403, body)
    assert count(db, Registration) == 0


@pytest.mark.parametrize("lang", LANGS)
def test_403_when_the_school_is_full(client, db, demo, openapi, lang):
    edition = db.get(Edition, demo.id)
    edition.capacity, edition.contact_email = 0, None
    db.commit()
    response = call(client, "POST", REGISTRATIONS.format(slug=demo.slug), lang, json=person())
    body = assert_error(response, 403, "edition_full", lang)  # the service's words
    documented(openapi, REGISTRATIONS, "post", 403, body)


# -- 404


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("GET", PROGRAMME, None),
        ("GET", ROSTER, None),
        ("POST", REGISTRATIONS, person()),
        ("POST", CHECKINS, scan()),
    ],
)
def test_404_for_an_unknown_edition(client, staff, openapi, lang, method, path, json):
    url = path.format(slug="no-such-school")
    response = call(client, method, url, lang, headers=staff["door"], json=json)
    body = assert_error(response, 404, "not_found", lang)
    documented(openapi, path, method.lower(), 404, body)


@pytest.mark.parametrize("lang", LANGS)
def test_404_for_what_a_service_does_not_find(client, demo, staff, openapi, lang):
    # The check-in is looked for by the service, which raises NotFound. (A scan at a
    # session the edition does not have is invalid input: 422, naming session_id.)
    session = call(
        client, "POST", CHECKINS.format(slug=demo.slug), lang,
        headers=staff["door"], json=scan(token=staff["badge"], session_id=999_999),
    )  # fmt: skip
    assert session.status_code == 422 and list(session.get_json()["errors"]) == ["session_id"]
    url = UNDO.format(slug=demo.slug, checkin_id=999_999)
    undo = call(client, "POST", url, lang, headers=staff["door"])
    documented(openapi, UNDO, "post", 404, assert_error(undo, 404, "not_found", lang))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url", ["/api/v1/nothing-here", "/api/v2/editions"])
def test_404_for_an_address_the_api_does_not_have(client, lang, url):
    assert_error(call(client, "GET", url, lang), 404, "not_found", lang)


# -- 409


@pytest.mark.parametrize("lang", LANGS)
def test_409_already_registered(client, db, demo, openapi, lang):
    url = REGISTRATIONS.format(slug=demo.slug)
    assert call(client, "POST", url, lang, json=person()).status_code == 201
    again = call(client, "POST", url, lang, json=person(first_name="Other"))
    body = assert_error(again, 409, "already_registered", lang)
    documented(openapi, REGISTRATIONS, "post", 409, body)
    assert "Younoussa" not in again.get_data(as_text=True)
    assert count(db, Registration) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_409_undoing_what_does_not_stand(client, demo, staff, openapi, lang):
    # scanning.undo refuses with a DomainError: the handler, not the route, answers it,
    # in the request's language (the service's own words are English, for the log).
    first = call(
        client, "POST", CHECKINS.format(slug=demo.slug), lang,
        headers=staff["door"], json=scan(token=staff["badge"], day="2019-06-19"),
    ).get_json()  # fmt: skip
    assert first["verdict"] == "ok"
    url = UNDO.format(slug=demo.slug, checkin_id=first["checkin_id"])
    assert call(client, "POST", url, lang, headers=staff["door"]).status_code == 200
    again = call(client, "POST", url, lang, headers=staff["door"])
    documented(openapi, UNDO, "post", 409, assert_error(again, 409, "not_undoable", lang))


# -- 413


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("path", "payload"),
    [(REGISTRATIONS, person), (CHECKINS, scan)],
    ids=["registrations", "checkins"],
)
def test_413_for_a_body_over_the_limit(app, client, db, demo, staff, openapi, lang, path, payload):
    too_long = "x" * app.config["MAX_CONTENT_LENGTH"]
    url = path.format(slug=demo.slug)
    json = payload(dietary=too_long, device=too_long)
    response = call(client, "POST", url, lang, headers=staff["door"], json=json)
    documented(openapi, path, "post", 413, assert_error(response, 413, "too_large", lang))
    assert count(db, Registration) == 1  # Majda's only


# -- 422


@pytest.mark.parametrize("lang", LANGS)
def test_422_names_each_wrong_field(client, db, demo, openapi, lang):
    url = REGISTRATIONS.format(slug=demo.slug)
    # The route reads the types; the service the content ("consent" is the API's name for
    # the service's privacy_consent).
    shapes = call(client, "POST", url, lang, json=person(first_name=42, days="2019-06-19"))
    content = call(client, "POST", url, lang, json=person(email="nope", consent=False))
    for response, fields in ((shapes, {"first_name", "days"}), (content, {"email", "consent"})):
        body = assert_error(response, 422, "invalid", lang)
        documented(openapi, REGISTRATIONS, "post", 422, body)
        assert set(body["errors"]) == fields
        for messages in body["errors"].values():
            assert messages and all(isinstance(m, str) and m for m in messages)
    nope = {"en": "This does not look like an e-mail address.",
            "fr": "Cette adresse ne ressemble pas à une adresse e-mail."}  # fmt: skip
    assert content.get_json()["errors"]["email"] == [nope[lang]]
    assert count(db, Registration) == 0


@pytest.mark.parametrize("lang", LANGS)
def test_422_for_a_malformed_scan(client, demo, staff, openapi, lang):
    url = CHECKINS.format(slug=demo.slug)
    json = scan(token=12, client_id="x", scanned_at="yesterday")
    response = call(client, "POST", url, lang, headers=staff["door"], json=json)
    body = assert_error(response, 422, "invalid", lang)
    documented(openapi, CHECKINS, "post", 422, body)
    assert set(body["errors"]) == {"token", "client_id", "scanned_at"}
    badge = {
        "en": "Must be the text read from the badge.",
        "fr": "Doit être le texte lu sur le badge.",
    }
    assert body["errors"]["token"] == [badge[lang]]


# -- 429


@pytest.fixture
def limited_app_config(app_config):
    # Registrations have their own limit; every other route gets this one.
    app_config |= {"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "2 per minute"}
    yield app_config
    # The limiter is one object for all the apps of this process, and keeps the default
    # limits the first app that had some gave it: forget them for the next tests.
    limiter.limit_manager.set_default_limits([])


@pytest.mark.parametrize("lang", LANGS)
def test_429_on_registrations(limited_app_config, client, demo, openapi, lang):
    url = REGISTRATIONS.format(slug=demo.slug)
    statuses = [call(client, "POST", url, lang, json={}).status_code for _ in range(60)]
    assert set(statuses) == {422}  # refused, yet counted
    limited = call(client, "POST", url, lang, json=person())
    body = assert_error(limited, 429, "rate_limited", lang)
    assert int(limited.headers["Retry-After"]) > 0
    documented(openapi, REGISTRATIONS, "post", 429, body)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("method", "path"), [("GET", PROGRAMME), ("GET", ROSTER)])
def test_429_on_other_endpoints(limited_app_config, client, demo, staff, lang, method, path):
    url = path.format(slug=demo.slug)
    for _ in range(2):
        assert call(client, method, url, lang, headers=staff["door"]).status_code == 200
    limited = call(client, method, url, lang, headers=staff["door"])
    assert_error(limited, 429, "rate_limited", lang)
    assert int(limited.headers["Retry-After"]) > 0


# -- the rest of what the API may refuse


@pytest.mark.parametrize("lang", LANGS)
def test_400_405_in_the_same_shape(client, demo, staff, lang):
    url = REGISTRATIONS.format(slug=demo.slug)
    not_json = call(client, "POST", url, lang, data="[1, 2]", content_type="application/json")
    assert_error(not_json, 400, "not_json", lang)
    nul = call(client, "POST", url, lang, json=person(first_name="Ève\0"))
    assert_error(nul, 400, "unprintable", lang)
    wrong_method = call(client, "GET", url, lang)
    assert_error(wrong_method, 405, "method_not_allowed", lang)
    assert "POST" in wrong_method.headers["Allow"]
