#!/usr/bin/env bash
# Pack the runs under /tmp/zoo for the trip back from a GPU machine: per run its loss.csv, loss.png,
# the end of train.log, and fp16 generator-only checkpoints (slim.pt from last.pt; best-slim.pt from
# best.pt when present), tarred and split into 15 MB parts as $OUT/<name>.tar.partNN.
# Usage: study/gpu_pack.sh NAME   (called by study/gpu.sh)
set -u
name=$1
rm -rf /tmp/pack && mkdir -p /tmp/pack
for run in /tmp/zoo/*/; do
  run_name=$(basename "$run")
  [ -f "$run/last.pt" ] || continue
  mkdir -p /tmp/pack/$run_name
  cp "$run"/loss.csv "$run"/loss.png /tmp/pack/$run_name/ 2>/dev/null
  tail -c 20000 "$run"/train.log | tr '\r' '\n' | grep -v 'batch/s' > /tmp/pack/$run_name/train.log
  python3 -m training slim "$run/last.pt" -o /tmp/pack/$run_name/slim.pt --fp16
  [ -f "$run/best.pt" ] && python3 -m training slim "$run/best.pt" -o /tmp/pack/$run_name/best-slim.pt --fp16
done
tar -C /tmp/pack -cf "/tmp/$name.tar" .
split -b 15M -d "/tmp/$name.tar" "$OUT/$name.tar.part"
ls -la "$OUT"
