#!/usr/bin/env bash
# Export every run of runs/zoo to runs/onnx/<dataset>/<run>.onnx for study/evaluate_zoo.sh.
# The checkpoint: training.checkpoint.chosen_checkpoint, i.e. best.pt/best-slim.pt where the run kept
# one (phases 4-5: the lowest loss on a validation split of general/train, never the test photos),
# else its last epoch (last.pt/slim.pt).
# Usage: study/export_zoo.sh [RUN...]   (default: every run folder in runs/zoo)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=($(ls runs/zoo))
for run in "${runs[@]}"; do
  dir=runs/zoo/$run
  ckpt=$($PY -c "import sys; from training.checkpoint import chosen_checkpoint; print(chosen_checkpoint(sys.argv[1]) or '')" "$dir")
  [ -n "$ckpt" ] || { echo "$run: no checkpoint, skipped" >&2; continue; }
  mkdir -p "runs/onnx/${run%%-*}"
  $PY -m training export "$ckpt" -o "runs/onnx/${run%%-*}/$run.onnx" --version "1.0 ($run)" 2>&1 | grep -v Warning | grep wrote
done
