"""The queue model without Qt: statuses, row texts, cancel and clear rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.queue_model import Failure, NotDone, Previews, QueueModel, ResultInfo, SourceInfo, Status

UNET = {"unet": ResultInfo(model_id="unet", display_name="U-Net", seconds=0.1, provider="CPU")}
PREVIEWS = Previews(gray="g", results={"unet": "color"})


@pytest.fixture
def image() -> SourceInfo:
    return SourceInfo(width=6, height=4, format="PNG", sha256="0" * 64)


def test_the_model_does_not_need_qt():
    code = "import sys, desktop.queue_model; assert 'PySide6' not in sys.modules, 'queue model imports Qt'"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_added_photos_wait_in_order_with_fresh_ids():
    queue: QueueModel[str] = QueueModel()
    first = queue.add([Path("/p/a.jpg"), Path("/p/b.jpg")])
    second = queue.add([Path("/p/c.jpg")])
    assert [i.id for i in first + second] == [0, 1, 2]
    assert queue.items == first + second and queue.waiting() == first + second
    assert queue.row_of(second[0]) == 2 and queue.at(2) is second[0] and queue.at(3) is None and queue.at(-1) is None
    assert queue.get(1) is first[1]
    item = first[0]
    assert item.status is Status.WAITING
    assert item.row_text == "a.jpg\nwaiting" and item.tooltip == "/p/a.jpg" and item.hint_text == "a.jpg\nwaiting"


def test_a_photo_runs_to_done(image):
    queue: QueueModel[str] = QueueModel()
    (item,) = queue.add([Path("/photos/a.png")])
    queue.start(item)
    assert item.status is Status.WORKING and item.queued and item.progress is None
    assert item.row_text == "a.png\nqueued" and item.hint_text == "a.png\nqueued: the photos before it run first"
    queue.begin(item)
    assert not item.queued and item.row_text == "a.png\nworking..." and item.progress == 0.0
    queue.set_source(item, image)
    assert item.progress == 0.0
    queue.set_models_done(item, 1, 3)
    assert item.progress == pytest.approx(1 / 3)
    assert item.row_text == "a.png\nworking (1/3 models)"
    assert item.tooltip == "1/3 models" and item.hint_text == "a.png\n1/3 models"
    assert not queue.all_finished and queue.finished_count == 0
    queue.finish(item, UNET, Previews(gray="gray", results={"unet": "color"}))
    assert item.status is Status.DONE and item.results == UNET and item.progress is None
    assert item.previews.gray == "gray" and dict(item.previews.results) == {"unet": "color"}
    assert item.row_text == "a.png\ndone" and item.tooltip == "/photos/a.png"
    assert queue.all_finished and queue.finished_count == 1


def test_a_finished_photos_results_previews_and_source_come_without_none(image):
    queue: QueueModel[str] = QueueModel()
    (item,) = queue.add([Path("/photos/a.png")])
    for missing in ("done_results", "done_previews", "read_source"):
        with pytest.raises(NotDone, match="a.png"):
            getattr(item, missing)
    queue.start(item)
    queue.set_source(item, image)
    queue.finish(item, UNET, PREVIEWS)
    assert item.done_results == UNET and item.done_previews is PREVIEWS and item.read_source is image


def test_a_failure_is_data_the_row_does_not_repeat_the_file():
    queue: QueueModel[str] = QueueModel()
    (item,) = queue.add([Path("/photos/bad.jpg")])
    queue.start(item)
    queue.fail(item, Failure.of("/photos/bad.jpg: not an image Tintype can read", item.path))
    assert item.status is Status.FAILED and item.status.finished
    assert item.row_text == "bad.jpg\nfailed: not an image Tintype can read"
    assert item.tooltip == "/photos/bad.jpg: not an image Tintype can read"
    assert item.hint_text == "bad.jpg\n/photos/bad.jpg: not an image Tintype can read"
    # A message about something else (no models) is shown whole.
    other = Failure.of("no models available (see Help > About)", item.path)
    assert other.reason == other.detail == "no models available (see Help > About)"


def test_a_worker_that_ends_without_an_outcome_fails_the_photo():
    queue: QueueModel[str] = QueueModel()
    working, done = queue.add([Path("/p/a.jpg"), Path("/p/b.jpg")])
    queue.start(working)
    queue.start(done)
    queue.finish(done, UNET, PREVIEWS)
    assert queue.settle(working) and working.status is Status.FAILED
    assert "stopped without a result" in working.row_text
    assert not queue.settle(done) and done.status is Status.DONE
    assert queue.all_finished


def test_cancel_marks_only_photos_not_yet_read(image):
    queue: QueueModel[str] = QueueModel()
    reading, unread, _waiting = queue.add([Path("/p/a.jpg"), Path("/p/b.jpg"), Path("/p/c.jpg")])
    queue.start(reading)
    queue.set_source(reading, image)
    queue.start(unread)
    assert queue.cancel_unstarted() == [unread]
    assert [i.status for i in queue.items] == [Status.WORKING, Status.CANCELLED, Status.WAITING]
    assert unread.row_text == "b.jpg\ncancelled"
    queue.cancel(reading)
    assert reading.status is Status.CANCELLED and reading.note == ""


def test_clear_finished_keeps_waiting_and_working_photos():
    queue: QueueModel[str] = QueueModel()
    done, working, failed, waiting, cancelled = queue.add([Path(f"/p/{n}.jpg") for n in "abcde"])
    queue.finish(done, UNET, PREVIEWS)
    queue.start(working)
    queue.fail(failed, Failure.of("oops", failed.path))
    queue.cancel(cancelled)
    assert queue.finished_count == 3
    assert queue.clear_finished() == [done, failed, cancelled]
    assert queue.items == [working, waiting]
    assert queue.get(done.id) is None and queue.get(working.id) is working
    assert queue.row_of(waiting) == 1


def test_status_words():
    assert [s.label for s in Status] == ["waiting", "working...", "done", "failed", "cancelled"]
    assert [s.finished for s in Status] == [False, False, True, True, True]


def test_failed_photos_wait_again_on_retry():
    queue: QueueModel[str] = QueueModel()
    failed, done = queue.add([Path("/p/a.jpg"), Path("/p/b.jpg")])
    queue.start(failed)
    queue.set_models_done(failed, 1, 3)
    queue.fail(failed, Failure.of("/p/a.jpg: no models available", failed.path))
    queue.finish(done, UNET, PREVIEWS)
    assert queue.retry_failed() == [failed]
    assert failed.status is Status.WAITING and failed.failure is None and failed.models_done is None
    assert queue.waiting() == [failed] and done.status is Status.DONE


def test_unsaved_means_done_with_no_result_saved():
    queue: QueueModel[str] = QueueModel()
    done, saved, failed = queue.add([Path(f"/p/{n}.jpg") for n in "abc"])
    queue.finish(done, UNET, PREVIEWS)
    queue.finish(saved, UNET, PREVIEWS)
    queue.mark_saved(saved, "unet")
    queue.fail(failed, Failure.of("oops", failed.path))
    assert queue.unsaved() == [done]
    assert done.unsaved and not saved.unsaved and not failed.unsaved
