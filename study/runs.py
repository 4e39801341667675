"""The runs of the results report (docs/RESULTS.md), with their exact settings, in five phases: runs
that start from another run's checkpoint (``init_from``) come in a later phase than it.

``python -m study.runs [--dataset D] [--phases N ...] [--where gpu|cpu] [--evaluated] [--field F]`` prints
the selected runs' names (or another field, each value once), for the shell scripts beside this file.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, fields

from training.config import ModelConfig, TrainConfig
from training.flags import field_default

# Each run's time budget in seconds per phase (the zoo stops a run after the epoch that passes it).
PHASE_SECONDS: dict[int, float] = {1: 250.0, 2: 140.0, 3: 170.0, 4: 330.0, 5: 230.0}

_TRAIN, _MODEL = TrainConfig, ModelConfig


@dataclass(frozen=True)
class Run:
    """One run of the report. Unset settings are the training defaults (training.config), not restated."""

    name: str
    model: str
    dataset: str
    width: float
    output: str = "lab_ab"
    cf_weight: float = field_default(_TRAIN, "cf_weight")
    gamut_weight: float = field_default(_TRAIN, "gamut_weight")
    init_from: str = ""  # name of another run whose checkpoint starts the generator
    phase: int = 1
    lr: float = field_default(_TRAIN, "lr")
    epochs: int = 0  # 0: the zoo's --epochs (the time budget usually stops first)
    batch: int = 0  # 0: the zoo's --batch
    fusion: str = field_default(_MODEL, "fusion")  # Koalarization: "hypercolumn" also fuses the feature maps
    zoom: float = field_default(_TRAIN, "zoom")  # random zoom crops (data augmentation), smallest side fraction
    test_folder: bool = True  # False: validate on a 10% split of train (and keep best.pt, chosen on it)
    d_lr_scale: float = field_default(_TRAIN, "d_lr_scale")  # CGAN: discriminator learning rate / lr
    where: str = "gpu"  # "cpu": trained on the 2-core CPU after the GPU time was spent (study/gpu.sh skips it)
    evaluated: bool = True  # False: left out of study/evaluate_zoo.sh and the tables of docs/RESULTS.md


# 'general' widths are the app's 'small' preset; 'produce' (723 photos) uses smaller U-Nets.
RUNS: tuple[Run, ...] = (
    Run("general-unet-rgb", "unet", "general", 0.375, output="rgb"),  # the study: RGB, MSE
    Run("general-unet", "unet", "general", 0.375, cf_weight=0.1),  # Lab ab, MSE + colorfulness gap
    Run("general-unet-cf03", "unet", "general", 0.375, cf_weight=0.3, evaluated=False),  # a stronger colorfulness term
    Run("general-koala", "koala", "general", 0.5, cf_weight=0.1),
    Run("general-cgan-scratch", "cgan", "general", 0.375),
    Run("produce-unet", "unet", "produce", 0.25, cf_weight=0.1),
    Run("produce-koala", "koala", "produce", 0.25, cf_weight=0.1),
    Run("produce-cgan-scratch", "cgan", "produce", 0.25),
    Run("general-cgan", "cgan", "general", 0.375, init_from="general-unet", phase=2),
    Run("produce-cgan", "cgan", "produce", 0.25, init_from="produce-unet", phase=2),
    # Phase 3: phase 1 showed the colorfulness term alone paints white highlights cyan (colors outside
    # the gamut at that lightness) and costs PSNR; these fine-tune with a weaker term plus a gamut
    # penalty. The CGAN's L1 is weighted 50, so its terms are scaled up to balance it.
    Run(
        "general-unet-ft",
        "unet",
        "general",
        0.375,
        cf_weight=0.03,
        gamut_weight=1.0,
        init_from="general-cgan-scratch",
        phase=3,
    ),
    Run("general-unet-mse", "unet", "general", 0.375, init_from="general-cgan-scratch", phase=3, evaluated=False),
    Run(
        "general-koala-ft",
        "koala",
        "general",
        0.5,
        cf_weight=0.02,
        gamut_weight=1.0,
        init_from="general-koala",
        phase=3,
    ),
    Run("general-koala-mse", "koala", "general", 0.5, init_from="general-koala", phase=3),
    Run(
        "general-cgan-cf1",
        "cgan",
        "general",
        0.375,
        cf_weight=1.0,
        gamut_weight=20.0,
        init_from="general-cgan-scratch",
        phase=3,
    ),
    Run(
        "general-cgan-cf3",
        "cgan",
        "general",
        0.375,
        cf_weight=3.0,
        gamut_weight=50.0,
        init_from="general-cgan-scratch",
        phase=3,
    ),
    # No U-Net trained with MSE beat the gray baseline on PSNR (they overfit or over-saturate). This
    # one starts from the L1-trained generator of general-cgan-scratch and fine-tunes it with the
    # study's MSE at a low rate for 3 epochs: run on the CPU, after the GPU time was spent.
    Run(
        "general-unet-cpu",
        "unet",
        "general",
        0.375,
        init_from="general-cgan-scratch",
        phase=3,
        lr=2e-5,
        epochs=3,
        batch=16,
        where="cpu",
    ),
    # Phase 4 (second session): the general Koalarization overfit (train MSE 0.007, test 0.018) and no
    # model reached 24 dB with CF >= 25. These add the classifier's feature maps to the fusion
    # (hypercolumn) and random zoom crops, each validated on a split of train so best.pt is chosen
    # without the test photos; two ablations separate the two changes.
    Run("general-koala-hc", "koala", "general", 0.5, fusion="hypercolumn", zoom=0.7, phase=4, test_folder=False),
    Run(
        "general-koala-hc-cf",
        "koala",
        "general",
        0.5,
        fusion="hypercolumn",
        zoom=0.7,
        cf_weight=0.02,
        gamut_weight=1.0,
        phase=4,
        test_folder=False,
    ),
    Run(
        "general-koala-hc-cf05",
        "koala",
        "general",
        0.5,
        fusion="hypercolumn",
        zoom=0.7,
        cf_weight=0.05,
        gamut_weight=2.0,
        phase=4,
        test_folder=False,
    ),
    Run("general-koala-hc-flat", "koala", "general", 0.5, fusion="hypercolumn", phase=4, test_folder=False),
    Run("general-koala-zoom", "koala", "general", 0.5, zoom=0.7, phase=4, test_folder=False),
    Run("general-unet-zoom", "unet", "general", 0.375, zoom=0.7, phase=4, test_folder=False),
    # Phase 5: phase 4's recipe (zoom crops, validation split, colorfulness 0.02 + gamut 1.0) for the
    # U-Net, and CGANs started from general-unet-zoom (the study's recipe) with a discriminator that
    # learns 10x slower, against the saturation seen in every earlier CGAN run.
    Run(
        "general-unet-zoom-cf",
        "unet",
        "general",
        0.375,
        zoom=0.7,
        cf_weight=0.02,
        gamut_weight=1.0,
        phase=5,
        test_folder=False,
    ),
    Run(
        "general-unet-zoom-cf05",
        "unet",
        "general",
        0.375,
        zoom=0.7,
        cf_weight=0.05,
        gamut_weight=2.0,
        phase=5,
        test_folder=False,
    ),
    Run(
        "general-cgan-zoom",
        "cgan",
        "general",
        0.375,
        zoom=0.7,
        init_from="general-unet-zoom",
        d_lr_scale=0.1,
        phase=5,
        test_folder=False,
    ),
    Run(
        "general-cgan-zoom-cf",
        "cgan",
        "general",
        0.375,
        zoom=0.7,
        cf_weight=1.0,
        gamut_weight=20.0,
        init_from="general-unet-zoom",
        d_lr_scale=0.1,
        phase=5,
        test_folder=False,
    ),
)


def select(
    *,
    dataset: str = "",
    phases: tuple[int, ...] = (),
    where: str = "",
    evaluated: bool = False,
    names: tuple[str, ...] = (),
) -> list[Run]:
    """The runs matching every filter given, in table order."""
    return [
        r
        for r in RUNS
        if (not dataset or r.dataset == dataset)
        and (not phases or r.phase in phases)
        and (not where or r.where == where)
        and (not evaluated or r.evaluated)
        and (not names or r.name in names)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m study.runs", description=__doc__)
    parser.add_argument("--dataset", default="")
    parser.add_argument("--phases", nargs="*", type=int, default=[])
    parser.add_argument("--where", choices=("gpu", "cpu"), default="")
    parser.add_argument("--evaluated", action="store_true", help="only runs of the report's tables")
    parser.add_argument("--field", default="name", choices=[f.name for f in fields(Run)])
    args = parser.parse_args(argv)
    runs = select(dataset=args.dataset, phases=tuple(args.phases), where=args.where, evaluated=args.evaluated)
    values = [str(getattr(r, args.field)) for r in runs]
    print("\n".join(v for i, v in enumerate(values) if v and v not in values[:i]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
