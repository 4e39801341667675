"""Saving results: the selected one (asking where), all of one photo's, everything in the queue.

Every call into the engine's saving code is in :meth:`SavingController._plan` and :meth:`SavingController._write`,
so the engine's save sequence can change in one place.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from engine.errors import OutputError
from engine.saving import default_output_path, output_format, save_result

from desktop.controllers.comparison import ComparisonController
from desktop.controllers.queue import QueueController
from desktop.controllers.settings import SettingsController
from desktop.queue_model import QueueItem
from desktop.views.main_window import MainWindow
from desktop.views.prompts import Prompts

Item = QueueItem[QImage]


class SavingController:
    def __init__(self, window: MainWindow, prompts: Prompts, *, queue: QueueController,
                 comparison: ComparisonController, settings: SettingsController) -> None:
        self.window, self.prompts = window, prompts
        self.queue, self.comparison, self.settings = queue, comparison, settings

    def save_selected(self) -> Path | None:
        """The selected result of the current photo: to the default name, or where the user says."""
        item, model_id = self.queue.current_item(), self.comparison.selected_model
        if item is None or item.result is None or model_id is None:
            self._say("Nothing to save yet: pick a finished photo and click the result you like.")
            return None
        target, fmt = self._plan(item, model_id)
        overwrite = False
        if self.prompts.interactive:
            chosen = self.prompts.save_path(target)
            if chosen is None:
                return None
            # The file dialog has already asked before replacing an existing file.
            target, fmt = self._plan(item, model_id, chosen=chosen)
            overwrite = chosen.exists()
        return self._save_one(item, model_id, target, fmt, overwrite=overwrite)

    def save_all_results(self, folder: Path | None = None) -> list[Path]:
        """Every result of the current photo, to the default names (in ``folder`` if given)."""
        item = self.queue.current_item()
        if item is None or item.result is None:
            self._say("Nothing to save yet.")
            return []
        written = [self._save_one(item, mid, *self._plan(item, mid, folder=folder)) for mid in item.result.results]
        return [p for p in written if p is not None]

    def save_queue(self, folder: Path | None = None) -> list[Path]:
        """Every result of every finished photo into ``folder`` (asked when None); one summary at the end."""
        if folder is None:
            folder = self.prompts.folder("Save every result to", self.settings.current.output_dir)
            if folder is None:
                return []
        written: list[Path] = []
        problems: list[str] = []
        for item in self.queue.items:
            if item.result is None:
                continue
            for mid in item.result.results:
                try:
                    written.append(self._write(item, mid, *self._plan(item, mid, folder=folder)))
                except OutputError as exc:
                    problems.append(str(exc))
        message = f"Saved {len(written)} files to {folder}."
        if problems:
            message += f" {len(problems)} not saved: " + "; ".join(problems[:3])
        self._say(message)
        return written

    def _save_one(self, item: Item, model_id: str, target: Path, fmt: str, *, overwrite: bool = False) -> Path | None:
        """Write one result and say so; a refusal is told, not raised."""
        try:
            path = self._write(item, model_id, target, fmt, overwrite=overwrite)
        except OutputError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return None
        self.window.show_status(f"Saved {path}", 8000)
        return path

    def _say(self, message: str, *, error: bool = False) -> None:
        self.window.show_status(message, 15000)
        if error:
            self.prompts.warn(message)

    # ----- the engine boundary: where and how a result is written
    def _plan(self, item: Item, model_id: str, *, folder: Path | None = None,
              chosen: Path | None = None) -> tuple[Path, str]:
        """(path, Pillow format) for one result: ``chosen`` by the user (its extension picks the format),
        else the default name in ``folder``, the settings' folder, or next to the photo."""
        settings = self.settings.current
        if chosen is not None:
            return chosen, output_format(item.image.format, chosen.suffix.lstrip(".") or settings.output_format)
        fmt = output_format(item.image.format, settings.output_format)
        if folder is None and settings.output_dir:
            folder = Path(settings.output_dir)
        return default_output_path(item.path, model_id, fmt, folder=folder), fmt

    def _write(self, item: Item, model_id: str, target: Path, fmt: str, *, overwrite: bool = False) -> Path:
        """Write one result, stamped; raises :class:`OutputError` (exists, not writable...)."""
        return save_result(item.image, item.result.results[model_id], target, fmt=fmt, overwrite=overwrite,
                           keep_exif=self.settings.current.keep_exif)
