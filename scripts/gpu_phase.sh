#!/usr/bin/env bash
# One phase of the zoo (4 or 5) on a lent GPU, in one call (second session). PHASE=4 also measures
# training throughput first, alone on the card (bf16 autocast against fp32, bench/bench_train.py).
# Payload: `PHASE=4 scripts/prepare_gpu_payload.sh` builds .gpu/ (general/train at 128 px JPEG q92
# 4:4:4, the EfficientNet-Lite0 wheel and fp16 weights); phase 5 also needs
# .gpu/zoo/general-unet-zoom/best-slim.pt (the CGANs start from it).
# Runs of the phase train in parallel, each stopped after the epoch that passes BUDGET seconds. Results come
# back in $OUT: zoo<phase>.log, bench_train.json (phase 4), and a tar (split in 15 MB parts) of each
# run's loss.csv, loss.png, train.log and fp16 generator-only checkpoints (scripts/gpu_pack.sh).
# Used: PHASE=4 BUDGET=350 (2026-11-26, H200, 451 s); PHASE=5 BUDGET=230.
set -u
PHASE=${PHASE:-4}
BUDGET=${BUDGET:-330}
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
export TINTYPE_EFFICIENTNET_WEIGHTS=$PWD/.gpu/effnet_lite0_fp16.pth
LOG=$OUT/zoo$PHASE.log
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$LOG"
if [ "$PHASE" = 4 ]; then
  timeout "${BENCH_SECONDS:-150}" python3 bench/bench_train.py > "$OUT/bench_train.json" 2> "$OUT/bench_train.err"
  echo "bench_train exit $?" | tee -a "$LOG"
fi
mkdir -p /tmp/zoo
[ -d .gpu/zoo ] && cp -r .gpu/zoo/* /tmp/zoo/
budgets=(0 0 0 0 0)
budgets[$((PHASE - 1))]=$BUDGET
# The zoo stops each run after the epoch that passes the budget; timeout is the backstop.
timeout $(( BUDGET + 60 )) python3 -m training zoo --data-root "${DATA_ROOT:-.gpu/data}" --out /tmp/zoo ${ZOO_ARGS:-} \
  --phase-seconds "${budgets[@]}" --batch 64 --phases "$PHASE" 2>&1 | tee -a "$LOG"
nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv >> "$LOG"
bash scripts/gpu_pack.sh "zoo$PHASE"
