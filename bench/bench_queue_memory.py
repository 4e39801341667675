"""Memory of the app on a big folder: N photos of M megapixels through the real window and queue.

``QT_QPA_PLATFORM=offscreen python bench/bench_queue_memory.py --photos 1000 --megapixels 10``

The shipped models run on the CPU; a timer walks through the queue meanwhile (as a user looking at the
results would), so previews are read back too. Prints the peak resident memory (VmHWM) and the resident
memory every ``--every`` photos as JSON; exits 1 when the peak passes ``--limit-mb`` (2048 by default).
The photos are a few distinct 10 MP JPEGs, linked under many names (what the queue does per photo does
not depend on its content).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MODELS, peak_rss_mb  # noqa: E402

DISTINCT = 6


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_folder(folder: Path, photos: int, megapixels: float) -> None:
    """``photos`` names linked to ``DISTINCT`` gray JPEGs of about ``megapixels`` (3:2, q90)."""
    from PIL import Image, ImageOps
    from skimage import data

    width = round((megapixels * 1e6 * 1.5) ** 0.5)
    height = round(width / 1.5)
    sources = [data.coffee(), data.astronaut(), data.chelsea(), data.rocket(), data.coffee()[::-1], data.astronaut()[:, ::-1]]
    bases = []
    for index, array in enumerate(sources[:DISTINCT]):
        image = ImageOps.fit(Image.fromarray(array).convert("L"), (width, height), Image.Resampling.BICUBIC)
        path = folder / f"base{index}.jpeg"
        image.save(path, quality=90)
        bases.append(path)
    scans = folder / "scans"
    scans.mkdir()
    for index in range(photos):
        os.link(bases[index % len(bases)], scans / f"scan{index:05d}.jpg")


def run(photos: int, megapixels: float, every: int, models: Path) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.controllers import MainController
    from desktop.settings import Settings
    from desktop.views.main_window import MainWindow

    work = Path(tempfile.mkdtemp(prefix="tintype-bench-"))
    try:
        make_folder(work, photos, megapixels)
        app = QApplication.instance() or QApplication([])
        window = MainWindow()
        controller = MainController(window, Settings(provider="cpu"), model_dirs=[models], ask_user=False,
                                    preview_root=work / "cache")
        window.show()
        samples: list[dict] = []
        started = time.perf_counter()
        baseline = rss_mb()

        def sample() -> None:
            done = controller.queue.model.finished_count
            if done and done % every == 0 and (not samples or samples[-1]["photos"] != done):
                samples.append({"photos": done, "rss_mb": round(rss_mb()), "seconds": round(time.perf_counter() - started)})
                print(json.dumps(samples[-1]), flush=True)

        def browse() -> None:
            window.actions["next"].trigger()
            sample()

        timer = QTimer()
        timer.timeout.connect(browse)
        timer.start(250)
        cache = {}

        def finished() -> None:
            # Measured now: quitting closes the window, and the app removes its previews then.
            cache["mb"] = sum(p.stat().st_size for p in (work / "cache").rglob("*") if p.is_file()) / 1e6
            app.quit()

        controller.queue.queueFinished.connect(finished)
        QTimer.singleShot(0, lambda: controller.queue.add_paths([work / "scans"]))
        app.exec()
        timer.stop()
        seconds = time.perf_counter() - started
        statuses = [i.status.value for i in controller.queue.items]
        result = {
            "photos": photos,
            "megapixels": megapixels,
            "done": statuses.count("done"),
            "seconds": round(seconds, 1),
            "seconds_per_photo": round(seconds / max(photos, 1), 3),
            "rss_before_mb": round(baseline),
            "rss_end_mb": round(rss_mb()),
            "peak_rss_mb": round(peak_rss_mb()),
            "preview_cache_mb": round(cache.get("mb", 0)),
            "preview_cache_removed": not any((work / "cache").iterdir()),
            "samples": samples,
        }
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--megapixels", type=float, default=10.0)
    parser.add_argument("--every", type=int, default=100, help="print the resident memory every N photos")
    parser.add_argument("--limit-mb", type=float, default=2048.0)
    parser.add_argument("--models", type=Path, default=MODELS)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = run(args.photos, args.megapixels, args.every, args.models)
    result["limit_mb"] = args.limit_mb
    print(json.dumps(result))
    return 0 if result["peak_rss_mb"] <= args.limit_mb and result["done"] == args.photos else 1


if __name__ == "__main__":
    sys.exit(main())
