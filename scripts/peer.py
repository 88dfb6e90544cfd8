#!/usr/bin/env python3
"""The peer benchmark's five rules in plain Python (standard library only).

    python3 scripts/peer.py CORPUS.jsonl [--runs N] [--check DECISIONS]

Decides every finished conversation of the corpus (json.loads included, one
thread), prints `rate N` (conversations per second, the median of N runs) and,
with --check, fails loudly unless every decision equals the line of DECISIONS
(the bit masks benches/peer.rs writes). The rules are those of
benches/peer/peer.handoff; docs/performance.md states them.
"""

import argparse
import json
import re
import statistics
import sys
import time

PERSON = re.compile(r"\b(human|real person|agent|representative|someone)\b", re.IGNORECASE)
DISPUTE = re.compile(r"dispute|charge ?back|unauthori[sz]ed", re.IGNORECASE)
NOT_UNDERSTOOD = "didn't understand"
UPSET_BELOW = -0.42
RULES = ["person_asked", "dispute", "bot_repeats", "bot_confused", "upset"]


def decide(line):
    """The rules that hold on the finished conversation, as a bit mask."""
    messages = json.loads(line)["messages"]
    customer = [m for m in messages if m.get("role") == "customer"]
    bot = [m.get("text", "") for m in messages if m.get("role") == "bot"]
    mask = 0
    if customer and PERSON.search(customer[-1].get("text", "")):
        mask |= 1
    if any(DISPUTE.search(m.get("text", "")) for m in customer):
        mask |= 2
    if len(set(bot)) < len(bot):
        mask |= 4
    if sum(NOT_UNDERSTOOD in text for text in bot) >= 2:
        mask |= 8
    last = customer[-3:]
    if last and sum(m.get("sentiment", 0.0) for m in last) / len(last) < UPSET_BELOW:
        mask |= 16
    return mask


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", metavar="DECISIONS")
    args = parser.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        lines = f.read().splitlines()
    decisions = [decide(line) for line in lines]
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            expected = [int(x) for x in f.read().split()]
        wrong = [i for i, (a, b) in enumerate(zip(decisions, expected)) if a != b]
        if wrong or len(expected) != len(decisions):
            print(f"DECISIONS DISAGREE: Python differs on {len(wrong)} of {len(lines)} conversations "
                  f"({len(expected)} expected), first lines {[i + 1 for i in wrong[:10]]}")
            return 1
    times = []
    for _ in range(max(args.runs, 1)):
        start = time.perf_counter()
        for line in lines:
            decide(line)
        times.append(time.perf_counter() - start)
    print(f"rate {len(lines) / statistics.median(times):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
