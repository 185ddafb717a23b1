"""Tone labels are computed once per import, kept in the store, and recomputed when the
rules change."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

import fonder
from fonder import tone

CHAT = (
    "3/2/26, 9:01\u202fAM - Maya: are you mad at me?\n"
    "3/2/26, 9:20\u202fAM - Daniel: no! I miss you\n"
    "3/2/26, 9:21\u202fAM - Maya: I missed the bus lol\n"
)


def test_labels_are_stored_at_import_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(CHAT, encoding="utf-8")
    db = tmp_path / "db.duckdb"
    fonder.import_path(path, db=db, me="Maya", tz="UTC")
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT label, match FROM labels ORDER BY span_start").fetchall()
    version = con.execute("SELECT tone_version FROM label_state").fetchall()
    con.close()
    assert any(lab == "longing" and "miss you" in m.lower() for lab, m in stored)
    assert version == [(tone.TONE_VERSION,)]
    loaded = fonder.load(db=db)
    texts = dict(zip(loaded.messages["msg_id"], loaded.messages["text"], strict=True))
    longing = loaded.labels.filter(pl.col("label") == "longing")
    assert [texts[m] for m in longing["msg_id"]] == ["no! I miss you"]


def test_older_rules_are_relabelled_at_the_next_report(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(CHAT, encoding="utf-8")
    db = tmp_path / "db.duckdb"
    fonder.import_path(path, db=db, me="Maya", tz="UTC")
    # As if these labels came from older rules: wrong label, older version.
    con = duckdb.connect(str(db))
    con.execute("UPDATE labels SET label = 'threat'")
    con.execute("UPDATE label_state SET tone_version = ?", [tone.TONE_VERSION - 1])
    con.close()
    doc = fonder.report_for(db=db)
    assert doc["signals"]["longing"]["them"] == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM labels WHERE label = 'threat'").fetchall() == [(0,)]
    assert con.execute("SELECT tone_version FROM label_state").fetchall() == [(tone.TONE_VERSION,)]
    con.close()


def test_reimport_labels_only_new_messages(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Daniel.txt"
    path.write_text(CHAT, encoding="utf-8")
    db = tmp_path / "db.duckdb"

    def stored() -> list[tuple[str, str]]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute("SELECT msg_id, label FROM labels ORDER BY ALL").fetchall()
        finally:
            con.close()

    fonder.import_path(path, db=db, me="Maya", tz="UTC")
    first = stored()
    fonder.import_path(path, db=db, me="Maya", tz="UTC")
    assert stored() == first  # nothing new, nothing labelled twice
    path.write_text(CHAT + "3/2/26, 9:30\u202fAM - Daniel: thank you for yesterday ❤️\n", encoding="utf-8")
    fonder.import_path(path, db=db, me="Maya", tz="UTC")
    new = sorted(set(stored()) - set(first))
    assert {label for _, label in new} >= {"appreciation"}
    assert len({msg for msg, _ in new}) == 1
