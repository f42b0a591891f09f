"""Every catalogue (French, Italian, Spanish, Portuguese; English is the source) is complete,
keeps the placeholders of its source, and the compiled one matches it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from school.paths import PACKAGE_DIR

TRANSLATIONS = PACKAGE_DIR / "translations"
TRANSLATED = ("fr", "it", "es", "pt")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def _messages(catalog) -> dict:
    """Each message by its id and context: "Confirmed" of a seat and of a registration are
    two messages."""

    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {_key(m, plain(m.id)): plain(m.string) for m in catalog if m.id}


def _key(message, msgid=None):
    """A message's id, prefixed with its context as gettext stores it ("seat\x04Confirmed")."""
    msgid = message.id if msgid is None else msgid
    if not message.context:
        return msgid
    return (
        in_context(message.context, msgid) if isinstance(msgid, str) else (message.context, *msgid)
    )


def in_context(context: str, msgid: str) -> str:
    return f"{context}\x04{msgid}"


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_interface_string_is_translated(lang):
    catalog = _catalog(lang)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    """A translation that drops or renames ``%(name)s`` would fail (or lie) when shown."""
    wrong = []
    for m in _catalog(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        wanted = {p for i in ids for p in PLACEHOLDER.findall(i)}
        # Every name must be kept; only the number may be spelt out ("une place").
        needed = {p for p in PLACEHOLDER.findall(ids[0]) if p[0] not in ("num", "count")}
        for string in strings:
            found = set(PLACEHOLDER.findall(string or ""))
            if string and not (found <= wanted and needed <= found):
                wrong.append((m.id, string))
    assert wrong == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogue_matches_the_source(lang):
    source = _messages(_catalog(lang))
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = _messages(read_mo(fh))
    assert compiled == source, "run: pybabel compile -d school/translations"


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "school/translations/babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_pgettext:1c,2",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=PACKAGE_DIR.parent,
        check=True,
    )
    with open(pot, "rb") as fh:
        extracted = {_key(m) for m in read_po(fh) if m.id}
    for lang in TRANSLATED:
        known = {_key(m) for m in _catalog(lang) if m.id}
        assert extracted - known == set(), f"{lang}: run pybabel extract and update, then translate"


def test_french_names_each_thing_one_way():
    """A programme item is a "session" (never a "séance" on the next page, and a login is a
    "connexion", not a "session" of the programme's word), the event is
    never "l'École" here and "l'Université" there, and a word agrees with
    what it qualifies where one catalogue entry served several ("Toutes les Cités")."""
    said = _said("fr")
    strings = [s for s in said.values() if s]
    assert not [s for s in strings if re.search(r"\bséances?\b", s, re.I)]
    assert not [s for s in strings if re.search(r"\b(École|Université)\b", s)]
    assert said["All Cités"] == "Toutes les Cités" and said["All"] == "Tous"
    assert said["Confirmed seats"] == "Places confirmées"
    assert said["Full — waiting list"].startswith("Complète")  # a session
    assert said["Cancelled: %(title)s"].startswith("Annulée")  # a session
    assert said["Nobody found with that name."] == "Aucune personne trouvée à ce nom."
    # At the door, letting someone in is "pointer" (as the undo and the counts say), not
    # "Enregistrer", the back office's "Save".
    assert said["Check in"] == "Pointer" and said["Save"] == "Enregistrer"
    signed_out = "Ends your sessions on every phone and computer, this one included"
    assert "vos connexions" in next(s for i, s in said.items() if i.startswith(signed_out))


# An edition's name is a proper noun of any gender and shape ("Spring School 2019",
# "École d'automne 2024"): French cannot put it bare after "à", "de", "pour" or "sur"
# ("l'appel à initiatives de Spring School 2019"), nor say "la School" on its own.
FRENCH_BARE_NAME = re.compile(r"\b(?:à|de|du|au|pour|sur)\s+%\(edition\)s")
FRENCH_BARE_SCHOOL = re.compile(r"\b(?:la|La|cette|Cette|une|de)\s+School\b")
# Those whose %(title)s is the edition's.
EDITION_TITLED = [
    "Your registration for %(title)s is confirmed.",
    "Your registration for %(title)s is cancelled.",
    "Here is the private link of your registration for %(title)s. With it you can see or"
    " change your choices, cancel, and download your badge:",
]


def test_french_sentences_name_an_edition_as_french_does():
    messages = _messages(_catalog("fr"))
    bare = [
        text
        for msgid, text in messages.items()
        if isinstance(text, str)
        and (FRENCH_BARE_NAME.search(text) or FRENCH_BARE_SCHOOL.search(text))
    ]
    bare += [messages[msgid] for msgid in EDITION_TITLED if "l’édition «" not in messages[msgid]]
    assert bare == []
    assert messages["Register for the School"] == "S’inscrire"


