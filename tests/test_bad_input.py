"""Every bad input ends in one clear sentence, the right exit code, no traceback, and an
unchanged store."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fonder.cli import app
from fonder.errors import ArchiveError
from fonder.ingest.archive import open_sources

runner = CliRunner()

GOOD = (
    "3/2/26, 9:01\u202fAM - Maya: good morning\n"
    "3/2/26, 9:20\u202fAM - Daniel: morning! secret words here\n"
)
SECRET = "secret words here"


def store_digest(db: Path) -> str | None:
    """A fingerprint of the store's whole content (None when there is no store)."""
    if not db.exists():
        return None
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        parts = [
            repr(
                con.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR), '')) "
                    f"FROM {t} AS r"
                ).fetchall()
            )
            for t in ("chats", "messages", "imports", "labels")
        ]
    finally:
        con.close()
    return hashlib.sha256("".join(parts).encode()).hexdigest()


@pytest.fixture
def seeded_db(db_path: Path, tmp_path: Path) -> Path:
    good = tmp_path / "good" / "WhatsApp Chat with Daniel.txt"
    good.parent.mkdir()
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["--db", str(db_path), "import", str(good), "--me", "Maya"])
    assert result.exit_code == 0, result.output
    return db_path


def fails_cleanly(db: Path, path: Path, code: int, *phrases: str, extra: tuple[str, ...] = ("--me", "Maya")) -> str:
    before = store_digest(db)
    result = runner.invoke(app, ["--db", str(db), "import", str(path), *extra])
    assert result.exit_code == code, result.output
    message = result.stderr.strip()
    assert message.startswith("Error: "), message
    assert "\n" not in message, "one sentence, on one line"
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    for phrase in phrases:
        assert phrase in message, message
    assert store_digest(db) == before
    return message


def test_empty_file(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    fails_cleanly(seeded_db, path, 1, "The file is empty", "empty.txt", "export the chat again")


def test_binary_file(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(os.urandom(2048) + b"\x00" * 100)
    fails_cleanly(seeded_db, path, 1, "binary", "photo.txt")


def test_prose_is_not_a_chat(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "diary.txt"
    path.write_text("Dear diary,\nToday was long. I thought about him: a lot.\n" * 20)
    fails_cleanly(seeded_db, path, 1, "not a chat export", "diary.txt")


def test_missing_path_is_a_usage_error(seeded_db: Path, tmp_path: Path) -> None:
    fails_cleanly(seeded_db, tmp_path / "nowhere.zip", 2, "There is no file or folder at", "nowhere.zip")


def test_truncated_zip(seeded_db: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WhatsApp Chat with Daniel.txt", GOOD * 500)
    half = tmp_path / "WhatsApp Chat with Daniel.zip"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    fails_cleanly(seeded_db, half, 1, "damaged or incomplete", "WhatsApp Chat with Daniel.zip")


def test_corrupt_member_in_zip(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "chat.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", GOOD * 500)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"_chat.txt") + len("_chat.txt")
    for i in range(start + 20, start + 120):  # scramble the compressed body
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    fails_cleanly(seeded_db, path, 1, "damaged or incomplete", "chat.zip")


def test_zip_without_a_chat(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("IMG-0001.jpg", b"\xff\xd8\xff")
        zf.writestr("notes.txt", "buy milk\nand eggs\n")
    fails_cleanly(seeded_db, path, 1, "photos.zip")


def test_zip_bomb_is_refused_without_extracting(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("WhatsApp Chat with Daniel.txt", "w") as fh:
            block = b"\x00" * (1024 * 1024)
            for _ in range(64):
                fh.write(block)
    assert path.stat().st_size < 200_000
    listing_before = sorted(p.name for p in tmp_path.iterdir())
    fails_cleanly(seeded_db, path, 1, "zip bombs")
    assert sorted(p.name for p in tmp_path.iterdir()) == listing_before


def test_zip_member_names_that_climb_out_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "sneaky.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/evil.txt", GOOD)
        zf.writestr("/abs/evil.txt", GOOD)
        zf.writestr("inner/_chat.txt", GOOD)
    names = [s.member for s in open_sources(path)]
    assert names == ["inner/_chat.txt"]
    assert not (tmp_path.parent.parent / "etc" / "evil.txt").exists()


def test_password_protected_zip_is_named(tmp_path: Path) -> None:
    path = tmp_path / "locked.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", GOOD)
    raw = bytearray(path.read_bytes())
    # set the "encrypted" flag in the local and central headers
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.index(sig)
        offset = 6 if sig == b"PK\x03\x04" else 8
        raw[at + offset] |= 0x1
    path.write_bytes(bytes(raw))
    with pytest.raises(ArchiveError, match="password-protected"):
        open_sources(path)


def test_unreadable_file(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(GOOD)
    path.chmod(0)
    if os.geteuid() != 0:
        fails_cleanly(seeded_db, path, 1, "not allowed to read", "WhatsApp Chat with Daniel.txt")
        return
    # root reads everything: run the real command without root's power to bypass file modes
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv is needed to drop root's file-access capabilities for this test")
    fonder = Path(sys.executable).with_name("fonder")
    before = store_digest(seeded_db)
    result = subprocess.run(
        [setpriv, "--bounding-set=-dac_override,-dac_read_search", str(fonder),
         "--db", str(seeded_db), "import", str(path), "--me", "Maya"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: fonder is not allowed to read the file")
    assert "Traceback" not in result.stderr
    assert store_digest(seeded_db) == before


def test_unknown_format_name_is_a_usage_error(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text(GOOD)
    fails_cleanly(seeded_db, path, 2, "no format called 'kik'", extra=("--me", "Maya", "--format", "kik"))


def test_unknown_time_zone_is_a_usage_error(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text(GOOD)
    fails_cleanly(seeded_db, path, 2, "Mars/Olympus", extra=("--me", "Maya", "--tz", "Mars/Olympus"))


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "--debug", "import", str(path)])
    assert result.exit_code != 0
    assert result.exception is not None  # raised, not turned into a sentence


def test_report_with_no_chats_says_how_to_start(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "report"])
    assert result.exit_code == 2
    assert "There are no chats in the store yet" in result.stderr
    assert "fonder import" in result.stderr


def test_bad_dates_are_usage_errors(seeded_db: Path) -> None:
    result = runner.invoke(app, ["--db", str(seeded_db), "report", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
    result = runner.invoke(app, ["--db", str(seeded_db), "report", "--since", "2026-05-02", "--until", "2026-05-01"])
    assert result.exit_code == 2
    assert "window is empty" in result.stderr


def test_a_bug_is_one_line_without_debug_and_a_traceback_with_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fonder.api

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret words here")  # as if a bug carried message text

    monkeypatch.setattr(fonder.api, "chats", broken)
    result = runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "chats"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: fonder hit a bug (RuntimeError)")
    assert "--debug" in result.stderr
    assert SECRET not in result.output and "Traceback" not in result.output
    debug = runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "--debug", "chats"])
    assert isinstance(debug.exception, RuntimeError)
