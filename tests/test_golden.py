"""Golden files: every input under ``tests/data/<format>/`` is recognised by its own importer
and by no other, and parses to its expected rows.

A format folder (named like the importer's ``--format`` name) holds, for each variant::

    <variant>.<ext>                  an input file
    <variant>.sql                    a SQLite database, kept as the script that builds it
    <variant>/                       a folder: a download kept unpacked, or a zip kept unpacked
    <variant>.expected.jsonl         the rows the variant parses to, in output order

and optionally ``variants.json``, mapping a variant to options: ``expected`` (a shared expected
file), ``tz`` (the zone naive times are read in), ``date_order``, ``format`` (when only
``--format`` can tell, as a user would pass it), and for a zip kept unpacked, ``member`` (the
file the importer reads) and ``archive`` (the zip's name).

The input goes through the same path a user's file does — :func:`fonder.ingest.read`, with
detection among every registered importer — so a new importer that claims another's files
fails here. Expected rows may carry any of :data:`FIELDS`; each is compared on the fields it
has. Expected files change only on purpose: ``pytest --update-golden`` rewrites them from the
current output (keeping each file's fields), and the diff is read before committing.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from fonder.ingest import IMPORTERS, ParseOptions, read
from fonder.ingest.archive import open_sources
from fonder.ingest.detect import claimants

DATA = Path(__file__).parent / "data"
NOT_FORMATS = {"tone"}

#: Zone for naive local times, per format folder (variants.json may say otherwise).
FOLDER_TZ = {
    "whatsapp": "Europe/Berlin",
    "line": "Asia/Tokyo",
    "discord": "Europe/Berlin",
    "telegram": "Europe/Berlin",
    "signal": "Europe/Berlin",
    "signal-export": "Europe/Berlin",
}

FIELDS = (
    "chat_key", "ts", "tz", "sender", "kind", "text", "media", "call_s", "reply_to", "edited", "msg_id",
)


@dataclass(frozen=True)
class Case:
    fmt: str
    variant: str
    entry: Path
    config: dict
    expected: Path

    def build(self, tmp: Path) -> Path:
        """The path a user would give: the file, the folder, a built database or zip."""
        if self.entry.suffix == ".sql":
            db = tmp / f"{self.variant}.db"
            con = sqlite3.connect(db)
            con.executescript(self.entry.read_text("utf-8"))
            con.commit()
            con.close()
            return db
        if self.entry.is_dir() and "member" in self.config:
            archive = tmp / self.config.get("archive", f"{self.variant}.zip")
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(self.entry.rglob("*")):
                    if f.is_file():
                        zf.write(f, f.relative_to(self.entry).as_posix())
            return archive
        return self.entry

    @property
    def options(self) -> ParseOptions:
        return ParseOptions(
            tz=self.config.get("tz", FOLDER_TZ.get(self.fmt, "UTC")),
            date_order=self.config.get("date_order"),
        )


def _cases() -> list:
    params = []
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir() and p.name not in NOT_FORMATS):
        settings_file = folder / "variants.json"
        settings = json.loads(settings_file.read_text("utf-8")) if settings_file.exists() else {}
        for entry in sorted(folder.iterdir()):
            if entry.name == "variants.json" or entry.name.endswith(".expected.jsonl"):
                continue
            variant = entry.name if entry.is_dir() else entry.name.split(".", 1)[0]
            config = settings.get(variant, {})
            expected = folder / f"{config.get('expected', variant)}.expected.jsonl"
            params.append(
                pytest.param(Case(folder.name, variant, entry, config, expected), id=f"{folder.name}/{variant}")
            )
    return params


def _value(field: str, value: object) -> object:
    if field == "ts" and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def test_every_format_folder_names_a_registered_importer() -> None:
    names = {imp.name for imp in IMPORTERS}
    folders = {p.name for p in DATA.iterdir() if p.is_dir() and p.name not in NOT_FORMATS}
    assert folders <= names, f"folders without an importer: {folders - names}"


@pytest.mark.parametrize("case", _cases())
def test_golden(case: Case, tmp_path: Path, update_golden: bool) -> None:
    path = case.build(tmp_path)
    own = case.config.get("format", case.fmt)
    claimed = {imp.name for src in open_sources(path) for imp in claimants(src, IMPORTERS)}
    if "format" in case.config:
        assert claimed <= {own}, f"{case.variant} is also claimed by {claimed - {own}}"
    else:
        assert claimed == {own}, f"{case.variant} is claimed by {sorted(claimed)}, not only {own}"

    found = read(path, case.options, case.config.get("format"))
    rows = []
    for rc in found:
        for row in rc.parsed.messages.to_dicts():
            row["chat_key"] = rc.parsed.chat_key
            rows.append({f: row.get(f) for f in FIELDS})

    existing = []
    if case.expected.exists():
        existing = [json.loads(x) for x in case.expected.read_text("utf-8").splitlines() if x.strip()]
    if update_golden:
        keys = list(existing[0]) if existing else list(FIELDS)
        out = []
        for row in rows:
            shown = {k: row[k] for k in keys}
            if "ts" in shown and shown["ts"] is not None:
                shown["ts"] = shown["ts"].isoformat()
            out.append(json.dumps(shown, ensure_ascii=False, default=str) + "\n")
        case.expected.write_text("".join(out), "utf-8")
        return
    assert existing, f"no {case.expected.name}; run pytest --update-golden"
    assert len(rows) == len(existing), f"{len(rows)} rows, expected {len(existing)}"
    for i, (got, want) in enumerate(zip(rows, existing, strict=True)):
        mine = {k: _value(k, got[k]) for k in want}
        theirs = {k: _value(k, v) for k, v in want.items()}
        assert mine == theirs, f"row {i}"