def _said(lang: str) -> dict:
    return {_key(m): m.string for m in _catalog(lang) if m.id and isinstance(m.string, str)}


@pytest.mark.parametrize("lang", ("it", "es", "pt"))
def test_a_cite_is_never_a_city(lang):
    """ "Cité" is the proper noun of a Cité des métiers: never "città", "ciudad", "cidade"."""
    said = _said(lang)
    wrong = [
        (i, s)
        for i, s in said.items()
        if "Cité" in i and re.search(r"\b(città|ciudad\w*|cidade\w*)\b", s, re.I)
    ]
    assert wrong == [] and all("Cité" in said[i] for i in said if "Cité" in i)


def test_each_language_keeps_its_register():
    """Italian says "tu" to the reader; Spanish and Portuguese keep the formal address."""
    formal_it = re.compile(r"\b(Lei|Suo|Sua|Suoi|Sue|La preghiamo)\b")
    familiar_es = re.compile(r"\b(tú|tu|tus|te|ti|contigo)\b", re.I)
    familiar_pt = re.compile(r"\b(tu|teu|tua|teus|tuas|contigo)\b|-te\b", re.I)
    assert not [s for s in _said("it").values() if formal_it.search(s)]
    assert not [s for s in _said("es").values() if familiar_es.search(s)]
    assert not [s for s in _said("pt").values() if familiar_pt.search(s)]


def test_italian_spanish_and_portuguese_name_each_thing_one_way():
    """A check-in is a "check-in" in Italian (never "registrato", the word of a registration),
    a badge an "acreditación" in Spanish, the call for initiatives an "apelo" in Portuguese,
    which speaks European Portuguese; a place in a waiting line is not a seat."""
    it, es, pt = _said("it"), _said("es"), _said("pt")
    assert not [s for i, s in it.items() if "checked in" in i.lower() and "registrat" in s]
    assert not [s for s in it.values() if "’" in s]  # the catalogue's apostrophe is '
    assert not [s for s in es.values() if re.search(r"credencial", s, re.I)]
    assert not [s for s in pt.values() if "Convite à apresentação" in s]
    assert not [i for i, s in pt.items() if i.startswith("Must be") and s.startswith("Deve")]
    brazilian = r"\b(registro|tela|celular|arquivo|usuário|contato|equipe|cadastro)\b"
    assert not [s for s in pt.values() if re.search(brazilian, s, re.I)]
    assert (it["Place"], es["Place"], pt["Place"]) == ("Posizione", "Puesto", "Posição")
    assert es[
        "When you are checked in: to know who is in the building and to issue your "
        "certificate of attendance."
    ].startswith("Cuando ")


def test_italian_spanish_and_portuguese_words_agree_with_what_they_qualify():
    """A count of people is plural ("Presenti: 80"); a full meal is "esgotada" in Portuguese;
    where one English word qualifies nouns of either gender, a context tells them apart."""
    it, es, pt = _said("it"), _said("es"), _said("pt")
    assert (it["Present"], es["Present"], pt["Present"]) == ("Presenti", "Presentes", "Presentes")
    assert (it["Arrived"], es["Arrived"], pt["Arrived"]) == ("Arrivati", "Han llegado", "Chegaram")
    late = "Not arrived yet"
    assert (it[late], es[late], pt[late]) == (
        "Non ancora arrivati",
        "Aún no han llegado",
        "Ainda não chegaram",
    )
    assert (it["New"], es["New"], pt["New"]) == ("Nuove", "Nuevas", "Novas")  # registrations
    assert pt["Full"] == "Esgotada"
    # A seat is masculine in Italian and Portuguese, a registration feminine everywhere.
    confirmed = {
        "seat": ("Confermato", "Confirmada", "Confirmado"),
        "registration": ("Confermata", "Confirmada", "Confirmada"),
    }
    for context, words in confirmed.items():
        key = in_context(context, "Confirmed")
        assert (it[key], es[key], pt[key]) == words
    counted = ("registrations", "%(num)d cancelled", "%(num)d cancelled")  # a dashboard tile
    plural = {lang: _messages(_catalog(lang))[counted] for lang in ("fr", "it", "es", "pt")}
    assert plural == {
        "fr": ("%(num)d annulée", "%(num)d annulées"),
        "it": ("%(num)d annullata", "%(num)d annullate", "%(num)d annullate"),
        "es": ("%(num)d cancelada", "%(num)d canceladas", "%(num)d canceladas"),
        "pt": ("%(num)d cancelada", "%(num)d canceladas", "%(num)d canceladas"),
    }
    nobody = "Nobody has been checked in yet: there is no certificate."
    assert "nadie" in es[nobody]
