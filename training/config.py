"""Model and training configuration: frozen dataclasses and presets (no global options)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from engine.model_ids import MODEL_IDS

OUTPUT_KINDS = ("rgb", "lab_ab")
CLASSIFIERS = ("efficientnet-lite0", "vgg16", "vgg16-features", "none")
FUSIONS = ("global", "hypercolumn")  # Koalarization: the classifier's vector only, or its feature maps too


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


# width per model id for each preset: 'paper' is the study; 'small' ships in the app (fits 64 MB
# for all three and runs on a laptop CPU); 'tiny' is for tests and smoke runs.
PRESETS: dict[str, dict[str, float]] = {
    "paper": {"unet": 1.0, "koala": 1.0, "cgan": 1.0},
    "small": {"unet": 0.375, "koala": 0.5, "cgan": 0.375},
    "tiny": {"unet": 0.125, "koala": 0.125, "cgan": 0.125},
}


def preset_config(model_id: str, preset: str, **overrides) -> ModelConfig:
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, not {preset!r}")
    return replace(ModelConfig(model_id=model_id, width=PRESETS[preset][model_id]), **overrides)


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
