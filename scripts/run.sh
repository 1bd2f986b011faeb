#!/usr/bin/env bash
# The main job: trains the default MLP classifier on Fashion-MNIST in release mode and
# evaluates it. Extra arguments go to mnist-classifier (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product mnist-classifier
exec "$(swift build -c release --show-bin-path)/mnist-classifier" "$@"
