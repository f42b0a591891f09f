"""libical, the C library behind Evolution and many strict clients, reading our feeds:
``restriction_check.c`` is compiled once per test process against Debian's
``libical-dev`` and run on each body."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOURCE = Path(__file__).with_name("restriction_check.c")


@functools.cache
def _program() -> Path:
    if not shutil.which("gcc") or not shutil.which("pkg-config"):
        pytest.skip("gcc and pkg-config are needed to build the libical check")
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "libical"], capture_output=True, text=True
    )
    if flags.returncode != 0:
        pytest.skip("libical-dev is not installed (apt-get install libical-dev)")
    target = Path(tempfile.mkdtemp(prefix="libical-")) / "restriction_check"
    subprocess.run(
        ["gcc", "-O1", "-o", str(target), str(SOURCE), *flags.stdout.split()], check=True
    )
    return target


def check(body: bytes) -> tuple[bool, str]:
    """(True, report) when libical parses the calendar with no error and its
    restriction check passes; the report lists what libical found."""
    with tempfile.NamedTemporaryFile(suffix=".ics") as file:
        file.write(body)
        file.flush()
        result = subprocess.run([str(_program()), file.name], capture_output=True, text=True)
    return result.returncode == 0, result.stdout
