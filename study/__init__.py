"""The study behind the shipped models: the zoo of training runs (runs.py, zoo.py), the GPU-machine
scripts (gpu.sh, prepare_gpu_payload.sh, gpu_pack.sh) and the export, evaluation, table and plot scripts
of docs/RESULTS.md. Not part of the installed product: run it from the checkout's root
(``python -m study.zoo``); it drives ``python -m training``, and nothing in the product imports it."""
