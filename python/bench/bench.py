"""Conversations per second for the Python package against a pure-Python rule set and
the Rust library, in one run on the same input (a script, not a test):

    python python/bench/bench.py [--count 5000] [--rounds 5] [--corpus FILE.jsonl]

Without --corpus, the corpus comes from `cargo run --release --example gen_corpus --
--count N --seed 7 --sentiment` (sentiment annotated, so the pure-Python rules read the
same sentiment as the policy). The Rust figure is `cargo run --release --example
eval_ratio -- FILE` (serde_json parse + Policy::evaluate, best of 15 rounds) on one
conversation of the corpus, against `policy.evaluate(text)` on the same one.
Every figure is the best of --rounds rounds: noise on a busy machine only adds time.
"""

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import handoff

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import pure_python  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def best(rounds, work):
    """Fastest of `rounds` runs of `work()`: (wall seconds, CPU seconds of that run)."""
    runs = []
    for _ in range(rounds):
        cpu, start = time.process_time(), time.perf_counter()
        work()
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    return min(runs)


def cargo_example(name, *args):
    return subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", name, "--", *args],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus")
    parser.add_argument("--policy", default=str(ROOT / "policies" / "payments.handoff"))
    parser.add_argument("--no-rust", action="store_true", help="skip the Rust library figure")
    args = parser.parse_args()

    if args.corpus:
        lines = [l for l in pathlib.Path(args.corpus).read_text().splitlines() if l.strip()]
    else:
        out = cargo_example("gen_corpus", "--count", str(args.count), "--seed", "7", "--sentiment")
        lines = [l for l in out.splitlines() if l.strip()]
    dicts = [json.loads(l) for l in lines]
    policy = handoff.Policy.load(args.policy)
    n = len(lines)
    messages = sum(len(d["messages"]) for d in dicts)
    print(f"policy {policy.name} ({policy.hash[:12]}), {n} conversations, {messages / n:.1f} messages each,"
          f" {os.cpu_count()} cores, best of {args.rounds} rounds")

    rows = [
        ("handoff: evaluate(json str)", lambda: [policy.evaluate(l) for l in lines]),
        ("handoff: evaluate(dict)", lambda: [policy.evaluate(d) for d in dicts]),
        ("handoff: evaluate_many(json strs, threads=1)", lambda: policy.evaluate_many(lines, threads=1)),
        ("handoff: evaluate_many(json strs, threads=2)", lambda: policy.evaluate_many(lines, threads=2)),
        ("pure Python rules: from json str", lambda: [pure_python.decide_json(l) for l in lines]),
        ("pure Python rules: from dict", lambda: [pure_python.decide(d) for d in dicts]),
    ]
    rate = {}
    # cores used: CPU time over wall time; below the thread count, other processes had the cores.
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"\n| {'mode':<46} | conversations/s | cores used |")
    print(f"|{'-' * 48}|-----------------|------------|")
    for name, work in rows:
        wall, cpu = best(args.rounds, work)
        rate[name] = n / wall
        print(f"| {name:<46} | {rate[name]:>15,.0f} | {cpu / wall:>10.2f} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    one, two = rate["handoff: evaluate_many(json strs, threads=1)"], rate["handoff: evaluate_many(json strs, threads=2)"]
    print(f"\nevaluate_many: 2 threads / 1 thread = {two / one:.2f}x")
    print(f"evaluate(json str) / pure Python from json str = "
          f"{rate['handoff: evaluate(json str)'] / rate['pure Python rules: from json str']:.1f}x")

    if args.no_rust:
        return
    # One conversation of median length, through Python and through the Rust library.
    by_length = sorted(lines, key=lambda l: len(json.loads(l)["messages"]))
    text = by_length[len(by_length) // 2]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(text)
    try:
        out = cargo_example("eval_ratio", f.name)
    finally:
        os.unlink(f.name)
    found = re.search(r"parse ([\d.]+) us, evaluate ([\d.]+) us", out)
    if not found:
        sys.exit(f"unexpected eval_ratio output: {out}")
    rust_us = float(found.group(1)) + float(found.group(2))
    loops = 20000
    py_us = best(args.rounds, lambda: [policy.evaluate(text) for _ in range(loops)])[0] / loops * 1e6
    print(f"\none conversation of {len(json.loads(text)['messages'])} messages, from JSON text:")
    print(f"  Rust library (parse {found.group(1)} us + evaluate {found.group(2)} us) {rust_us:.2f} us")
    print(f"  Python policy.evaluate(str)                         {py_us:.2f} us"
          f"  = {py_us / rust_us:.2f}x the Rust library")


if __name__ == "__main__":
    main()
