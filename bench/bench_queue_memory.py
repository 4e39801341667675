"""Memory of the app on a big folder: N photos of M megapixels through the real window and queue.

``QT_QPA_PLATFORM=offscreen python bench/bench_queue_memory.py --photos 1000 --megapixels 10 \
--out bench/results/queue_memory.json``

The shipped models run on the CPU; a timer walks through the queue meanwhile (as a user looking at the
results would), so previews are read back too. Prints the peak resident memory (VmHWM) and the resident
memory every ``--every`` photos as JSON; exits 1 when the peak passes ``--limit-mb`` (2048 by default).
The photos are a few distinct 10 MP JPEGs, linked under many names (what the queue does per photo does
not depend on its content). It takes about a second per 10 MP photo on 2 cores: ``--out`` keeps the result
for ``bench/run_all.py``, which does not run it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
    sources = [
        data.coffee(),
        data.astronaut(),
        data.chelsea(),
        data.rocket(),
        data.coffee()[::-1],
        data.astronaut()[:, ::-1],
    ]
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
        controller = MainController(
            window, Settings(provider="cpu"), model_dirs=[models], ask_user=False, preview_root=work / "cache"
        )
        window.show()
        samples: list[dict] = []
        started = time.perf_counter()
        baseline = rss_mb()

        def sample() -> None:
            done = controller.queue.model.finished_count
            if done and done % every == 0 and (not samples or samples[-1]["photos"] != done):
                samples.append(
                    {"photos": done, "rss_mb": round(rss_mb()), "seconds": round(time.perf_counter() - started)}
                )
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


def markdown(result: dict) -> list[str]:
    """The section of docs/PERFORMANCE.md for a stored result."""
    limit = result["limit_mb"]
    met = result["peak_rss_mb"] <= limit and result["done"] == result["photos"]
    lines = [
        f"## A big folder in the app ({result['photos']} photos of {result['megapixels']:g} MP)",
        "",
        f"`{result['command']}` on {result['machine']}, {result['measured']}: the real window and queue offscreen, "
        "the three shipped models on the CPU, a timer walking through the results meanwhile. The queue keeps "
        "screen-sized previews (at most 2048 px) in a cache folder on disk and no full-size pixels; saving reads "
        "the photo again and computes the result anew.",
        "",
        "| photos done | seconds | resident MB |",
        "|---|---|---|",
    ]
    for sample in result["samples"]:
        lines.append(f"| {sample['photos']} | {sample['seconds']} | {sample['rss_mb']} |")
    lines += [
        "",
        f"Peak resident memory (VmHWM) **{result['peak_rss_mb']} MB** for {result['done']} photos "
        f"(target: under {limit / 1024:g} GB, {'met' if met else 'MISSED'}); {result['rss_before_mb']} MB before the "
        f"first photo, {result['rss_end_mb']} MB at the end; {result['seconds_per_photo']:.2f} s per photo on a shared "
        f"machine; previews on disk: {result['preview_cache_mb']} MB, removed when the app closed "
        f"({'yes' if result['preview_cache_removed'] else 'NO'}). Before this design every finished photo kept its "
        "full-resolution results in memory (about 290 MB per 10.7 MP scan with three models).",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--megapixels", type=float, default=10.0)
    parser.add_argument("--every", type=int, default=100, help="print the resident memory every N photos")
    parser.add_argument("--limit-mb", type=float, default=2048.0)
    parser.add_argument("--models", type=Path, default=MODELS)
    parser.add_argument("--out", type=Path, help="also write the result here as JSON (for bench/run_all.py)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = run(args.photos, args.megapixels, args.every, args.models)
    result["limit_mb"] = args.limit_mb
    result["command"] = "python bench/bench_queue_memory.py " + " ".join(sys.argv[1:])
    result["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    result["measured"] = time.strftime("%Y-%m-%d")
    print(json.dumps(result))
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0 if result["peak_rss_mb"] <= args.limit_mb and result["done"] == args.photos else 1


if __name__ == "__main__":
    sys.exit(main())
