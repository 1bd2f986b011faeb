#!/usr/bin/env bash
# Packages of a user's own, built against this checkout and run: what a new user does.
#   Tests/Packages/ExtendingKiln   a layer and a transform of its own: checked, trained,
#                                  saved, loaded (it exits non-zero when a step fails)
#   Examples/Plugin                an optimizer and an initializer of its own, run through
#                                  Kiln's mnist-classifier command (KilnCommands)
# Called by scripts/test.sh. Each package builds in its own .build folder.
set -euo pipefail
cd "$(dirname "$0")/.."

swift run --package-path Tests/Packages/ExtendingKiln ExtendingKiln

swift build --package-path Examples/Plugin
plugin="$(swift build --package-path Examples/Plugin --show-bin-path)/kiln-plugin"
failures=0
out=$("$plugin" --optimizer "lion(lr=0.0003)" --model "dense(64, init=sparse(0.3, std=0.1))|relu|dense(10)" \
    --limit 3000 --epochs 2 --json 2>/dev/null | tail -1)
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["test_accuracy"] > 0.5 else 1)' "$out"; then
    echo "ok   kiln-plugin trains mnist-classifier with its own optimizer and initializer: $out"
else
    echo "FAIL kiln-plugin: $out" >&2; failures=$((failures + 1))
fi
err=$(mktemp)
trap 'rm -f "$err"' EXIT
status=0
"$plugin" --optimizer "lionn" > /dev/null 2> "$err" || status=$?
if [ "$status" = 64 ] && grep -q "did you mean 'lion'" "$err" && grep -q "valid: .*lion" "$err" && [ "$(wc -l < "$err")" = 1 ]; then
    echo "ok   kiln-plugin: an unknown optimizer's error lists the plugin's own"
else
    echo "FAIL kiln-plugin unknown name: exit $status, $(cat "$err")" >&2; failures=$((failures + 1))
fi
if [ "$failures" -gt 0 ]; then echo "test-packages: $failures check(s) failed" >&2; exit 1; fi
echo "test-packages: all checks passed"
