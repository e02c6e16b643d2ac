#!/usr/bin/env bash
# Benchmark the embedded executor against moto's Step Functions engine on
# the same definitions, and print executions per second and the ratio.
#
# Usage: bench/run.sh [GO_BENCHTIME] [MOTO_SECONDS]
#   GO_BENCHTIME  go test -benchtime per Go benchmark (default 3s)
#   MOTO_SECONDS  timed seconds per workload in moto (default 10)
# Needs Go and Python 3 with moto 5.2.1 and boto3.
set -euo pipefail

cd "$(dirname "$0")/.."
benchtime="${1:-3s}"
moto_seconds="${2:-10}"

if ! python3 -c 'import moto, boto3' 2>/dev/null; then
	echo "bench/run.sh: moto and boto3 are needed: pip install 'moto[stepfunctions,awslambda]==5.2.1' boto3" >&2
	exit 1
fi

go_out="$(mktemp)"
trap 'rm -f "$go_out"' EXIT
go test ./bench/ -run '^$' -bench . -benchtime "$benchtime" | tee "$go_out"
moto_json="$(python3 bench/moto_bench.py --seconds "$moto_seconds")"

python3 - "$go_out" "$moto_json" <<'PY'
import json, re, sys

go = {}
for line in open(sys.argv[1]):
    m = re.match(r"Benchmark(\w+)-\d+\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) execs/s\s+([\d.]+) ns/transition", line)
    if m:
        go[m.group(1)] = (float(m.group(2)), float(m.group(3)))
moto = json.loads(sys.argv[2])

print()
print(f"{'workload':<16} {'moderato execs/s':>17} {'µs/transition':>14} {'moto execs/s':>13} {'ratio':>8}")
for name, (execs, ns) in go.items():
    m = moto[name]["execs_per_sec"]
    print(f"{name:<16} {execs:>17.1f} {ns / 1000:>14.2f} {m:>13.3f} {execs / m:>7.0f}x")
PY
