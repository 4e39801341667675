#!/usr/bin/env bash
# Phases of the zoo (study/runs.py) on a lent GPU machine, in one call: study/gpu.sh PHASE [PHASE...]
# Payload first, on this machine: PHASE="<same phases>" study/prepare_gpu_payload.sh builds .gpu/ (the photos
# shrunk to 128 px, the EfficientNet-Lite0 code wheel and fp16 weights, the checkpoints the phases start from).
# Runs of a phase train in parallel (the GPU runs only; general-unet-cpu trains on the CPU), each stopped after
# the epoch that passes its budget: the phase's (study/runs.py PHASE_SECONDS), or BUDGET seconds for all.
# Phase 4 also measures training throughput first, alone on the card (bf16 autocast against fp32,
# bench/bench_train.py). Results come back in $OUT: zoo<phases>.log, bench_train.json (phase 4), and a tar
# (split in 15 MB parts) of each run's loss.csv, loss.png, train.log and fp16 generator-only checkpoints
# (study/gpu_pack.sh). DATA_ROOT (default .gpu/data) and ZOO_ARGS pass on to the zoo.
# Used: "1 2" with budgets 250 and 140 s, then 3 with BUDGET=165 (first session, JPEG q80); 4 with BUDGET=350
# (2026-11-26, H200, 451 s) and 5 with BUDGET=230 (second session, JPEG q92 4:4:4).
set -u
[ $# -ge 1 ] || { echo "usage: study/gpu.sh PHASE [PHASE...]" >&2; exit 2; }
PHASES=("$@")
TAG=zoo$(printf '%s' "${PHASES[@]}")
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
# EfficientNet-Lite0 weights as an fp16 copy (the package's wheel would not fit the 64 MiB transfer);
# the payload leaves them out when no Koalarization trains.
[ -f .gpu/effnet_lite0_fp16.pth ] && export TINTYPE_EFFICIENTNET_WEIGHTS=$PWD/.gpu/effnet_lite0_fp16.pth
LOG=$OUT/$TAG.log
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$LOG"
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())" | tee -a "$LOG"
if [[ " ${PHASES[*]} " == *" 4 "* ]]; then
  timeout "${BENCH_SECONDS:-150}" python3 bench/bench_train.py > "$OUT/bench_train.json" 2> "$OUT/bench_train.err"
  echo "bench_train exit $?" | tee -a "$LOG"
fi
mkdir -p /tmp/zoo
[ -d .gpu/zoo ] && cp -r .gpu/zoo/* /tmp/zoo/
# The zoo stops each run after the epoch that passes its budget; timeout is the backstop (budget + 60 s a phase).
BACKSTOP=$(python3 -c "import sys; from study.runs import PHASE_SECONDS as S
print(round(sum(float(sys.argv[1] or S[int(p)]) + 60 for p in sys.argv[2:])))" "${BUDGET:-}" "${PHASES[@]}")
timeout "$BACKSTOP" python3 -m study.zoo --data-root "${DATA_ROOT:-.gpu/data}" --out /tmp/zoo --where gpu --batch 64 \
  --phases "${PHASES[@]}" ${BUDGET:+--budget "$BUDGET"} ${ZOO_ARGS:-} 2>&1 | tee -a "$LOG"
nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv >> "$LOG"
bash study/gpu_pack.sh "$TAG"
