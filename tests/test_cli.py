"""The command line: the JSON contract, the words a person sees, the exit codes."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from fonder.cli import app

runner = CliRunner()

CHAT = """\
3/2/26, 9:00\u202fAM - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
3/2/26, 9:01\u202fAM - Maya: good morning ☀️
3/2/26, 9:20\u202fAM - Daniel: morning! how did you sleep?
3/2/26, 9:21\u202fAM - Maya: like a baby
3/2/26, 9:21\u202fAM - Maya: you?
3/2/26, 6:40\u202fPM - Daniel: <Media omitted>
3/2/26, 6:41\u202fPM - Daniel: look at this view
3/2/26, 6:55\u202fPM - Maya: wow
so pretty
3/3/26, 8:00\u202fAM - Maya: are we still on for friday?
3/3/26, 8:30\u202fAM - Maya: hello?
3/3/26, 10:02\u202fAM - Daniel: yes! 7pm
"""

NEWER = CHAT + "3/4/26, 9:00\u202fAM - Daniel: miss you already\n3/4/26, 9:05\u202fAM - Maya: same 🥺\n"


def run(db: Path, *args: str, input: str | None = None):
    return runner.invoke(app, ["--db", str(db), *args], input=input)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(CHAT, encoding="utf-8")
    return path


def imported(db: Path, path: Path, *extra: str) -> dict:
    result = run(db, "import", str(path), "--me", "Maya", "--tz", "Europe/London", "--json", *extra)
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_import_json_contract(db_path: Path, export: Path) -> None:
    doc = imported(db_path, export)
    (chat,) = doc["chats"]
    assert set(chat) == {
        "chat_id", "platform", "participants", "me", "messages", "by_sender", "kinds",
        "first", "last", "added", "already_known",
    }
    assert chat["platform"] == "whatsapp"
    assert chat["chat_id"].startswith("whatsapp:")
    assert chat["participants"] == ["Maya", "Daniel"]
    assert chat["me"] == "Maya"
    assert chat["messages"] == 10  # every row but the encryption notice
    assert chat["by_sender"] == {"Daniel": 4, "Maya": 6}
    assert chat["kinds"] == {"media": 1, "system": 1, "text": 9}
    assert chat["first"] == "2026-03-02T09:00:00+00:00"
    assert datetime.fromisoformat(chat["last"]).utcoffset() is not None
    assert (chat["added"], chat["already_known"]) == (10, 0)


def test_reimport_and_newer_export(db_path: Path, export: Path, tmp_path: Path) -> None:
    imported(db_path, export)
    again = imported(db_path, export)["chats"][0]
    assert (again["added"], again["already_known"]) == (0, 10)
    newer = tmp_path / "newer" / "WhatsApp Chat with Daniel.txt"
    newer.parent.mkdir()
    newer.write_text(NEWER, encoding="utf-8")
    more = imported(db_path, newer)["chats"][0]
    assert (more["added"], more["already_known"]) == (2, 10)


def test_zip_export_imports_like_the_text(db_path: Path, export: Path, tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat with Daniel.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WhatsApp Chat with Daniel.txt", CHAT)
        zf.writestr("IMG-20260302-WA0001.jpg", b"\xff\xd8\xff\xe0 not really a photo")
    doc = imported(db_path, archive)
    assert doc["chats"][0]["messages"] == 10
    # the same chat, from the text file: nothing new
    assert imported(db_path, export)["chats"][0]["added"] == 0


def test_chats_json_contract(db_path: Path, export: Path) -> None:
    chat_id = imported(db_path, export)["chats"][0]["chat_id"]
    result = run(db_path, "chats", "--json")
    assert result.exit_code == 0
    assert orjson.loads(result.stdout) == {
        "chats": [
            {
                "chat_id": chat_id,
                "platform": "whatsapp",
                "me": "Maya",
                "them": "Daniel",
                "messages": 10,
                "first": "2026-03-02T09:00:00+00:00",
                "last": "2026-03-03T10:02:00+00:00",
            }
        ]
    }


def test_report_json_contract(db_path: Path, export: Path) -> None:
    chat_id = imported(db_path, export)["chats"][0]["chat_id"]
    result = run(db_path, "report", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["schema"] == "fonder.report/1"
    chat = doc["chat"]
    assert (chat["id"], chat["platforms"], chat["me"], chat["them"]) == (chat_id, ["whatsapp"], "Maya", "Daniel")
    assert chat["messages"] == {"me": 6, "them": 4}
    sig = doc["signals"]
    # a gap of 6 h or more starts a conversation: 9:01 (Maya), 18:40 (Daniel), next day 8:00 (Maya)
    assert sig["conversations"] == {"total": 3, "started_by": {"me": 2, "them": 1}}
    assert set(sig["latency_s"]) == {"me", "them"} and set(sig["latency_s"]["me"]) >= {"median", "p75"}
    assert set(sig["follow_ups"]["me"]) >= {"count", "longest_streak"}
    assert sig["follow_ups"]["me"]["count"] >= 1  # "hello?" half an hour after an unanswered question
    assert set(sig["shares"]) >= {"messages", "words", "questions"}
    assert sig["shares"]["messages"] == 0.6
    assert set(sig["balance"]) >= {"composite", "components"}


def test_report_by_name_and_window(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    result = run(db_path, "report", "daniel", "--since", "2026-03-03", "--until", "2026-03-03", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["chat"]["messages"] == {"me": 2, "them": 1}
    assert doc["chat"]["first"].startswith("2026-03-03")


def test_terminal_report_reads_in_plain_words(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    result = run(db_path, "report")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "you (Maya) and Daniel" in text
    assert "Who reaches out" in text
    assert "you started 2" in text


def test_forget_removes_the_chat(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    refused = run(db_path, "forget", "Daniel")
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    result = run(db_path, "forget", "Daniel", "--yes")
    assert result.exit_code == 0
    assert "Forgot the chat with Daniel" in result.stdout
    assert orjson.loads(run(db_path, "chats", "--json").stdout) == {"chats": []}


def test_me_is_remembered_per_chat(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    result = run(db_path, "import", str(export), "--json")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["chats"][0]["me"] == "Maya"


def test_without_me_and_without_a_terminal_the_names_are_listed(db_path: Path, export: Path) -> None:
    result = run(db_path, "import", str(export))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: fonder needs to know which participant is you")
    assert "Maya, Daniel" in result.stderr
    assert "Traceback" not in result.output


def test_me_that_is_not_a_participant(db_path: Path, export: Path) -> None:
    result = run(db_path, "import", str(export), "--me", "Zoe")
    assert result.exit_code == 2
    assert "'Zoe' is not in this chat" in result.stderr


GROUP = """\
3/2/26, 9:00\u202fAM - Maya: hi all
3/2/26, 9:01\u202fAM - Daniel: hey
3/2/26, 9:02\u202fAM - Jess: hello!!
3/2/26, 9:03\u202fAM - Daniel: coffee later maya?
3/2/26, 9:04\u202fAM - Maya: yes
"""


def test_group_chat_is_refused_unless_a_pair_is_picked(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Friends.txt"
    path.write_text(GROUP, encoding="utf-8")
    refused = run(db_path, "import", str(path), "--me", "Maya")
    assert refused.exit_code == 2
    assert "group chat with 3 people" in refused.stderr
    assert "--with" in refused.stderr
    ok = run(db_path, "import", str(path), "--me", "Maya", "--with", "Daniel", "--json")
    assert ok.exit_code == 0, ok.output
    chat = orjson.loads(ok.stdout)["chats"][0]
    assert chat["participants"] == ["Maya", "Daniel"]
    assert chat["by_sender"] == {"Daniel": 2, "Maya": 2}


def test_several_paths_summarise_and_fail_if_any_failed(db_path: Path, export: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(db_path, "import", str(export), str(empty), "--me", "Maya")
    assert result.exit_code == 1
    assert "1 of 2 imported." in result.stderr
    assert "The file is empty" in result.stderr
    assert len(orjson.loads(run(db_path, "chats", "--json").stdout)["chats"]) == 1


def test_every_command_has_help_and_a_readme_mention() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name, command in ((c.name, c) for c in app.registered_commands):
        assert command.callback.__doc__, f"fonder {name} has no help text"
        assert f"fonder {name}" in readme, f"README does not mention fonder {name}"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0
        assert result.stdout.strip()


def test_tone_json_reads_lines_from_stdin() -> None:
    result = runner.invoke(app, ["tone", "--json"], input="I miss you so much\nI missed the bus\n")
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["I miss you so much", "I missed the bus"]
    longing = [lab for lab in rows[0]["labels"] if lab["label"] == "longing"]
    assert longing and rows[0]["text"][slice(*longing[0]["span"])] == longing[0]["match"]
    assert not [lab for lab in rows[1]["labels"] if lab["label"] == "longing"]
    assert all(set(r) == {"text", "labels", "valence"} for r in rows)


def test_tone_prints_labels_with_their_words() -> None:
    result = runner.invoke(app, ["tone", "are you mad at me?"])
    assert result.exit_code == 0, result.output
    assert re.search(r"reassurance_seeking\s+“[^”]+”", result.stdout)


def test_report_json_carries_the_coach(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    doc = orjson.loads(run(db_path, "report", "--json").stdout)
    assert set(doc) >= {"schema", "chat", "signals", "headline", "top_actions", "findings", "plan", "safety"}
    assert doc["headline"]["sentence"]
    assert len(doc["top_actions"]) == 3
    assert all(set(f) >= {"principle", "severity", "title", "evidence", "advice"} for f in doc["findings"])
    assert doc["safety"] is None


def test_check_json_contract_and_exit_codes(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    # 40 minutes after his "yes! 7pm": a plain plan is fine to send
    ok = run(db_path, "check", "shall we try the new thai place on friday?", "--at", "2026-03-03T10:42", "--json")
    assert ok.exit_code == 0, ok.output
    verdict = orjson.loads(ok.stdout)
    assert set(verdict) >= {"verdict", "reasons", "labels", "wait_until", "suggestion"}
    assert verdict["verdict"] == "send"
    # a reassurance question straight after two unanswered messages of hers
    worried = run(db_path, "check", "are you mad at me?", "--at", "2026-03-03T08:40", "--json")
    assert worried.exit_code == 4, worried.output
    verdict = orjson.loads(worried.stdout)
    assert verdict["verdict"] == "rethink"
    assert "reassurance_seeking" in verdict["labels"]
    assert verdict["suggestion"]


def test_check_refuses_an_empty_draft_and_a_bad_time(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    empty = run(db_path, "check", "   ")
    assert empty.exit_code == 2 and "draft is empty" in empty.stderr
    bad = run(db_path, "check", "hi", "--at", "tonight")
    assert bad.exit_code == 2 and "YYYY-MM-DDTHH:MM" in bad.stderr


def test_plan_lists_space_own_life_and_five_new_date_ideas(db_path: Path, export: Path) -> None:
    imported(db_path, export)
    result = run(db_path, "plan", "--interests", "pottery", "--json")
    assert result.exit_code == 0, result.output
    plan = orjson.loads(result.stdout)
    assert plan["days"] == 7
    assert len(plan["date_ideas"]) == 5
    assert any("pottery" in item["title"].lower() for item in plan["own_life"])
    text = run(db_path, "plan").stdout
    assert "Five things you haven't done together" in text


def test_terminal_report_renders_any_window_of_the_demo(tmp_path: Path) -> None:
    db = tmp_path / "demo" / "demo.duckdb"
    assert runner.invoke(app, ["demo", "--keep", str(db.parent)]).exit_code == 0
    for since, until in [("2026-10-29", "2026-10-29"), ("2026-10-01", "2026-10-07"), ("2026-09-01", "2026-09-30"), (None, None)]:
        args = ["report"] + (["--since", since, "--until", until] if since else [])
        result = run(db, *args)
        assert result.exit_code == 0, (since, result.output)
        assert "fonder · you (Maya) and Daniel" in result.stdout


def test_report_html_file_and_redacted_copy(db_path: Path, export: Path, tmp_path: Path) -> None:
    imported(db_path, export)
    page = tmp_path / "report.html"
    result = run(db_path, "report", "--html", str(page))
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "Daniel" in html and "<html" in html.lower()
    shared = tmp_path / "shared.html"
    assert run(db_path, "report", "--html", str(shared), "--redact").exit_code == 0
    from plotly.offline import get_plotlyjs

    # Plotly's own bundle mentions a "Mayan" calendar; only the page around it is ours.
    hidden = shared.read_text(encoding="utf-8").replace(get_plotlyjs(), "")
    for secret in ("Daniel", "Maya", "look at this view", "are we still on for friday"):
        assert secret not in hidden
    lone = run(db_path, "report", "--redact")
    assert lone.exit_code == 2 and "--html FILE or --json" in lone.stderr


def test_serve_refuses_any_address_but_loopback(db_path: Path) -> None:
    result = run(db_path, "serve", "--host", "0.0.0.0", "--no-browser")
    assert result.exit_code == 2
    assert "fonder serves only this computer" in result.stderr


def test_demo_shows_report_page_plan_and_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--keep", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    text = result.stdout
    for part in ("Is Daniel pulling away?", "This week, three things", "Five things you haven't done together", "RETHINK"):
        assert part in text, part
    assert (tmp_path / "demo" / "report.html").stat().st_size > 100_000
