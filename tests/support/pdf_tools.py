"""Reading what a PDF shows, with the tools a person would use: poppler's pdftotext and
pdftoppm, and a real QR decoder (zxing-cpp) on the rendered image."""

from __future__ import annotations

import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Word:
    text: str
    x0: float  # millimetres from the top-left corner of the page
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float  # millimetres
    height: float
    words: list[Word]

    def lines(self) -> list[str]:
        return [w.text for w in self.words]


def pdf_text(pdf: bytes, page: int | None = None) -> str:
    """The text of the PDF, or of one of its pages (the first is 1)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def pdf_pages(pdf: bytes) -> list[Page]:
    """Every word on every page with its box, as pdftotext -bbox finds them."""
    xhtml = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(xhtml)  # noqa: S314 - our own PDF through poppler
    pages = []
    for page in root.iterfind(".//x:page", namespace):
        words = [
            Word(
                word.text or "",
                *(float(word.get(k)) * MM_PER_PT for k in ("xMin", "yMin", "xMax", "yMax")),
            )
            for word in page.iterfind("x:word", namespace)
        ]
        pages.append(
            Page(float(page.get("width")) * MM_PER_PT, float(page.get("height")) * MM_PER_PT, words)
        )
    return pages


def pdf_images(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    """Each page rendered in grey, as a printer or a screen would show it."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(folder) / "p")],
            check=True,
        )
        images = []
        for path in sorted(Path(folder).glob("p-*.png")):
            with Image.open(path) as image:
                images.append(image.convert("L"))
        return images


def decode_qr(image: Image.Image) -> list[str]:
    """The texts of the QR codes in the image, top to bottom, left to right."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    found.sort(key=lambda b: (round(b.position.top_left.y / 50), b.position.top_left.x))
    return [barcode.text for barcode in found]
