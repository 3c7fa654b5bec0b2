#!/usr/bin/env bash
# One command per scenario:  bench/run.sh <scenario|all|list> [load generator options]
# Builds the server and the load generator in Release, then runs the scenario against the server
# started as a child process on a free loopback port. Reports go to bench/results/<scenario>.json.
#
# bench/run.sh --compare [--rounds N] [options]: the same load against a plain Node ws relay
# (bench/node-relay, installed here with npm ci) and against our server, each pinned with taskset to
# the last core while the load generator is pinned to the first; prints each target's ratio and
# writes bench/results/compare.md and compare.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -nologo -v q Brax.Viewer.Server/Brax.Viewer.Server.csproj >/dev/null
dotnet build -c Release -nologo -v q bench/Brax.Viewer.LoadGen/Brax.Viewer.LoadGen.csproj >/dev/null
generator=(dotnet bench/Brax.Viewer.LoadGen/bin/Release/net10.0/Brax.Viewer.LoadGen.dll)
if [[ "${1:-}" == "--compare" ]]; then
  [[ -d bench/node-relay/node_modules/ws ]] || (cd bench/node-relay && npm ci --no-audit --no-fund >/dev/null)
  if command -v taskset >/dev/null && (( $(nproc) > 1 )); then
    generator=(taskset -c 0 "${generator[@]}")
  fi
fi
exec "${generator[@]}" "$@"
