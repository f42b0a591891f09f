"""How headers that carry people's words (a subject, a sender's name) are written.

Python's folding of such a header (``policy.default`` and ``policy.SMTP``, up to at
least 3.13) may end one RFC 2047 encoded word before a space and start the next after
it, leaving that space as the folding between them: RFC 2047 readers (every mail client)
drop whitespace between encoded words, and two words of the subject arrive glued
together ("étéconfirmée"). ``POLICY`` writes these headers with ``email.header.Header``
instead, which keeps every space inside an encoded word, each word at most 75 characters
and each line under 78: a message built with it reads back exactly as written.
"""

from __future__ import annotations

import re
from email import policy
from email.header import Header
from email.headerregistry import (
    AddressHeader,
    HeaderRegistry,
    UniqueAddressHeader,
    UniqueUnstructuredHeader,
    UnstructuredHeader,
)
from email.policy import EmailPolicy

# The longest line a header is folded to: an encoded word (at most 75 characters, RFC
# 2047) fits on a line after the folding space.
LINE = 76
LONGEST_WORD = 75

# A word of a name that may stand as it is (an RFC 5322 atom, and not looking like an
# encoded word); any other word is encoded.
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+")


def _plain(word: str) -> bool:
    return bool(_ATOM.fullmatch(word)) and "=?" not in word


class _EncodedText:
    """An unstructured header (Subject) in words no reader glues together."""

    def fold(self, *, policy: EmailPolicy) -> str:
        name: str = self.name
        if policy.utf8:  # written as it is, no encoded word
            return super().fold(policy=policy)
        value = str(self)
        charset = "us-ascii" if value.isascii() and "=?" not in value else "utf-8"
        encoded = Header(value, charset, LINE, name).encode(splitchars=" ", linesep=policy.linesep)
        return f"{name}: {encoded}{policy.linesep}"


class _EncodedAddresses:
    """An address header whose display names are written as plain words where they can
    be and as encoded words where they must. A run of words to encode is one encoded word
    when it fits in one, moved whole to the next line if need be: Python's own parser
    (unlike RFC 2047 readers) puts a space where two encoded words of a name meet."""

    def fold(self, *, policy: EmailPolicy) -> str:
        name: str = self.name
        addresses = self.addresses
        if (
            str(self).isascii()
            or policy.utf8
            or any(g.display_name is not None for g in self.groups)
            or not all(a.addr_spec.isascii() for a in addresses)  # SMTPUTF8: Python says so
        ):
            return super().fold(policy=policy)
        tokens: list[str] = []
        for index, address in enumerate(addresses):
            end = "," if index < len(addresses) - 1 else ""
            if not address.display_name:
                tokens.append(address.addr_spec + end)
                continue
            for plain, words in _runs(address.display_name.split()):
                tokens += words if plain else _encoded_words(" ".join(words))
            tokens.append(f"<{address.addr_spec}>{end}")
        lines = [f"{name}:"]
        for token in tokens:
            if len(lines[-1]) + 1 + len(token) > LINE and lines[-1] != f"{name}:":
                lines.append("")
            lines[-1] += " " + token
        return policy.linesep.join(lines) + policy.linesep


def _encoded_words(text: str) -> list[str]:
    """``text`` as one encoded word if it fits in 75 characters, else as several."""
    whole = Header(text, "utf-8", maxlinelen=10_000).encode()
    if len(whole) <= LONGEST_WORD:
        return [whole]
    return Header(text, "utf-8", LONGEST_WORD).encode(linesep="\n").split("\n ")


def _runs(words: list[str]) -> list[tuple[bool, list[str]]]:
    """The words of a name in runs of plain words and of words to encode."""
    runs: list[tuple[bool, list[str]]] = []
    for word in words:
        plain = _plain(word)
        if runs and runs[-1][0] == plain:
            runs[-1][1].append(word)
        else:
            runs.append((plain, [word]))
    return runs


class _Text(_EncodedText, UnstructuredHeader):
    pass


class _UniqueText(_EncodedText, UniqueUnstructuredHeader):
    pass


class _Addresses(_EncodedAddresses, AddressHeader):
    pass


class _UniqueAddresses(_EncodedAddresses, UniqueAddressHeader):
    pass


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry(default_class=_Text)
    registry.map_to_type("subject", _UniqueText)
    for name in ("from", "to", "reply-to", "sender"):
        registry.map_to_type(name, _UniqueAddresses)
    for name in ("cc", "bcc"):
        registry.map_to_type(name, _Addresses)
    return registry


# What every message we send is built with: ``policy.default`` (``smtplib`` writes it
# with CRLF) but for the headers above.
POLICY = policy.default.clone(header_factory=_registry())
