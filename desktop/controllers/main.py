"""Composes the small controllers and wires the window's actions and signals to them. No logic of its own
beyond asking before unsaved results are thrown away."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThreadPool

from desktop.controllers.comparison import ComparisonController
from desktop.controllers.hints import HintsController
from desktop.controllers.models import ModelsController
from desktop.controllers.queue import QueueController, unsaved_question
from desktop.controllers.restore import BRUSH_STEP, RestoreController
from desktop.controllers.saving import SavingController
from desktop.controllers.settings import SettingsController
from desktop.controllers.undo import PhotoUndo
from desktop.preview_store import PreviewStore
from desktop.settings import Settings
from desktop.views.color_chooser import ColorPrompt
from desktop.views.dialogs import AboutDialog
from desktop.views.main_window import MainWindow
from desktop.views.prompts import Prompts


class MainController:
    def __init__(
        self,
        window: MainWindow,
        settings: Settings,
        *,
        model_dirs: list[Path] | None = None,
        ask_user: bool = True,
        preview_root: Path | None = None,
    ) -> None:
        """``ask_user`` False (tests, screenshots): no modal dialogs. ``preview_root``: where the previews'
        cache folder goes (default: the user's cache folder)."""
        self.window = window
        self.pool = QThreadPool()
        # One task at a time, loading models included: each photo already uses every core through
        # onnxruntime, and two 24 MP scans at once would double the memory for no gain.
        self.pool.setMaxThreadCount(1)
        self.prompts = Prompts(window, interactive=ask_user)
        self.store = PreviewStore(preview_root)
        self.settings = SettingsController(window, settings)
        self.models = ModelsController(window, self.pool, folders=model_dirs)
        self.queue = QueueController(window, self.pool, self.models, self.prompts, self.store)
        self.comparison = ComparisonController(window, self.models, self.store)
        self.saving = SavingController(
            window,
            self.prompts,
            queue=self.queue,
            models=self.models,
            comparison=self.comparison,
            settings=self.settings,
        )
        self.undo = PhotoUndo(window, self.queue)  # one history per photo, for every tool's edits
        self.restore = RestoreController(
            window,
            self.pool,
            self.prompts,
            queue=self.queue,
            comparison=self.comparison,
            models=self.models,
            store=self.store,
            settings=self.settings,
            undo=self.undo,
        )
        self.saving.restore_of = self.restore.state_for_saving
        self._connect()
        self._connect_restore()
        # After _connect: its slots then see the selection the comparison has just changed.
        self.hints = HintsController(
            window, self.comparison, self.queue, self.store, ColorPrompt(window, interactive=ask_user), undo=self.undo
        )
        self.models.load(settings.provider)

    def _connect(self) -> None:
        w, a = self.window, self.window.commands
        queue, comparison, saving = self.queue, self.comparison, self.saving
        self.models.loaded.connect(comparison.models_loaded)
        self.models.loaded.connect(queue.start_waiting)
        self.models.fellBack.connect(self.settings.provider_fell_back)
        self.settings.providerChanged.connect(self.models.load)
        self.settings.providerChanged.connect(lambda _provider: queue.retry_failed())
        queue.currentChanged.connect(comparison.show)
        w.filesDropped.connect(queue.add_paths)
        w.rowChosen.connect(queue.row_chosen)
        w.cancelRequested.connect(queue.cancel)
        w.panelClicked.connect(comparison.select_model)
        w.splitResultChosen.connect(comparison.select_model)
        w.confirm_close = self.may_close
        w.closing.connect(self.shut_down)
        # Lambdas throughout: a QAction's triggered(bool) would otherwise arrive as the slot's first argument.
        a["open"].triggered.connect(lambda: queue.add_paths(self.prompts.open_photos()))
        a["save"].triggered.connect(lambda: saving.save_selected())
        a["save_all"].triggered.connect(lambda: saving.save_all_results())
        a["save_queue"].triggered.connect(lambda: saving.save_queue())
        a["settings"].triggered.connect(lambda: self.settings.edit())
        a["quit"].triggered.connect(lambda: w.close())
        a["zoom_in"].triggered.connect(lambda: w.zoom_by(1.25))
        a["zoom_out"].triggered.connect(lambda: w.zoom_by(0.8))
        a["zoom_fit"].triggered.connect(lambda: w.zoom_fit())
        a["zoom_100"].triggered.connect(lambda: w.zoom_actual_size())
        a["toggle_split"].toggled.connect(comparison.set_split_mode)
        a["next"].triggered.connect(lambda: queue.move_selection(1))
        a["previous"].triggered.connect(lambda: queue.move_selection(-1))
        a["clear"].triggered.connect(lambda: queue.clear_finished())
        a["about"].triggered.connect(lambda: AboutDialog(self.models.catalog, w).exec())

    def _connect_restore(self) -> None:
        a, restore = self.window.commands, self.restore
        self.queue.currentChanged.connect(restore.current_changed)
        self.comparison.resultShown.connect(restore.panels_shown)
        self.window.restore_panel.settingsChanged.connect(restore.set_settings)
        a["restore"].toggled.connect(restore.set_enabled)
        a["show_defects"].toggled.connect(restore.show_defects)
        a["brush"].toggled.connect(restore.set_brush)
        a["brush_smaller"].triggered.connect(lambda: restore.resize_brush(1 / BRUSH_STEP))
        a["brush_larger"].triggered.connect(lambda: restore.resize_brush(BRUSH_STEP))
        a["save_restored"].triggered.connect(lambda: restore.save_restored())

    def may_close(self) -> bool:
        """Before quitting: ask if results would be lost (unsaved photos, a save still running)."""
        unsaved = self.queue.unsaved()
        if unsaved and not self.prompts.confirm(unsaved_question(len(unsaved), "Quit"), yes="Quit"):
            return False
        if self.saving.busy and not self.prompts.confirm("Results are still being saved. Stop and quit?", yes="Quit"):
            return False
        return True

    def shut_down(self) -> None:
        """The window closes: stop the queue, let running tasks end, remove the previews."""
        self.queue.cancel()
        self.restore.stop()
        self.saving.stop()
        self.pool.waitForDone(30_000)
        self.saving.pool.waitForDone(30_000)
        self.store.close()
