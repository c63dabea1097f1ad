#!/usr/bin/env bash
# The lab comparison of docs/lab.md: the calibration scenario mirrored over 13 configurations, each run with
# `twlab lab` (real kernel in namespaces, and the simulation beside it) on 3 seeds. Needs root, nftables and
# about 50 minutes. Writes one directory per run under OUT (default out/lab-matrix) and prints the table with
# scripts/lab-matrix-table.py.
#   sudo scripts/lab-matrix.sh [OUT] [JAR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-out/lab-matrix}
jar=${2:-target/twlab.jar}
[ -f "$jar" ] || bin/twlab --version >/dev/null
base=scenarios/lab/calibration-6.18.yaml
# name|overrides (space-separated --set values)
configs=(
  "baseline|"
  "ports-200|nats.router.ports=40000-40199"
  "ports-300|nats.router.ports=40000-40299"
  "ports-600|nats.router.ports=40000-40599"
  "ct-tw-1s|nats.router.timeouts.time-wait=1s"
  "ct-tw-60s|nats.router.timeouts.time-wait=60s"
  "ct-tw-120s-paced|nats.router.timeouts.time-wait=120s workloads.client.arrivals=paced"
  "ct-tw-60s-paced|nats.router.timeouts.time-wait=60s workloads.client.arrivals=paced"
  "max-tw-buckets-5|hosts.server.sysctl.net.ipv4.tcp_max_tw_buckets=5"
  "client-ts-off|hosts.client.sysctl.net.ipv4.tcp_timestamps=0"
  "server-ts-off|hosts.server.sysctl.net.ipv4.tcp_timestamps=0"
  "one-client|hosts.client.count=1"
  "one-client-ts-2|hosts.client.count=1 hosts.client.sysctl.net.ipv4.tcp_timestamps=2"
)
mkdir -p "$out"
for c in "${configs[@]}"; do
  name=${c%%|*}
  sets=${c#*|}
  for seed in 1 2 3; do
    dir="$out/$name-seed$seed"
    [ -f "$dir/lab.json" ] && continue
    args=(--set "seed=$seed")
    for s in $sets; do args+=(--set "$s"); done
    echo "== $name seed $seed" >&2
    java -jar "$jar" lab "$base" "${args[@]}" --out "$dir" --quiet || echo "!! $name seed $seed failed" >&2
  done
done
python3 scripts/lab-matrix-table.py "$out"
