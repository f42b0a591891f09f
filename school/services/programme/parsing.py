"""Read and check a programme file (format: ``school/data/FORMAT.md``).

Everything is checked before anything is written: a wrong file is refused as a
whole, with every problem named by file, item and field. The checks themselves are
in ``checks``, shared with the organisers' forms.
"""

from __future__ import annotations

import yaml

from school.services.programme import yaml_io
from school.services.programme.checks import Reader
from school.services.programme.spec import (
    DaySpec,
    EditionSpec,
    PersonSpec,
    Problem,
    ProgrammeSpec,
    RoomSpec,
    SessionSpec,
    SpeakerSpec,
    Text,
)

__all__ = [
    "DaySpec",
    "EditionSpec",
    "PersonSpec",
    "Problem",
    "ProgrammeFileError",
    "ProgrammeSpec",
    "RoomSpec",
    "SessionSpec",
    "SpeakerSpec",
    "Text",
    "parse_programme",
]


class ProgrammeFileError(Exception):
    def __init__(self, filename: str, problems: list[Problem]):
        self.filename = filename
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.filename}: {len(self.problems)} problem(s), nothing imported"]
        lines += [f"  {p.item}, field '{p.field}': {p.message}" for p in self.problems]
        return "\n".join(lines)


def parse_programme(text: str, filename: str = "<programme>") -> ProgrammeSpec:
    try:
        data = yaml_io.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise ProgrammeFileError(filename, [Problem(where, "-", f"not valid YAML: {exc}")]) from exc
    reader = Reader()
    spec = reader.programme(data)
    if reader.problems:
        raise ProgrammeFileError(filename, reader.problems)
    assert spec is not None
    return spec
