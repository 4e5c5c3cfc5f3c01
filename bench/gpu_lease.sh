#!/usr/bin/env bash
# Train and evaluate the refiner in one call of a lent GPU machine (about 9 of its 10 minutes per call).
#
# Here first:  bash bench/gpu_lease_prepare.sh PHOTO...
# Then the device tool's run:  command "bash bench/gpu_lease.sh", carry [".gl", ".whl", ".photos"], timeout_s 600
#
# On the device: unpacks the EGL libraries and installs the carried wheels, then `main.py train` draws the
# `gpu-short` training pool in WORKERS processes and trains until what is left of SECONDS_TOTAL, less EVAL_SECONDS
# for the evaluation and STOP_SECONDS for finishing the last step and exporting (`--minutes` counts from the
# command's start, the pool included). Then `main.py eval` runs on the GPU: the short-range figures in full, long
# flights of only FRAMES frames to fit the call (run the 1,000-frame flights back here on the returned weights).
# What comes back under $OUT: lease.log (device, training and evaluation output), the weights split into
# refiner.safetensors.part-aa, -ab, … (a returned file holds at most 16 MiB: `cat refiner.safetensors.part-* >
# refiner.safetensors` here), losses.png and eval.tgz (the evaluation's report folder).
#
# The variables can be set to try the script on a CPU machine, e.g.
#   CARRIED=0 PY=.venv/bin/python PRESET=tiny SECONDS_TOTAL=40 EVAL_SECONDS=20 STOP_SECONDS=5 WORKERS=2 \
#     EVAL_ARGS="--flights 1 --frames 5" OUT=/tmp/lease bash bench/gpu_lease.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
PRESET=${PRESET:-gpu-short}
SECONDS_TOTAL=${SECONDS_TOTAL:-540}  # of the call's 600, leaving time for the copies back
EVAL_SECONDS=${EVAL_SECONDS:-120}
STOP_SECONDS=${STOP_SECONDS:-45}
WORKERS=${WORKERS:-14}
FRAMES=${FRAMES:-100}
EVAL_ARGS=${EVAL_ARGS:-"--frames $FRAMES --device auto"}
OUT=${OUT:?set OUT to the folder the results go to}
CARRIED=${CARRIED:-1}  # 0 where infnat is installed already (never unpack .gl/ into / of a development machine)
RUN=out/lease

mkdir -p "$OUT"
exec > >(tee "$OUT/lease.log") 2>&1
logger=$!
trap 'exec >&- 2>&-; wait "$logger"' EXIT  # the log's last lines, before the machine ends leftover processes
if [ "$CARRIED" = 1 ]; then  # the device machine: install what bench/gpu_lease_prepare.sh put in the carry
    for package in .gl/*.deb; do dpkg -x "$package" /; done
    ldconfig
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site
fi
export PYTHONUNBUFFERED=1
nvidia_egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$nvidia_egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$nvidia_egl}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no NVIDIA GPU"
"$PY" -c "from infnat_core.gl import create_headless_context as c; print('GL:', c().info['GL_RENDERER'])"
photos=()
[ -d .photos ] && photos=(--photos .photos)

rm -rf "$RUN"
left=$((SECONDS_TOTAL - EVAL_SECONDS - STOP_SECONDS - SECONDS))  # bash's SECONDS: since the script started
"$PY" main.py train --preset "$PRESET" --steps 1000000 --minutes "$("$PY" -c "print(max($left, 1) / 60)")" \
    --pool-workers "$WORKERS" ${photos[@]+"${photos[@]}"} --out "$RUN"
split -b 15M "$RUN/refiner.safetensors" "$OUT/refiner.safetensors.part-"
cp "$RUN/losses.png" "$OUT/"
# shellcheck disable=SC2086  # EVAL_ARGS is a list of options
"$PY" main.py eval --weights "$RUN/refiner.safetensors" --out "$RUN/eval" $EVAL_ARGS
tar czf "$OUT/eval.tgz" -C "$RUN" eval
