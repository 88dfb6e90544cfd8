#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, after seeding its corpus from the
# repository's own cases (tests/cases, tests/fixtures, policies). Needs
# `cargo +nightly` and cargo-fuzz (installed here when missing).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Prints, per target, the runs, the inputs per second and the corpus size;
# exits 1 on the first crash, leaving the reproducer in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(policy transcript evaluate)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  if ! cargo install --locked cargo-fuzz; then
    echo "SKIPPED fuzz: cargo-fuzz is not installed and could not be installed"
    exit 0
  fi
fi

# Seeds: copies, so fuzzing never writes into the repository's test cases.
seed() {
  local target=$1
  shift
  mkdir -p "corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "corpus/$target/seed-$(basename "$f")"
  done
  return 0
}
shopt -s nullglob
seed policy ../tests/cases/*/*.handoff ../policies/*.handoff ../tests/fixtures/replay/*.handoff
seed transcript ../tests/cases/eval/*.json ../tests/fixtures/replay/*.jsonl ../tests/fixtures/replay/dir/*.json*

build_log=$(mktemp)
if ! cargo +nightly fuzz build >"$build_log" 2>&1; then
  cat "$build_log"
  exit 1
fi
rm -f "$build_log"
for target in "${targets[@]}"; do
  dict=()
  [ -f "$target.dict" ] && dict=("-dict=$target.dict")
  log=$(mktemp)
  echo "== fuzz $target for ${seconds}s"
  # -rss_limit_mb: a policy the checker accepts must not need more; -timeout: nor this long.
  if ! cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -max_len=8192 -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz $target: FAILED (reproducer in fuzz/artifacts/$target/)"
    exit 1
  fi
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  corpus=$(ls "corpus/$target" | wc -l)
  echo "fuzz $target: ok, $runs runs, $rate inputs/s, corpus $corpus inputs"
  rm -f "$log"
done
