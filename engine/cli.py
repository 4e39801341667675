"""The ``tintype`` command line: ``colorize``, ``models``, ``inspect``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from engine import __version__
from engine.errors import TintypeError
from engine.formats import FORMAT_CHOICES
from engine.photos import find_photos
from engine.pipeline import Pipeline, SaveOptions, run_batch
from engine.providers import PROVIDER_CHOICES, available_providers, provider_label
from engine.registry import ModelRegistry, default_model_dirs
from engine.saving import ensure_output_folder
from engine.stamp import read_exif_text, read_stamp

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
        print(f"tintype: skipped model {failure}", file=sys.stderr)
    return registry


def cmd_colorize(args: argparse.Namespace) -> int:
    try:
        if args.output is not None:
            ensure_output_folder(args.output)
        models = _registry(args).select(args.model)
    except TintypeError as exc:
        print(f"tintype: {exc}", file=sys.stderr)
        return 2
    if not models:
        print("tintype: no usable models found (see 'tintype models')", file=sys.stderr)
        return 2
    inputs = find_photos(args.paths)
    if not inputs:
        print("tintype: no images found", file=sys.stderr)
        return 2
    output = SaveOptions(folder=args.output, format=args.format, overwrite=args.overwrite, keep_exif=not args.no_exif)
    bar = _ProgressBar(len(inputs))

    def failed(_path: Path, reason: str) -> None:
        bar.clear()
        print(f"tintype: failed: {reason}", file=sys.stderr)

    summary = run_batch(Pipeline(models=tuple(models), output=output), inputs,
                        on_photo=lambda index, path: bar.show(index, path.name), on_failure=failed)
    bar.clear()
    print(
        f"{summary.done} of {summary.photos} photos colorized with {', '.join(m.model_id for m in models)} "
        f"({summary.written} files written, {summary.failed} failed) in {summary.seconds:.1f}s "
        f"on {models[0].provider_label}"
    )
    return 0 if summary.failed == 0 else 1


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
        stamp = read_stamp(args.file)
    except TintypeError as exc:
        print(f"tintype: {exc}", file=sys.stderr)
        return 1
    print(f"{args.file}: colorized by Tintype (IPTC digital source type: trained algorithmic media)")
    for name, value in vars(stamp).items():
        print(f"  {name:14s}{value}")
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
