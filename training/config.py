"""Model and training configuration: frozen dataclasses (no global options), the one place for their defaults.

Fields marked with :func:`~training.flags.flag` are the flags of ``python -m training train`` (name, type,
default, choices and help come from here). Each architecture's width per preset: training.models.registry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from engine.model_ids import MODEL_IDS
from training.flags import flag

OUTPUT_KINDS = ("rgb", "lab_ab")
CLASSIFIERS = ("efficientnet-lite0", "vgg16", "vgg16-features", "none")
FUSIONS = ("global", "hypercolumn")  # Koalarization: the classifier's vector only, or its feature maps too


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of one model. ``width`` scales every channel count (1.0 = the study's widths)."""

    model_id: str = field(metadata=flag(name="--model", choices=MODEL_IDS, required=True))
    width: float = field(default=1.0, metadata=flag("override the preset's width multiplier", cli_default=None))
    output: str = field(default="rgb", metadata=flag("rgb (the study) or lab_ab", choices=OUTPUT_KINDS))
    classifier: str = field(default="efficientnet-lite0", metadata=flag(choices=CLASSIFIERS))
    classifier_weights: str = field(default="", metadata=flag("VGG16 weights file (whole model or features only)"))
    fusion: str = field(
        default="global",
        metadata=flag(
            "Koalarization: fuse the classifier's global vector only, or its feature maps too", choices=FUSIONS
        ),
    )

    def __post_init__(self) -> None:
        if self.model_id not in MODEL_IDS:
            raise ValueError(f"model_id must be one of {MODEL_IDS}, not {self.model_id!r}")
        if self.output not in OUTPUT_KINDS:
            raise ValueError(f"output must be one of {OUTPUT_KINDS}, not {self.output!r}")
        if self.classifier not in CLASSIFIERS:
            raise ValueError(f"classifier must be one of {CLASSIFIERS}, not {self.classifier!r}")
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, not {self.fusion!r}")

    @property
    def out_channels(self) -> int:
        return 3 if self.output == "rgb" else 2

    def to_dict(self) -> dict:
        return asdict(self)


# Each architecture's width multiplier per preset is in its registry row (training.models.registry):
# 'paper' is the study; 'small' ships in the app (fits 64 MB for all three and runs on a laptop CPU);
# 'tiny' is for tests and smoke runs.
PRESETS: tuple[str, ...] = ("paper", "small", "tiny")
DEFAULT_PRESET = "small"


@dataclass(frozen=True)
class TrainConfig:
    """One training run. Checkpoints carry this, so a run describes itself."""

    model: ModelConfig
    data: str = field(metadata=flag("folder of color photos (or *_black/*_color pairs)", required=True))
    test: str = field(default="", metadata=flag("separate test folder (default: a deterministic split of --data)"))
    out: str = field(default="runs/run", metadata=flag("run folder (default runs/<model>)", cli_default=""))
    epochs: int = field(default=10, metadata=flag())
    size: int = field(default=128, metadata=flag("training size (divisible by 16)"))
    batch: int = field(default=16, metadata=flag())
    lr: float = field(default=2e-4, metadata=flag())
    seed: int = field(default=0, metadata=flag())
    workers: int = field(default=2, metadata=flag())
    test_fraction: float = 0.1  # without a test folder: the share of data held out for validation
    preload: bool = field(default=False, metadata=flag("decode all images once into (GPU) memory"))
    # Random zoom crops: the smallest crop side as a fraction of the image (0: off).
    zoom: float = field(
        default=0.0,
        metadata=flag("augment with random zoom crops down to this fraction of the side (e.g. 0.7; 0: off)"),
    )
    amp: bool = field(default=True, metadata=flag("disable bf16 mixed precision on CUDA"))
    cf_weight: float = field(default=0.0, metadata=flag("weight of the colorfulness-gap loss (0: the study)"))
    gamut_weight: float = field(default=0.0, metadata=flag("weight of the out-of-gamut penalty (with --cf-weight)"))
    l1_lambda: float = field(default=50.0, metadata=flag("CGAN: weight of L1 (the study: 50)"))
    gan_eps: float = 1e-2  # CGAN: keeps the logs of its losses finite
    d_lr_scale: float = field(default=1.0, metadata=flag("CGAN: discriminator learning rate / --lr (the study: 1)"))
    init_from: str = field(
        default="",
        metadata=flag(
            "start the generator from this checkpoint (CGAN: a U-Net's) or exported .onnx file (a shipped model)"
        ),
    )
    time_limit: float = field(default=0.0, metadata=flag("stop after the epoch that passes this many seconds"))
    limit: int = field(default=0, metadata=flag("use at most this many training images (smoke runs)"))
    source_weights: str = field(
        default="",
        metadata=flag(
            "sample each photo of a source (first-level subfolder of --data) with this weight, e.g. "
            "'camvid=2,clothing=0.5' (unlisted sources: 1; empty: uniform shuffling)"
        ),
    )
    epoch_size: int = field(
        default=0, metadata=flag("images per epoch with --source-weights (0: the training set's size)")
    )
    old_photo: float = field(
        default=0.0,
        metadata=flag(
            "probability of aging a training photo's gray input (grain, blur, fading, dust, scratches; 0: off)"
        ),
    )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        values = dict(values)
        values["model"] = ModelConfig(**values["model"])
        return cls(**values)


@dataclass(frozen=True)
class DefectTrainConfig:
    """One run of ``python -m training defects``: training the dust and scratch detector
    (:mod:`training.defects`). The fields with :func:`~training.flags.flag` are its command-line flags."""

    photos: str = field(metadata=flag("folder of clean photos (searched recursively)", required=True))
    out: str = field(metadata=flag(cli_default="runs/defects"))
    samples: int = field(default=30000, metadata=flag("damaged crops to make (kept in OUT/samples.npz)"))
    steps: int = field(default=12000, metadata=flag())
    batch: int = field(default=16, metadata=flag())
    window: int = 96  # each step trains on a random window of this side from each crop
    lr: float = 2e-3
    width: int = field(default=8, metadata=flag("channels of the first level"))
    pos_weight: float = 2.0
    save_every: int = field(default=500, metadata=flag())
    seed: int = field(default=0, metadata=flag())
    init: str | None = field(default=None, metadata=flag("start from the weights of this checkpoint (last.pt)"))
