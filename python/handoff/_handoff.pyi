"""Type stubs for the native module; import everything from ``handoff``."""

import os
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, TypedDict, Union

__version__: str

JsonText = Union[str, bytes]
ConversationInput = Union[Mapping[str, Any], JsonText]
ContextInput = Union[Mapping[str, Any], JsonText, None]
Action = Literal["none", "flag", "offer", "escalate"]
PriorityName = Literal["low", "normal", "high", "urgent"]

class PolicyRef(TypedDict):
    name: str
    version: int
    hash: str

class FiredRule(TypedDict, total=False):
    rule: str
    action: Action
    queue: str
    flag: str
    priority: PriorityName
    reason: str
    message: int
    evidence: List[Dict[str, Any]]

class Diagnostic:
    """One diagnostic of a policy: where it is, what is wrong and what to do."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> Literal["error", "warning"]: ...
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...
    @property
    def label(self) -> Optional[str]: ...
    @property
    def help(self) -> Optional[str]: ...

class PolicyError(Exception):
    """A policy that did not load; ``str(error)`` is the rendered report."""

    name: str
    diagnostics: List[Diagnostic]

class ConversationError(ValueError):
    """A conversation or message that cannot be read, located by field path."""

    source: str
    line: Optional[int]
    column: Optional[int]
    field: Optional[str]
    code: Optional[str]
    reason: str
    help: Optional[str]

class ContextError(ValueError):
    """An evaluation context that cannot be read."""

    field: str
    reason: str

class Decision:
    """What a policy decided about a conversation, and why."""

    @property
    def action(self) -> Action: ...
    @property
    def queue(self) -> Optional[str]: ...
    @property
    def fallback_from(self) -> Optional[str]: ...
    @property
    def priority(self) -> Optional[PriorityName]: ...
    @property
    def reasons(self) -> List[str]: ...
    @property
    def flags(self) -> List[str]: ...
    @property
    def rule(self) -> Optional[str]: ...
    @property
    def at_message(self) -> Optional[int]: ...
    @property
    def messages(self) -> int: ...
    @property
    def rules(self) -> List[FiredRule]: ...
    @property
    def policy(self) -> PolicyRef: ...
    @property
    def is_escalation(self) -> bool: ...
    def to_dict(self) -> Dict[str, Any]:
        """The decision as ``handoff eval --format json`` prints it."""
    def to_json(self) -> str:
        """The decision as the CLI's JSON text."""

class Session:
    """One live conversation: push each message and get the decision so far."""

    def push(self, message: ConversationInput) -> Decision:
        """Takes one message ({"role": ..., "text": ...}) and returns the decision so far."""
    @property
    def decision(self) -> Decision: ...
    @property
    def messages(self) -> int: ...

class Policy:
    """A checked, compiled escalation policy, safe to share between threads."""

    @staticmethod
    def from_source(
        name: str, text: str, directory: Optional[Union[str, "os.PathLike[str]"]] = None
    ) -> "Policy":
        """Parses, checks and compiles a policy's text; raises PolicyError.

        `directory` is where example files named by `intents from "..."` are read from."""
    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "Policy":
        """Reads, checks and compiles a policy file; raises PolicyError or OSError."""
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def hash(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def rules(self) -> List[str]: ...
    @property
    def queues(self) -> List[str]: ...
    @property
    def warnings(self) -> List[Diagnostic]: ...
    def evaluate(self, conversation: ConversationInput, context: ContextInput = None) -> Decision:
        """Decides a whole conversation; raises ConversationError or ContextError."""
    def evaluate_many(
        self,
        conversations: Union[Iterable[ConversationInput], JsonText],
        threads: Optional[int] = None,
        context: ContextInput = None,
    ) -> List[Decision]:
        """Decides many conversations in parallel, GIL released, in input order."""
    def session(
        self,
        customer: Optional[Mapping[str, Any]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        channel: Optional[str] = None,
        context: ContextInput = None,
    ) -> Session:
        """A live conversation to push messages into."""

def check(paths: Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]) -> List[Diagnostic]:
    """Checks policy files and directories as ``handoff check`` does; every diagnostic."""
