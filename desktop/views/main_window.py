"""The main window: layout only. The controller connects its signals and fills it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.views.image_panel import ImagePanel
from desktop.views.split_view import SplitPanel


class MainWindow(QMainWindow):
    filesDropped = Signal(list)  # list[Path]

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Tintype")
        self.resize(1400, 860)
        self.setAcceptDrops(True)

        self.queue = QListWidget()
        self.queue.setIconSize(QSize(48, 48))
        self.queue.setMinimumWidth(230)
        self.queue.setObjectName("queue")
        self.hint = QLabel("Drop photos or folders here\nor use File > Open (Ctrl+O)")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color:#888;font-size:16px;")

        self.panels_host = QWidget()
        self.panels_grid = QGridLayout(self.panels_host)
        self.panels_grid.setContentsMargins(0, 0, 0, 0)
        self.panels_grid.setSpacing(4)
        self.split = SplitPanel()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.panels_host)
        self.stack.addWidget(self.split)

        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(QLabel("Queue"))
        left_layout.addWidget(self.queue, 1)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 1150])
        self.setCentralWidget(splitter)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.provider_label = QLabel("Loading models...")
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.statusBar().addPermanentWidget(self.provider_label)

        self.actions = self._make_actions()
        self._make_menus_and_toolbar()
        self.panels: dict[str, ImagePanel] = {}

    def _make_actions(self) -> dict[str, QAction]:
        specs = {
            "open": ("&Open...", QKeySequence.StandardKey.Open),
            "save": ("&Save selected result...", QKeySequence.StandardKey.Save),
            "save_all": ("Save &all results of this photo", QKeySequence("Ctrl+Shift+S")),
            "save_queue": ("Save &everything in the queue to a folder...", QKeySequence("Ctrl+Alt+S")),
            "settings": ("&Settings...", QKeySequence("Ctrl+,")),
            "quit": ("&Quit", QKeySequence.StandardKey.Quit),
            "zoom_in": ("Zoom &in", QKeySequence("+")),
            "zoom_out": ("Zoom &out", QKeySequence("-")),
            "zoom_fit": ("&Fit", QKeySequence("F")),
            "zoom_100": ("&100%", QKeySequence("0")),
            "toggle_split": ("&Before/after", QKeySequence("Space")),
            "next": ("&Next photo", QKeySequence("Right")),
            "previous": ("&Previous photo", QKeySequence("Left")),
            "clear": ("&Clear finished", QKeySequence()),
            "about": ("&About Tintype", QKeySequence()),
        }
        actions = {}
        for key, (text, shortcut) in specs.items():
            action = QAction(text, self)
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            actions[key] = action
            self.addAction(action)
        actions["zoom_in"].setShortcuts([QKeySequence("+"), QKeySequence("="), QKeySequence.StandardKey.ZoomIn])
        actions["toggle_split"].setCheckable(True)
        return actions

    def _make_menus_and_toolbar(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        for key in ("open", "save", "save_all", "save_queue", "settings", "quit"):
            file_menu.addAction(a[key])
        view_menu = self.menuBar().addMenu("&View")
        for key in ("zoom_in", "zoom_out", "zoom_fit", "zoom_100", "toggle_split", "next", "previous", "clear"):
            view_menu.addAction(a[key])
        self.menuBar().addMenu("&Help").addAction(a["about"])
        toolbar = QToolBar("Main")
        toolbar.setMovable(False)
        for key in ("open", "save", "save_all", "zoom_in", "zoom_out", "zoom_fit", "zoom_100", "toggle_split"):
            toolbar.addAction(a[key])
        self.addToolBar(toolbar)

    def set_panels(self, panels: list[ImagePanel]) -> None:
        """Replace the comparison panels (gray input first, then one per model), in a grid."""
        for panel in self.panels.values():
            self.panels_grid.removeWidget(panel)
            panel.deleteLater()
        self.panels = {p.key: p for p in panels}
        columns = 2 if len(panels) <= 4 else 3
        for index, panel in enumerate(panels):
            self.panels_grid.addWidget(panel, index // columns, index % columns)

    def show_page(self, name: str) -> None:
        self.stack.setCurrentWidget({"hint": self.hint, "panels": self.panels_host, "split": self.split}[name])

    # Drag and drop anywhere on the window.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)
