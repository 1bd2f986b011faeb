#!/usr/bin/env bash
# The test command: system packages, manifest checks, then every package's tests and the
# cross-package tests in one root build. Fails when any test fails.
#   scripts/test.sh              debug build, all tests
#   scripts/test.sh --sanitize   the PNG and IDX tests under AddressSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/check-manifests.sh

if [ "${1:-}" = "--sanitize" ]; then
    export ASAN_OPTIONS=detect_leaks=0
    exec swift test --scratch-path .build-asan --sanitize=address --filter 'KilnAugmentationTests|KilnDataTests'
fi

# Release-mode examples are what the example tests run (they are real programs, and
# debug training is slow); build them first so the tests find them.
swift build -c release
swift build --build-tests
KILN_RELEASE_BIN="$(swift build -c release --show-bin-path)" exec swift test --skip-build
