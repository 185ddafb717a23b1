"""Golden files: every input under ``tests/data/<format>/`` parses to its expected rows.

A format folder holds, for each variant::

    <variant>.<ext>                  an input, read by the importer named like the folder
    <variant>.expected.jsonl         the rows parsing gives, in output order, one per line
    <variant>/                       an archive kept unpacked (zips are never stored)

and optionally ``variants.json``, mapping a variant to options: ``expected`` (the name of a
shared expected file), ``tz`` (default Europe/Berlin), ``date_order``, and for folder
variants ``member`` (the file inside that the importer reads) and ``archive`` (the zip's
name). A new importer adds its folder and one entry in :data:`IMPORTERS`.

Expected files change only on purpose: ``pytest --update-golden`` rewrites them from the
current output, and the diff is read before committing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from fonder.ingest.base import Importer, ParseOptions, Source
from fonder.ingest.whatsapp import WhatsAppImporter

DATA = Path(__file__).parent / "data"

#: Format folder name → importer class.
IMPORTERS: dict[str, type] = {
    "whatsapp": WhatsAppImporter,
}

DEFAULT_TZ = "Europe/Berlin"
FIELDS = ("ts", "tz", "sender", "kind", "text", "media", "call_s", "edited")


@dataclass(frozen=True)
class Case:
    fmt: str
    variant: str
    entry: Path
    config: dict
    expected: Path

    @property
    def source(self) -> Source:
        """The input; a folder variant with a ``member`` stands for a zip holding it."""
        member = self.config.get("member")
        if self.entry.is_file() or member is None:
            return Source(self.entry)
        archive = self.entry.parent / self.config.get("archive", self.entry.name + ".zip")
        return Source(archive, member=member, data=(self.entry / member).read_bytes())

    @property
    def options(self) -> ParseOptions:
        return ParseOptions(
            tz=self.config.get("tz", DEFAULT_TZ), date_order=self.config.get("date_order")
        )


def _cases() -> list:
    params = []
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        settings_file = folder / "variants.json"
        settings = json.loads(settings_file.read_text("utf-8")) if settings_file.exists() else {}
        for entry in sorted(folder.iterdir()):
            if entry.name == "variants.json" or entry.name.endswith(".expected.jsonl"):
                continue
            variant = entry.name if entry.is_dir() else entry.name.split(".", 1)[0]
            config = settings.get(variant, {})
            case = Case(
                fmt=folder.name,
                variant=variant,
                entry=entry,
                config=config,
                expected=folder / f"{config.get('expected', variant)}.expected.jsonl",
            )
            marks = []
            if folder.name not in IMPORTERS:
                marks.append(pytest.mark.skip(reason=f"no importer registered for {folder.name}"))
            params.append(pytest.param(case, id=f"{folder.name}/{variant}", marks=marks))
    return params


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _rows(importer: Importer, source: Source, options: ParseOptions) -> list[dict]:
    rows = []
    for chat in importer.parse(source, options):
        for row in chat.messages.select(FIELDS).to_dicts():
            row["ts"] = _iso(row["ts"])
            rows.append(row)
    return rows


@pytest.mark.parametrize("case", _cases())
def test_golden(case: Case, update_golden: bool) -> None:
    importer = IMPORTERS[case.fmt]()
    source = case.source
    claimed_by = [name for name, cls in IMPORTERS.items() if cls().sniff(source)]
    assert claimed_by == [case.fmt], f"{case.variant} is claimed by {claimed_by}"

    rows = _rows(importer, source, case.options)
    if update_golden:
        case.expected.write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8"
        )
        return
    assert case.expected.exists(), f"no {case.expected.name}; run pytest --update-golden"
    lines = case.expected.read_text("utf-8").splitlines()
    expected = [json.loads(line) for line in lines if line.strip()]
    assert rows == expected
