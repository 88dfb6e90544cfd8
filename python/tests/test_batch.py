"""evaluate_many: input order, the same decisions on any number of threads, the GIL released."""

import json
import threading
import time

import pytest

from conftest import case_files


def corpus(n):
    """n conversations built from the seed cases, each with its own id and a varying tail."""
    seeds = [json.loads(p.read_text()) for p in case_files()]
    out = []
    for i in range(n):
        c = json.loads(json.dumps(seeds[i % len(seeds)]))
        c["id"] = f"c{i}"
        c["messages"] = c["messages"][: 1 + i % len(c["messages"])]
        out.append(c)
    return out


def test_order_and_threads(policy):
    conversations = corpus(500)
    expected = [policy.evaluate(c).to_dict() for c in conversations]
    # Not all alike, or order could not be told apart.
    assert len({json.dumps(e, sort_keys=True) for e in expected}) > 5
    texts = [json.dumps(c) for c in conversations]
    for threads in (1, 2, 3, 8):
        got = policy.evaluate_many(texts, threads=threads)
        assert [d.to_dict() for d in got] == expected
    assert [d.to_dict() for d in policy.evaluate_many(conversations, threads=2)] == expected
    assert [d.to_dict() for d in policy.evaluate_many("\n".join(texts).encode(), threads=2)] == expected
    assert [d.to_dict() for d in policy.evaluate_many(iter(texts))] == expected


def test_deterministic_over_runs(policy):
    texts = [json.dumps(c) for c in corpus(300)]
    first = [d.to_json() for d in policy.evaluate_many(texts, threads=4)]
    for _ in range(3):
        assert [d.to_json() for d in policy.evaluate_many(texts, threads=4)] == first


def test_empty_and_bad_threads(policy):
    assert policy.evaluate_many([]) == []
    assert policy.evaluate_many("") == []
    with pytest.raises(ValueError):
        policy.evaluate_many([], threads=0)


def test_gil_released_during_a_batch(policy):
    texts = [json.dumps(c) for c in corpus(400)]
    # Long enough to take many of Python's 5 ms thread switch intervals.
    batch = texts * 75
    start = time.perf_counter()
    policy.evaluate_many(batch, threads=1)
    alone = time.perf_counter() - start
    assert alone > 0.1, "the batch is too short to tell"

    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        time.sleep(0.01)
        start = time.perf_counter()
        policy.evaluate_many(batch, threads=1)
        end = time.perf_counter()
    finally:
        stop.set()
        counter.join()
    during = [t for t in ticks if start < t < end]
    # Held, the GIL would let the counter run only before and after the batch. Released,
    # it counts all along: every fifth of the batch sees it.
    assert len(during) >= 20
    for k in range(5):
        a = start + (end - start) * k / 5
        b = start + (end - start) * (k + 1) / 5
        assert any(a <= t < b for t in during), f"no progress in fifth {k} of the batch"


def test_finished_decides_on_the_last_message(policy):
    conversations = corpus(60)
    live = policy.evaluate_many(conversations, threads=2)
    finished = policy.evaluate_many(conversations, threads=2, finished=True)
    assert [d.to_dict() for d in finished] == [policy.evaluate(c, finished=True).to_dict() for c in conversations]
    for c, d in zip(conversations, finished):
        decided = d.to_dict()
        assert decided["messages"] == len(c["messages"])
        if decided["action"] != "none":
            assert decided["at_message"] == decided["messages"]
    assert [d.to_dict() for d in live] == [policy.evaluate(c).to_dict() for c in conversations]
