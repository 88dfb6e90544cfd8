"""Shared fixtures: the repository's paths, the shipped policy and the CLI binary."""

import os
import pathlib
import shutil

import pytest

import handoff

ROOT = pathlib.Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "payments.handoff"
CASES = ROOT / "tests" / "cases" / "eval"


@pytest.fixture(scope="session")
def policy() -> handoff.Policy:
    return handoff.Policy.load(POLICY)


@pytest.fixture(scope="session")
def cli() -> str:
    """The `handoff` binary: $HANDOFF (set by .ci/python), else target/release or on PATH."""
    candidates = [os.environ.get("HANDOFF"), str(ROOT / "target" / "release" / "handoff"), shutil.which("handoff")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    # The comparison with the CLI is the point of these tests: never pass without it.
    pytest.fail("the handoff binary was not found: set HANDOFF or build it (cargo build --release)")


def case_files():
    return sorted(CASES.glob("*.json"))


def case_context(path: pathlib.Path):
    context = path.with_suffix(".context")
    return context.read_text() if context.exists() else None
