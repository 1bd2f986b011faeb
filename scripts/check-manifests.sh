#!/usr/bin/env bash
# Checks that every nested Packages/<Name>/Package.swift agrees with the root manifest's
# table (same targets, same dependencies, same system-library settings) and that no
# dependency points against the direction in docs/dependencies.tsv (docs/ARCHITECTURE.md).
# Exits 1 with one line per problem.
set -euo pipefail
cd "$(dirname "$0")/.."

dump() { swift package dump-package --package-path "$1" 2>/dev/null; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump . > "$tmp/root.json"
for dir in Packages/*/; do
    name=$(basename "$dir")
    if [ ! -f "$dir/Package.swift" ]; then
        echo "check-manifests: $dir has no Package.swift" >&2
        exit 1
    fi
    dump "$dir" > "$tmp/$name.json" || { echo "check-manifests: cannot read $dir/Package.swift" >&2; exit 1; }
done

python3 - "$tmp" <<'PY'
import json, os, sys

tmp = sys.argv[1]
root = json.load(open(os.path.join(tmp, "root.json")))

# Allowed dependencies between Kiln packages: docs/dependencies.tsv (never reversed).
allowed = {}
for line in open("docs/dependencies.tsv"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    package, deps = line.split("\t")
    allowed[package] = set() if deps == "-" else set(deps.split(","))

def dep_names(target):
    names = []
    for d in target["dependencies"]:
        kind, value = next(iter(d.items()))
        names.append(value[0])
    return sorted(names)

problems = []
root_targets = {t["name"]: t for t in root["targets"]}
owner = {}  # module -> package folder
for t in root["targets"]:
    path = t.get("path") or ""
    parts = path.split("/")
    if len(parts) >= 2 and parts[0] == "Packages":
        owner[t["name"]] = parts[1]

nested_names = set()
for fname in sorted(os.listdir(tmp)):
    if fname == "root.json":
        continue
    pkg = fname[:-5]
    nested = json.load(open(os.path.join(tmp, fname)))
    if pkg not in allowed:
        problems.append(f"Packages/{pkg}: not in docs/dependencies.tsv (add it, in the direction docs/ARCHITECTURE.md describes)")
    for t in nested["targets"]:
        name = t["name"]
        nested_names.add(name)
        rt = root_targets.get(name)
        if rt is None:
            problems.append(f"Packages/{pkg}: target {name} is missing from the root manifest's table")
            continue
        kind = "Tests" if t["type"] == "test" else "Sources"
        expected_path = f"Packages/{pkg}/{kind}/{name}"
        if rt.get("path") != expected_path:
            problems.append(f"root target {name}: path {rt.get('path')} should be {expected_path}")
        if t["type"] != rt["type"]:
            problems.append(f"target {name}: type {t['type']} in Packages/{pkg} but {rt['type']} in the root")
        if dep_names(t) != dep_names(rt):
            problems.append(f"target {name}: dependencies {dep_names(t)} in Packages/{pkg} but {dep_names(rt)} in the root")
        if t["type"] == "system" and (t.get("pkgConfig") != rt.get("pkgConfig")):
            problems.append(f"system library {name}: pkgConfig {t.get('pkgConfig')} in Packages/{pkg} but {rt.get('pkgConfig')} in the root")
    # Products: one library per non-test module.
    nested_products = {p["name"] for p in nested["products"]}
    for t in nested["targets"]:
        if t["type"] == "regular" and t["name"] not in nested_products:
            problems.append(f"Packages/{pkg}: module {t['name']} has no library product")

for name, pkg in owner.items():
    if name not in nested_names:
        problems.append(f"root target {name} (Packages/{pkg}) is missing from Packages/{pkg}/Package.swift")

root_products = {p["name"] for p in root["products"]}
for t in root["targets"]:
    if t["type"] == "regular" and t["name"] in owner and t["name"] not in root_products:
        problems.append(f"root: module {t['name']} has no library product")

# Direction: a module of package P may depend only on modules of P or of allowed[P].
for t in root["targets"]:
    pkg = owner.get(t["name"])
    if pkg is None:
        continue  # examples and cross-package tests may depend on anything
    for dep in dep_names(t):
        dep_pkg = owner.get(dep)
        if dep_pkg is None or dep_pkg == pkg:
            continue
        if dep_pkg not in allowed.get(pkg, set()):
            problems.append(f"{t['name']} (Packages/{pkg}) depends on {dep} (Packages/{dep_pkg}), against docs/dependencies.tsv")

for p in problems:
    print("check-manifests: " + p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"check-manifests: {len(owner)} targets in {len(os.listdir(tmp)) - 1} packages agree with the root table")
PY
