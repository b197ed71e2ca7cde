#!/usr/bin/env bash
# Checks the gas profile page in a real browser (headless Chromium).
#
# usage: scripts/check-profile-page.sh [--out DIR] [--no-screenshot]
#
# 1. Runs snailtracer (target/fixtures/evm-benchmarks, London) with
#    `ember run --codefile ... --input ... --gas ... --profile DIR/profile.html`.
# 2. Loads the page in headless Chromium (installed with apt-get when missing), dumps the DOM
#    after the scripts ran, and checks: the flame graph's SVG holds drawn <rect>s
#    (body data-flame="drawn", svg data-rects > 10), no script error (the page's
#    window.onerror sets body data-error and a title starting ERROR), and no console error
#    or uncaught exception in Chromium's log (--enable-logging=stderr).
# 3. Takes a screenshot, docs/profile.png (1400x1000), and checks it is under 300 KB.
#
# Exit 0 when every check passes, 1 when one fails, 2 when something is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/target/profile-check"
screenshot=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --no-screenshot) screenshot=0; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-profile-page: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Chromium needs an absolute file:// URL.
mkdir -p "$out" && out=$(cd "$out" && pwd)

ember="$root/target/release/ember"
bench="$root/target/fixtures/evm-benchmarks/benchmarks/main/snailtracer.json"
[ -x "$ember" ] || { echo "check-profile-page: no $ember (cargo build --release --bin ember)" >&2; exit 2; }
[ -f "$bench" ] || { echo "check-profile-page: no $bench (../shared/fixtures/unpack)" >&2; exit 2; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "check-profile-page: installing chromium" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium >/dev/null
  browser=$(command -v chromium || true)
  [ -n "$browser" ] || { echo "check-profile-page: cannot install chromium" >&2; exit 2; }
fi

mkdir -p "$out"
# snailtracer's code and call data, from the state test
python3 - "$bench" "$out" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
test = next(iter(doc.values()))
tx = test["transaction"]
to = tx["to"].lower()
code = next(a["code"] for addr, a in test["pre"].items() if addr.lower() == to)
open(sys.argv[2] + "/snailtracer.code", "w").write(code)
open(sys.argv[2] + "/snailtracer.input", "w").write(tx["data"][0])
EOF

page="$out/profile.html"
rm -f "$page"
"$ember" run --codefile "$out/snailtracer.code" --input "$(cat "$out/snailtracer.input")" \
  --gas 1000000000 --fork London --profile "$page" > "$out/run.out"
[ -s "$page" ] || { echo "FAIL: ember wrote no profile page" >&2; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
       --user-data-dir="$out/chromium-profile")
"$browser" "${flags[@]}" --enable-logging=stderr --v=0 --virtual-time-budget=5000 \
  --dump-dom "file://$page" > "$out/dom.html" 2> "$out/chromium.log" || true

# Each check reports its own result; a failing one must not end the script early.
set +e
fail=0
check() { # check NAME CONDITION-RESULT(0/1)
  if [ "$2" -eq 0 ]; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
grep -q 'data-flame="drawn"' "$out/dom.html"; check "flame graph script ran (body data-flame=drawn)" $?
rects=$(grep -o 'data-rects="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*' || echo 0)
[ "${rects:-0}" -gt 10 ]; check "flame graph drawn: $rects rects in svg#flame" $?
drawn=$(grep -o '<rect' "$out/dom.html" | wc -l)
[ "$drawn" -gt 10 ]; check "$drawn <rect> elements in the dumped DOM" $?
! grep -q 'data-error=' "$out/dom.html"; check "no script error (window.onerror)" $?
! grep -q '<title>ERROR' "$out/dom.html"; check "title not marked ERROR" $?
! grep -Eiq 'Uncaught|CONSOLE.*(error|exception)|:ERROR:CONSOLE' "$out/chromium.log"
check "no console error in Chromium's log" $?

if [ "$screenshot" -eq 1 ]; then
  mkdir -p "$root/docs"
  "$browser" "${flags[@]}" --virtual-time-budget=5000 --window-size=1400,1000 \
    --screenshot="$root/docs/profile.png" "file://$page" > /dev/null 2>&1 || true
  size=$(stat -c %s "$root/docs/profile.png" 2>/dev/null || echo 0)
  [ "$size" -gt 0 ] && [ "$size" -lt 300000 ]; check "screenshot docs/profile.png ($size bytes, < 300 KB)" $?
fi

[ "$fail" -eq 0 ] && echo "check-profile-page: all checks passed ($page)" \
  || echo "check-profile-page: FAILED (see $out/dom.html, $out/chromium.log)"
exit "$fail"
