"""LINE: the ``.txt`` chat history a chat's menu saves (Settings › Export chat history).

The file opens with a header — "[LINE] Chat history with NAME" and "Saved on: 2024/01/02
10:15" in English; "[LINE] NAMEとのトーク履歴" and "保存日時：…" in Japanese; Chinese and Thai
alike — then one date line per day ("2023/12/31(Sun)", "Sun, 12/31/2023", "2023/12/31（日）")
and one line per message: ``HH:MM<TAB>Name<TAB>Text``. A message of several lines is wrapped
in double quotes; a line with no name (``HH:MM<TAB>Text``) is a notice from the app.

Times are the phone's local wall-clock time, read in ``--tz`` (else this machine's zone). The
header names the other person of a one-to-one chat ("with NAME"), so the other participant
is "me"; a group's header says "in NAME" ("NAMEのトーク履歴").

The whole file is classified line by line with Polars expressions; continuation lines are
joined to their message with a group-by, never a Python loop per line.
"""

from __future__ import annotations

import re

import polars as pl

from ..errors import ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source, localize, machine_tz

_AGAIN = "save the chat history from LINE again (the chat's menu › Settings › Export chat history) and import the new file"

# Header: (pattern, is_group) — is_group None when the header does not tell.
_TITLES: tuple[tuple[re.Pattern[str], bool | None], ...] = (
    (re.compile(r"^(?:\[LINE\]\s*)?Chat history with (.+?)\s*$"), False),
    (re.compile(r"^(?:\[LINE\]\s*)?Chat history in (.+?)\s*$"), True),
    (re.compile(r"^\[LINE\]\s*(.+?)とのトーク履歴\s*$"), False),
    (re.compile(r"^\[LINE\]\s*(.+?)のトーク履歴\s*$"), True),
    (re.compile(r"^\[LINE\]\s*[與与](.+?)的聊天[記记][錄录]\s*$"), False),
    (re.compile(r"^\[LINE\]\s*(.+?)的聊天[記记][錄录]\s*$"), True),
    (re.compile(r"^\[LINE\]\s*ประวัติการสนทนากับ\s*(.+?)\s*$"), False),
    (re.compile(r"^\[LINE\]\s*(.+?)\s*$"), None),
)
_SAVED = re.compile(r"^(?:Saved on|保存日時|保存日期|儲存日期|บันทึกเมื่อ|บันทึกวันที่)\s*[:：]")

_AMPM = r"(?:AM|PM|am|pm|午前|午後|上午|下午|오전|오후)"
_TIME = rf"(?:({_AMPM})\s*)?(\d{{1,2}}):(\d{{2}})(?:\s*({_AMPM}))?"
_MSG = rf"^{_TIME}\t([^\t]*)\t(.*)$"
_SYS = rf"^{_TIME}\t([^\t]*)$"
_DATE_YMD = r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})\s*[(（][^)）]{1,12}[)）]\s*$"
_DATE_WMDY = r"^[^\d\s,]{2,12},\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$"

_SNIFF_MSG = re.compile(_MSG, re.MULTILINE)
_SNIFF_DATE = re.compile(f"(?:{_DATE_YMD})|(?:{_DATE_WMDY})", re.MULTILINE)

_TAGS: dict[str, str] = {}
for _label, _words in (
    ("photo", "Photo Photos Image 写真 照片 圖片 图片 รูปภาพ รูป 사진"),
    ("video", "Video 動画 影片 视频 視訊 วิดีโอ 동영상"),
    ("sticker", "Sticker スタンプ 貼圖 贴图 สติกเกอร์ 스티커"),
    ("file", "File ファイル 檔案 文件 ไฟล์ 파일"),
    ("audio", "Audio 語音訊息 语音信息 语音消息 ข้อความเสียง 음성메시지 ボイスメッセージ"),
    ("location", "Location 位置情報 位置資訊 位置信息 ตำแหน่ง 위치정보"),
    ("contact", "Contact 連絡先 聯絡資訊 联系人 聯絡人資訊 ผู้ติดต่อ 연락처"),
    ("gif", "GIF"),
    ("note", "Note ノート 記事本 记事本 โน้ต 노트"),
):
    for _w in _words.split():
        _TAGS[_w] = _label
