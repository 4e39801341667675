"""Model and training configuration: frozen dataclasses (no global options). Presets: training.models.registry."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from engine.model_ids import MODEL_IDS

OUTPUT_KINDS = ("rgb", "lab_ab")
CLASSIFIERS = ("efficientnet-lite0", "vgg16", "vgg16-features", "none")
FUSIONS = ("global", "hypercolumn")  # Koalarization: the classifier's vector only, or its feature maps too
# a*, b* are divided by this so a tanh output covers the sRGB gamut (|a|, |b| < ~110).
AB_SCALE = 110.0


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of one model. ``width`` scales every channel count (1.0 = the study's widths)."""

    model_id: str
    width: float = 1.0
    output: str = "rgb"
    classifier: str = "efficientnet-lite0"
    classifier_weights: str = ""
    fusion: str = "global"
    disc_size: int = 128

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
    data: str
    test: str = ""
    out: str = "runs/run"
    epochs: int = 10
    size: int = 128
    batch: int = 16
    lr: float = 2e-4
    seed: int = 0
    workers: int = 2
    test_fraction: float = 0.1
    preload: bool = False
    zoom: float = 0.0  # random zoom crops: smallest crop side as a fraction of the image (0: off)
    amp: bool = True
    cf_weight: float = 0.0
    gamut_weight: float = 0.0
    l1_lambda: float = 50.0
    gan_eps: float = 1e-2
    d_lr_scale: float = 1.0  # CGAN: the discriminator's learning rate as a multiple of lr
    init_from: str = ""
    time_limit: float = 0.0
    limit: int = 0
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        values = dict(values)
        values["model"] = ModelConfig(**values["model"])
        return cls(**values)
