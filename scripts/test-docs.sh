#!/usr/bin/env bash
# Opens the built documentation site in a real browser: serves it on loopback, renders the
# index, DocC's combined landing page and KilnOptimizers' `Adam` page in headless Chromium
# (Debian's `chromium`, installed here when missing), and checks what the rendered pages
# show: a link to every library module on the index, every module on the landing page, and
# on Adam's page the update formulas of Adam's doc comment (read from Adam.swift, so the
# check follows the source). DocC pages are drawn by JavaScript from JSON; a page that does
# not render shows none of that, and the test fails.
#   scripts/test-docs.sh [SITE]    SITE defaults to .build/docs-site (scripts/docs.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

site="${1:-.build/docs-site}"
if [ ! -f "$site/index.html" ]; then
    echo "test-docs.sh: no site at $site (build it with scripts/docs.sh)" >&2
    exit 1
fi

if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "test-docs.sh: installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends chromium
fi

tmp=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# A free loopback port, and a static server on it.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" > "$tmp/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
python3 - "$base/index.html" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1).read()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
print("test-docs.sh: the local web server did not start", file=sys.stderr)
sys.exit(1)
PY

# The DOM after the page's scripts ran (virtual time lets DocC fetch its JSON and render).
render() {
    local url="$1" out="$2"
    if ! timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
            --user-data-dir="$tmp/profile" --virtual-time-budget=20000 \
            --dump-dom "$url" > "$out" 2>> "$tmp/chromium.log"; then
        tail -20 "$tmp/chromium.log" >&2
        echo "test-docs.sh: chromium failed on $url" >&2
        exit 1
    fi
}
render "$base/index.html" "$tmp/index.html"
render "$base/documentation/" "$tmp/landing.html"
render "$base/documentation/kilnoptimizers/adam/" "$tmp/adam.html"

# The modules the site must have: the root manifest's library products but test support.
swift package dump-package > "$tmp/package.json"
python3 - "$tmp" Packages/Optimizers/Sources/KilnOptimizers/Adam.swift <<'PY'
import html.parser, json, re, sys
tmp, adam_source = sys.argv[1], sys.argv[2]

class Page(html.parser.HTMLParser):
    """The visible text of a DOM (scripts, styles and noscript left out) and its links."""
    def __init__(self, path):
        super().__init__()
        self.text, self.links, self.skip = [], [], 0
        self.feed(open(path, encoding="utf-8").read())
        self.flat = re.sub(r"\s+", " ", "".join(self.text))
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript"):
            self.skip += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript"):
            self.skip -= 1
    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)

package = json.load(open(f"{tmp}/package.json"))
modules = [p["name"] for p in package["products"] if "library" in p["type"] and not p["name"].startswith("_")]
problems = []

index = Page(f"{tmp}/index.html")
for m in modules:
    if not any(f"documentation/{m.lower()}/" in link for link in index.links):
        problems.append(f"index.html has no link to {m}")

landing = Page(f"{tmp}/landing.html")
for m in modules:
    if m not in landing.flat:
        problems.append(f"the rendered landing page (documentation/) does not show {m}")

# Adam's formulas: the indented code block of its doc comment ("///     m = β₁ m + …"),
# without the remarks in parentheses set off by two or more spaces.
formulas = []
for line in open(adam_source, encoding="utf-8"):
    if line.startswith("///     "):
        formula = re.sub(r"\s{2,}\(.*\)\s*$", "", line[len("///"):].strip())
        formulas.append(re.sub(r"\s+", " ", formula))
if len(formulas) < 4:
    problems.append(f"found only {len(formulas)} formula lines in {adam_source}'s doc comment")
adam = Page(f"{tmp}/adam.html")
if "Adam: momentum on the gradient" not in adam.flat:
    problems.append("the Adam page did not render its summary (did DocC's JavaScript run?)")
for formula in formulas:
    if formula not in adam.flat:
        problems.append(f"the rendered Adam page does not show the formula '{formula}'")

for p in problems:
    print("test-docs.sh: " + p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"test-docs.sh: index links {len(modules)} modules, the landing page shows them, "
      f"Adam's page shows its {len(formulas)} formula lines")
PY
