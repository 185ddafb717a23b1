"""One exception tree for everything fonder reports to a person.

::

    FonderError                     anything fonder can explain in one sentence
    ├── UsageError                  the command was asked for something it cannot do (exit 2)
    │   ├── ChatNotFound            no stored chat matches what was named
    │   ├── MeUnknown               who "me" is could not be settled
    │   └── DateOrderUnknown        a file's dates could be read day-first or month-first
    ├── InputError                  the data given to fonder is not usable (exit 1)
    │   ├── FormatError             fonder cannot tell what a file is
    │   │   ├── UnknownFormat       no importer recognises it
    │   │   └── AmbiguousFormat     more than one importer claims it
    │   ├── ParseError              the file is recognised but broken at a position
    │   ├── ArchiveError            a zip is corrupt, empty of chats, or hostile
    │   └── GroupChatError          a group chat where a pair was expected (exit 2: --with)
    └── StoreError                  the store cannot be opened or written (exit 1)
        └── StoreLocked             another process holds the store

Anything else that escapes is a bug: the CLI names its type only (never its text) and shows
the traceback with ``--debug``.

Every message is one sentence in three parts: what happened — where — what to do. Messages
never contain message text from a chat.
"""

from __future__ import annotations

from pathlib import Path


class FonderError(Exception):
    """Base of every error fonder explains to a person."""

    exit_code = 1


class UsageError(FonderError):
    """The request cannot be carried out as asked."""

    exit_code = 2


class ChatNotFound(UsageError):
    """No stored chat matches the name or id given."""


class MeUnknown(UsageError):
    """Which participant is "me" could not be decided."""

    def __init__(self, message: str, participants: list[str] | None = None) -> None:
        super().__init__(message)
        self.participants = participants or []


class DateOrderUnknown(UsageError):
    """A file's dates fit more than one day/month order and nothing in it decides."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class InputError(FonderError):
    """The file or data given is not usable."""


class FormatError(InputError):
    """fonder cannot tell what kind of export a file is."""


class UnknownFormat(FormatError):
    """No importer recognises the file."""


class AmbiguousFormat(FormatError):
    """More than one importer claims the file."""


class ParseError(InputError):
    """A recognised file is broken at a known position."""

    def __init__(self, path: Path | str, position: str, reason: str) -> None:
        self.path = Path(path)
        self.position = position
        self.reason = reason
        where = f"{self.path.name}, {position}" if position else self.path.name
        super().__init__(f"{reason} — in {where}")


class ArchiveError(InputError):
    """A zip archive is corrupt, holds no chat, or looks hostile."""


class GroupChatError(InputError):
    """A group chat was given where a one-to-one chat was expected."""

    exit_code = 2


class StoreError(FonderError):
    """The store cannot be opened, read or written."""


class StoreLocked(StoreError):
    """Another process holds the store open."""
