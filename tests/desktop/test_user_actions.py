"""What a user does first, through the real shortcuts, menus, mouse clicks and dialogs (never the
controllers' methods): saving, choosing a result, the save dialog, settings, quitting and clearing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog

import engine.providers
from desktop.queue_model import Status
from engine.colorize import colorize
from engine.images import load_image
from engine.stamp import read_stamp
from tests.desktop.driving import answer_dialog, click, click_button, drop_and_finish, press

ALL = ["one.cgan.colorized.jpg", "one.koala.colorized.jpg", "one.unet.colorized.jpg"]


def colorized(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".colorized" in p.name)


def test_save_all_shortcut_writes_every_result_of_the_photo(qtbot, app_parts, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    press(window, "Ctrl+Shift+S")
    assert colorized(photos[0].parent) == ALL
    assert {read_stamp(photos[0].parent / name).model_id for name in ALL} == {"unet", "koala", "cgan"}


def test_save_everything_asks_a_folder_and_writes_every_finished_photo(qtbot, user_app, photos, tmp_path, file_dialogs):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos)
    out = tmp_path / "out"
    out.mkdir()
    file_dialogs.folder_answers.append(str(out))
    press(window, "Ctrl+Alt+S")
    assert file_dialogs.asked[-1][0] == "folder"
    qtbot.waitUntil(lambda: not controller.saving.busy, timeout=20_000)
    assert colorized(out) == sorted(ALL + [n.replace("one.", "two.").replace(".jpg", ".png") for n in ALL])
    assert "Saved 6 files" in window.statusBar().currentMessage()
    # The menu entry does the same (a second time: every file exists, nothing is replaced).
    file_dialogs.folder_answers.append(str(out))
    seen: list[str] = []
    answer_dialog(click_button("OK"), seen)
    window.commands["save_queue"].trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert "6 not saved" in seen[0] and "already exists" in seen[0]


def test_clicking_a_picture_selects_it_and_ctrl_s_saves_that_result(qtbot, app_parts, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    koala = window.comparison.panels["koala"]
    click(koala.view.viewport())
    assert controller.comparison.selected_model == "koala"
    assert koala.selected and not window.comparison.panels["unet"].selected
    press(window, "Ctrl+S")
    saved = photos[0].with_name("one.koala.colorized.jpg")
    assert read_stamp(saved).model_id == "koala"
    assert colorized(photos[0].parent) == ["one.koala.colorized.jpg"]


def test_a_drag_on_a_picture_pans_without_selecting(qtbot, app_parts, photos):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    viewport = window.comparison.panels["cgan"].view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    QTest.mouseMove(viewport, QPoint(80, 60))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(80, 60))
    assert controller.comparison.selected_model == "unet"


def test_the_saved_file_is_the_result_the_models_make(qtbot, app_parts, photos, models_dir):
    """Saving computes the result again from the photo: it must be exactly what the models make."""
    from engine.registry import ModelRegistry

    window, controller = app_parts
    png = photos[1]
    drop_and_finish(qtbot, window, controller, [png])
    press(window, "Ctrl+S")
    saved = png.with_name("two.unet.colorized.png")
    expected = colorize(load_image(png), ModelRegistry.discover([models_dir], provider="cpu").select(["unet"]))
    with Image.open(saved) as image:
        assert np.array_equal(np.asarray(image.convert("RGB")), expected.results["unet"].rgb)


def test_a_photo_changed_since_it_was_colorized_is_not_saved(qtbot, app_parts, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    Image.fromarray(np.zeros((10, 10), dtype=np.uint8)).save(photos[0])
    press(window, "Ctrl+S")
    assert "changed since it was colorized" in window.statusBar().currentMessage()
    assert colorized(photos[0].parent) == []


def test_save_dialog_names_and_formats(qtbot, user_app, photos, tmp_path, file_dialogs):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos[:1])
    file_dialogs.save_answers += [
        (str(tmp_path / "x.colorized"), "PNG (*.png)"),  # an extension that is no format: add the picked one
        (str(tmp_path / "plain"), "JPEG (*.jpg *.jpeg)"),  # none: add the picked one
        (str(tmp_path / "typed.webp"), "JPEG (*.jpg *.jpeg)"),  # a known one wins over the list
    ]
    for _ in range(3):
        press(window, "Ctrl+S")
    kind, start, filters, selected = file_dialogs.asked[0]
    assert start == str(photos[0].with_name("one.unet.colorized.jpg"))
    assert filters == ["JPEG (*.jpg *.jpeg)", "PNG (*.png)", "TIFF (*.tif *.tiff)", "WEBP (*.webp)"]
    assert selected == "JPEG (*.jpg *.jpeg)"
    formats = {}
    for name in ("x.colorized.png", "plain.jpg", "typed.webp"):
        with Image.open(tmp_path / name) as image:
            formats[name] = image.format
        assert read_stamp(tmp_path / name).model_id == "unet"
    assert formats == {"x.colorized.png": "PNG", "plain.jpg": "JPEG", "typed.webp": "WEBP"}
    assert not (tmp_path / "x.colorized").exists() and not (tmp_path / "plain").exists()


def test_save_dialog_asks_before_replacing_a_name_it_completed(qtbot, user_app, photos, tmp_path, file_dialogs):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos[:1])
    existing = tmp_path / "keep.png"
    existing.write_bytes(b"mine")
    file_dialogs.save_answers.append((str(tmp_path / "keep"), "PNG (*.png)"))
    seen: list[str] = []
    answer_dialog(click_button("Cancel"), seen)
    press(window, "Ctrl+S")
    assert "keep.png already exists" in seen[0]
    assert existing.read_bytes() == b"mine"


def open_settings_and(qtbot, window, change) -> None:
    """Ctrl+, opens the settings; ``change(dialog)`` edits it; OK."""

    def act(dialog: QDialog) -> None:
        change(dialog)
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    answer_dialog(act)
    press(window, "Ctrl+,")


def test_cuda_without_a_gpu_falls_back_visibly_and_is_not_remembered(qtbot, user_app, photos, monkeypatch):
    window, controller = user_app
    monkeypatch.setattr(engine.providers, "cuda_compiled_in", lambda: False)  # as on a machine without CUDA
    open_settings_and(qtbot, window, lambda d: d.provider.setCurrentText("cuda"))
    qtbot.waitUntil(
        lambda: controller.models.registry is not None and controller.models.provider == "auto", timeout=10_000
    )
    assert "CUDA could not be used" in window.statusBar().currentMessage()
    assert "CUDA could not be used" in window.provider_label.text()
    assert controller.models.catalog.ids == ["unet", "koala", "cgan"] and not controller.models.catalog.unavailable
    assert controller.settings.current.provider == "auto"
    assert QSettings("Tintype", "Tintype").value("provider") == "auto"  # a restart starts with working models
    drop_and_finish(qtbot, window, controller, photos[:1])
    assert controller.queue.items[0].status is Status.DONE


def test_failed_photos_run_again_after_a_settings_change(qtbot, user_app, photos):
    window, controller = user_app

    def out_of_memory(_gray):
        raise RuntimeError("CUDA failure 2: out of memory")

    controller.models.registry.models[1].predict = out_of_memory
    drop_and_finish(qtbot, window, controller, photos)
    assert [i.status for i in controller.queue.items] == [Status.FAILED, Status.FAILED]
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        open_settings_and(qtbot, window, lambda d: d.provider.setCurrentText("auto"))
    assert [i.status for i in controller.queue.items] == [Status.DONE, Status.DONE]
    assert window.queue.item(0).text() == "one.jpg\ndone"


def test_after_a_reload_the_highlight_and_ctrl_s_agree(qtbot, user_app, photos, file_dialogs):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos[:1])
    click(window.comparison.panels["cgan"].view.viewport())
    with qtbot.waitSignal(controller.models.loaded, timeout=10_000):
        open_settings_and(qtbot, window, lambda d: d.provider.setCurrentText("auto"))
    highlighted = [key for key, panel in window.comparison.panels.items() if panel.selected]
    assert highlighted == ["cgan"]
    press(window, "Ctrl+S")
    assert Path(file_dialogs.asked[-1][1]).name == "one.cgan.colorized.jpg"


def test_quitting_with_unsaved_results_asks(qtbot, user_app, photos):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos[:1])
    seen: list[str] = []
    answer_dialog(click_button("Cancel"), seen)
    press(window, "Ctrl+Q")
    assert "1 photo has results that were not saved" in seen[0]
    assert window.isVisible()
    answer_dialog(click_button("Quit"))
    window.commands["quit"].trigger()
    assert not window.isVisible()
    assert not controller.store.folder.exists()  # previews removed


def test_quitting_after_saving_asks_nothing(qtbot, user_app, photos):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos[:1])
    press(window, "Ctrl+Shift+S")
    press(window, "Ctrl+Q")  # a question would block here: answer_dialog is not armed
    assert not window.isVisible()


def test_clear_finished_asks_before_dropping_unsaved_results(qtbot, user_app, photos):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos)
    seen: list[str] = []
    answer_dialog(click_button("Cancel"), seen)
    window.commands["clear"].trigger()
    assert "2 photos have results that were not saved" in seen[0]
    assert window.queue.count() == 2
    previews = [i.previews.gray for i in controller.queue.items]
    answer_dialog(click_button("Clear"))
    window.commands["clear"].trigger()
    assert window.queue.count() == 0 and controller.queue.items == []
    assert not any(p.exists() for p in previews)


def test_the_split_view_picker_chooses_the_compared_result(qtbot, app_parts, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    press(window, "Space")
    split = window.comparison.split
    assert window.comparison.currentWidget() is split
    picker: QComboBox = split.picker
    assert [picker.itemText(i) for i in range(picker.count())] == ["U-Net", "Deep Koalarization", "Conditional GAN"]
    picker.activated.emit(2)  # what choosing an entry with the mouse emits
    assert "Conditional GAN" in split.title.text() and "Conditional GAN" in split.after_label.text()
    press(window, "Ctrl+S")
    assert colorized(photos[0].parent) == ["one.cgan.colorized.jpg"]
