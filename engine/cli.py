"""The ``tintype`` command line: ``colorize``, ``models``, ``inspect``."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import warnings
from pathlib import Path

from engine import __version__
from engine.errors import TintypeError
from engine.formats import FORMAT_CHOICES
from engine.photos import find_photos
from engine.pipeline import Pipeline, SaveOptions, run_batch
from engine.providers import (
    PROVIDER_CHOICES,
    available_providers,
    cuda_compiled_in,
    cuda_usable,
    provider_label,
)
from engine.rasters import DEFAULT_MAX_PIXELS
from engine.registry import ModelRegistry, default_model_dirs
from engine.saving import ensure_output_folder
from engine.stamp import read_exif_text, read_stamp
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
    col.add_argument("--model", action="append", metavar="ID",
                     help="model to use: any loaded model id, or all (repeatable; default all; see 'tintype models')")
    col.add_argument("--provider", choices=PROVIDER_CHOICES, default="auto")
    col.add_argument("--format", choices=FORMAT_CHOICES, default="same", help="output format (default: the input's)")
    col.add_argument("--overwrite", action="store_true",
                     help="replace existing output files (without it, photos whose results exist are skipped)")
    col.add_argument("--no-exif", action="store_true", help="do not copy the original EXIF and XMP")
    col.add_argument("--quality", type=_quality, metavar="1-100",
                     help="JPEG and WebP quality (default: 95 for JPEG, 90 for WebP)")
    col.add_argument("--max-megapixels", type=_megapixels, default=DEFAULT_MAX_PIXELS / 1e6, metavar="MP",
                     help=f"refuse photos with more pixels than this (default {DEFAULT_MAX_PIXELS / 1e6:g})")
    col.set_defaults(func=cmd_colorize)

    mod = sub.add_parser("models", help="list the models and providers")
    mod.add_argument("--provider", choices=PROVIDER_CHOICES, default="auto")
    mod.set_defaults(func=cmd_models)

    ins = sub.add_parser("inspect", help="print the colorized stamp of a saved file")
    ins.add_argument("file", type=Path)
    ins.set_defaults(func=cmd_inspect)
    return parser


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
    try:
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
    inputs = find_photos(args.paths)
    if not inputs:
        _err("no images found")
        return 2
    output = SaveOptions(folder=args.output, format=args.format, overwrite=args.overwrite, keep_exif=not args.no_exif,
                         quality=args.quality)
    bar = _ProgressBar(len(inputs))

    def failed(_path: Path, reason: str) -> None:
        bar.clear()
        _err(f"failed: {reason}")

    pipeline = Pipeline(models=tuple(models), output=output, max_pixels=round(args.max_megapixels * 1e6))
    summary = run_batch(pipeline, inputs, on_photo=lambda index, path: bar.show(index, path.name), on_failure=failed,
                        on_skip=lambda path: log.info("skipped %s: its results exist", path))
    bar.clear()
    skipped = f", {summary.skipped} skipped: results exist, --overwrite redoes them" if summary.skipped else ""
    _say(
        f"{summary.done} of {summary.photos} photos colorized with {', '.join(m.model_id for m in models)} "
        f"({summary.written} files written, {summary.failed} failed{skipped}) in {summary.seconds:.1f}s "
        f"on {models[0].provider_label}"
    )
    return 0 if summary.failed == 0 else 1


def cmd_models(args: argparse.Namespace) -> int:
    registry = _registry(args)
    usable = [p for p in available_providers() if provider_label(p) != "CUDA" or cuda_usable()]
    note = " (CUDA is installed but not usable here: libraries or GPU missing)" if cuda_compiled_in() and not cuda_usable() else ""
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
        stamp = read_stamp(args.file)
        exif_text = read_exif_text(args.file)
    except TintypeError as exc:
        _err(str(exc))
        return 1
    _say(f"{args.file}: colorized by Tintype (IPTC digital source type: trained algorithmic media)")
    for name, value in vars(stamp).items():
        _say(f"  {name:14s}{printable(str(value))}")
    for name, value in exif_text.items():
        _say(f"  exif {name}: {printable(value)}")
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
