#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of the input parsers:
#   scripts/fuzz.sh png  SECONDS   the PNG decoder (Examples/PNGFuzz)
#   scripts/fuzz.sh spec SECONDS   Spec parsing and every registry (Examples/SpecFuzz)
#   scripts/fuzz.sh idx  SECONDS   the IDX reader, raw and gzip (Examples/IDXFuzz)
# Builds NAME-fuzz into .build-fuzz, seeds .fuzz/NAME/corpus (kept between runs, so later
# runs start where earlier ones stopped), and runs for SECONDS. A finding (crash, trap,
# sanitizer report, timeout over 10 s, over 2 GB of memory) is saved under
# .fuzz/NAME/findings/ and the script exits non-zero; replay it with a plain build:
# `swift build --product NAME-fuzz && .build/debug/NAME-fuzz FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/fuzz.sh png|spec|idx SECONDS" >&2; exit 64; }
[ $# -eq 2 ] || usage
name=$1 seconds=$2
case "$name" in png|spec|idx) ;; *) usage ;; esac
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage

scripts/setup.sh
build=(swift build --scratch-path .build-fuzz --product "$name-fuzz" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
"${build[@]}"
bin="$("${build[@]}" --show-bin-path)/$name-fuzz"

work=.fuzz/$name
mkdir -p "$work/corpus" "$work/findings"
dict=()
case "$name" in
png)
    find Packages/Augmentation/TestData/pngsuite -name '*.png' -exec cp -n {} "$work/corpus/" \; ;;
spec)
    i=0
    while IFS= read -r line; do
        i=$((i + 1)); printf '%s' "$line" > "$work/corpus/seed-$i"
    done <<'SPECS'
dense(256, init=he-normal)|relu|dropout(0.2)|dense(10)
conv(32, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|flatten|dense(10)
conv(8, kernel=3, stride=2)|layernorm|leaky-relu(slope=0.1)|avgpool(2)|flatten|dense(4)|softmax
adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=true, weight_decay=0)
sgd(lr=0.1, momentum=0.9, nesterov=true, dampening=0)
rmsprop(lr=1e-3, alpha=0.9, centered=true)|nadam(momentum_decay=0.004)|adamax
cosine(total=10, min=0, warmup=2)|step(every=3, factor=0.5)|reduce-on-plateau(factor=0.1, patience=2)
l2(lambda=1e-4)|l1(lambda=-0.5)|elastic-net(l1=1e-5, l2=1e-4)
he-normal(mode=fan-out, slope=0.2)|variance-scaling(scale=2, mode=fan-avg, distribution=truncated-normal)|orthogonal(gain=1)
random-crop(width=4, height=4, padding=2, padding_mode=reflect)|random-flip(axis=horizontal, p=0.5)|random-rotate(degrees=10)|random-scale(min=0.9, max=1.1)
crop(x=1, y=1, width=3, height=3)|rotate(degrees=-90, interpolation=nearest, fill=1)|scale(factor=2)|resize(width=7, height=9)
SPECS
    dict=(-dict="$work/spec.dict")
    {
        for token in '"("' '")"' '"|"' '"="' '","' '"-"' '"1e-3"' '"true"' '"false"' '"dense"' '"conv"' '"maxpool"' \
            '"flatten"' '"batchnorm"' '"dropout"' '"adam"' '"sgd"' '"lr"' '"kernel"' '"padding"' '"stride"' \
            '"init"' '"random-crop"' '"resize"' '"width"' '"height"' '"cosine"' '"total"' '"l2"' '"lambda"'; do
            echo "$token"
        done
    } > "$work/spec.dict" ;;
idx)
    python3 - "$work/corpus" <<'PY'
import gzip, struct, sys, os
out = sys.argv[1]
def idx(dims, data):
    return struct.pack(">I", 0x800 | len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)
files = {
    "labels-idx1": idx([6], [0, 1, 2, 3, 4, 9]),
    "images-idx3": idx([2, 3, 3], range(18)),
    "images-idx4": idx([1, 2, 2, 2], [255] * 8),
    "empty-idx1": idx([0], []),
    "short-idx3": idx([2, 3, 3], range(10)),
    "bad-magic": b"\x00\x00\x09\x03" + b"\x00" * 12,
}
for name, data in files.items():
    open(os.path.join(out, name), "wb").write(data)
    open(os.path.join(out, name + ".gz"), "wb").write(gzip.compress(data, mtime=0))
PY
    ;;
esac

export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0
echo "fuzz.sh: $name-fuzz for $seconds s, corpus $work/corpus ($(ls "$work/corpus" | wc -l) files)"
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/findings/" ${dict[@]+"${dict[@]}"} "$work/corpus"
