#!/usr/bin/env bash
# Evaluate the zoo for docs/RESULTS.md: the shipped models and the study's variants on general/test,
# produce/test and produce/white; the fruit-trained models on the fruit sets. Writes runs/eval/<set>/.
# Usage: study/evaluate_zoo.sh [DATASETS_ROOT]   (default ../shared/datasets); the ONNX files come from
# study/export_zoo.sh. The runs: those of study/runs.py marked evaluated, general ones of phases 1-4 (phase 5
# was evaluated on its own, with RUNS). RUNS="run ..." evaluates only those runs (the gray baseline is always a row),
# writing to runs/eval/<set>${EVAL_TAG} so an earlier full evaluation is kept.
# FID runs an Inception-v3 per image and model: on general/test and produce/test it uses 250 and 100
# evenly spaced photos (stated in the tables) so that the whole script takes about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets}
PY=${PYTHON:-.venv/bin/python}
mapfile -t GENERAL < <($PY -m study.runs --dataset general --phases 1 2 3 4 --evaluated)
mapfile -t PRODUCE < <($PY -m study.runs --dataset produce --evaluated)
if [ -n "${RUNS:-}" ]; then
  read -r -a GENERAL <<< "$RUNS"
  PRODUCE=()
fi
TAG=${EVAL_TAG:-}
stage() { rm -rf "runs/eval/models-$1" && mkdir -p "runs/eval/models-$1"; shift_name=$1; shift; for m in "$@"; do ln -s "$PWD/runs/onnx/${m%%-*}/$m.onnx" "runs/eval/models-$shift_name/"; done; }
stage general "${GENERAL[@]}"
stage all "${GENERAL[@]}" ${PRODUCE[@]+"${PRODUCE[@]}"}
[ "${SKIP_GENERAL:-0}" = 1 ] || $PY -m training evaluate --models runs/eval/models-general --data "$DATA/general/test" --out "runs/eval/general-test$TAG" --label general/test --fid-max 250
$PY -m training evaluate --models runs/eval/models-all --data "$DATA/produce/test" --out "runs/eval/produce-test$TAG" --label produce/test --fid-max 100
$PY -m training evaluate --models runs/eval/models-all --data "$DATA/produce/white" --out "runs/eval/produce-white$TAG" --label produce/white
