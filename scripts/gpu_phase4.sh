#!/usr/bin/env bash
# Phase 4 of the zoo on a lent GPU, in one call (second session): first the training-throughput
# benchmark alone on the card (bf16 autocast against fp32, bench/bench_train.py), then the phase-4
# runs of training/zoo.py in parallel. Payload: `PHASE=4 scripts/prepare_gpu_payload.sh` builds .gpu/
# (general/train at 128 px JPEG q92 4:4:4, the EfficientNet-Lite0 wheel and fp16 weights).
# Results come back in $OUT: bench_train.json, zoo4.log, and a tar (split in 15 MB parts) of each
# run's loss.csv, loss.png, train.log and fp16 generator-only checkpoints of last.pt and best.pt
# (scripts/gpu_pack.sh).
set -u
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
export TINTYPE_EFFICIENTNET_WEIGHTS=$PWD/.gpu/effnet_lite0_fp16.pth
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/zoo4.log"
timeout "${BENCH_SECONDS:-150}" python3 bench/bench_train.py > "$OUT/bench_train.json" 2> "$OUT/bench_train.err"
echo "bench_train exit $?" | tee -a "$OUT/zoo4.log"
# The zoo stops each run after the epoch that passes PHASE4 seconds; timeout is the backstop.
timeout $(( ${PHASE4:-330} + 90 )) python3 -m training zoo --data-root "${DATA_ROOT:-.gpu/data}" --out /tmp/zoo ${ZOO_ARGS:-} \
  --phase-seconds 0 0 0 "${PHASE4:-330}" --batch 64 --phases 4 2>&1 | tee -a "$OUT/zoo4.log"
nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv >> "$OUT/zoo4.log"
bash scripts/gpu_pack.sh zoo4
