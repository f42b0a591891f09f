"""Organisers' messages are written in Markdown: the text part of an e-mail is what they
wrote, the HTML part is its rendering by markdown-it-py (CommonMark).

What they write is untrusted like any user text: raw HTML is shown as text, never
passed through; links go only to ``http``, ``https`` and ``mailto`` (a
``javascript:`` link stays plain text); an image becomes a link to it (a mail client
would load it from a third party). Bare web addresses become links (linkify), and a
line break is kept as one.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

SAFE_SCHEMES = ("http:", "https:", "mailto:")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation, CommonMark's escapable


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.enable(["linkify", "strikethrough"])
    md.validateLink = lambda url: url.strip().lower().startswith(SAFE_SCHEMES)

    def image_as_link(renderer, tokens, idx, options, env):
        token = tokens[idx]
        label = escape(token.content or token.attrGet("src"))
        return f'<a href="{escape(token.attrGet("src"))}">{label}</a>'

    md.add_render_rule("image", image_as_link)
    return md


_MD = _markdown()


def to_html(source: str) -> Markup:
    """The HTML of a Markdown text, safe to put in a page or an e-mail."""
    return Markup(_MD.render(source))  # noqa: S704 - markdown-it escapes; raw HTML is off


def literal(value: str) -> str:
    """``value`` written so that Markdown shows it as it is (a name with ``*`` or ``_``
    stays a name)."""
    return _PUNCTUATION.sub(r"\\\1", value)
