"""The ``tintype`` command line: ``colorize``, ``restore``, ``models``, ``inspect``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import re
import sys
import warnings
from pathlib import Path

from engine import __version__
from engine.adjust import ColorControls, load_hints
from engine.batch import BatchSummary, run_batch
from engine.errors import HintsError, TintypeError
from engine.formats import FORMAT_CHOICES
from engine.images import load_image
from engine.photos import find_photos
from engine.pipeline import Pipeline, SaveOptions
from engine.providers import (
    PROVIDER_CHOICES,
    available_providers,
    cuda_compiled_in,
    cuda_usable,
    provider_label,
)
from engine.rasters import DEFAULT_MAX_PIXELS
from engine.registry import ModelRegistry, default_model_dirs
from engine.restore import DustSettings, FadeSettings, GrainSettings, RestoreSettings
from engine.saving import ensure_output_folder
from engine.stamp import RestoreStamp, read_any_stamp, read_exif_text
from engine.steps import ColorAdjustment, Restoration
from engine.text import printable

log = logging.getLogger("tintype")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code == 2:
            _hint_dashed_names(sys.argv[1:] if argv is None else argv)
        raise
    handler = logging.StreamHandler()
    handler.setFormatter(_SafeFormatter("tintype: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler])
    warnings.showwarning = _show_warning
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (``tintype inspect FILE | head``): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _say(text: str) -> None:
    """One line (or several) on stdout, every piece of outside text made printable."""
    print(_safe(text))


def _err(text: str) -> None:
    print(_safe(f"tintype: {text}"), file=sys.stderr)


def _safe(text: str) -> str:
    """``text`` with control characters escaped line by line (file names and model metadata can hold
    terminal escape sequences)."""
    return "\n".join(printable(line) for line in text.split("\n"))


class _SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _safe(super().format(record))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A decoder's warning (corrupt EXIF, truncated read) in one line with -v: the photo's own error
    line, if it fails, says what matters."""
    log.debug("%s: %s", category.__name__, message)


def _hint_dashed_names(argv: list[str]) -> None:
    """After argparse's error: a file name that starts with '-' was read as an option; say how to name it."""
    if "--" in argv:
        argv = argv[: argv.index("--")]
    names = [a for a in argv if re.match(r"-[^-]", a) and ("." in a or "/" in a or os.sep in a)]
    for name in names:
        _err(f"'{name}' was read as an option; to name a file that starts with '-', write ./{name} or put -- before it")


def _quality(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"quality must be 1..100, not {value}")
    return value


