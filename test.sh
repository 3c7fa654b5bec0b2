#!/usr/bin/env bash
# Runs every test of Brax Viewer Hub, after installing what the tests need on a fresh Debian
# machine: Python's websockets library and numpy (the Python client's tests feed it numpy arrays),
# redis-server, Chromium and curl (the documentation's shell samples run with it) from Debian, and
# the viewer page's npm packages (the JavaScript client's, clients/js, are restored by the tests
# that run its node --test files and README sample). Nothing is skipped for want of a dependency: a
# missing one is installed. The soak test is left out (see README.md).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
/usr/bin/python3 -c 'import websockets' 2>/dev/null || missing+=(python3-websockets)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

results="TestResults"
rm -rf "$results"
status=0
# The five-minute soak (Category=Soak) is run on its own: see "Benchmarks" in README.md.
dotnet test Brax.Viewer.sln -c Release --filter "Category!=Soak" \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" --blame-hang-timeout 10m || status=$?

# One closing line that any CI can read: "N passed, N failed".
trx="$results/results.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  if [ "${failed:-0}" -gt 0 ]; then
    # The console log interleaves servers' output with results; repeat each failure at the end.
    echo "Failed tests:"
    /usr/bin/python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for result in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if result.get("outcome") != "Failed":
        continue
    message = result.findtext(".//t:ErrorInfo/t:Message", "", ns).strip()
    stack = result.findtext(".//t:ErrorInfo/t:StackTrace", "", ns).strip()
    print(f"  {result.get('testName')} ({result.get('duration')})")
    for line in (message.splitlines()[:20] + stack.splitlines()[:8]):
        print(f"    {line}")
PY
  fi
  echo "${passed:-0} passed, ${failed:-0} failed"
  if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
    echo "dotnet test exited with $status although no test failed: a project did not build (see above)"
  fi
else
  echo "0 passed, 0 failed"
  status=1
fi
exit "$status"
