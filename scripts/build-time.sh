#!/usr/bin/env bash
# Build time of 1,000 `#[timed]` functions against 1,000 `#[tracing::instrument]` ones, the
# same bodies in both (a quarter return `Result`, a quarter are `async fn`). Dependencies are
# built first; each crate is then rebuilt alone three times and the fastest time kept.
#
#   bash scripts/build-time.sh            the attribute comparison
#   bash scripts/build-time.sh exporter   also: a clean debug build of an app serving /metrics
#                                         with our exporter against one with
#                                         metrics-exporter-prometheus (its default features)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/timed/src" "$work/traced/src"
cat > "$work/Cargo.toml" <<TOML
[workspace]
members = ["timed", "traced"]
resolver = "2"
TOML
cat > "$work/timed/Cargo.toml" <<TOML
[package]
name = "bt-timed"
version = "0.0.0"
edition = "2024"
[dependencies]
gort-metrics = { path = "$root/gort-metrics", default-features = false }
TOML
cat > "$work/traced/Cargo.toml" <<TOML
[package]
name = "bt-traced"
version = "0.0.0"
edition = "2024"
[dependencies]
tracing = { version = "0.1", default-features = false, features = ["std", "attributes"] }
TOML
functions() {
    echo "$2"
    for i in $(seq 0 999); do
        echo "$1"
        case $((i % 4)) in
            0) echo "pub fn f$i(x: u64) -> Result<u64, String> { if x == $i { return Err(\"no\".into()); } Ok(x + $i) }" ;;
            1) echo "pub async fn f$i(x: u64) -> u64 { x * $i }" ;;
            *) echo "pub fn f$i(x: u64, y: &str) -> u64 { x + y.len() as u64 + $i }" ;;
        esac
    done
}
functions '#[timed]' 'use gort_metrics::timed;' > "$work/timed/src/lib.rs"
functions '#[instrument]' 'use tracing::instrument;' > "$work/traced/src/lib.rs"
cd "$work"
cargo build -q
best() {
    local fastest=
    for _ in 1 2 3; do
        touch "$1/src/lib.rs"
        local start end
        start=$(date +%s.%N)
        cargo build -q -p "bt-$1"
        end=$(date +%s.%N)
        fastest=$(awk -v s="$start" -v e="$end" -v f="$fastest" 'BEGIN { t = e - s; if (f == "" || t < f + 0) print t; else print f }')
    done
    echo "$fastest"
}
timed=$(best timed)
traced=$(best traced)
awk -v a="$timed" -v b="$traced" 'BEGIN {
    printf "1,000 #[timed]: %.2f s; 1,000 #[tracing::instrument]: %.2f s; ratio %.2fx (goal <= 0.40x)\n", a, b, a / b
}'

[ "${1:-}" = exporter ] || exit 0

mkdir -p "$work/ours/src" "$work/peer/src"
cat > "$work/ours/Cargo.toml" <<TOML
[package]
name = "app-ours"
version = "0.0.0"
edition = "2024"
[dependencies]
gort-metrics = { path = "$root/gort-metrics", features = ["exporter"] }
[workspace]
TOML
cat > "$work/ours/src/main.rs" <<'RS'
fn main() {
    let collector = gort_metrics::PrometheusCollector::new();
    let server = gort_metrics::MetricsServer::bind("127.0.0.1:0", collector.registry()).unwrap();
    println!("{}", server.local_addr());
}
RS
cat > "$work/peer/Cargo.toml" <<TOML
[package]
name = "app-peer"
version = "0.0.0"
edition = "2024"
[dependencies]
metrics = "0.24"
metrics-exporter-prometheus = "0.17"
[workspace]
TOML
cat > "$work/peer/src/main.rs" <<'RS'
fn main() {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(([127, 0, 0, 1], 0))
        .install()
        .unwrap();
    metrics::counter!("gort_messages_received_total").increment(1);
}
RS
clean_build() {
    (cd "$work/$1" && cargo fetch -q && rm -rf target \
        && start=$(date +%s.%N) && cargo build -q && end=$(date +%s.%N) \
        && awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')
}
ours=$(clean_build ours)
peer=$(clean_build peer)
awk -v a="$ours" -v b="$peer" 'BEGIN {
    printf "clean build, exporter app: ours %.1f s; metrics-exporter-prometheus %.1f s; ratio %.2fx (goal <= 0.20x)\n", a, b, a / b
}'
