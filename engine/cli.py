"""The ``tintype`` command line: ``colorize``, ``restore``, ``models``, ``inspect``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

from engine import __version__
from engine.adjust import ColorControls, load_hints
from engine.errors import HintsError, TintypeError
from engine.formats import FORMAT_CHOICES
from engine.images import load_image
from engine.photos import find_photos
from engine.pipeline import Pipeline, SaveOptions, run_batch
from engine.providers import PROVIDER_CHOICES, available_providers, provider_label
from engine.registry import ModelRegistry, default_model_dirs
from engine.restore import DustSettings, FadeSettings, GrainSettings, RestoreSettings
from engine.saving import ensure_output_folder
from engine.stamp import RestoreStamp, read_any_stamp, read_exif_text
from engine.steps import ColorAdjustment, Restoration

log = logging.getLogger("tintype")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="tintype: %(message)s")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("tintype: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tintype", description="Bring color back to black-and-white photos.")
    parser.add_argument("--version", action="version", version=f"tintype {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    parser.add_argument("--models-dir", type=Path, action="append", help="look for models here (repeatable)")
    sub = parser.add_subparsers(dest="command")

    col = sub.add_parser("colorize", help="colorize photos (files or folders, recursive)")
    col.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    col.add_argument("-o", "--output", type=Path, help="output folder (default: next to each photo)")
    col.add_argument("--model", action="append", metavar="ID",
                     help="model to use: any loaded model id, or all (repeatable; default all; see 'tintype models')")
    col.add_argument("--provider", choices=PROVIDER_CHOICES, default="auto")
    col.add_argument("--format", choices=FORMAT_CHOICES, default="same", help="output format (default: the input's)")
    col.add_argument("--overwrite", action="store_true", help="replace existing output files")
    col.add_argument("--no-exif", action="store_true", help="do not copy the original EXIF")
    col.add_argument("--restore", action="store_true", help="restore the photo first (see 'tintype restore')")
    _restore_flags(col, "with --restore: ")
    col.add_argument("--hints", type=Path, metavar="FILE",
                     help='color hints for one photo: JSON {"points": [{"x": 412, "y": 133, "color": "#b5402a"}]}')
    col.add_argument("--strength", type=float, default=1.0,
                     help="color strength, 0 (gray) to 2 (twice as saturated); default 1")
    col.add_argument("--warmth", type=float, default=0.0, help="warmth, -1 (bluer) to 1 (yellower); default 0")
    col.set_defaults(func=cmd_colorize)

    res = sub.add_parser("restore", help="remove dust, scratches and grain (files or folders, recursive)")
    res.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    res.add_argument("-o", "--output", type=Path, help="output folder (default: next to each photo)")
    res.add_argument("--format", choices=FORMAT_CHOICES, default="same", help="output format (default: the input's)")
    res.add_argument("--overwrite", action="store_true", help="replace existing output files")
    res.add_argument("--no-exif", action="store_true", help="do not copy the original EXIF")
    _restore_flags(res, "")
    res.set_defaults(func=cmd_restore)

    mod = sub.add_parser("models", help="list the models and providers")
    mod.add_argument("--provider", choices=PROVIDER_CHOICES, default="auto")
    mod.set_defaults(func=cmd_models)

    ins = sub.add_parser("inspect", help="print the stamp of a saved file (colorized or restored)")
    ins.add_argument("file", type=Path)
    ins.set_defaults(func=cmd_inspect)
    return parser


def _restore_flags(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument("--no-dust", action="store_true", help=f"{prefix}leave dust specks and scratches")
    parser.add_argument("--no-grain", action="store_true", help=f"{prefix}leave film grain and noise")
    parser.add_argument("--fade", action="store_true", help=f"{prefix}also repair faded contrast (off by default)")


def _restoration(args: argparse.Namespace) -> Restoration:
    return Restoration(RestoreSettings(dust=DustSettings(enabled=not args.no_dust),
                                       grain=GrainSettings(enabled=not args.no_grain),
                                       fade=FadeSettings(enabled=args.fade)))


def _registry(args: argparse.Namespace) -> ModelRegistry:
    folders = args.models_dir if args.models_dir else default_model_dirs()
    registry = ModelRegistry.discover(folders, provider=args.provider)
    for failure in registry.failures:
        print(f"tintype: skipped model {failure}", file=sys.stderr)
    return registry


def cmd_colorize(args: argparse.Namespace) -> int:
    if not args.restore and (args.no_dust or args.no_grain or args.fade):
        print("tintype: --no-dust, --no-grain and --fade go with --restore", file=sys.stderr)
        return 2
    inputs = find_photos(args.paths)
    try:
        adjust = _color_adjustment(args, inputs)
        if args.output is not None:
            ensure_output_folder(args.output)
        models = _registry(args).select(args.model)
    except TintypeError as exc:
        print(f"tintype: {exc}", file=sys.stderr)
        return 2
    if not models:
        print("tintype: no usable models found (see 'tintype models')", file=sys.stderr)
        return 2
    if not inputs:
        print("tintype: no images found", file=sys.stderr)
        return 2
    pipeline = Pipeline(models=tuple(models), restore=(_restoration(args),) if args.restore else (),
                        adjust=() if adjust.neutral else (adjust,), output=_save_options(args))
    summary = _run(pipeline, inputs)
    print(
        f"{summary.done} of {summary.photos} photos colorized with {', '.join(m.model_id for m in models)} "
        f"({summary.written} files written, {summary.failed} failed) in {summary.seconds:.1f}s "
        f"on {models[0].provider_label}"
    )
    return 0 if summary.failed == 0 else 1


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        if args.output is not None:
            ensure_output_folder(args.output)
    except TintypeError as exc:
        print(f"tintype: {exc}", file=sys.stderr)
        return 2
    inputs = find_photos(args.paths)
    if not inputs:
        print("tintype: no images found", file=sys.stderr)
        return 2
    pipeline = Pipeline(models=(), restore=(_restoration(args),), output=_save_options(args), keep_restored=True)
    summary = _run(pipeline, inputs)
    print(f"{summary.done} of {summary.photos} photos restored ({summary.written} files written, "
          f"{summary.failed} failed) in {summary.seconds:.1f}s")
    return 0 if summary.failed == 0 else 1


def _color_adjustment(args: argparse.Namespace, inputs: list[Path]) -> ColorAdjustment:
    """--strength, --warmth and --hints, checked (the hints against the photo's size) before anything
    is written: :class:`~engine.errors.HintsError` says what is wrong."""
    controls = ColorControls(strength=args.strength, warmth=args.warmth)
    if args.hints is None or not inputs:
        return ColorAdjustment(controls=controls)
    if len(inputs) != 1:
        raise HintsError(f"--hints is for one photo (its points are pixels of that photo), not {len(inputs)} photos")
    return ColorAdjustment(hints=load_hints(args.hints, size=load_image(inputs[0]).size), controls=controls)


def _save_options(args: argparse.Namespace) -> SaveOptions:
    return SaveOptions(folder=args.output, format=args.format, overwrite=args.overwrite, keep_exif=not args.no_exif)


def _run(pipeline: Pipeline, inputs: list[Path]):
    """The batch with a progress bar and one line per failure."""
    bar = _ProgressBar(len(inputs))

    def failed(_path: Path, reason: str) -> None:
        bar.clear()
        print(f"tintype: failed: {reason}", file=sys.stderr)

    summary = run_batch(pipeline, inputs, on_photo=lambda index, path: bar.show(index, path.name), on_failure=failed)
    bar.clear()
    return summary


def cmd_models(args: argparse.Namespace) -> int:
    registry = _registry(args)
    print(f"providers available: {', '.join(provider_label(p) for p in available_providers())}")
    if not registry.models:
        print("no models found in: " + ", ".join(str(f) for f in (args.models_dir or default_model_dirs())))
    for model in registry.models:
        c = model.contract
        print(f"\n{c.model_id}: {c.display_name} (version {c.model_version})")
        print(f"  file        {model.path}")
        print(f"  input       {c.input} {c.input_size}x{c.input_size}, {c.input_normalization}")
        print(f"  output      {c.output}")
        print(f"  trained on  {c.training_data}")
        print(f"  provider    {model.provider_label}")
    return 0 if registry.models and not registry.failures else 1


def cmd_inspect(args: argparse.Namespace) -> int:
    try:
        stamp = read_any_stamp(args.file)
    except TintypeError as exc:
        print(f"tintype: {exc}", file=sys.stderr)
        return 1
    if isinstance(stamp, RestoreStamp):
        print(f"{args.file}: restored by Tintype (IPTC digital source type: algorithmically enhanced)")
    else:
        print(f"{args.file}: colorized by Tintype (IPTC digital source type: trained algorithmic media)")
    for field in dataclasses.fields(stamp):
        if field.name != "edits":
            print(f"  {field.name:14s}{getattr(stamp, field.name)}")
    edits = stamp.edits
    if edits.restore or isinstance(stamp, RestoreStamp):
        print(f"  {'restored':14s}{', '.join(edits.restore) or 'nothing (no damage found)'}")
    if edits.color_edited:
        print(f"  {'strength':14s}{edits.controls.strength:g}")
        print(f"  {'warmth':14s}{edits.controls.warmth:+g}")
        print(f"  {'hints':14s}{len(edits.hints)} point{'' if len(edits.hints) == 1 else 's'}")
        for hint in edits.hints:
            print(f"    x={hint.x:g} y={hint.y:g} color={hint.hex}" + (f" radius={hint.radius:g}" if hint.radius else ""))
    for name, value in read_exif_text(args.file).items():
        print(f"  exif {name}: {value}")
    return 0


class _ProgressBar:
    """A one-line progress bar on stderr, shown only on a terminal and only for several files."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.active = total > 1 and sys.stderr.isatty()

    def show(self, index: int, name: str) -> None:
        if not self.active:
            return
        width = 30
        filled = int(width * index / self.total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {index}/{self.total} {name[:40]:40s}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.active:
            sys.stderr.write("\r" + " " * 80 + "\r")
            sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
