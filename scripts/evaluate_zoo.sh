#!/usr/bin/env bash
# Evaluate the zoo for docs/RESULTS.md: the shipped models and the study's variants on general/test,
# produce/test and produce/white; the fruit-trained models on the fruit sets. Writes runs/eval/<set>/.
# Usage: scripts/evaluate_zoo.sh [DATASETS_ROOT]   (default ../shared/datasets)
# FID runs an Inception-v3 per image and model: on general/test and produce/test it uses 250 and 100
# evenly spaced photos (stated in the tables) so that the whole script takes about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets}
PY=${PYTHON:-.venv/bin/python}
GENERAL=(general-unet-rgb general-unet general-unet-ft general-unet-cpu general-koala general-koala-ft general-koala-mse general-cgan-scratch general-cgan general-cgan-cf1 general-cgan-cf3)
PRODUCE=(produce-unet produce-koala produce-cgan-scratch produce-cgan)
stage() { rm -rf "runs/eval/models-$1" && mkdir -p "runs/eval/models-$1"; shift_name=$1; shift; for m in "$@"; do ln -s "$PWD/runs/onnx/${m%%-*}/$m.onnx" "runs/eval/models-$shift_name/"; done; }
stage general "${GENERAL[@]}"
stage all "${GENERAL[@]}" "${PRODUCE[@]}"
[ "${SKIP_GENERAL:-0}" = 1 ] || $PY -m training evaluate --models runs/eval/models-general --data "$DATA/general/test" --out runs/eval/general-test --label general/test --fid-max 250
$PY -m training evaluate --models runs/eval/models-all --data "$DATA/produce/test" --out runs/eval/produce-test --label produce/test --fid-max 100
$PY -m training evaluate --models runs/eval/models-all --data "$DATA/produce/white" --out runs/eval/produce-white --label produce/white
