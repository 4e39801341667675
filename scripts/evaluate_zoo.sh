#!/usr/bin/env bash
# Evaluate the zoo for docs/RESULTS.md: the shipped models and the study's variants on general/test,
# produce/test and produce/white; the fruit-trained models on the fruit sets. Writes runs/eval/<set>/.
# Usage: scripts/evaluate_zoo.sh [DATASETS_ROOT]   (default ../shared/datasets); the ONNX files come from
# scripts/export_zoo.sh. RUNS="run ..." evaluates only those runs (the gray baseline is always a row),
# writing to runs/eval/<set>${EVAL_TAG} so an earlier full evaluation is kept.
# FID runs an Inception-v3 per image and model: on general/test and produce/test it uses 250 and 100
# evenly spaced photos (stated in the tables) so that the whole script takes about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets}
PY=${PYTHON:-.venv/bin/python}
GENERAL=(general-unet-rgb general-unet general-unet-ft general-unet-cpu general-unet-zoom general-koala general-koala-ft
  general-koala-mse general-koala-zoom general-koala-hc general-koala-hc-flat general-koala-hc-cf general-koala-hc-cf05
  general-cgan-scratch general-cgan general-cgan-cf1 general-cgan-cf3)
PRODUCE=(produce-unet produce-koala produce-cgan-scratch produce-cgan)
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
