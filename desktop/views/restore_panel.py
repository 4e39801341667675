"""The Restore tool's controls: its actions (the toggle, the defect overlay, the brush, saving the restored
gray) and a panel with each step's switch and strength. Layout only; the restore controller wires them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.views.icons import action_icon
from engine.restore import DustSettings, FadeSettings, GrainSettings, RestoreSettings

# key: (menu text, toolbar text, shortcut); icons in resources/icons/actions/<key>.svg where there is one.
RESTORE_ACTIONS: dict[str, tuple[str, str, QKeySequence]] = {
    "restore": ("&Restore this photo", "Restore", QKeySequence("R")),
    "show_defects": ("Show &defects", "Defects", QKeySequence("D")),
    "brush": ("Defect &brush", "Brush", QKeySequence("B")),
    "brush_smaller": ("Brush s&maller", "Smaller", QKeySequence("[")),
    "brush_larger": ("Brush &larger", "Larger", QKeySequence("]")),
    "save_restored": ("Save &restored photo", "Save restored", QKeySequence("Ctrl+Alt+R")),
}
CHECKABLE = ("restore", "show_defects", "brush")
TOOLTIPS = {
    "restore": "Remove dust, scratches and grain before colorizing (R)",
    "show_defects": "Show the defects restoration fills in, in red (D)",
    "brush": "Paint defects in (left button) or out (right button or Alt) on the gray photo (B; size: [ ])",
    "save_restored": "Save the restored gray photo as <name>.restored (Ctrl+Alt+R)",
}


def make_restore_actions(parent: QWidget) -> dict[str, QAction]:
    """The Restore tool's actions, added to ``parent`` (the window) so their shortcuts work anywhere in it."""
    color = parent.palette().color(QPalette.ColorRole.WindowText)
    actions = {}
    for key, (text, short, shortcut) in RESTORE_ACTIONS.items():
        action = QAction(action_icon(key, color), text, parent) if key in TOOLTIPS else QAction(text, parent)
        action.setIconText(short)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(key in CHECKABLE)
        plain = text.replace("&", "")
        keys = shortcut.toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(TOOLTIPS.get(key, f"{plain} ({keys})"))
        parent.addAction(action)
        actions[key] = action
    return actions


def _slider(value: float) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    slider.setValue(round(value * 100))
    slider.setTracking(False)  # a value when the user lets go: each one restores the photo again
    return slider


class RestorePanel(QWidget):
    """Each restoration step's switch and strength (0..1 on a 0..100 slider), the tool buttons, and what
    the last run did. ``settingsChanged`` carries a whole :class:`RestoreSettings`."""

    settingsChanged = Signal(object)  # RestoreSettings

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        defaults = RestoreSettings()
        self.dust = QCheckBox("Dust and scratches")
        self.dust_strength = _slider(defaults.dust.strength)
        self.grain = QCheckBox("Grain")
        self.grain_strength = _slider(defaults.grain.strength)
        self.fade = QCheckBox("Faded contrast")
        self.fade_strength = _slider(defaults.fade.strength)
        self.local_contrast = _slider(defaults.fade.local_contrast)
        self.dust_strength.setToolTip("Sensitivity: higher finds fainter defects, and may take detail for damage")
        self.grain_strength.setToolTip("Smoothing: 50 matches the measured grain")
        self.fade_strength.setToolTip("How much of the tonal stretch to apply")
        self.local_contrast.setToolTip("Local contrast (adaptive equalization); 0 = off")

        steps = QGroupBox("Steps")
        form = QFormLayout(steps)
        form.addRow(self.dust)
        form.addRow("Sensitivity", self.dust_strength)
        form.addRow(self.grain)
        form.addRow("Strength", self.grain_strength)
        form.addRow(self.fade)
        form.addRow("Strength", self.fade_strength)
        form.addRow("Local contrast", self.local_contrast)
        self.steps_box = steps

        tools = QHBoxLayout()
        for key in ("restore", "show_defects", "brush"):
            button = QToolButton()
            button.setDefaultAction(actions[key])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            tools.addWidget(button)
        tools.addStretch(1)
        self.brush_label = QLabel()
        self.status = QLabel("Off: the photo is colorized as it is.")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(steps)
        layout.addWidget(self.brush_label)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.set_settings(defaults, enabled=False)
        for box in (self.dust, self.grain, self.fade):
            box.toggled.connect(self._changed)
        for slider in (self.dust_strength, self.grain_strength, self.fade_strength, self.local_contrast):
            slider.valueChanged.connect(self._changed)

    def settings(self) -> RestoreSettings:
        """The settings as the controls show them."""
        return RestoreSettings(
            dust=DustSettings(enabled=self.dust.isChecked(), strength=self.dust_strength.value() / 100),
            grain=GrainSettings(enabled=self.grain.isChecked(), strength=self.grain_strength.value() / 100),
            fade=FadeSettings(
                enabled=self.fade.isChecked(),
                strength=self.fade_strength.value() / 100,
                local_contrast=self.local_contrast.value() / 100,
            ),
        )

    def set_settings(self, settings: RestoreSettings, *, enabled: bool) -> None:
        """Show ``settings`` (a photo's) without announcing a change; the controls work while ``enabled``."""
        controls = (
            self.dust,
            self.dust_strength,
            self.grain,
            self.grain_strength,
            self.fade,
            self.fade_strength,
            self.local_contrast,
        )
        for control in controls:
            control.blockSignals(True)
        try:
            self.dust.setChecked(settings.dust.enabled)
            self.dust_strength.setValue(round(settings.dust.strength * 100))
            self.grain.setChecked(settings.grain.enabled)
            self.grain_strength.setValue(round(settings.grain.strength * 100))
            self.fade.setChecked(settings.fade.enabled)
            self.fade_strength.setValue(round(settings.fade.strength * 100))
            self.local_contrast.setValue(round(settings.fade.local_contrast * 100))
        finally:
            for control in controls:
                control.blockSignals(False)
        self.steps_box.setEnabled(enabled)
        self._enable_strengths()

    def _enable_strengths(self) -> None:
        """A step's strengths work only while the step is on."""
        self.dust_strength.setEnabled(self.dust.isChecked())
        self.grain_strength.setEnabled(self.grain.isChecked())
        self.fade_strength.setEnabled(self.fade.isChecked())
        self.local_contrast.setEnabled(self.fade.isChecked())

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def set_brush_size(self, pixels: int) -> None:
        self.brush_label.setText(f"Brush: {pixels} px across ([ smaller, ] larger)")

    def _changed(self, *_args: object) -> None:
        self._enable_strengths()
        self.settingsChanged.emit(self.settings())
