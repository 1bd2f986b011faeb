#!/usr/bin/env bash
# Builds the API documentation of every Kiln library module (each library product of the
# root manifest but the test support, KilnCommands included) as one static HTML site:
#
#   scripts/docs.sh        → .build/docs-site/index.html (open it through any static web
#                            server: python3 -m http.server -d .build/docs-site)
#
# It is strict, always: a DocC warning (a broken ``symbol`` link, a bad directive, a missing
# image) fails the build (--warnings-as-errors), and so does a public symbol whose page
# would have no summary (no doc comment of its own, nor one it takes over from the protocol
# requirement it implements), unless docs/undocumented-symbols.txt lists it as known debt;
# a listed symbol that has a doc comment now fails too, so the list only shrinks. Each
# problem is one line; the exit status is non-zero.
#
# How: the debug build's symbol graphs (`swift package dump-symbol-graph`, which reuses
# .build/debug, so after `swift build` it takes seconds), then the toolchain's `docc convert`
# once per module in dependency order (each archive built with external-link support and
# given its dependencies' archives, so ``KilnTensor/Tensor`` resolves from KilnOptimizers),
# then `docc merge` into one archive whose landing page lists every module, plus a plain
# index.html that links every module (it works without JavaScript).
#
# Why the toolchain's docc and not swift-docc-plugin: docc ships with Swift, so the site
# needs no new package dependency (the root and nested manifests stay as they are, and
# scripts/check-manifests.sh has nothing new to learn), and this script controls every
# flag (strictness, coverage, the merge) instead of going through the plugin's experimental
# combined-documentation mode. `swift package generate-documentation` is not needed.
#
# Each module's catalog is <its source folder>/<Module>.docc; a library product without
# one is an error, so a new module needs a catalog before it lands.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
    echo "docs.sh: takes no arguments (got '$*'); it writes .build/docs-site" >&2
    exit 64
fi

scripts/setup.sh

docc=$(command -v docc || true)
if [ -z "$docc" ]; then
    swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
    docc="$swift_bin/docc"
fi
if [ ! -x "$docc" ]; then
    echo "docs.sh: the toolchain has no docc (looked in PATH and beside swift)" >&2
    exit 1
fi

work=.build/docs-work
site=.build/docs-site
rm -rf "$work"
mkdir -p "$work/symbols" "$work/archives"

# 1. Symbol graphs of every module from the debug build (public symbols; members that a
#    type only inherits from a protocol extension are left to the protocol's page).
graphs_log="$work/dump-symbol-graph.log"
if ! swift package dump-symbol-graph --minimum-access-level public --skip-synthesized-members \
        --emit-extension-block-symbols > "$graphs_log" 2>&1; then
    cat "$graphs_log" >&2
    echo "docs.sh: swift package dump-symbol-graph failed" >&2
    exit 1
fi
graphs=$(sed -n 's/^Files written to //p' "$graphs_log" | tail -1)
if [ -z "$graphs" ] || [ ! -d "$graphs" ]; then
    cat "$graphs_log" >&2
    echo "docs.sh: cannot find the symbol graphs dump-symbol-graph wrote" >&2
    exit 1
fi

# 2. The modules, their catalogs and their documented dependencies, in dependency order.
swift package dump-package > "$work/package.json"
python3 - "$work/package.json" > "$work/modules.tsv" <<'PY'
import json, os, sys
package = json.load(open(sys.argv[1]))
targets = {t["name"]: t for t in package["targets"]}
modules = [p["targets"][0] for p in package["products"]
           if "library" in p["type"] and not p["name"].startswith("_")]
deps = {}
for m in modules:
    direct = [next(iter(d.values()))[0] for d in targets[m]["dependencies"]]
    deps[m] = [d for d in direct if d in modules]
order, seen = [], set()
def visit(m):
    if m in seen:
        return
    seen.add(m)
    for d in deps[m]:
        visit(d)
    order.append(m)
for m in modules:
    visit(m)
def closure(m):
    out = set()
    for d in deps[m]:
        out |= {d} | closure(d)
    return out
missing = False
for m in order:
    catalog = os.path.join(targets[m]["path"], m + ".docc")
    if not os.path.isdir(catalog):
        print(f"docs.sh: {m} has no documentation catalog (expected {catalog})", file=sys.stderr)
        missing = True
    print(f"{m}\t{catalog}\t{','.join(sorted(closure(m)))}")
sys.exit(1 if missing else 0)
PY