_TAGS["Voice message"] = "audio"
_ALBUM = r"^\[(?:Album|アルバム|相簿|相册|อัลบั้ม|앨범)\]"

_MISSED = r"(?i)missed|cancel|no answer|declined|不在|キャンセル|未接|已取消|無應答|无应答|ไม่ได้รับ|부재중|취소"
_DURATION = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_UNSENT = (
    r"^(.+?) unsent a message\.?$|^(.+?)がメッセージの送信を取り消しました。?$|^(.+?)已收回訊息$"
    r"|^(.+?)撤回了一条消息$|^(.+?)ยกเลิกข้อความ$"
)


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _header(lines: list[str]) -> tuple[str | None, bool | None, int]:
    """(title, is_group, number of header lines) from the top of the file."""
    title: str | None = None
    group: bool | None = None
    used = 0
    for i, line in enumerate(lines[:4]):
        text = line.strip()
        if not text:
            continue
        if title is None and i < 2:
            for pattern, is_group in _TITLES:
                m = pattern.match(text)
                if m:
                    title, group, used = m.group(1), is_group, i + 1
                    break
            if title is not None:
                continue
        if _SAVED.match(text):
            used = i + 1
            continue
        break
    return title, group, used


def _error(source: Source, position: str, reason: str) -> ParseError:
    if source.member is not None:
        return ParseError(source.path, f"{source.member}, {position}" if position else source.member, reason)
    return ParseError(source.path, position, reason)


