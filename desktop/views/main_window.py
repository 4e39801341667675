"""The main window: layout only. Controllers connect its signals and actions, and tell it what to show
through its intent methods (``set_progress``, ``show_status``, ``set_panels``...), never through its widgets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QImage, QKeySequence, QPalette, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.views.comparison import ComparisonView, PanelSpec
from desktop.views.icons import action_icon
from desktop.views.image_panel import ImagePanel
from desktop.views.queue_list import QueueList
from desktop.views.restore_panel import RestorePanel, make_restore_actions

# key: (menu text, toolbar text, shortcut). Each action's icon is resources/icons/actions/<key>.svg.
ACTIONS: dict[str, tuple[str, str, QKeySequence | QKeySequence.StandardKey]] = {
    "open": ("&Open...", "Open", QKeySequence.StandardKey.Open),
    "save": ("&Save selected result...", "Save", QKeySequence.StandardKey.Save),
    "save_all": ("Save &all results of this photo", "Save all", QKeySequence("Ctrl+Shift+S")),
    "save_queue": ("Save &everything in the queue to a folder...", "Save queue", QKeySequence("Ctrl+Alt+S")),
    "settings": ("&Settings...", "Settings", QKeySequence("Ctrl+,")),
    "quit": ("&Quit", "Quit", QKeySequence("Ctrl+Q")),  # the standard key has none on Windows
    "zoom_in": ("Zoom &in", "Zoom in", QKeySequence("+")),
    "zoom_out": ("Zoom &out", "Zoom out", QKeySequence("-")),
    "zoom_fit": ("&Fit", "Fit", QKeySequence("F")),
    "zoom_100": ("&100%", "100%", QKeySequence("0")),
    "toggle_split": ("&Before/after", "Before/after", QKeySequence("Space")),
    "next": ("&Next photo", "Next", QKeySequence("Right")),
    "previous": ("&Previous photo", "Previous", QKeySequence("Left")),
    "clear": ("&Clear finished", "Clear finished", QKeySequence()),
    "about": ("&About Tintype", "About", QKeySequence()),
}
TOOLBAR = (
    "open",
    "save",
    "save_all",
    "save_queue",
    None,
    "zoom_in",
    "zoom_out",
    "zoom_fit",
    "zoom_100",
    None,
    "toggle_split",
    None,
    "settings",
)


class MainWindow(QMainWindow):
    filesDropped = Signal(list)  # list[Path]
    rowChosen = Signal(int)  # queue row now current, -1 for none
    panelClicked = Signal(str)  # panel key
    splitResultChosen = Signal(str)  # model id picked in the before/after view
    cancelRequested = Signal()
    closing = Signal()  # the window is closing (after ``confirm_close`` agreed)

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Tintype")
        self.resize(1400, 860)
        self.setAcceptDrops(True)

        self.queue = QueueList()
        self.comparison = ComparisonView()

        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(QLabel("Queue"))
        left_layout.addWidget(self.queue, 1)
        splitter.addWidget(left)
        splitter.addWidget(self.comparison)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 1150])
        self.setCentralWidget(splitter)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setIcon(action_icon("cancel", self.palette().color(QPalette.ColorRole.ButtonText)))
        self.cancel_button.setToolTip("Stop the photos not finished yet")
        self.cancel_button.setVisible(False)
        self.provider_label = QLabel("Loading models...")
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.statusBar().addPermanentWidget(self.provider_label)

        self.commands = self._make_actions()
        # Each photo's edits (the restore brush's strokes, the color hints) go on the photo's QUndoStack in
        # this group (desktop/controllers/undo.py); the photo on screen has the active one, and Edit >
        # Undo/Redo act on it. Bound here only: a second Ctrl+Z would be ambiguous and do nothing. Every
        # binding of the platform (redo: Ctrl+Shift+Z and Ctrl+Y on Linux and Windows).
        self.undo_group = QUndoGroup(self)
        self.commands["undo"] = self.undo_group.createUndoAction(self, "&Undo")
        self.commands["undo"].setShortcuts(QKeySequence.StandardKey.Undo)
        self.commands["redo"] = self.undo_group.createRedoAction(self, "&Redo")
        self.commands["redo"].setShortcuts(QKeySequence.StandardKey.Redo)
        for key in ("undo", "redo"):
            self.addAction(self.commands[key])
        self.commands.update(make_restore_actions(self))
        self._make_menus_and_toolbar()
        self._make_restore_dock()
        self.queue.currentRowChanged.connect(self.rowChosen)
        self.comparison.panelClicked.connect(self.panelClicked)
        self.comparison.splitResultChosen.connect(self.splitResultChosen)
        self.cancel_button.clicked.connect(self.cancelRequested)
        # Asked before the window closes (unsaved results); the controller sets it.
        self.confirm_close: Callable[[], bool] = lambda: True

    def _make_actions(self) -> dict[str, QAction]:
        """Every action with its icon, a short toolbar text and a tooltip that names its shortcut."""
        color = self.palette().color(QPalette.ColorRole.WindowText)
        actions = {}
        for key, (text, short, shortcut) in ACTIONS.items():
            action = QAction(action_icon(key, color), text, self)
            action.setIconText(short)
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            actions[key] = action
            self.addAction(action)
        actions["zoom_in"].setShortcuts(
            [QKeySequence("+"), QKeySequence("="), QKeySequence(QKeySequence.StandardKey.ZoomIn)]
        )
        actions["toggle_split"].setCheckable(True)
        for action in actions.values():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            plain = action.text().replace("&", "").removesuffix("...")
            action.setToolTip(f"{plain} ({keys})" if keys else plain)
        return actions

    def _make_menus_and_toolbar(self) -> None:
        a = self.commands
        file_menu = self.menuBar().addMenu("&File")
        for key in ("open", "save", "save_all", "save_queue", "settings", "quit"):
            file_menu.addAction(a[key])
        edit_menu = self.menuBar().addMenu("&Edit")
        for key in ("undo", "redo"):
            edit_menu.addAction(a[key])
        view_menu = self.menuBar().addMenu("&View")
        for key in ("zoom_in", "zoom_out", "zoom_fit", "zoom_100", "toggle_split", "next", "previous", "clear"):
            view_menu.addAction(a[key])
        self.help_menu = self.menuBar().addMenu("&Help")
        self.help_menu.addAction(a["about"])
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(24, 24))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        for entry in TOOLBAR:
            if entry is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(a[entry])
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _make_restore_dock(self) -> None:
        """The Restore menu, its toolbar buttons and its panel (a dock on the right, shown while Restore is on
        or asked for from the menu)."""
        a = self.commands
        menu = QMenu("&Restore", self)
        self.menuBar().insertMenu(self.help_menu.menuAction(), menu)  # Help stays last
        for key in ("restore", "show_defects", "brush", "brush_smaller", "brush_larger", "save_restored"):
            menu.addAction(a[key])
        self.toolbar.addSeparator()
        for key in ("restore", "show_defects", "brush"):
            self.toolbar.addAction(a[key])
        self.restore_panel = RestorePanel(a)
        self.restore_dock = QDockWidget("Restore", self)
        self.restore_dock.setObjectName("restoreDock")
        self.restore_dock.setWidget(self.restore_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.restore_dock)
        self.restore_dock.hide()
        menu.addSeparator()
        menu.addAction(self.restore_dock.toggleViewAction())

    # ----- status bar
    def show_status(self, message: str, msecs: int = 0) -> None:
        self.statusBar().showMessage(message, msecs)

    @contextmanager
    def busy(self) -> Iterator[None]:
        """A wait cursor while the UI thread works (saving one photo)."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            yield
        finally:
            QApplication.restoreOverrideCursor()

    def set_models_text(self, text: str) -> None:
        self.provider_label.setText(text)

    def set_progress(self, finished: int, total: int) -> None:
        """Photos finished of the queue's total; the bar and Cancel show only while some remain."""
        busy = finished < total
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(finished)
        self.progress.setFormat(f"{finished}/{total} photos")

    # ----- queue list
    def add_queue_row(self, text: str, tooltip: str, progress: float | None = None) -> None:
        self.queue.add_row(text, tooltip, progress)

    def update_queue_row(self, row: int, text: str, tooltip: str, progress: float | None = None) -> None:
        """A row's text, tooltip and progress bar (``progress`` in [0, 1] while the photo runs, else None)."""
        self.queue.update_row(row, text, tooltip, progress)

    def set_queue_thumbnail(self, row: int, thumbnail: QImage) -> None:
        self.queue.set_thumbnail(row, thumbnail)

    def remove_queue_rows(self, rows: list[int]) -> None:
        self.queue.remove_rows(rows)

    def current_row(self) -> int:
        return self.queue.currentRow()

    def choose_row(self, row: int) -> None:
        self.queue.setCurrentRow(row)

    # ----- comparison
    @property
    def split_mode(self) -> bool:
        """Whether the before/after split is chosen (rather than the grid of all results)."""
        return self.commands["toggle_split"].isChecked()

    def show_hint(self, text: str | None = None) -> None:
        """The center pane says ``text`` (None: drop photos here)."""
        self.comparison.show_hint(text)

    def show_results(self, *, split: bool) -> None:
        self.comparison.show_results(split=split)

    def set_panels(self, specs: list[PanelSpec], photo_size: tuple[int, int]) -> None:
        """Replace the comparison panels (gray input first, then one per model), laid out for the photo."""
        self.comparison.set_panels(specs, photo_size)

    def mark_selected(self, key: str | None) -> None:
        self.comparison.mark_selected(key)

    def panel(self, key: str) -> ImagePanel | None:
        """The comparison panel ``key`` on screen now (tools attach their layers to it), or None."""
        return self.comparison.panels.get(key)

    def update_panel(self, key: str, image: QImage | None, title: str | None = None) -> None:
        """New picture (and title) in panel ``key``, keeping the zoom and pan."""
        self.comparison.update_panel(key, image, title)

    def set_split(
        self,
        before: QImage | None,
        after: QImage | None,
        photo_size: tuple[int, int],
        *,
        choices: list[tuple[str, str]],
        chosen: str | None,
    ) -> None:
        self.comparison.set_split(before, after, photo_size, choices=choices, chosen=chosen)

    def set_result_image(self, key: str, image: QImage | None, photo_size: tuple[int, int]) -> None:
        """Show a result's new picture (its colors corrected) wherever it is on screen."""
        self.comparison.set_result_image(key, image, photo_size)

    def result_panels(self) -> dict[str, ImagePanel]:
        """The grid's panels by key, for tools that draw on them (color-hint markers)."""
        return dict(self.comparison.panels)

    def zoom_by(self, factor: float) -> None:
        for view in self.comparison.zoom_targets(split=self.split_mode):
            view.zoom_by(factor)

    def zoom_fit(self) -> None:
        for view in self.comparison.fit_targets(split=self.split_mode):
            view.fit()

    def zoom_actual_size(self) -> None:
        for view in self.comparison.zoom_targets(split=self.split_mode):
            view.actual_size()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_close():
            event.ignore()
            return
        self.closing.emit()
        super().closeEvent(event)

    # Drag and drop anywhere on the window.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)
