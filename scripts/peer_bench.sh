#!/usr/bin/env bash
# The peer benchmark of issue 14, end to end, with its targets as ratios from one run:
#
#   scripts/peer_bench.sh [--runs N] [--count N] [--seed S]
#
# --count defaults to 50,000 conversations, the size of issue 14's own measurement: on a
# smaller corpus the replay rows weigh process start-up and policy compile more than the
# issue meant (both are still in the replay timing, which is wall clock).
#
# Builds the bench and the handoff binary (release code; PROFILE=profiling builds both
# with line tables into one target folder instead), generates the corpus under
# target/peer/, runs benches/peer.rs (every engine, decisions checked equal, and
# scripts/peer.py when python3 is installed), then `handoff replay` on 1 and 2
# threads over the same corpus, and prints each target with its ratio.
# No network at run time. docs/performance.md explains the figures.
set -euo pipefail
# A replay that fails inside $(replay_rate N) must stop the script, not time an error.
shopt -s inherit_errexit

runs=3 count=50000 seed=7
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--count N] [--seed S]" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
profile=${PROFILE:-}
if [ -n "$profile" ]; then
  build_flags=(--profile "$profile") bench_flags=(--profile "$profile") out=$target/$profile
else
  build_flags=(--release) bench_flags=() out=$target/release
fi
mkdir -p target/peer
corpus=$PWD/target/peer/corpus-$count-$seed.jsonl
rates=$PWD/target/peer/rates-$count-$seed.tsv

cargo build --locked "${build_flags[@]}" --bin handoff >&2
# The bench writes the corpus it decides to $corpus and its medians to $rates.
cargo bench --locked "${bench_flags[@]}" --bench peer -- --count "$count" --seed "$seed" --runs "$runs" --rates "$rates"

if [ ! -s "$corpus" ]; then
  # The bench writes under the checkout it was compiled from (CARGO_MANIFEST_DIR), which a
  # CARGO_TARGET_DIR shared between checkouts may make another one.
  echo "$0: the bench wrote no corpus at $corpus (was it compiled from another checkout?)" >&2
  exit 1
fi

# handoff replay, wall clock (process start and policy compile included), median of the runs.
replay_rate() {
  local threads=$1 times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$out/handoff" replay benches/peer/peer.handoff "$corpus" --mode finished --threads "$threads" >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
  echo "$count / $median" | bc -l
}
replay1=$(replay_rate 1)
replay2=$(replay_rate 2)

rate() { awk -F'\t' -v name="$1" '$2 == name { print $1 }' "$rates"; }
handoff=$(rate handoff)
typed=$(rate "Rust, typed structs")
regorus_vm=$(rate "regorus VM")
regorus=$(rate regorus)
cel=$(rate cel)
python=$(rate "Python (scripts/peer.py)")

ratio() { echo "scale=2; $1 / $2" | bc -l; }
check() { # name, ratio, target, direction (ge|le)
  local ok
  if [ "$4" = ge ]; then ok=$(echo "$2 >= $3" | bc -l); else ok=$(echo "$2 <= $3" | bc -l); fi
  printf '| %s | %s | %s %s | %s |\n' "$1" "$2" "$([ "$4" = ge ] && echo '>=' || echo '<=')" "$3" \
    "$([ "$ok" = 1 ] && echo met || echo 'NOT met')"
}
printf '\nhandoff replay over the same corpus (wall clock): 1 thread %.0f/s, 2 threads %.0f/s\n\n' "$replay1" "$replay2"
echo "| target (issue 14) | ratio | wanted | |"
echo "|---|---:|---:|---|"
check "handoff / regorus VM" "$(ratio "$handoff" "$regorus_vm")" 10 ge
check "handoff / regorus (interpreter)" "$(ratio "$handoff" "$regorus")" 10 ge
check "handoff / cel" "$(ratio "$handoff" "$cel")" 10 ge
if [ -n "$python" ]; then
  check "handoff / Python" "$(ratio "$handoff" "$python")" 4 ge
else
  echo "| handoff / Python | not run (no python3) | >= 4 | |"
fi
check "handoff / Rust typed structs" "$(ratio "$handoff" "$typed")" 0.5 ge
check "library loop / replay, 1 thread" "$(ratio "$handoff" "$replay1")" 1.2 le
check "replay 2 threads / 1 thread" "$(ratio "$replay2" "$replay1")" 1.8 ge