class LineImporter:
    """LINE's saved chat history (``[LINE] Chat history with NAME.txt``)."""

    name = "line"
    label = "LINE (.txt chat history)"

    def sniff(self, source: Source) -> bool:
        if not source.name.lower().endswith(".txt"):
            return False
        head = source.head().decode("utf-8", errors="ignore").lstrip("\ufeff")
        lines = head.replace("\r\n", "\n").split("\n")
        first = next((ln.strip() for ln in lines[:5] if ln.strip()), "")
        if first.startswith("[LINE]"):
            return True
        if first.startswith("Chat history with ") or first.startswith("Chat history in "):
            return any(_SAVED.match(ln.strip()) for ln in lines[:4])
        body = "\n".join(lines[:60])
        return bool(_SNIFF_DATE.search(body)) and len(_SNIFF_MSG.findall(body)) >= 1

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        text = _decode(source.read_bytes())
        if text is None:
            raise _error(source, "", f"The file is not UTF-8 text; {_AGAIN}")
        if not text.strip():
            raise _error(source, "", f"The file is empty; {_AGAIN}")
        all_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        title, group, used = _header(all_lines)
        tz = options.tz or machine_tz()

        lines = pl.DataFrame({"line": pl.Series(all_lines[used:], dtype=pl.String)}).with_row_index("_n", offset=used + 1)
        line = pl.col("line")
        prev_blank = (line.shift(1).fill_null("").str.strip_chars() == "") | (pl.col("_n") <= used + 1)
        ymd = line.str.extract_groups(_DATE_YMD)
        wmdy = line.str.extract_groups(_DATE_WMDY)
        msg = line.str.extract_groups(_MSG)
        sysl = line.str.extract_groups(_SYS)
        f = lines.with_columns(
            ymd.struct.field("1").alias("_y1"), ymd.struct.field("2").alias("_y2"), ymd.struct.field("3").alias("_y3"),
            wmdy.struct.field("1").alias("_w1"), wmdy.struct.field("2").alias("_w2"), wmdy.struct.field("3").alias("_w3"),
            msg.alias("_m"), sysl.alias("_s"), prev_blank.alias("_pb"),
        )
        is_ymd = pl.col("_y1").is_not_null() & pl.col("_pb")
        is_wmdy = pl.col("_w1").is_not_null() & pl.col("_pb")
        is_msg = pl.col("_m").struct.field("3").is_not_null()
        is_sys = pl.col("_s").struct.field("3").is_not_null() & ~is_msg
        f = f.with_columns(is_ymd.alias("_isy"), is_wmdy.alias("_isw"), is_msg.alias("_ism"), is_sys.alias("_iss"))

        # Day-first when the "Sun, 12/31/2023" dates say so (a first number over 12) or the
        # user did; LINE writes month first.
        day_first = options.date_order == "dmy" or bool(
            f.filter(pl.col("_isw")).select((pl.col("_w1").cast(pl.Int32) > 12).any()).item()
        )
        month = pl.col("_w2") if day_first else pl.col("_w1")
        day = pl.col("_w1") if day_first else pl.col("_w2")
        date = (
            pl.when(pl.col("_isy"))
            .then(pl.concat_str([pl.col("_y1"), pl.col("_y2").str.zfill(2), pl.col("_y3").str.zfill(2)], separator="-"))
            .when(pl.col("_isw"))
            .then(pl.concat_str([pl.col("_w3"), month.str.zfill(2), day.str.zfill(2)], separator="-"))
            .otherwise(None)
            .str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        )
        f = f.with_columns(date.alias("_date"))
        bad_date = f.filter((pl.col("_isy") | pl.col("_isw")) & pl.col("_date").is_null())
        if bad_date.height:
            raise _error(source, f"line {bad_date.get_column('_n')[0]}", f"A date line is not a real date; {_AGAIN}")
        f = f.with_columns(
            pl.col("_date").forward_fill(),
            (pl.col("_isy") | pl.col("_isw") | pl.col("_ism") | pl.col("_iss")).cum_sum().alias("_g"),
        )
        starts = f.filter(pl.col("_ism") | pl.col("_iss"))
        if starts.height == 0:
            raise _error(source, "", f"The file has no messages LINE's way (time, name and text separated by tabs); {_AGAIN}")
        orphan = starts.filter(pl.col("_date").is_null())
        if orphan.height:
            raise _error(source, f"line {orphan.get_column('_n')[0]}", f"A message comes before any date line; {_AGAIN}")

        conts = (
            f.filter(~(pl.col("_isy") | pl.col("_isw") | pl.col("_ism") | pl.col("_iss")) & (pl.col("_g") > 0))
            .group_by("_g", maintain_order=True)
            .agg(pl.col("line").str.join("\n").alias("_more"))
        )
        m = pl.when(pl.col("_ism")).then(pl.col("_m")).otherwise(pl.col("_s"))
        rows = starts.with_columns(
            m.struct.field("1").alias("_ap1"),
            m.struct.field("2").cast(pl.Int32, strict=False).alias("_h"),
            m.struct.field("3").cast(pl.Int32, strict=False).alias("_min"),
            m.struct.field("4").alias("_ap2"),
            pl.when(pl.col("_ism")).then(pl.col("_m").struct.field("5")).otherwise(None).alias("_who"),
            pl.when(pl.col("_ism")).then(pl.col("_m").struct.field("6")).otherwise(pl.col("_s").struct.field("5")).alias("_body"),
        ).join(conts, on="_g", how="left")
        ampm = pl.coalesce(pl.col("_ap1"), pl.col("_ap2"))
        pm = ampm.is_in(["PM", "pm", "午後", "下午", "오후"]).fill_null(False)
        am = ampm.is_in(["AM", "am", "午前", "上午", "오전"]).fill_null(False)
        hour = (
            pl.when(pm & (pl.col("_h") < 12)).then(pl.col("_h") + 12)
            .when(am & (pl.col("_h") == 12)).then(0)
            .otherwise(pl.col("_h"))
        )
        bad_time = rows.filter((hour > 23) | (pl.col("_min") > 59))
        if bad_time.height:
            raise _error(source, f"line {bad_time.get_column('_n')[0]}", f"A message's time is not a real time; {_AGAIN}")
        naive = pl.col("_date").cast(pl.Datetime("us")) + pl.duration(hours=hour, minutes=pl.col("_min"))

        body = (
            pl.when(pl.col("_more").is_not_null())
            .then(pl.concat_str([pl.col("_body"), pl.col("_more")], separator="\n"))
            .otherwise(pl.col("_body"))
            .str.strip_chars_end("\n\r ")
        )
        rows = rows.with_columns(body.alias("_text"), localize(naive, tz).alias("ts"))
        t = pl.col("_text")
        quoted = t.str.starts_with('"') & t.str.ends_with('"') & t.str.contains("\n") & (t.str.len_chars() >= 2)
        t = pl.when(quoted).then(t.str.slice(1, t.str.len_chars() - 2).str.replace_all('""', '"', literal=True)).otherwise(t)
        rows = rows.with_columns(t.alias("_text"))
        t = pl.col("_text")
        who = pl.col("_who")
        named = who.is_not_null() & (who != "")
        tag = t.str.extract(r"^\[([^\]\n]+)\]$", 1)
        tag_label = tag.replace_strict(_TAGS, default=None, return_dtype=pl.String)
        album = t.str.contains(_ALBUM).fill_null(False)
        phone = t.str.starts_with("☎").fill_null(False)
        dur = t.str.extract_groups(_DURATION)
        d1 = dur.struct.field("1").cast(pl.Int32)
        d2 = dur.struct.field("2").cast(pl.Int32)
        d3 = dur.struct.field("3").cast(pl.Int32)
        call_s = pl.when(d3.is_not_null()).then(d1 * 3600 + d2 * 60 + d3).otherwise(d1 * 60 + d2)
        unsent = t.str.extract_groups(_UNSENT)
        unsent_who = pl.coalesce([unsent.struct.field(str(i)) for i in range(1, 6)])
        kind = (
            pl.when(named & phone & t.str.contains(_MISSED).fill_null(False)).then(pl.lit("missed_call"))
            .when(named & phone).then(pl.lit("call"))
            .when(named & (tag_label == "sticker")).then(pl.lit("sticker"))
            .when(named & (tag_label == "location")).then(pl.lit("location"))
            .when(named & (tag_label == "contact")).then(pl.lit("contact"))
            .when(named & (tag_label.is_not_null() | album)).then(pl.lit("media"))
            .when(named).then(pl.lit("text"))
            .when(unsent_who.is_not_null()).then(pl.lit("deleted"))
            .otherwise(pl.lit("system"))
        )
        rows = rows.with_columns(kind.alias("kind")).with_columns(
            pl.when(named).then(who).when(pl.col("kind") == "deleted").then(unsent_who).otherwise(None).alias("sender"),
            pl.when(pl.col("kind").is_in(["text", "system"])).then(t).otherwise(None).alias("text"),
            pl.when(pl.col("kind") == "media").then(pl.coalesce(tag_label, pl.when(album).then(pl.lit("album"))))
            .when(pl.col("kind") == "sticker").then(pl.lit("sticker"))
            .otherwise(None).alias("media"),
            pl.when(pl.col("kind") == "call").then(pl.when(dur.struct.field("1").is_not_null()).then(call_s)).otherwise(None).alias("call_s"),
            pl.lit(tz).alias("tz"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
        )
        speakers = rows.filter(pl.col("kind") != "deleted").get_column("sender").drop_nulls().unique(maintain_order=True).to_list()
        me = None
        if group is False and title in speakers and len(speakers) == 2:
            me = next(p for p in speakers if p != title)
        you = (pl.col("kind") == "deleted") & (pl.col("sender") == "You")
        rows = rows.with_columns(pl.when(you).then(pl.lit(me)).otherwise(pl.col("sender")).alias("sender"))
        participants = list(speakers)
        if group is False and title and title not in participants:
            participants.append(title)
        return [
            ParsedChat(
                platform="line",
                messages=conform(rows),
                participants=participants,
                chat_key="",
                title=title,
                me=me,
                tz=tz,
                details={"date order": "dmy" if day_first else "mdy"} if f.select(pl.col("_isw").any()).item() else {},
                is_group=bool(group) or len(participants) > 2,
            )
        ]
