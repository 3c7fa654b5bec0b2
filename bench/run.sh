#!/usr/bin/env bash
# One command per scenario:  bench/run.sh <scenario|all|list> [load generator options]
# Builds the server and the load generator in Release, then runs the scenario against the server
# started as a child process on a free loopback port. Reports go to bench/results/<scenario>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -nologo -v q Brax.Viewer.Server/Brax.Viewer.Server.csproj >/dev/null
dotnet build -c Release -nologo -v q bench/Brax.Viewer.LoadGen/Brax.Viewer.LoadGen.csproj >/dev/null
exec dotnet bench/Brax.Viewer.LoadGen/bin/Release/net10.0/Brax.Viewer.LoadGen.dll "$@"
