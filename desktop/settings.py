"""User settings, remembered between runs (QSettings: the platform's usual place)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QSettings

from engine.providers import PROVIDER_CHOICES
from engine.saving import FORMAT_CHOICES


@dataclass(frozen=True)
class Settings:
    provider: str = "auto"
    output_dir: str = ""  # empty: next to each photo
    output_format: str = "same"
    keep_exif: bool = True

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def load_settings(store: QSettings | None = None) -> Settings:
    store = store or QSettings("Tintype", "Tintype")
    provider = str(store.value("provider", "auto"))
    fmt = str(store.value("output_format", "same"))
    return Settings(
        provider=provider if provider in PROVIDER_CHOICES else "auto",
        output_dir=str(store.value("output_dir", "")),
        output_format=fmt if fmt in FORMAT_CHOICES else "same",
        keep_exif=str(store.value("keep_exif", "true")).lower() == "true",
    )


def save_settings(settings: Settings, store: QSettings | None = None) -> None:
    store = store or QSettings("Tintype", "Tintype")
    store.setValue("provider", settings.provider)
    store.setValue("output_dir", settings.output_dir)
    store.setValue("output_format", settings.output_format)
    store.setValue("keep_exif", "true" if settings.keep_exif else "false")
    store.sync()
