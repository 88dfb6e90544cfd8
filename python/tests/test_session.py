"""A session pushed message by message decides what `evaluate` decides."""

import json

import pytest

from conftest import case_context, case_files


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_session_equals_evaluate(policy, path):
    conversation = json.loads(path.read_text())
    context = case_context(path)
    session = policy.session(
        customer=conversation.get("customer"),
        metadata=conversation.get("metadata"),
        channel=conversation.get("channel"),
        context=context,
    )
    assert session.decision.action == "none" and session.messages == 0
    decision = None
    for i, message in enumerate(conversation["messages"]):
        # Alternate dicts and JSON text: both are read the same way.
        decision = session.push(message if i % 2 == 0 else json.dumps(message))
        # evaluate() stops at the first escalation, as a live service hands over then.
        if decision.is_escalation:
            break
    assert decision == policy.evaluate(conversation, context=context)
    assert decision.to_dict() == policy.evaluate(conversation, context=context).to_dict()
    assert session.decision == decision


def test_session_keeps_the_strongest_decision(policy):
    session = policy.session()
    first = session.push({"role": "customer", "text": "I want to dispute a charge on my card"})
    assert first.action == "escalate"
    later = session.push({"role": "customer", "text": "thanks"})
    assert later.action == "escalate" and later.messages == 2 and session.messages == 2


def test_session_attributes_are_checked(policy):
    with pytest.raises(TypeError):
        policy.session(customer=["not", "a", "dict"])
    with pytest.raises(ValueError) as info:
        policy.session(context={"queues": {"general": {"agents": 2}}})
    assert info.value.field == "queues.general.agents"
