"""Settings and About dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.catalog import ModelCatalog
from desktop.settings import QUALITY_RANGE, Settings
from engine import __version__
from engine.formats import FORMAT_CHOICES
from engine.providers import PROVIDER_CHOICES

LICENSES = """
<p><b>Data the shipped models learned from</b>: Imagenette (a 10-class subset of ImageNet; research and
non-commercial use). Fruit and vegetable models: the Grocery Store Dataset (MIT).</p>
<p><b>Components</b>: EfficientNet-Lite0 ImageNet weights (Apache-2.0), inside the Deep Koalarization model;
ONNX Runtime (MIT); Qt for Python / PySide6 (LGPLv3); Pillow (MIT-CMU); NumPy (BSD).</p>
<p>Every file Tintype saves is marked as colorized (IPTC digital source type
<i>compositeWithTrainedAlgorithmicMedia</i>, plus a plain-text description): the colors are a model's guess.</p>
"""


class SettingsDialog(QDialog):
    """Where the models run; where results go (next to each photo, or into one folder); their format,
    JPEG quality and EXIF."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tintype settings")
        self.setMinimumWidth(520)
        self.provider = QComboBox()
        self.provider.addItems(PROVIDER_CHOICES)
        self.provider.setCurrentText(settings.provider)
        self.provider.setToolTip("auto: an NVIDIA GPU when CUDA works here, else the CPU")
        self.next_to_photo = QRadioButton("Next to each photo")
        self.into_folder = QRadioButton("Into this folder:")
        places = QButtonGroup(self)
        places.addButton(self.next_to_photo)
        places.addButton(self.into_folder)
        (self.into_folder if settings.use_output_dir else self.next_to_photo).setChecked(True)
        self.output_dir = QLineEdit(settings.output_dir)
        self.output_dir.setPlaceholderText("choose a folder")
        self.browse = QPushButton("Browse...")
        self.browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.into_folder)
        folder_row.addWidget(self.output_dir, 1)
        folder_row.addWidget(self.browse)
        self.into_folder.toggled.connect(self._folder_enabled)
        self._folder_enabled(settings.use_output_dir)
        self.output_format = QComboBox()
        self.output_format.addItems(FORMAT_CHOICES)
        self.output_format.setCurrentText(settings.output_format)
        self.output_format.setToolTip("same: the photo's own format when it can carry the colorized mark, else PNG")
        self.jpeg_quality = QSpinBox()
        self.jpeg_quality.setRange(*QUALITY_RANGE)
        self.jpeg_quality.setValue(settings.jpeg_quality)
        self.jpeg_quality.setToolTip("Higher: finer detail, larger files")
        self.keep_exif = QCheckBox("Copy the original EXIF (camera, date) into saved files")
        self.keep_exif.setChecked(settings.keep_exif)
        form = QFormLayout()
        form.addRow("Run models on", self.provider)
        form.addRow("Save results", self.next_to_photo)
        form.addRow("", folder_row)
        form.addRow("Format", self.output_format)
        form.addRow("JPEG quality", self.jpeg_quality)
        form.addRow("", self.keep_exif)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _folder_enabled(self, on: bool) -> None:
        self.output_dir.setEnabled(on)
        self.browse.setEnabled(on)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save results to", self.output_dir.text())
        if folder:
            self.output_dir.setText(folder)

    def settings(self) -> Settings:
        return Settings(
            provider=self.provider.currentText(),
            use_output_dir=self.into_folder.isChecked(),
            output_dir=self.output_dir.text().strip(),
            output_format=self.output_format.currentText(),
            jpeg_quality=self.jpeg_quality.value(),
            keep_exif=self.keep_exif.isChecked(),
        )


class AboutDialog(QDialog):
    def __init__(self, catalog: ModelCatalog | None, parent: QWidget | None = None) -> None:
        """``catalog``: the loaded models, None while they load."""
        super().__init__(parent)
        self.setWindowTitle("About Tintype")
        self.resize(560, 480)
        rows = ""
        if catalog is not None:
            for m in catalog.models:
                rows += (
                    f"<tr><td><b>{m.display_name}</b></td><td>{m.model_id} v{m.version}</td>"
                    f"<td>{m.training_data}</td><td>{m.provider}</td></tr>"
                )
            for failure in catalog.unavailable:
                rows += f"<tr><td colspan=4 style='color:#b00'>unavailable: {failure.reason}</td></tr>"
        text = QTextBrowser()
        text.setOpenExternalLinks(False)
        text.setHtml(
            f"<h2>Tintype {__version__}</h2><p>Brings color back to black-and-white photographs with three "
            f"models from a study of colorization: U-Net, Deep Koalarization and a conditional GAN.</p>"
            f"<h3>Models</h3><table cellpadding=3>{rows or '<tr><td>none loaded</td></tr>'}</table>{LICENSES}"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
