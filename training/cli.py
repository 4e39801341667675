"""``python -m training`` / ``tintype-train``: train, export, interpolate, evaluate, info, slim, defects."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from training.config import DEFAULT_PRESET, OUTPUT_KINDS, PRESETS, DefectTrainConfig, ModelConfig, TrainConfig
from training.flags import add_flags, field_default, flag_values


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 2
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training", description="Train, export and evaluate Tintype's models."
    )
    sub = parser.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train one model")
    # Flags, defaults and help come from the config fields (training.config); this fixes their order only.
    add_flags(t, ModelConfig, only=["model_id"])
    add_flags(t, TrainConfig, only=["data", "test", "out"])
    t.add_argument("--preset", choices=sorted(PRESETS), default=DEFAULT_PRESET)
    add_flags(t, ModelConfig, skip=["model_id"])
    add_flags(t, TrainConfig, skip=["data", "test", "out"])
    t.add_argument("--resume", action="store_true", help="continue from <out>/last.pt")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("export", help="export a checkpoint to ONNX for the engine")
    e.add_argument("checkpoint", type=Path)
    e.add_argument("-o", "--output", type=Path, required=True)
    e.add_argument("--version", default="1")
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("info", help="parameter counts and FLOPs of each model")
    i.add_argument("--preset", choices=sorted(PRESETS), default=None, help="one preset (default: all)")
    i.add_argument("--size", type=int, default=field_default(TrainConfig, "size"))
    i.add_argument("--output", choices=OUTPUT_KINDS, default=field_default(ModelConfig, "output"))
    i.set_defaults(func=cmd_info)

    s = sub.add_parser("slim", help="keep only a checkpoint's generator weights (fp16 optional)")
    s.add_argument("checkpoint", type=Path)
    s.add_argument("-o", "--output", type=Path, required=True)
    s.add_argument("--fp16", action="store_true")
    s.set_defaults(func=cmd_slim)

    w = sub.add_parser("interpolate", help="mix the weights of two exports of one model (WiSE-FT)")
    w.add_argument("start", type=Path, help="the model the fine-tune started from (alpha 0)")
    w.add_argument("end", type=Path, help="the fine-tuned model (alpha 1); its contract is kept")
    w.add_argument("--alpha", type=float, required=True, help="weight of END in [0, 1]")
    w.add_argument("-o", "--output", type=Path, required=True)
    w.add_argument("--version", required=True, help="model version written into the contract")
    w.set_defaults(func=cmd_interpolate)

    d = sub.add_parser("defects", help="train the dust and scratch detector on damaged crops of photos")
    add_flags(d, DefectTrainConfig)  # flags, defaults and help from the config fields (training.config)
    d.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    d.set_defaults(func=cmd_defects)

    v = sub.add_parser("evaluate", help="evaluate exported models through the engine")
    v.add_argument("--models", nargs="+", type=Path, required=True, help="ONNX files or folders")
    v.add_argument("--data", type=Path, required=True)
    v.add_argument("--out", type=Path, default=Path("eval"))
    v.add_argument("--limit", type=int, default=0, help="evaluate at most this many images")
    v.add_argument("--grid", type=int, default=6, help="rows in the comparison grid")
    v.add_argument("--no-lpips", action="store_true")
    v.add_argument("--no-fid", action="store_true")
    v.add_argument("--fid-max", type=int, default=0, help="compute FID on at most N evenly spaced images (0: all)")
    v.add_argument("--label", default="", help="name of the data set in the tables")
    v.set_defaults(func=cmd_evaluate)
    return parser


def cmd_train(args: argparse.Namespace) -> int:
    from training.models import preset_config
    from training.train import train

    model = flag_values(ModelConfig, args)
    if model["width"] is None:  # the preset's
        del model["width"]
    mc = preset_config(model.pop("model_id"), args.preset, **model)
    if args.size % 16:
        print(f"--size {args.size} must be divisible by 16", file=sys.stderr)
        return 2
    values = flag_values(TrainConfig, args)
    config = TrainConfig(model=mc, **{**values, "out": values["out"] or f"runs/{mc.model_id}"})
    path = train(config, resume=args.resume)
    print(f"checkpoint: {path}")
    return 0


def cmd_defects(args: argparse.Namespace) -> int:
    from training.defects import train_defects

    config = DefectTrainConfig(**flag_values(DefectTrainConfig, args))
    print(f"wrote {train_defects(config, resume=args.resume)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from training.export import export

    report = export(args.checkpoint, args.output, version=args.version, real_gray=_sample_gray(args.checkpoint))
    print(
        f"wrote {report.path} ({report.size_bytes / 1e6:.1f} MB); max |onnxruntime - torch|: "
        f"{report.parity_random:.2e} on random input, {report.parity_real:.2e} on an image"
    )
    return 0


def _sample_gray(checkpoint: Path):
    """A real photo (the first bundled sample) at the model's size, for the export's parity check."""
    import numpy as np
    from PIL import Image

    from engine.formats import READ_FORMATS
    from engine.photos import sample_photos
    from training.checkpoint import checkpoint_configs, load_checkpoint

    samples = sample_photos()
    if not samples:
        return None
    size = checkpoint_configs(load_checkpoint(checkpoint))[0].size
    with Image.open(samples[0], formats=READ_FORMATS) as image:
        return np.asarray(image.convert("L").resize((size, size), Image.Resampling.BILINEAR))


def cmd_info(args: argparse.Namespace) -> int:
    from training.flops import describe
    from training.models import ARCHITECTURES, preset_config

    presets = [args.preset] if args.preset else sorted(PRESETS)
    print(
        f"{'preset':8s} {'model':6s} {'trainable':>12s} {'total':>12s} {'GFLOPs':>8s}  "
        f"(one forward pass, {args.size}x{args.size})"
    )
    for preset in presets:
        for model_id in (arch.id for arch in ARCHITECTURES):
            trainable, total, flops = describe(preset_config(model_id, preset, output=args.output), size=args.size)
            print(f"{preset:8s} {model_id:6s} {trainable:12,d} {total:12,d} {flops / 1e9:8.2f}")
    return 0


def cmd_slim(args: argparse.Namespace) -> int:
    from training.checkpoint import load_checkpoint, save_checkpoint, slim_state

    slim = slim_state(load_checkpoint(args.checkpoint), fp16=args.fp16)
    weights = slim["generator"]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(args.output, slim)
    print(
        f"wrote {args.output} ({args.output.stat().st_size / 1e6:.1f} MB, "
        f"{sum(v.numel() for v in weights.values()):,} values)"
    )
    return 0


def cmd_interpolate(args: argparse.Namespace) -> int:
    from training.interpolate import interpolate

    try:
        done = interpolate(args.start, args.end, args.output, alpha=args.alpha, version=args.version)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {done.path} ({done.tensors} tensors mixed, alpha {done.alpha:g})")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from training.evaluate import evaluate

    evaluate(
        models=args.models,
        data=args.data,
        out=args.out,
        limit=args.limit,
        grid_rows=args.grid,
        lpips=not args.no_lpips,
        fid=not args.no_fid,
        fid_max=args.fid_max,
        label=args.label or args.data.name,
    )
    return 0