def _megapixels(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the limit must be a positive number of megapixels, not {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tintype", description="Bring color back to black-and-white photos.")
    parser.add_argument("--version", action="version", version=f"tintype {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    parser.add_argument("--models-dir", type=Path, action="append", help="look for models here (repeatable)")
    sub = parser.add_subparsers(dest="command")

    col = sub.add_parser("colorize", help="colorize photos (files or folders, recursive)")
    col.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    col.add_argument("-o", "--output", type=Path, help="output folder (default: next to each photo)")
    col.add_argument(
        "--model",
        action="append",
        metavar="ID",
        help="model to use: any loaded model id, or all (repeatable; default all; see 'tintype models')",
    )
    col.add_argument("--provider", choices=PROVIDER_CHOICES, default="auto")
    col.add_argument("--format", choices=FORMAT_CHOICES, default="same", help="output format (default: the input's)")
    _output_flags(col)
    col.add_argument("--restore", action="store_true", help="restore the photo first (see 'tintype restore')")
    _restore_flags(col, "with --restore: ")
    col.add_argument(
        "--hints",
        type=Path,
        metavar="FILE",
        help='color hints for one photo: JSON {"points": [{"x": 412, "y": 133, "color": "#b5402a"}]}',
    )
    col.add_argument(
        "--strength", type=float, default=1.0, help="color strength, 0 (gray) to 2 (twice as saturated); default 1"
    )
    col.add_argument("--warmth", type=float, default=0.0, help="warmth, -1 (bluer) to 1 (yellower); default 0")
    col.set_defaults(func=cmd_colorize)

    res = sub.add_parser("restore", help="remove dust, scratches and grain (files or folders, recursive)")
    res.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    res.add_argument("-o", "--output", type=Path, help="output folder (default: next to each photo)")
    res.add_argument("--format", choices=FORMAT_CHOICES, default="same", help="output format (default: the input's)")
    _output_flags(res)
    _restore_flags(res, "")
    res.set_defaults(func=cmd_restore)

    mod = sub.add_parser("models", help="list the models and providers")
    mod.add_argument("--provider", choices=PROVIDER_CHOICES, default="auto")
    mod.set_defaults(func=cmd_models)

    ins = sub.add_parser("inspect", help="print the stamp of a saved file (colorized or restored)")
    ins.add_argument("file", type=Path)
    ins.set_defaults(func=cmd_inspect)
    return parser


def _output_flags(parser: argparse.ArgumentParser) -> None:
    """What colorize and restore share about the files they read and write."""
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace existing output files (without it, photos whose results exist are skipped)",
    )
    parser.add_argument("--no-exif", action="store_true", help="do not copy the original EXIF and XMP")
    parser.add_argument(
        "--quality", type=_quality, metavar="1-100", help="JPEG and WebP quality (default: 95 for JPEG, 90 for WebP)"
    )
    parser.add_argument(
        "--max-megapixels",
        type=_megapixels,
        default=DEFAULT_MAX_PIXELS / 1e6,
        metavar="MP",
        help=f"refuse photos with more pixels than this (default {DEFAULT_MAX_PIXELS / 1e6:g})",
    )


def _restore_flags(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument("--no-dust", action="store_true", help=f"{prefix}leave dust specks and scratches")
    parser.add_argument("--no-grain", action="store_true", help=f"{prefix}leave film grain and noise")
    parser.add_argument("--fade", action="store_true", help=f"{prefix}also repair faded contrast (off by default)")


def _restoration(args: argparse.Namespace) -> Restoration:
    return Restoration(
        RestoreSettings(
            dust=DustSettings(enabled=not args.no_dust),
            grain=GrainSettings(enabled=not args.no_grain),
            fade=FadeSettings(enabled=args.fade),
        )
    )


def _registry(args: argparse.Namespace) -> ModelRegistry:
    folders = args.models_dir if args.models_dir else default_model_dirs()
    registry = ModelRegistry.discover(folders, provider=args.provider)
    for failure in registry.failures:
        _err(f"skipped model {failure}")
    for pair in registry.shadowed:
        _err(str(pair))
    return registry


def _no_models(registry: ModelRegistry, folders: list[Path]) -> str:
    if registry.failures:
        return f"no usable models: {len(registry.failures)} refused (reasons above)"
    return "no models found in: " + ", ".join(str(f) for f in folders)


def cmd_colorize(args: argparse.Namespace) -> int:
    if not args.restore and (args.no_dust or args.no_grain or args.fade):
        _err("--no-dust, --no-grain and --fade go with --restore")
        return 2
    inputs = find_photos(args.paths)
    try:
        adjust = _color_adjustment(args, inputs)
        if args.output is not None:
            ensure_output_folder(args.output)
        registry = _registry(args)
        models = registry.select(args.model)
    except TintypeError as exc:
        _err(str(exc))
        return 2
    if not models:
        _err(_no_models(registry, args.models_dir or default_model_dirs()) + " (see 'tintype models')")
        return 2
    if not inputs:
        _err("no images found")
        return 2
    pipeline = Pipeline(
        models=tuple(models),
        restore=(_restoration(args),) if args.restore else (),
        adjust=() if adjust.neutral else (adjust,),
        output=_save_options(args),
        max_pixels=_max_pixels(args),
    )
    summary = _run(pipeline, inputs)
    _say(
        f"{summary.done} of {summary.photos} photos colorized with {', '.join(m.model_id for m in models)} "
        f"({summary.written} files written, {summary.failed} failed{_skipped(summary)}) in {summary.seconds:.1f}s "
        f"on {models[0].provider_label}"
    )
    return 0 if summary.failed == 0 else 1


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        if args.output is not None:
            ensure_output_folder(args.output)
    except TintypeError as exc:
        _err(str(exc))
        return 2
    inputs = find_photos(args.paths)
    if not inputs:
        _err("no images found")
        return 2
    pipeline = Pipeline(
        models=(),
        restore=(_restoration(args),),
        output=_save_options(args),
        keep_restored=True,
        max_pixels=_max_pixels(args),
    )
    summary = _run(pipeline, inputs)
    _say(
        f"{summary.done} of {summary.photos} photos restored ({summary.written} files written, "
        f"{summary.failed} failed{_skipped(summary)}) in {summary.seconds:.1f}s"
    )
    return 0 if summary.failed == 0 else 1


def _color_adjustment(args: argparse.Namespace, inputs: list[Path]) -> ColorAdjustment:
    """--strength, --warmth and --hints, checked (the hints against the photo's size) before anything
    is written: :class:`~engine.errors.HintsError` says what is wrong."""
    controls = ColorControls(strength=args.strength, warmth=args.warmth)
    if args.hints is None or not inputs:
        return ColorAdjustment(controls=controls)
    if len(inputs) != 1:
        raise HintsError(f"--hints is for one photo (its points are pixels of that photo), not {len(inputs)} photos")
    size = load_image(inputs[0], max_pixels=_max_pixels(args)).size
    return ColorAdjustment(hints=load_hints(args.hints, size=size), controls=controls)


def _save_options(args: argparse.Namespace) -> SaveOptions:
    return SaveOptions(
        folder=args.output,
        format=args.format,
        overwrite=args.overwrite,
        keep_exif=not args.no_exif,
        quality=args.quality,
    )


def _max_pixels(args: argparse.Namespace) -> int:
    return round(args.max_megapixels * 1e6)


def _run(pipeline: Pipeline, inputs: list[Path]) -> BatchSummary:
    """The batch with a progress bar and one line per failure."""
    bar = _ProgressBar(len(inputs))

    def failed(_path: Path, reason: str) -> None:
        bar.clear()
        _err(f"failed: {reason}")

    summary = run_batch(
        pipeline,
        inputs,
        on_photo=lambda index, path: bar.show(index, path.name),
        on_failure=failed,
        on_skip=lambda path: log.info("skipped %s: its results exist", path),
    )
    bar.clear()
    return summary


def _skipped(summary: BatchSummary) -> str:
    return f", {summary.skipped} skipped: results exist, --overwrite redoes them" if summary.skipped else ""


def cmd_models(args: argparse.Namespace) -> int:
    registry = _registry(args)
    usable = [p for p in available_providers() if provider_label(p) != "CUDA" or cuda_usable()]
    note = (
        " (CUDA is installed but not usable here: libraries or GPU missing)"
        if cuda_compiled_in() and not cuda_usable()
        else ""
    )
    _say(f"providers available: {', '.join(provider_label(p) for p in usable)}{note}")
    if not registry.models:
        _say(_no_models(registry, args.models_dir or default_model_dirs()))
    for model in registry.models:
        c = model.contract
        _say(f"\n{c.model_id}: {c.display_name} (version {c.model_version})")
        _say(f"  file        {model.path}")
        _say(f"  input       {c.input} {c.input_size}x{c.input_size}, {c.input_normalization}")
        _say(f"  output      {c.output}")
        _say(f"  trained on  {c.training_data}")
        _say(f"  provider    {model.provider_label}")
    return 0 if registry.models and not registry.failures else 1


def cmd_inspect(args: argparse.Namespace) -> int:
    try:
        stamp = read_any_stamp(args.file)
        exif_text = read_exif_text(args.file)
    except TintypeError as exc:
        _err(str(exc))
        return 1
    if isinstance(stamp, RestoreStamp):
        _say(f"{args.file}: restored by Tintype (IPTC digital source type: algorithmically enhanced)")
    else:
        _say(f"{args.file}: colorized by Tintype (IPTC digital source type: trained algorithmic media)")
    for field in dataclasses.fields(stamp):
        if field.name != "edits":
            _say(f"  {field.name:14s}{getattr(stamp, field.name)}")
    edits = stamp.edits
    if edits.restore or isinstance(stamp, RestoreStamp):
        _say(f"  {'restored':14s}{', '.join(edits.restore) or 'nothing (no damage found)'}")
    if edits.color_edited:
        _say(f"  {'strength':14s}{edits.controls.strength:g}")
        _say(f"  {'warmth':14s}{edits.controls.warmth:+g}")
        _say(f"  {'hints':14s}{len(edits.hints)} point{'' if len(edits.hints) == 1 else 's'}")
        for hint in edits.hints:
            _say(
                f"    x={hint.x:g} y={hint.y:g} color={hint.hex}" + (f" radius={hint.radius:g}" if hint.radius else "")
            )
    for name, value in exif_text.items():
        _say(f"  exif {name}: {value}")
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
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {index}/{self.total} {printable(name)[:40]:40s}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.active:
            sys.stderr.write("\r" + " " * 80 + "\r")
            sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
