"""Errors carry their location: policy diagnostics, conversation field paths, context fields."""

import json

import pytest

import handoff
from conftest import POLICY

BAD_POLICY = """policy "bad" version 1

queues {
  general "General support"
}

rule r {
  when customer.last mentions ["agent"]
  escalate to nowhere
}
"""


def test_policy_error_has_structured_diagnostics():
    with pytest.raises(handoff.PolicyError) as info:
        handoff.Policy.from_source("bad.handoff", BAD_POLICY)
    error = info.value
    assert error.name == "bad.handoff"
    [d] = error.diagnostics
    assert (d.code, d.severity, d.file) == ("handoff::check::unknown_queue", "error", "bad.handoff")
    assert (d.line, d.column) == (9, 15)
    assert (d.end_line, d.end_column) == (9, 22)
    assert "nowhere" in d.message and d.help
    # str(error) is the rendered report, with the source line and the help.
    text = str(error)
    assert "escalate to nowhere" in text and "bad.handoff:9:15" in text and d.help in text


def test_syntax_error_location():
    with pytest.raises(handoff.PolicyError) as info:
        handoff.Policy.from_source("syntax.handoff", 'policy "x" version 1\nrule {\n')
    [d] = info.value.diagnostics
    assert d.code.startswith("handoff::syntax") and d.line == 2


def test_load_missing_file():
    with pytest.raises(FileNotFoundError):
        handoff.Policy.load("no/such/policy.handoff")


def test_check_paths(tmp_path):
    good = tmp_path / "a.handoff"
    good.write_text((POLICY.parent / "starter.handoff").read_text())
    bad = tmp_path / "sub" / "b.handoff"
    bad.parent.mkdir()
    bad.write_text(BAD_POLICY)
    (tmp_path / "notes.txt").write_text("not a policy")
    diagnostics = handoff.check([tmp_path])
    errors = [(d.file, d.code, d.line) for d in diagnostics if d.severity == "error"]
    assert errors == [(str(bad), "handoff::check::unknown_queue", 9)]
    # Warnings come too: the queue `general` is declared and never used.
    warnings = [(d.file, d.code) for d in diagnostics if d.severity == "warning"]
    assert warnings == [(str(bad), "handoff::lint::unused_queue")]
    assert handoff.check(str(good)) == []
    with pytest.raises(FileNotFoundError):
        handoff.check([tmp_path / "missing.handoff"])


@pytest.mark.parametrize("as_text", [True, False])
def test_conversation_error_names_the_field(policy, as_text):
    conversation = {"id": "c1", "messages": [{"role": "customer", "text": "hi"}, {"role": "robot", "text": "x"}]}
    given = json.dumps(conversation, indent=1) if as_text else conversation
    with pytest.raises(handoff.ConversationError) as info:
        policy.evaluate(given)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.field == "messages[1].role"
    assert error.code == "handoff::transcript::invalid"
    assert error.help == 'did you mean "bot"?'
    assert "messages[1].role" in str(error) and "robot" in str(error)
    if as_text:
        assert error.line == 9
    else:
        assert error.line is None


def test_missing_field_and_syntax(policy):
    with pytest.raises(handoff.ConversationError) as info:
        policy.evaluate({"id": "c1", "messages": [{"role": "customer"}]})
    assert info.value.field == "messages[0]" and "text" in str(info.value)
    with pytest.raises(handoff.ConversationError) as info:
        policy.evaluate('{"id": "c1",\n "messages": [}')
    assert (info.value.line, info.value.code) == (2, "handoff::transcript::syntax")
    assert info.value.column is not None


def test_wrong_type_is_a_type_error(policy):
    with pytest.raises(TypeError):
        policy.evaluate(42)


def test_message_error(policy):
    session = policy.session()
    with pytest.raises(handoff.ConversationError) as info:
        session.push({"role": "customer", "text": "hi", "confidence": 3})
    assert info.value.field == "confidence"
    assert session.messages == 0


def test_context_error_names_the_field(policy):
    with pytest.raises(handoff.ContextError) as info:
        policy.evaluate({"id": "c", "messages": []}, context={"queues": {"general": {"hours": "whenever"}}})
    assert isinstance(info.value, ValueError)
    assert info.value.field.startswith("queues.general")


def test_batch_error_names_the_conversation(policy):
    good = {"id": "ok", "messages": [{"role": "customer", "text": "hello"}]}
    with pytest.raises(handoff.ConversationError) as info:
        policy.evaluate_many([good, good, '{"id": "x", "messages": [{"role": "bott", "text": "x"}]}'], threads=2)
    assert info.value.source == "conversations[2]" and info.value.field == "messages[0].role"
    lines = json.dumps(good) + "\n\n" + '{"id": "", "messages": []}\n'
    with pytest.raises(handoff.ConversationError) as info:
        policy.evaluate_many(lines)
    assert (info.value.source, info.value.line) == ("<jsonl>", 3)
