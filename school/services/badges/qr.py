"""QR codes: the matrix of a badge token, drawn as PDF runs or as one SVG path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


@dataclass(frozen=True)
class QrCode:
    version: int
    modules: list[list[bool]]  # rows of dark (True) and light modules, quiet zone included

    @property
    def size(self) -> int:
        return len(self.modules)

    def runs(self) -> Iterable[tuple[int, int, int]]:
        """Horizontal runs of dark modules as (x, y, length): few shapes to draw."""
        for y, row in enumerate(self.modules):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    yield start, y, x - start
                else:
                    x += 1


def qr_code(text: str) -> QrCode:
    """The QR code of ``text`` at error-correction level M, smallest version that fits."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    qr.add_data(text)
    qr.make(fit=True)
    return QrCode(qr.version, qr.get_matrix())


def qr_svg(text: str, *, width: str | None = None, label: str | None = None) -> Markup:
    """The QR code as one SVG path on white: vector, sharp at any size, no style attribute
    (the Content-Security-Policy allows none), fit to inline in a page or serve alone."""
    code = qr_code(text)
    path = "".join(f"M{x} {y}h{length}v1h-{length}z" for x, y, length in code.runs())
    svg = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{size} role="img"'
        ' shape-rendering="crispEdges" class="qr">{title}<rect width="{n}" height="{n}"'
        ' fill="#fff"/><path fill="#000" d="{path}"/></svg>'
    )
    return svg.format(
        n=code.size,
        size=Markup(' width="{0}" height="{0}"').format(width) if width else "",
        title=Markup("<title>{}</title>").format(label) if label else "",
        path=path,
    )
