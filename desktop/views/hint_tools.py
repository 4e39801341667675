"""The color-correction tools of the window: the hint-mode switch, Delete point, Reset, export/load of a
hints file (actions in the menus and toolbar), and the color bar above the comparison with the selected
result's strength and warmth sliders. Layout only: the hints controller connects them. Undo and Redo are
the window's (Edit menu): hint edits go on the photo's undo stack with every other tool's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSlider,
    QToolBar,
    QWidget,
)

from desktop.views.icons import action_icon

# key: (menu text, shortcut, tooltip)
HINT_ACTIONS: dict[str, tuple[str, str, str]] = {
    "hints": (
        "Color &hints",
        "H",
        (
            "Color hints (H): click a result to add a color point; drag a point to "
            "move it, right-click it or press Delete to remove it"
        ),
    ),
    "delete_hint": ("&Delete color point", "Delete", "Remove the chosen color point (Delete)"),
    "reset_hints": ("Reset &colors", "", "Remove this result's color points and reset strength and warmth"),
    "export_hints": ("E&xport color hints...", "", "Write the selected result's color points to a JSON file"),
    "load_hints": ("&Load color hints...", "", "Read color points from a JSON file onto the selected result"),
}
MODE_TEXT = (
    "Color hints: click a result to add a color point; drag a point to move it; right-click or "
    "Delete removes it; Ctrl+Z undoes. Press H to leave."
)


def percent_slider(low: int, high: int, tooltip: str) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(low, high)
    slider.setSingleStep(5)
    slider.setPageStep(10)
    slider.setFixedWidth(160)
    slider.setToolTip(tooltip)
    return slider


class ColorBar(QToolBar):
    """Strength (0-200 %) and warmth (-100..100) of the selected result, and Reset."""

    controlsChanged = Signal(float, float)  # strength 0..2, warmth -1..1 (the user moved a slider)

    def __init__(self, reset: QAction, parent: QWidget | None = None) -> None:
        super().__init__("Color", parent)
        self.setObjectName("colorToolbar")
        self.setMovable(False)
        self.title = QLabel("Color")
        self.title.setMinimumWidth(160)
        self.strength = percent_slider(
            0,
            200,
            "Color strength of the selected result: 0 % gray, 100 % the model's colors, 200 % twice as saturated",
        )
        self.strength_label = QLabel()
        self.warmth = percent_slider(-100, 100, "Warmth of the selected result: toward blue (left) or yellow (right)")
        self.warmth_label = QLabel()
        for label in (self.strength_label, self.warmth_label):
            label.setMinimumWidth(44)
        self.count = QLabel()
        reset_button = QPushButton("Reset")
        reset_button.setToolTip(reset.toolTip())
        reset_button.clicked.connect(reset.trigger)
        self.addWidget(self.title)
        self.addWidget(QLabel(" Strength "))
        self.addWidget(self.strength)
        self.addWidget(self.strength_label)
        self.addWidget(QLabel(" Warmth "))
        self.addWidget(self.warmth)
        self.addWidget(self.warmth_label)
        self.addWidget(reset_button)
        self.addWidget(self.count)
        self.strength.valueChanged.connect(self._changed)
        self.warmth.valueChanged.connect(self._changed)
        self.show_controls(None, 1.0, 0.0, 0)

    def show_controls(self, name: str | None, strength: float, warmth: float, points: int) -> None:
        """What the bar shows for the result ``name`` (None: no result, the bar is disabled); never
        reported back as a change."""
        for slider, value in ((self.strength, round(strength * 100)), (self.warmth, round(warmth * 100))):
            slider.blockSignals(True)
            slider.setValue(value)
            slider.blockSignals(False)
        self._label_values()
        self.title.setText(f"Color of {name}:" if name else "Color: no result selected")
        self.count.setText(f"  {points} color point{'' if points == 1 else 's'}" if name else "")
        for widget in (self.strength, self.warmth):
            widget.setEnabled(name is not None)

    def _label_values(self) -> None:
        self.strength_label.setText(f"{self.strength.value()} %")
        self.warmth_label.setText(f"{self.warmth.value():+d}")

    def _changed(self) -> None:
        self._label_values()
        self.controlsChanged.emit(self.strength.value() / 100, self.warmth.value() / 100)


class HintTools:
    """The actions (``actions[key]``, keys of ``HINT_ACTIONS``) and the color bar, put into ``window``'s
    menus and toolbars: three Edit entries (below Undo/Redo), two File entries, the hint switch on the main
    toolbar."""

    def __init__(self, window: QMainWindow, main_toolbar: QToolBar | None = None) -> None:
        color = window.palette().color(QPalette.ColorRole.WindowText)
        self.commands: dict[str, QAction] = {}
        for key, (text, shortcut, tooltip) in HINT_ACTIONS.items():
            action = QAction(action_icon(key, color) if key == "hints" else QIcon(), text, window)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(tooltip)
            action.setStatusTip(tooltip)
            window.addAction(action)
            self.commands[key] = action
        self.commands["hints"].setIconText("Color hints")
        self.commands["hints"].setCheckable(True)
        self.bar = ColorBar(self.commands["reset_hints"], window)
        window.addToolBarBreak()
        window.addToolBar(self.bar)
        if main_toolbar is not None:
            main_toolbar.addSeparator()
            main_toolbar.addAction(self.commands["hints"])
        self._add_menus(window)

    def _add_menus(self, window: QMainWindow) -> None:
        bar = window.menuBar()
        menus = {a.text().replace("&", ""): menu for a in bar.actions() if isinstance(menu := a.menu(), QMenu)}
        edit = menus.get("Edit")  # the window's, with Undo and Redo
        if edit is None:
            edit = QMenu("&Edit", window)
            view = menus.get("View")
            bar.insertMenu(view.menuAction(), edit) if view is not None else bar.addMenu(edit)
        edit.addSeparator()
        for key in ("hints", "delete_hint", "reset_hints"):
            edit.addAction(self.commands[key])
        file_menu = menus.get("File")
        if file_menu is not None:
            entries = file_menu.actions()
            before = entries[-2] if len(entries) >= 2 else None  # above Settings and Quit
            # (None: at the end; Qt takes nullptr there, PySide6's stubs leave None out)
            file_menu.insertSeparator(before)  # type: ignore[arg-type]
            hint_files = [self.commands["export_hints"], self.commands["load_hints"]]
            file_menu.insertActions(before, hint_files)  # type: ignore[arg-type]
