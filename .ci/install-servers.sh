#!/usr/bin/env bash
# Installs the real servers the integration tests talk to, on a fresh Debian machine, as root:
#   - Prometheus (`prometheus` and `promtool`) from the Debian archive;
#   - Etsy statsd 0.9.0 from the npm registry into target/statsd (ignored by git), where the
#     StatsD test looks for it.
# Safe to run again: apt and npm skip what is already there.
set -euo pipefail

cd "$(dirname "$0")/.."

missing=()
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    # The tests start their own servers on free loopback ports, so a system service that the
    # package may start on :9090 is harmless to them.
    missing+=(prometheus)
fi
if ! command -v npm >/dev/null || ! { command -v node >/dev/null || command -v nodejs >/dev/null; }; then
    missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

statsd_dir=target/statsd
if [ ! -f "$statsd_dir/node_modules/statsd/stats.js" ]; then
    mkdir -p "$statsd_dir"
    npm install --prefix "$statsd_dir" --no-audit --no-fund --no-save statsd@0.9.0
fi

prometheus --version 2>&1 | head -n 1
promtool --version 2>&1 | head -n 1
node=$(command -v node || command -v nodejs)
echo "statsd: $("$node" -p "require('./$statsd_dir/node_modules/statsd/package.json').version")"
