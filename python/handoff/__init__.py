"""handoff: decide when a support conversation goes from the bot to a person.

Load a policy once (``Policy.load`` or ``Policy.from_source``), then decide whole
conversations (``policy.evaluate``), batches of them in parallel
(``policy.evaluate_many``) or live ones message by message (``policy.session``).
Every ``Decision`` names the action, the queue, the deciding rule, the evidence each
fired rule saw, and the policy (name, version, hash) that made it.

The evaluator is the Rust crate's: a decision here is the one ``handoff eval`` and
``handoff serve`` give for the same conversation.
"""

from ._handoff import (
    ContextError,
    ConversationError,
    Decision,
    Diagnostic,
    Policy,
    PolicyError,
    Session,
    __version__,
    check,
)

__all__ = [
    "ContextError",
    "ConversationError",
    "Decision",
    "Diagnostic",
    "Policy",
    "PolicyError",
    "Session",
    "__version__",
    "check",
]
