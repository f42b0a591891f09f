"""A fake camera for the browser: a YUV4MPEG2 video of a real badge's QR code, for
chromium's ``--use-file-for-fake-video-capture`` (pure Python with Pillow, no ffmpeg)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from school.services.badges import qr

WIDTH, HEIGHT, FPS = 640, 480, 10


def badge_frame(token: str) -> Image.Image:
    """The badge's QR code, as the badge draws it (with its quiet zone), on a white frame."""
    code = qr.qr_code(token)
    matrix = code.modules  # True = dark, quiet zone included
    size = len(matrix)
    module = min(WIDTH, HEIGHT) * 3 // 4 // size
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    image = image.resize((size * module, size * module), Image.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(image, ((WIDTH - image.width) // 2, (HEIGHT - image.height) // 2))
    return frame


def write_y4m(path: Path, token: str, *, shown: float = 1.5, hidden: float = 2.5) -> Path:
    """A clip that chromium plays in a loop: the badge in view for ``shown`` seconds, then
    a blank frame for ``hidden`` seconds, as when one person walks on and the next comes."""
    blank = Image.new("L", (WIDTH, HEIGHT), 255)
    # 4:2:0: chroma planes a quarter of the size; 128 is no colour (grey levels only).
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2) * 2
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for image, seconds in ((badge_frame(token), shown), (blank, hidden)):
            data = image.tobytes() + chroma
            for _ in range(round(seconds * FPS)):
                video.write(b"FRAME\n" + data)
    return path
