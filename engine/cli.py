"""The ``tintype`` command line: ``colorize``, ``models``, ``inspect``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from engine import __version__
from engine.colorize import colorize
from engine.errors import TintypeError
from engine.images import load_image
from engine.model_ids import MODEL_IDS
from engine.photos import find_photos
from engine.providers import PROVIDER_CHOICES, provider_label
from engine.registry import ModelRegistry, default_model_dirs
from engine.saving import FORMAT_CHOICES, default_output_path, output_format, save_result
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
    col.add_argument("--model", action="append", choices=[*MODEL_IDS, "all"], help="model to use (repeatable; default all)")
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
    if args.output is not None:
        try:
            args.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"tintype: {args.output}: cannot create output folder ({exc.strerror or exc})", file=sys.stderr)
            return 2
        if not os.access(args.output, os.W_OK):
            print(f"tintype: {args.output}: output folder is not writable", file=sys.stderr)
            return 2
    try:
        registry = _registry(args)
        models = registry.select(args.model)
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
    bar = _ProgressBar(len(inputs))
    failures = written = 0
    started = time.perf_counter()
    for index, path in enumerate(inputs):
        bar.show(index, path.name)
        try:
            image = load_image(path)
            result = colorize(image, models)
            fmt = output_format(image.format, args.format)
            for model_result in result.results.values():
                target = default_output_path(path, model_result.model_id, fmt, folder=args.output)
                save_result(image, model_result, target, fmt=fmt, overwrite=args.overwrite, keep_exif=not args.no_exif)
                written += 1
        except TintypeError as exc:
            failures += 1
            bar.clear()
            print(f"tintype: failed: {exc}", file=sys.stderr)
        except MemoryError:
            failures += 1
            bar.clear()
            print(f"tintype: failed: {path}: not enough memory for this image", file=sys.stderr)
    bar.clear()
    elapsed = time.perf_counter() - started
    done = len(inputs) - failures
    print(
        f"{done} of {len(inputs)} photos colorized with {', '.join(m.model_id for m in models)} "
        f"({written} files written, {failures} failed) in {elapsed:.1f}s on {models[0].provider_label}"
    )
    return 0 if failures == 0 else 1


def cmd_models(args: argparse.Namespace) -> int:
    registry = _registry(args)
    print(f"providers available: {', '.join(provider_label(p) for p in _providers())}")
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


def _providers() -> list[str]:
    import onnxruntime

    available = onnxruntime.get_available_providers()
    return [p for p in available if p in ("CUDAExecutionProvider", "CPUExecutionProvider")] or available


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
