"""User settings, remembered between runs (QSettings: the platform's usual place)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QSettings

from engine.formats import FORMAT_CHOICES, format_spec
from engine.providers import PROVIDER_CHOICES

QUALITY_RANGE = (50, 100)


def _engine_jpeg_quality() -> int:
    """The engine's own JPEG quality (its format table): what a result gets unless the user picks another."""
    quality = format_spec("JPEG").save_options["quality"]
    if not isinstance(quality, int):
        raise TypeError(f"the engine's JPEG quality is not a number: {quality!r}")
    return quality


JPEG_QUALITY = _engine_jpeg_quality()


@dataclass(frozen=True)
class Settings:
    provider: str = "auto"
    use_output_dir: bool = False  # False: next to each photo; True: into ``output_dir``
    output_dir: str = ""  # kept while "next to each photo" is chosen, for when the user switches back
    output_format: str = "same"
    jpeg_quality: int = JPEG_QUALITY
    keep_exif: bool = True

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def load_settings(store: QSettings | None = None) -> Settings:
    store = store or QSettings("Tintype", "Tintype")
    provider = str(store.value("provider", "auto"))
    fmt = str(store.value("output_format", "same"))
    output_dir = str(store.value("output_dir", ""))
    # Settings from before the choice existed: a folder set meant "into this folder".
    use_dir = str(store.value("use_output_dir", "true" if output_dir else "false")).lower() == "true"
    stored = store.value("jpeg_quality", JPEG_QUALITY)
    try:
        quality = int(stored) if isinstance(stored, (str, int, float)) else JPEG_QUALITY
    except ValueError:
        quality = JPEG_QUALITY
    return Settings(
        provider=provider if provider in PROVIDER_CHOICES else "auto",
        use_output_dir=use_dir,
        output_dir=output_dir,
        output_format=fmt if fmt in FORMAT_CHOICES else "same",
        jpeg_quality=min(QUALITY_RANGE[1], max(QUALITY_RANGE[0], quality)),
        keep_exif=str(store.value("keep_exif", "true")).lower() == "true",
    )


def save_settings(settings: Settings, store: QSettings | None = None) -> None:
    store = store or QSettings("Tintype", "Tintype")
    store.setValue("provider", settings.provider)
    store.setValue("use_output_dir", "true" if settings.use_output_dir else "false")
    store.setValue("output_dir", settings.output_dir)
    store.setValue("output_format", settings.output_format)
    store.setValue("jpeg_quality", settings.jpeg_quality)
    store.setValue("keep_exif", "true" if settings.keep_exif else "false")
    store.sync()
