"""Choose the importer for a source by its content; ``--format`` overrides."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import AmbiguousFormat, UnknownFormat, UsageError
from .base import Importer, Source


def by_name(name: str, importers: Sequence[Importer]) -> Importer:
    """The importer called ``name``; a usage error listing the known names otherwise."""
    for imp in importers:
        if imp.name == name.lower():
            return imp
    known = ", ".join(sorted(i.name for i in importers))
    raise UsageError(f"There is no format called '{name}' — choose one of: {known}.")


def claimants(source: Source, importers: Sequence[Importer]) -> list[Importer]:
    """Every importer whose ``sniff`` recognises the source."""
    return [imp for imp in importers if imp.sniff(source)]


def describe_unknown(source: Source) -> str:
    """Why nothing recognised the source, in words a person understands."""
    head = source.head()
    if not head:
        return "The file is empty"
    if b"\x00" in head[:4096] and not head.startswith(b"SQLite format 3"):
        return "The file is binary, not a chat export"
    return "The file is not a chat export fonder recognises"


def choose(source: Source, importers: Sequence[Importer], fmt: str | None = None) -> Importer:
    """Exactly one importer for ``source``: the named one, or the single one that claims it."""
    if fmt:
        return by_name(fmt, importers)
    found = claimants(source, importers)
    if len(found) == 1:
        return found[0]
    if not found:
        supported = ", ".join(i.label for i in importers)
        raise UnknownFormat(
            f"{describe_unknown(source)} — {source.display} — export the chat again from the app "
            f"(fonder reads: {supported}), or name the format with --format."
        )
    names = " and ".join(i.name for i in found)
    raise AmbiguousFormat(
        f"The file could be read as {names} — {source.display} — choose one with "
        f"--format {found[0].name} (or --format {found[1].name})."
    )
