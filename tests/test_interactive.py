"""On a terminal, fonder asks what it cannot tell: who you are, which way dates are written.

These run the real ``fonder`` command on a pseudo-terminal, as a person at a keyboard would.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import orjson
from typer.testing import CliRunner

from fonder.cli import app

FONDER = str(Path(sys.executable).with_name("fonder"))

CHAT = (
    "3/20/26, 9:01\u202fAM - Maya: good morning\n"
    "3/20/26, 9:20\u202fAM - Daniel: morning!\n"
)
# Every date fits both day/month and month/day, and nothing moves to tell them apart.
AMBIGUOUS = "01/02/26, 10:00 - Maya: hi\n01/02/26, 10:05 - Daniel: hey\n"


def converse(args: list[str], answers: list[tuple[str, str]], timeout: float = 60) -> tuple[int, str]:
    """Run fonder on a pty; when ``prompt`` appears, type ``answer``. Returns (exit, screen)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([FONDER, *args], stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    screen = ""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096).decode("utf-8", "replace")
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
            if pending and pending[0][0] in screen:
                os.write(master, (pending.pop(0)[1] + "\n").encode())
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, screen


def test_asks_who_you_are_and_remembers(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(CHAT, encoding="utf-8")
    db = str(tmp_path / "db.duckdb")
    code, screen = converse(["--db", db, "import", str(path)], [("Number", "1")])
    assert code == 0, screen
    assert "Which of these people are you?" in screen
    assert "1. Maya" in screen and "2. Daniel" in screen
    assert "You are Maya." in screen
    # remembered: no question the second time, even without a terminal
    again = CliRunner().invoke(app, ["--db", db, "import", str(path), "--json"])
    assert again.exit_code == 0, again.output
    assert orjson.loads(again.stdout)["chats"][0]["me"] == "Maya"


def test_a_wrong_answer_is_asked_again(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(CHAT, encoding="utf-8")
    code, screen = converse(
        ["--db", str(tmp_path / "db.duckdb"), "import", str(path)],
        [("Number", "7"), ("from 1 to 2", "2")],
    )
    assert code == 0, screen
    assert "You are Daniel." in screen


def test_asks_the_date_order_when_the_file_cannot_tell(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    db = str(tmp_path / "db.duckdb")
    code, screen = converse(
        ["--db", db, "import", str(path), "--me", "Maya", "--tz", "UTC"], [("Which order?", "mdy")]
    )
    assert code == 0, screen
    assert "could be day/month or month/day" in screen
    listed = CliRunner().invoke(app, ["--db", db, "chats", "--json"])
    assert orjson.loads(listed.stdout)["chats"][0]["first"].startswith("2026-01-02")


def test_without_a_terminal_the_date_order_is_an_option(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    db = str(tmp_path / "db.duckdb")
    result = CliRunner().invoke(app, ["--db", db, "import", str(path), "--me", "Maya"])
    assert result.exit_code == 2
    assert "--date-order" in result.stderr
    ok = CliRunner().invoke(app, ["--db", db, "import", str(path), "--me", "Maya", "--tz", "UTC", "--date-order", "dmy", "--json"])
    assert ok.exit_code == 0, ok.output
    assert orjson.loads(ok.stdout)["chats"][0]["first"].startswith("2026-02-01")
