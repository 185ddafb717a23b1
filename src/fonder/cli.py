"""The ``fonder`` command: a thin face over :mod:`fonder.api`.

Each command parses its options, calls one library function and renders the result. Errors
fonder can explain end in one sentence on stderr — ``Error: what — where — what to do`` —
with exit code 1 (bad data) or 2 (bad usage); anything else is a bug and shows a traceback
only with ``--debug``.
"""

from __future__ import annotations

import functools
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from . import api
from .coach import messages as M
from .errors import DateOrderUnknown, FonderError, UsageError
from .report import terminal
from .report.html import render_html
from .report.redact import redact as redact_doc

app = typer.Typer(
    name="fonder",
    help="A local, private coach for one-to-one texting. Reads your chat export, measures "
    "the dynamics, tells you what to do this week. Nothing ever leaves your machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

out = Console(soft_wrap=False, highlight=False)
err = Console(stderr=True, highlight=False)


class _State:
    db: Path | None = None
    debug: bool = False


state = _State()

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn fonder's errors into one sentence and an exit code (a traceback with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FonderError as exc:
            if state.debug:
                raise
            err.print(M.CLI_ERROR.format(error=exc), markup=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print(M.CLI_STOPPED)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug: say so in one line; only its type, never its text
            if state.debug:
                raise
            err.print(
                M.CLI_BUG.format(kind=type(exc).__name__, command=fn.__name__.rstrip("_")),
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _root(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="FONDER_DB",
            help="The store file to use (default: your user data folder; also FONDER_DB).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a full traceback when something goes wrong.")
    ] = False,
) -> None:
    """A local, private coach for one-to-one texting."""
    state.db = db
    state.debug = debug


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@contextmanager
def _progress(enabled: bool) -> Iterator[api.Progress]:
    """A Rich progress bar on stderr when it is a terminal; silent otherwise."""
    if not enabled or not err.is_terminal:
        yield api.no_progress
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(M.CLI_PROGRESS_START, total=None)

    def update(done: int, total: int | None, what: str) -> None:
        bar.update(task, completed=done, total=total, description=what)

    with bar:
        yield update


@contextmanager
def _working(what: str) -> Iterator[None]:
    """A spinner on stderr while the library works (terminals only)."""
    if not err.is_terminal:
        yield
        return
    with err.status(what, spinner="dots"):
        yield


def _ask_me(participants: list[str]) -> str:
    err.print(M.CLI_ASK_ME)
    for i, name in enumerate(participants, 1):
        err.print(f"  {i}. {name}", markup=False)
    while True:
        answer = typer.prompt(M.CLI_ASK_NUMBER, err=True)
        if answer.isdigit() and 1 <= int(answer) <= len(participants):
            return participants[int(answer) - 1]
        err.print(M.CLI_ASK_NUMBER_AGAIN.format(n=len(participants)))


def _print_json(doc: Any) -> None:
    sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
    sys.stdout.flush()


@app.command("import")
@friendly
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Export files, zips or folders (e.g. \"WhatsApp Chat with Daniel.zip\").",
            show_default=False,
            readable=False,  # fonder checks, and says what to do in one sentence
        ),
    ],
    me: Annotated[str | None, typer.Option("--me", help="Your name as it appears in the chat.")] = None,
    with_: Annotated[
        str | None, typer.Option("--with", help="In a group chat: the one person to analyse with you.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Skip detection: read the files as this format (e.g. whatsapp).")
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Time zone the export's times are in (default: this machine's), e.g. Europe/Berlin."),
    ] = None,
    date_order: Annotated[
        str | None,
        typer.Option("--date-order", help="When dates are ambiguous: dmy, mdy or ymd."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import chat exports into your private store (safe to repeat: only new messages are added)."""
    failures = 0
    skipped = 0
    results: list[api.ImportedChat] = []
    for path in paths:
        try:
            done = _import_one(path, me, with_, fmt, tz, date_order, as_json)
            results.extend(done.chats)
            skipped += done.skipped_groups
        except FonderError as exc:
            if len(paths) == 1 or state.debug:
                raise
            failures += 1
            err.print(M.CLI_ERROR.format(error=exc), markup=False, soft_wrap=True)
    if as_json:
        _print_json(api.ImportResult(results, skipped).to_json())
    else:
        for c in results:
            terminal.print_imported(out, c)
        if skipped:
            out.print(M.CLI_LEFT_OUT_GROUPS.format(n=skipped))
    if len(paths) > 1:
        err.print(M.CLI_IMPORTED_OF.format(done=len(paths) - failures, total=len(paths)))
    if failures:
        raise typer.Exit(1)


def _import_one(
    path: Path,
    me: str | None,
    with_: str | None,
    fmt: str | None,
    tz: str | None,
    date_order: str | None,
    as_json: bool,
) -> api.ImportResult:
    ask = _ask_me if _interactive() and not as_json else None
    while True:
        try:
            with _progress(not as_json) as progress:
                return api.import_path(
                    path,
                    db=state.db,
                    me=me,
                    with_=with_,
                    fmt=fmt,
                    tz=tz,
                    date_order=date_order,
                    ask_me=ask,
                    progress=progress,
                )
        except DateOrderUnknown as exc:
            if ask is None or date_order is not None:
                raise
            err.print(
                M.CLI_DATE_ORDER.format(file=path.name, first=exc.candidates[0], last=exc.candidates[-1])
            )
            date_order = typer.prompt(M.CLI_DATE_ORDER_PROMPT, err=True).strip().lower()
            if date_order not in ("dmy", "mdy", "ymd"):
                raise UsageError(M.CLI_BAD_DATE_ORDER.format(value=date_order)) from None


@app.command("chats")
@friendly
def chats_(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List the chats in your store."""
    found = api.chats(db=state.db)
    if as_json:
        _print_json(
            {
                "chats": [
                    {
                        "chat_id": c.chat_id,
                        "platform": c.platform,
                        "me": c.me,
                        "them": c.them,
                        "messages": c.messages,
                        "first": api.iso(c.first),
                        "last": api.iso(c.last),
                    }
                    for c in found
                ]
            }
        )
        return
    terminal.print_chats(out, found)
    for group in api.link_suggestions(db=state.db):
        ids = " ".join(c.chat_id for c in group)
        out.print(
            M.CLI_LINK_SUGGESTION.format(
                them=group[0].them, platforms=M.CLI_AND.join(sorted({c.platform for c in group})), ids=ids
            ),
            markup=False,
        )


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(M.CLI_BAD_DATE.format(value=value, option=option)) from None


@app.command("report")
@friendly
def report_(
    chat: Annotated[
        str | None,
        typer.Argument(help="The chat: their name or the chat id (default: your most recent chat).", show_default=False),
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="First day to include (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day to include (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (schema fonder.report/1).")] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the report as one self-contained HTML page (works offline, on a phone).", show_default=False),
    ] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="With --html or --json: replace names and message text, to share it.")
    ] = False,
) -> None:
    """Read the dynamics of a chat: does he miss you, is he pulling away, is it mutual."""
    if redact and not (html or as_json):
        raise UsageError(M.CLI_REDACT_ALONE)
    with _working(M.CLI_WORKING_REPORT):
        doc = api.report_for(
            chat,
            db=state.db,
            since=_day(since, "--since"),
            until=_day(until, "--until"),
        )
    shown = redact_doc(doc) if redact else doc
    if html is not None:
        try:
            html.write_text(render_html(shown), encoding="utf-8")
        except OSError as exc:
            raise UsageError(M.CLI_PAGE_UNWRITABLE.format(reason=exc.strerror, path=html)) from None
    if as_json:
        _print_json(shown)
    elif html is not None:
        out.print((M.CLI_WROTE_HTML_REDACTED if redact else M.CLI_WROTE_HTML).format(path=html), markup=False)
    else:
        terminal.print_report(out, doc)


