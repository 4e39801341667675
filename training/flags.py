"""Command-line flags derived from the config dataclasses, so that each default, type, choice list and
help text is written once, on its field in :mod:`training.config`.

A field becomes a flag when its metadata carries :func:`flag`: ``--field-name`` (``--no-field-name`` for
a bool that defaults to True), typed by its default, defaulting to the field's default.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_KEY = "tintype.flag"
_FIELD_DEFAULT = object()  # the flag defaults to the field's default


@dataclass(frozen=True)
class Flag:
    """How a config field appears on the command line.

    ``name`` overrides the flag's name; ``cli_default`` is what the flag's absence means on the command
    line where that is not the field's default (None: the preset's width; "": runs/<model>).
    """

    help: str | None = None
    name: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    cli_default: Any = _FIELD_DEFAULT


def flag(
    help: str | None = None,
    *,
    name: str = "",
    choices: Sequence[str] = (),
    required: bool = False,
    cli_default: Any = _FIELD_DEFAULT,
) -> dict:
    """Field metadata that makes a config field a command-line flag."""
    return {_KEY: Flag(help=help, name=name, choices=tuple(choices), required=required, cli_default=cli_default)}


def field_default(cls: type, name: str) -> Any:
    """The default of the dataclass field ``name`` of ``cls`` (for callers that must not restate it)."""
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    raise ValueError(f"{cls.__name__}.{name} has no default")


def flag_fields(cls: type) -> list[tuple[dataclasses.Field, Flag]]:
    """The fields of ``cls`` that are flags, in declaration order."""
    return [(f, f.metadata[_KEY]) for f in dataclasses.fields(cls) if _KEY in f.metadata]


def add_flags(
    parser: argparse.ArgumentParser, cls: type, *, only: Sequence[str] = (), skip: Sequence[str] = ()
) -> None:
    """Add the flags of ``cls``'s fields (``only`` those named, else all but ``skip``), in declaration order.
    Each flag's destination is the field's name."""
    for field, spec in flag_fields(cls):
        if (only and field.name not in only) or field.name in skip:
            continue
        default = field.default
        kwargs: dict[str, Any] = {"dest": field.name}
        if spec.help is not None:
            kwargs["help"] = spec.help
        if isinstance(default, bool):
            name = spec.name or ("--no-" if default else "--") + field.name.replace("_", "-")
            parser.add_argument(name, action="store_false" if default else "store_true", **kwargs)
            continue
        name = spec.name or "--" + field.name.replace("_", "-")
        if spec.choices:
            kwargs["choices"] = spec.choices
        if spec.required:
            kwargs["required"] = True
        else:
            kwargs["default"] = default if spec.cli_default is _FIELD_DEFAULT else spec.cli_default
        kwargs["type"] = type(default) if default is not dataclasses.MISSING and default is not None else str
        parser.add_argument(name, **kwargs)


def flag_values(cls: type, args: argparse.Namespace) -> dict[str, Any]:
    """The parsed values of ``cls``'s flags, by field name (those a parser lacks are left out)."""
    return {field.name: getattr(args, field.name) for field, _ in flag_fields(cls) if hasattr(args, field.name)}
