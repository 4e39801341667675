"""The user's settings: the dialog, remembering them, and telling the app when the provider changes."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.settings import Settings, save_settings
from desktop.views.dialogs import SettingsDialog
from desktop.views.main_window import MainWindow


class SettingsController(QObject):
    providerChanged = Signal(str)  # the new provider: the models must be loaded again

    def __init__(self, window: MainWindow, settings: Settings) -> None:
        super().__init__()
        self.window = window
        self.current = settings

    def edit(self) -> None:
        dialog = SettingsDialog(self.current, self.window)
        if dialog.exec():
            self.apply(dialog.settings())

    def apply(self, settings: Settings) -> None:
        provider_changed = settings.provider != self.current.provider
        self.current = settings
        save_settings(settings)
        if provider_changed:
            self.providerChanged.emit(settings.provider)

    def provider_fell_back(self, provider: str) -> None:
        """The chosen provider could not be used and the models run on ``provider``: remember that, so the
        next start does not begin with every model unavailable, and the dialog shows what is in use."""
        self.current = self.current.with_(provider=provider)
        save_settings(self.current)