@app.command("plan")
@friendly
def plan_(
    chat: Annotated[
        str | None,
        typer.Argument(help="The chat: their name or the chat id (default: your most recent chat).", show_default=False),
    ] = None,
    interests: Annotated[
        str | None,
        typer.Option("--interests", help="Things you love doing, comma-separated (e.g. \"pottery, running\").", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Your next seven days: give space where it helps, fill your own week, try something new together."""
    wanted = [i.strip() for i in (interests or "").split(",") if i.strip()]
    with _working(M.CLI_WORKING_PLAN):
        doc = api.plan_for(chat, db=state.db, interests=wanted)
    if as_json:
        _print_json(doc)
    else:
        terminal.print_plan(out, doc)


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(M.CLI_BAD_TIME.format(value=value)) from None


@app.command("check")
@friendly
def check_(
    draft: Annotated[str, typer.Argument(help="The message you are about to send.", show_default=False)],
    chat: Annotated[
        str | None, typer.Option("--chat", help="The chat it is for (default: your most recent chat).", show_default=False)
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Check as if it were this time (YYYY-MM-DDTHH:MM, the chat's zone unless an offset is given).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Should I send this? Exit code 0 means send, 3 wait, 4 rethink."""
    with _working(M.CLI_WORKING_CHECK):
        verdict = api.check(draft, chat, db=state.db, at=_moment(at))
    code = verdict.pop("exit_code")
    if as_json:
        _print_json(verdict)
    else:
        terminal.print_check(out, draft, verdict)
    raise typer.Exit(code)


@app.command("link")
@friendly
def link_(
    chats: Annotated[
        list[str],
        typer.Argument(help="Two or more chats with the same person (ids or names, see fonder chats).", show_default=False),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the joined timeline as JSON.")] = False,
) -> None:
    """Join your chats with one person across platforms into one timeline."""
    doc = api.link(chats, db=state.db)
    if as_json:
        _print_json(doc)
        return
    names = ", ".join(M.CLI_LINKED_CHAT.format(platform=c["platform"], messages=c["messages"]) for c in doc["chats"])
    out.print(M.CLI_LINKED.format(chats=names), markup=False)


@app.command("unlink")
@friendly
def unlink_(chat: Annotated[str, typer.Argument(help="The chat to take out of its joined timeline.", show_default=False)]) -> None:
    """Take a chat back out of a joined timeline."""
    rest = api.unlink(chat, db=state.db)
    out.print(M.CLI_UNLINKED if rest else M.CLI_NOT_LINKED, markup=False)


@app.command("export")
@friendly
def export_(
    output: Annotated[Path, typer.Argument(help="The file to write: .parquet, .csv or .sqlite.", show_default=False)],
    chat: Annotated[
        str | None, typer.Option("--chat", help="The chat (default: your most recent chat).", show_default=False)
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="parquet, csv or sqlite (default: from the file's ending).", show_default=False)
    ] = None,
) -> None:
    """Write a chat's messages as Parquet, CSV or SQLite, to open in your own tools."""
    rows = api.export(chat, output, fmt=fmt, db=state.db)
    out.print(M.CLI_EXPORTED.format(rows=rows, path=output), markup=False)


@app.command("forget")
@friendly
def forget_(
    chat: Annotated[str, typer.Argument(help="The chat to remove: their name or the chat id.", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a chat and everything fonder derived from it."""
    if not yes:
        if not _interactive():
            raise UsageError(M.CLI_FORGET_NEEDS_YES.format(chat=chat))
        found = api.chats(db=state.db)
        label = next(
            (
                M.CLI_FORGET_LABEL.format(them=c.them, messages=c.messages)
                for c in found
                if c.chat_id == chat or c.them == chat
            ),
            chat,
        )
        if not typer.confirm(M.CLI_FORGET_CONFIRM.format(label=label), err=True):
            err.print(M.CLI_FORGET_KEPT)
            raise typer.Exit(1)
    info, removed = api.forget(chat, db=state.db)
    out.print(M.CLI_FORGOT.format(name=info.them or info.chat_id, rows=removed), markup=False)


@app.command("imports")
@friendly
def imports_(
    chat: Annotated[str | None, typer.Argument(help="Only this chat's imports.", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show the ledger of imports: which file, when, how many messages were new."""
    rows = api.ledger(chat, db=state.db)
    if as_json:
        _print_json({"imports": [{**r, "imported_at": api.iso(r["imported_at"]), "details": orjson.loads(r["details"])} for r in rows]})
        return
    terminal.print_ledger(out, rows)


@app.command("tone")
@friendly
def tone_(
    text: Annotated[str | None, typer.Argument(help="A message to label.", show_default=False)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Read one message per line from standard input; print JSON lines.")
    ] = False,
) -> None:
    """Show the tone labels fonder finds in a message, with the words that triggered them."""
    if as_json:
        lines = [text] if text is not None else sys.stdin.read().splitlines()
        for row in api.tone_of(lines):
            sys.stdout.write(orjson.dumps(row).decode() + "\n")
        return
    if text is None:
        raise UsageError(M.CLI_TONE_NEEDS_TEXT)
    terminal.print_tone(out, api.tone_of([text])[0])


_DEMO_ME = "Maya"
_DEMO_TZ = "Europe/London"
_DEMO_DRAFT = M.DEMO_DRAFT
_DEMO_CHECK_AT = "2026-10-29T23:40"


@app.command("serve")
@friendly
def serve_(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (default: any free one).")] = 0,
    host: Annotated[
        str, typer.Option("--host", help="Loopback address to bind; fonder refuses any other.")
    ] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open the browser.")] = False,
) -> None:
    """Open fonder in your browser: a local page on this computer only, nothing leaves it."""
    from .web import serve

    try:
        serve(
            state.db,
            host=host,
            port=port,
            open_browser=not no_browser,
            on_ready=lambda line: out.print(line, markup=False, soft_wrap=True),
        )
    except KeyboardInterrupt:
        err.print(M.CLI_SERVE_STOPPED)


@app.command("demo")
@friendly
def demo_(
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the demo export and store in this folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run fonder end to end on a made-up couple (a throw-away store; your data is untouched)."""
    with tempfile.TemporaryDirectory(prefix="fonder-demo-") as tmp:
        folder = Path(keep) if keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        export = api.demo_export(folder)
        db = folder / "demo.duckdb"
        if not as_json:
            out.print(M.CLI_DEMO_WRITTEN.format(name=export.name), markup=False)
            out.print(M.CLI_DEMO_IMPORT.format(name=export.name, me=_DEMO_ME, tz=_DEMO_TZ), markup=False)
        result = api.import_path(export, db=db, me=_DEMO_ME, tz=_DEMO_TZ)
        if not as_json:
            for c in result.chats:
                terminal.print_imported(out, c)
            out.print(M.CLI_DEMO_REPORT, markup=False)
        doc = api.report_for(db=db)
        if as_json:
            _print_json(doc)
            return
        terminal.print_report(out, doc)
        page = folder / "report.html"
        page.write_text(render_html(doc), encoding="utf-8")
        out.print(M.CLI_DEMO_HTML, markup=False)
        if keep:
            out.print(M.CLI_DEMO_HTML_KEPT.format(path=page), markup=False)
        out.print(M.CLI_DEMO_PLAN, markup=False)
        terminal.print_plan(out, api.plan_for(db=db))
        # A fixed moment: 75 minutes after her last, unanswered message of the storyline.
        at = datetime.fromisoformat(_DEMO_CHECK_AT)
        out.print(M.CLI_DEMO_CHECK.format(draft=_DEMO_DRAFT, at=_DEMO_CHECK_AT), markup=False)
        verdict = api.check(_DEMO_DRAFT, db=db, at=at)
        verdict.pop("exit_code")
        terminal.print_check(out, _DEMO_DRAFT, verdict)
        if keep:
            out.print(M.CLI_DEMO_KEPT.format(db=db), markup=False)


def main() -> None:
    """Entry point of the ``fonder`` console script."""
    app()


if __name__ == "__main__":
    main()
