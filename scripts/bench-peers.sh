#!/usr/bin/env bash
# Kiln's benchmarks side by side with the peers in ../shared/peers, Kiln and peer
# interleaved, the training jobs at 1 thread and at every core (the README's "Measured on
# this machine" table). Needs a release build and a venv with the peers' packages:
#   python3 -m venv /tmp/peers-venv && /tmp/peers-venv/bin/pip install numpy torch opencv-python-headless pillow
#   scripts/bench-peers.sh [PYTHON] > bench.txt
# Run it on a quiet machine (the first line prints the load average) and quote medians.
set -u
cd "$(dirname "$0")/.."
PY=${1:-/tmp/peers-venv/bin/python}
PEERS=../shared/peers
swift build -c release --product kiln-bench >&2
B=$(swift build -c release --show-bin-path)
# The cores first: GNU nproc honours OMP_NUM_THREADS, which the next line sets to 1.
CORES=$(nproc)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
gemm=$(mktemp)
gcc -O2 -o "$gemm" $PEERS/gemm_cblas.c $(pkg-config --cflags --libs openblas)
echo "## start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## gemm"; "$B/kiln-bench" gemm --threads 1 --samples 9 --json
echo "## gemm_cblas peer"; "$gemm"
echo "## elementwise"; "$B/kiln-bench" elementwise --threads 1 --json
for round in 1 2; do
    for t in 1 "$CORES"; do
        echo "## mlp-epoch threads $t round $round"; "$B/kiln-bench" mlp-epoch --threads "$t" --epochs 3 --json
        echo "## torch mlp threads $t round $round"; OMP_NUM_THREADS=$t "$PY" $PEERS/train_torch.py --job mlp --threads "$t"
    done
    echo "## numpy mlp round $round"; "$PY" $PEERS/train_numpy.py --job mlp --dtype float32
done
echo "## augment"; "$B/kiln-bench" augment --json
echo "## png-decode"; "$B/kiln-bench" png-decode --json
echo "## augment/decode peers"; "$PY" Packages/Augmentation/Benchmarks/peer_bench.py
for round in 1 2; do
    for t in 1 "$CORES"; do
        echo "## cnn-epoch threads $t round $round"; "$B/kiln-bench" cnn-epoch --threads "$t" --json
        echo "## torch cnn threads $t round $round"; OMP_NUM_THREADS=$t "$PY" $PEERS/train_torch.py --job cnn --threads "$t"
    done
done
echo "## end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$gemm"
