#!/usr/bin/env bash
# The broad/train fine-tunes shipped as unet 1.2, koala 1.2 and cgan 1.1 (issue 16; docs/RESULTS.md).
#   study/broad_finetune.sh train MODEL        resumable: run again to continue from OUT/MODEL/last.pt
#   study/broad_finetune.sh ship UNET_EP KOALA_EP CGAN_EP   export, mix (WiSE-FT 0.7), evaluate
# DATA (default ../shared/datasets), OUT (default runs/broad), VAL200 (the checkpoint-choice subset, a
# seeded 200-photo sample of broad/val) and TIME_LIMIT (seconds per training call) may be set.
# Made on a 2-core CPU with three runs at once, one thread each.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/datasets}; OUT=${OUT:-runs/broad}; VAL200=${VAL200:-$DATA/broad/val}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
W='imagenette=1,sun_scenes=1.5,utkface_crop_part1=0.8,clothing=0.5,imagenet_sample=3,facemask_nomask=1,camvid=2,celebrity5=3'
case $1 in
train)
  M=$2
  case $M in
    unet) EXTRA=(--lr 1e-4 --cf-weight 0.02 --gamut-weight 1) ;;
    koala) EXTRA=(--fusion hypercolumn --lr 5e-5 --cf-weight 0.02 --gamut-weight 1) ;;
    cgan) EXTRA=(--lr 5e-5 --l1-lambda 100 --cf-weight 6 --gamut-weight 100 --d-lr-scale 0.1) ;;
  esac
  python -m training train --model "$M" --data "$DATA/broad/train" --test "$VAL200" --out "$OUT/$M" \
    --output lab_ab --init-from "resources/models/$M.onnx" --source-weights "$W" --epoch-size 640 --epochs 200 \
    --batch 16 --workers 1 --old-photo 0.3 --zoom 0.8 --time-limit "${TIME_LIMIT:-4400}" --resume "${EXTRA[@]}"
  ;;
ship)
  # Each epoch's checkpoint must have been kept as OUT/MODEL/epNNN.pt (last.pt is overwritten each epoch).
  # Run before copying the results into resources/models: the mix starts from the files shipped then.
  N=$OUT/ship; mkdir -p "$N"
  python -m training export "$OUT/unet/ep$2.pt" -o "$N/unet-ft.onnx" --version "1.2 (broad-unet-ft)"
  python -m training export "$OUT/koala/ep$3.pt" -o "$N/koala.onnx" --version "1.2 (broad-koala-ft)"
  python -m training export "$OUT/cgan/ep$4.pt" -o "$N/cgan-ft.onnx" --version "1.1 (broad-cgan-ft)"
  python -m training interpolate resources/models/unet.onnx "$N/unet-ft.onnx" --alpha 0.7 -o "$N/final/unet.onnx" \
    --version "1.2 (broad-unet-ft, WiSE 0.7)"
  python -m training interpolate resources/models/cgan.onnx "$N/cgan-ft.onnx" --alpha 0.7 -o "$N/final/cgan.onnx" \
    --version "1.1 (broad-cgan-ft, WiSE 0.7)"
  cp "$N/koala.onnx" "$N/final/koala.onnx"
  for set in broad/val general/test produce/test; do
    python -m training evaluate --models "$N/final" --data "$DATA/$set" --out "$OUT/eval/${set//\//-}" \
      --no-lpips --no-fid --label "$set"
  done
  ;;
*) echo "usage: $0 train MODEL | ship UNET_EP KOALA_EP CGAN_EP" >&2; exit 2 ;;
esac
