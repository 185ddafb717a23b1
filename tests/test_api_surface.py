"""The public API is what ``fonder/__init__.py`` says it is."""

from __future__ import annotations

import inspect

import fonder
from fonder import api


def test_all_names_exist_and_nothing_public_is_missing() -> None:
    for name in fonder.__all__:
        assert hasattr(fonder, name), f"fonder.__all__ names {name}, which does not exist"
    public = {
        name
        for name, obj in vars(api).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", "") == api.__name__
    }
    actions = {n for n in public if inspect.isfunction(getattr(api, n))} - {"iso", "demo_export"}
    assert actions <= set(fonder.__all__), f"library actions not exported: {actions - set(fonder.__all__)}"


def test_every_public_function_says_what_it_does() -> None:
    for name in fonder.__all__:
        obj = getattr(fonder, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"fonder.{name} has no docstring"
