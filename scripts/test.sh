#!/usr/bin/env bash
# The test command: system packages, manifest checks, then every package's tests and the
# cross-package tests in one root build, the API documentation (every module's DocC archive
# with warnings as errors and every public symbol documented, scripts/docs.sh, then the site
# opened in headless Chromium, scripts/test-docs.sh), then the tests beyond one process
# (mpirun and a one-node Slurm, scripts/test-distributed.sh), models in and out against
# numpy, safetensors, onnx and onnxruntime (scripts/test-interop.sh), then users' packages
# built against the checkout (scripts/test-packages.sh). Fails when any test fails.
#   scripts/test.sh              debug build, all tests
#   scripts/test.sh --sanitize          the PNG and IDX tests under AddressSanitizer
#   scripts/test.sh --sanitize thread   the trainer, ensemble and search tests (the
#                                       data-parallel workers) under ThreadSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/check-manifests.sh

if [ "${1:-}" = "--sanitize" ]; then
    case "${2:-address}" in
    address)
        export ASAN_OPTIONS=detect_leaks=0
        exec swift test --scratch-path .build-asan --sanitize=address --filter 'KilnAugmentationTests|KilnDataTests' ;;
    thread)
        # halt_on_error: a reported race fails the run instead of scrolling past.
        export TSAN_OPTIONS="halt_on_error=1"
        exec swift test --scratch-path .build-tsan --sanitize=thread \
            --filter 'KilnTrainingTests|KilnEnsembleTests|KilnOptimizersTests' ;;
    *)
        echo "test.sh: --sanitize takes address or thread, got '$2'" >&2
        exit 64 ;;
    esac
fi

# Release-mode examples are what the example tests run (they are real programs, and
# debug training is slow); build them first so the tests find them.
swift build -c release
swift build --build-tests
release_bin="$(swift build -c release --show-bin-path)"
KILN_RELEASE_BIN="$release_bin" swift test --skip-build
# The documentation site from the debug build's symbol graphs, strict, then a real browser.
scripts/docs.sh
scripts/test-docs.sh
scripts/test-distributed.sh "$release_bin"
scripts/test-interop.sh "$release_bin"
# Users' own packages built against the checkout: a layer and a transform of their own,
# and a plugin that runs mnist-classifier with its own optimizer and initializer.
scripts/test-packages.sh
