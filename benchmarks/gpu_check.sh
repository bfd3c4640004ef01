#!/usr/bin/env bash
# The device-machine checks, in one run: the gpu tests, `verify ntk` on CUDA, and the NTK
# benchmark's CUDA column. Writes logs and JSON under $OUT (default ./out).
set -uo pipefail
OUT=${OUT:-out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD SYMPY_GROUND_TYPES=python MPLBACKEND=Agg PYTHONUNBUFFERED=1
PY=${PY:-python3}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
$PY -c "import torch, sympy, mpmath; print(torch.__version__, torch.cuda.get_device_name(), sympy.__version__, mpmath.__version__)" | tee -a "$OUT/gpu.txt"
$PY -m pytest -m gpu -q -p no:cacheprovider tests 2>&1 | tee "$OUT/gpu_tests.log"
for dt in float64 float32; do
  /usr/bin/time -f "%e s" $PY -m specbias verify ntk --device cuda --dtype $dt --depth 3 \
    --width 256,1024,4096,16384 --seeds 4 --n 16 --json > "$OUT/verify_ntk_cuda_$dt.json"
done
$PY benchmarks/bench_ntk.py --n 4000 --nt-python /nonexistent 2>&1 | tee "$OUT/bench_ntk_gpu.log"
cp benchmarks/results/ntk.json "$OUT/bench_ntk_gpu.json"
