"""All user-facing words live in one place: :mod:`fonder.coach.messages`.

The terminal renderer and the command line only arrange words taken from there: they hold no
English sentence of their own, except the ``--help`` texts and docstrings (which are help).
Same approach as the coach modules' check in ``test_coach.py``: parse the source with ``ast``
and look at every string constant.
"""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from fonder import cli
from fonder.coach import messages as M
from fonder.report import terminal

# Rich style and spinner names are not words a person reads.
STYLE_WORDS = frozenset({
    "bold", "dim", "italic", "underline", "reverse", "strike", "blink", "not", "on", "default",
    "red", "green", "yellow", "blue", "magenta", "cyan", "white", "black", "bright",
})
FIELD = re.compile(r"\{[^{}]*\}")
WORD = re.compile(r"(?<![\w-])[a-z]{3,}(?![\w-])")


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }


def _help_texts(tree: ast.AST) -> set[int]:
    """Every node inside a ``help=...`` argument."""
    return {
        id(sub)
        for n in ast.walk(tree)
        if isinstance(n, ast.keyword) and n.arg == "help"
        for sub in ast.walk(n.value)
    }


def _is_sentence(text: str) -> bool:
    """A phrase a person reads: a space and a lowercase word of 3+ letters (not a style name)."""
    bare = FIELD.sub(" ", text)
    if " " not in text:
        return False
    words = WORD.findall(bare)
    return any(w not in STYLE_WORDS for w in words)


def sentences_in(source: str) -> list[str]:
    tree = ast.parse(source)
    skip = _docstrings(tree) | _help_texts(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and _is_sentence(node.value)
    ]


@pytest.mark.parametrize("module", [terminal, cli], ids=lambda m: m.__name__)
def test_renderer_and_command_line_hold_no_sentences_of_their_own(module) -> None:
    found = sentences_in(inspect.getsource(module))
    assert not found, f"{module.__name__} has words of its own; move them to coach/messages.py: {found}"


def test_the_check_catches_a_sentence_and_lets_layout_pass() -> None:
    source = '''
"""A docstring may say anything at all."""
import typer

def f(x, err):
    """So may this one."""
    typer.Option("--json", help="Print the result as JSON.")
    err.print(f"Wrote the report to {x}.")
    err.print("Number", style="bold red")
    err.print(f"  · {x}", style="dim")
    err.print("  {}  [{}:{}]".format(x, 1, 2))
    return "%Y-%m-%d %H:%M"
'''
    assert sentences_in(source) == ["Wrote the report to "]
    assert sentences_in('x = "no labels"') == ["no labels"]
    assert sentences_in('x = "bold underline"') == []


def test_the_words_they_use_are_in_messages() -> None:
    for name in ("TERM_REPORT_TITLE", "TERM_PULL_YES", "CLI_ASK_ME", "CLI_FORGOT", "CLI_BUG",
                 "CLI_LINK_SUGGESTION", "CLI_STOPPED", "CLI_DATE_ORDER"):
        assert isinstance(getattr(M, name), str) and getattr(M, name)
    # every template of the two sections is used by the module it is written for
    used = inspect.getsource(terminal) + inspect.getsource(cli)
    for name in dir(M):
        if name.startswith(("TERM_", "CLI_")):
            assert f"M.{name}" in used, name


def test_terminal_helpers_read_as_before() -> None:
    assert terminal.duration(None) == "—"
    assert [terminal.duration(s) for s in (45, 720, 11100, 83160, 187200)] == [
        "45 s", "12 min", "3 h 5 min", "23 h 6 min", "2 d 4 h"
    ]
    assert terminal.percent(0.575) == "57%" and terminal.percent(None) == "—"
    assert terminal.day("2026-05-03T10:00:00") == "3 May 2026" and terminal.day(None) == "—"
