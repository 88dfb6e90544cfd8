"""Every seed conversation gets the same JSON decision in Python as from `handoff eval`."""

import json
import subprocess

import pytest

import handoff
from conftest import POLICY, case_context, case_files


def cli_decision(cli, path):
    args = [cli, "eval", "--format", "json", str(POLICY), str(path)]
    context = path.with_suffix(".context")
    if context.exists():
        args += ["--context", str(context)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    assert len(lines) == 1, out
    return json.loads(lines[0])


def test_there_are_cases():
    assert len(case_files()) >= 10


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_decision_equals_cli(policy, cli, path):
    expected = cli_decision(cli, path)
    text = path.read_text()
    context = case_context(path)
    for conversation in (text, text.encode(), json.loads(text)):
        decision = policy.evaluate(conversation, context=context)
        assert decision.to_dict() == expected["decision"]
        assert json.loads(decision.to_json()) == expected["decision"]
    # The attributes say what the JSON says.
    d = expected["decision"]
    assert decision.action == d["action"]
    assert decision.queue == d.get("queue")
    assert decision.fallback_from == d.get("fallback_from")
    assert decision.priority == d.get("priority")
    assert decision.reasons == d["reasons"]
    assert decision.flags == d.get("flags", [])
    assert decision.rule == d.get("rule")
    assert decision.at_message == d.get("at_message")
    assert decision.messages == d["messages"]
    assert decision.rules == d["rules"]
    assert decision.policy == {"name": policy.name, "version": policy.version, "hash": policy.hash}


def test_context_as_dict_equals_context_as_text(policy):
    path = next(p for p in case_files() if case_context(p))
    text = case_context(path)
    assert policy.evaluate(path.read_text(), context=json.loads(text)) == policy.evaluate(path.read_text(), context=text)
    # The context matters for this case: without it the decision differs.
    assert policy.evaluate(path.read_text()) != policy.evaluate(path.read_text(), context=text)


def test_policy_header(policy):
    assert policy.name == "payments-support"
    assert policy.version >= 1
    assert len(policy.hash) == 64 and int(policy.hash, 16) >= 0
    assert "disputes" in policy.queues and "dispute" in policy.rules
    same = handoff.Policy.from_source("payments.handoff", POLICY.read_text(), POLICY.parent)
    assert same.hash == policy.hash
