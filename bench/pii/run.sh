#!/usr/bin/env bash
# Compare moderato's PII engine with the npm libraries redact-pii and
# @openredaction/openredaction on the same inputs: throughput in MB of
# UTF-8 text per CPU second, and redaction coverage scored by the corpus's
# score.py. Prints two Markdown tables: the figures of each engine, and
# moderato's throughput as a multiple of each library's.
#
# moderato has two rows. "moderato" times the detection calls alone, as
# compare.js times the libraries' calls, with bench/pii/detecttime.
# "moderato, whole command" times "moderato pii detect --jsonl", JSON
# decoding and encoding included, and writes the predictions scored for
# both rows.
#
# Usage: bench/pii/run.sh [CLEAN_MEGABYTES]
#   CLEAN_MEGABYTES  size of the mostly clean text (default 4)
# Needs Go, Node.js 18 or newer with npm, and Python 3. The npm packages
# are installed into a temporary directory, pinned to the versions below.
set -euo pipefail

cd "$(dirname "$0")/../.."
clean_mb="${1:-4}"
corpus="${PII_CORPUS:-../shared/pii-corpus/corpus.jsonl}"
heldout="$PWD/internal/pii/testdata/heldout.jsonl"
fresh="$PWD/internal/pii/testdata/fresh.jsonl"

for tool in go node npm python3; do
	command -v "$tool" >/dev/null || { echo "bench/pii/run.sh: $tool is needed" >&2; exit 1; }
done
[ -f "$corpus" ] || { echo "bench/pii/run.sh: corpus $corpus not found; set PII_CORPUS" >&2; exit 1; }
corpus="$(realpath "$corpus")"
score="$(dirname "$corpus")/score.py"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "installing redact-pii 3.4.0 and @openredaction/openredaction 1.0.4 into $work" >&2
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund \
	redact-pii@3.4.0 @openredaction/openredaction@1.0.4 >/dev/null)
cp bench/pii/compare.js "$work/"
go build -o "$work/moderato" ./cmd/moderato
go build -o "$work/detecttime" ./bench/pii/detecttime
python3 bench/pii/cleantext.py "$clean_mb" > "$work/clean.jsonl"

# cpu_seconds INPUT OUTPUT prints the CPU seconds (user and system) of one
# run of moderato pii detect --jsonl. getrusage reports microseconds,
# where time(1) prints hundredths, too coarse for a run of some 50 ms.
cpu_seconds() {
	python3 - "$work/moderato" "$1" "$2" <<'PY'
import resource, subprocess, sys

moderato, input_, output = sys.argv[1:]
with open(output, "w") as out:
    subprocess.run([moderato, "pii", "detect", "--jsonl", input_], stdout=out, check=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)
PY
}

# The whole command's start-up (mostly loading the word list), measured on
# a one-line input as the fastest of three runs, is subtracted from its
# time. JSON decoding and encoding stay in.
echo '{"id": "warm-up", "text": "Thabo Nkosi"}' > "$work/one.jsonl"
startup="$(for _ in 1 2 3; do cpu_seconds "$work/one.jsonl" /dev/null; done | sort -g | head -1)"

# run_moderato INPUT BYTES OUTPUT writes the entities of INPUT to OUTPUT
# and prints the CPU seconds that the whole command takes per pass over
# INPUT. A
# small input such as fresh.jsonl takes some 20 ms, as long as the
# start-up subtracted from it. The timed run therefore reads INPUT
# repeated to at least 16 MB of text and divides by the number of
# copies. moderato caches compiled patterns and scan buffers between
# documents but no detection result, so a repeated document costs what it
# cost the first time.
run_moderato() {
	local copies=$(( (16000000 + $2 - 1) / $2 ))
	for _ in $(seq "$copies"); do cat "$1"; done > "$work/repeated.jsonl"
	"$work/moderato" pii detect --jsonl "$1" > "$3"
	awk -v total="$(cpu_seconds "$work/repeated.jsonl" /dev/null)" -v startup="$startup" -v copies="$copies" \
		'BEGIN {print (total - startup) / copies}'
}

results="$work/results.tsv"
: > "$results"
for input in corpus heldout fresh clean; do
	case "$input" in
	corpus) file="$corpus" ;;
	heldout) file="$heldout" ;;
	fresh) file="$fresh" ;;
	clean) file="$work/clean.jsonl" ;;
	esac
	bytes="$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1]) if l.strip()))' "$file")"

	# The whole command writes the predictions that score.py reads.
	whole="$(run_moderato "$file" "$bytes" "$work/moderato-$input.jsonl")"
	json="$("$work/detecttime" "$file")"
	cpu="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["cpu_seconds"])' "$json")"
	printf 'moderato\t%s\t%s\t%s\n' "$input" "$bytes" "$cpu" >> "$results"
	printf 'moderato, whole command\t%s\t%s\t%s\n' "$input" "$bytes" "$whole" >> "$results"
	for library in redact-pii openredaction; do
		json="$(cd "$work" && node compare.js "$library" "$file" "$work/$library-$input.jsonl")"
		cpu="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["cpu_seconds"])' "$json")"
		printf '%s\t%s\t%s\t%s\n' "$library" "$input" "$bytes" "$cpu" >> "$results"
	done
done

python3 - "$results" "$work" "$corpus" "$heldout" "$fresh" "$score" <<'PY'
import re, subprocess, sys

results, work, corpus, heldout, fresh, score = sys.argv[1:]
gold = {"corpus": corpus, "heldout": heldout, "fresh": fresh}
rates = {}
print("| engine | input | MB/s per CPU second | coverage recall | coverage precision | strict micro F1 |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for line in open(results):
    engine, input_, size, cpu = line.rstrip("\n").split("\t")
    rate = int(size) / 1e6 / max(float(cpu), 1e-9)
    rates[engine, input_] = rate
    recall = precision = micro = "n/a"
    # Both moderato rows detect the same way; the predictions come from
    # the whole command.
    predictions = "moderato" if engine.startswith("moderato") else engine
    if input_ in gold:
        out = subprocess.run(["python3", score, gold[input_], f"{work}/{predictions}-{input_}.jsonl"],
                             capture_output=True, text=True, check=True).stdout
        m = re.search(r"recall ([\d.]+), precision ([\d.]+)", out)
        recall, precision = m.group(1), m.group(2)
        m = re.search(r"^micro\s+\d+\s+[\d.]+\s+[\d.]+\s+([\d.]+)", out, re.M)
        # The npm libraries use their own type names, so strict F1 applies
        # to moderato only.
        micro = m.group(1) if predictions == "moderato" else "n/a"
    # Three significant digits, with a trailing zero kept below 100.
    rate_text = f"{rate:.3g}" if rate >= 100 else f"{rate:#.3g}"
    print(f"| {engine} | {input_} | {rate_text} | {recall} | {precision} | {micro} |")

print()
print("Throughput of moderato as a multiple of each library's, from the unrounded figures:")
print()
print("| input | moderato / openredaction | moderato / redact-pii | whole command / openredaction | whole command / redact-pii |")
print("| --- | ---: | ---: | ---: | ---: |")
for input_ in ["corpus", "heldout", "fresh", "clean"]:
    cells = [rates[engine, input_] / rates[library, input_]
             for engine in ["moderato", "moderato, whole command"] for library in ["openredaction", "redact-pii"]]
    print(f"| {input_} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
PY
