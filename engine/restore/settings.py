"""What restoration does: one frozen settings object per step, each switchable with a strength.

The defaults are the automatic mode, which must do no harm to a clean photo: dust and scratch
removal and grain reduction are on (each acts only on what it measures in the photo: defects
that stand out from a quiet surround, grain above a noise floor); fade repair changes the tonal
range of every photo it touches, so it is off until asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import RestoreError


def _check_unit(name: str, value: float) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise RestoreError(f"{name} must be a number from 0 to 1, not {value!r}")


@dataclass(frozen=True)
class DustSettings:
    """Dust specks and thin scratches: find them (a defect mask), then fill them in (inpainting).

    ``strength`` is the sensitivity, 0 to 1: 0.5 is the automatic setting; higher also marks the
    pixels the detector is less sure of (fainter defects, and more real detail taken for damage).
    """

    enabled: bool = True
    strength: float = 0.5

    def __post_init__(self) -> None:
        _check_unit("dust strength", self.strength)


@dataclass(frozen=True)
class GrainSettings:
    """Film grain and scanner noise: an edge-preserving smoothing matched to the noise level.

    ``sigma`` is the noise's standard deviation in gray levels; None measures it from the photo,
    and then a photo measured below ``NOISE_FLOOR`` (engine.restore.grain) is left as it is.
    ``strength`` 0 to 1 scales the smoothing; 0.5 is matched to the noise.
    """

    enabled: bool = True
    strength: float = 0.5
    sigma: float | None = None

    def __post_init__(self) -> None:
        _check_unit("grain strength", self.strength)
        if self.sigma is not None and (isinstance(self.sigma, bool) or not 0.0 <= self.sigma <= 100.0):
            raise RestoreError(f"grain sigma must be None or a number of gray levels from 0 to 100, not {self.sigma!r}")


@dataclass(frozen=True)
class FadeSettings:
    """Faded contrast: stretch the tonal range (robust percentiles) toward full black and white.

    ``strength`` 0 to 1 is the part of the measured stretch applied (1 = all of it).
    ``local_contrast`` 0 to 1 adds contrast-limited adaptive equalization (CLAHE); 0 = off.
    """

    enabled: bool = False
    strength: float = 1.0
    local_contrast: float = 0.0

    def __post_init__(self) -> None:
        _check_unit("fade strength", self.strength)
        _check_unit("local contrast", self.local_contrast)


@dataclass(frozen=True)
class RestoreSettings:
    """All of restoration; ``RestoreSettings()`` is the automatic mode."""

    dust: DustSettings = field(default_factory=DustSettings)
    grain: GrainSettings = field(default_factory=GrainSettings)
    fade: FadeSettings = field(default_factory=FadeSettings)

    def __post_init__(self) -> None:
        for name, value, kind in (
            ("dust", self.dust, DustSettings),
            ("grain", self.grain, GrainSettings),
            ("fade", self.fade, FadeSettings),
        ):
            if not isinstance(value, kind):
                raise RestoreError(f"{name} settings must be a {kind.__name__}, not {type(value).__name__}")