# 3. One archive per module, strict.
failed=0
while IFS=$'\t' read -r module catalog dependencies; do
    mkdir -p "$work/symbols/$module"
    cp "$graphs/$module.symbols.json" "$work/symbols/$module/"
    for extension in "$graphs/$module@"*.symbols.json; do
        [ -e "$extension" ] && cp "$extension" "$work/symbols/$module/"
    done
    dependency_flags=()
    for dependency in ${dependencies//,/ }; do
        dependency_flags+=(--dependency "$work/archives/$dependency.doccarchive")
    done
    if ! "$docc" convert "$catalog" \
            --additional-symbol-graph-dir "$work/symbols/$module" \
            --output-path "$work/archives/$module.doccarchive" \
            --fallback-display-name "$module" \
            --fallback-bundle-identifier "org.kiln.$module" \
            --transform-for-static-hosting \
            --enable-experimental-external-link-support \
            "${dependency_flags[@]}" \
            --enable-inherited-docs \
            --warnings-as-errors \
            --experimental-documentation-coverage --coverage-summary-level none \
            > "$work/$module.log" 2>&1; then
        cat "$work/$module.log" >&2
        echo "docs.sh: $module: docc convert failed (warnings are errors)" >&2
        failed=1
        continue
    fi
done < "$work/modules.tsv"
if [ "$failed" -ne 0 ]; then exit 1; fi

# 4. Every public symbol has a summary (docc's coverage report, per module). The symbols
#    listed in docs/undocumented-symbols.txt are the known debt: a symbol missing from it
#    fails, and so does a listed one that is documented now (delete its line), so the list
#    only shrinks.
python3 - "$work" docs/undocumented-symbols.txt <<'PY'
import json, os, sys
work, debt_file = sys.argv[1], sys.argv[2]
debt = set()
if os.path.exists(debt_file):
    debt = {l.strip() for l in open(debt_file) if l.strip() and not l.startswith("#")}
undocumented = set()
for line in open(os.path.join(work, "modules.tsv")):
    module = line.split("\t")[0]
    coverage = json.load(open(os.path.join(work, "archives", module + ".doccarchive", "documentation-coverage.json")))
    for entry in coverage:
        kind = entry.get("kind", {})
        # "Extended Module" and "Extended Structure" pages group a module's extensions of
        # another module's types; they are not declarations and take no doc comment.
        if kind.get("id", "").startswith("org.swift.docc.kind.extended"):
            continue
        if kind.get("isSymbol") and not entry.get("hasAbstract"):
            undocumented.add(entry["referencePath"].split("/documentation/", 1)[1])
new = sorted(undocumented - debt)
paid = sorted(debt - undocumented)
for path in new:
    print(f"docs.sh: {path} has no doc comment (public symbols need one: a summary line, and the formula, defaults and why where they apply)", file=sys.stderr)
for path in paid:
    print(f"docs.sh: {path} is documented now (or gone): delete its line from {debt_file}", file=sys.stderr)
if new or paid:
    sys.exit(1)
print("docs.sh: every public symbol documented" + (f" but the {len(debt)} listed in {debt_file}" if debt else ""))
PY

# 5. One site: the merged archive, and an index page linking every module.
archives=()
while IFS=$'\t' read -r module _ _; do
    archives+=("$work/archives/$module.doccarchive")
done < "$work/modules.tsv"
if ! "$docc" merge "${archives[@]}" --output-path "$work/Kiln.doccarchive" \
        --synthesized-landing-page-name Kiln --synthesized-landing-page-kind Package \
        > "$work/merge.log" 2>&1; then
    cat "$work/merge.log" >&2
    echo "docs.sh: docc merge failed" >&2
    exit 1
fi
# The archive's own root page is DocC's application shell, which shows "page not found"
# at /; the site's index.html is instead a plain page that links every module (and the
# merged landing page, documentation/index.html, which DocC renders).
python3 - "$work/modules.tsv" > "$work/Kiln.doccarchive/index.html" <<'PY'
import html, re, sys
rows = []
for line in open(sys.argv[1]):
    module, catalog, _ = line.rstrip("\n").split("\t")
    # The landing page's abstract: the first paragraph after its title.
    text = open(f"{catalog}/{module}.md", encoding="utf-8").read().split("\n")
    abstract = next((l for l in text[1:] if l.strip()), "")
    link = f"documentation/{module.lower()}/index.html"
    abstract = re.sub(r"`+([^`]+)`+", r"<code>\1</code>", html.escape(abstract))
    rows.append(f'<li><a href="{link}"><code>{html.escape(module)}</code></a> — {abstract}</li>')
print(f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Kiln API documentation</title>
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}li{{margin:.4rem 0}}</style>
</head>
<body>
<h1>Kiln API documentation</h1>
<p>One DocC archive per library module, built by <code>scripts/docs.sh</code>.
<a href="documentation/index.html">All modules in one navigator</a>.</p>
<ul>
{chr(10).join(rows)}
</ul>
</body>
</html>""")
PY
rm -rf "$site"
mv "$work/Kiln.doccarchive" "$site"
echo "docs.sh: $(wc -l < "$work/modules.tsv") modules → $site/index.html"
