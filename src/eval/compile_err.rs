//! What the compiler says when it cannot compile a policy the checker accepted.
//!
//! Every one of these is a gap between the checker and the compiler (the checker
//! let through something the compiler does not know how to run), so each says so
//! and asks for the policy. They are values with stable codes and the place in the
//! policy, never panics.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

const REPORT: &str = "the checker accepted this, so this is a bug in handoff: please report the policy";

#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum CompileError {
    #[error("cannot compile: lets that refer to themselves or nest too deeply")]
    #[diagnostic(code(handoff::compile::unsound_lets), help("{REPORT}"))]
    UnsoundLets {
        #[label("here")]
        span: SourceSpan,
    },
    #[error("cannot compile: unknown {kind} `{name}`")]
    #[diagnostic(code(handoff::compile::unknown_name), help("{REPORT}"))]
    UnknownName {
        kind: &'static str,
        name: String,
        #[label("not known to the compiler")]
        span: SourceSpan,
    },
    #[error("cannot compile: expected {expected} here")]
    #[diagnostic(code(handoff::compile::unexpected), help("{REPORT}"))]
    Unexpected {
        expected: &'static str,
        #[label("expected {expected}")]
        span: SourceSpan,
    },
    #[error("cannot compile: `{function}` has no default for `{param}`")]
    #[diagnostic(code(handoff::compile::no_default), help("{REPORT}"))]
    NoDefault {
        function: &'static str,
        param: &'static str,
        #[label("this call")]
        span: SourceSpan,
    },
    #[error("cannot compile the regex: {reason}")]
    #[diagnostic(code(handoff::compile::regex), help("{REPORT}"))]
    Regex {
        reason: String,
        #[label("this regex")]
        span: SourceSpan,
    },
}

impl CompileError {
    pub(crate) fn unexpected(expected: &'static str, span: SourceSpan) -> CompileError {
        CompileError::Unexpected { expected, span }
    }

    pub(crate) fn unknown(kind: &'static str, name: &str, span: SourceSpan) -> CompileError {
        CompileError::UnknownName { kind, name: name.to_string(), span }
    }
}

#[cfg(test)]
mod tests {
    use miette::Diagnostic;

    use super::CompileError;
    use crate::eval::compile::compile;
    use crate::syntax::parse_policy;

    /// The compiler given what the checker would refuse answers with a located
    /// value and a stable code, not a panic and not a syntax error.
    #[test]
    fn an_unchecked_unknown_queue_is_a_located_compile_error() {
        let source = "policy \"p\" version 1\nqueues {\n  general \"G\"\n}\nrule r {\n  when turns > 1\n  escalate to nowhere\n}\n";
        let ast = parse_policy(source).expect("the policy parses");
        let err = compile(&ast).expect_err("an unknown queue cannot compile");
        assert_eq!(err.code().map(|c| c.to_string()).as_deref(), Some("handoff::compile::unknown_name"));
        let CompileError::UnknownName { kind, name, span } = &err else { panic!("{err:?}") };
        assert_eq!((*kind, name.as_str()), ("queue", "nowhere"));
        assert_eq!(&source[span.offset()..span.offset() + span.len()], "nowhere");
    }

    #[test]
    fn an_unchecked_unknown_function_is_a_located_compile_error() {
        let source = "policy \"p\" version 1\nqueues {\n  general \"G\"\n}\nrule r {\n  when shouting(customer.last) > 1\n  escalate to general\n}\n";
        let ast = parse_policy(source).expect("the policy parses");
        let err = compile(&ast).expect_err("an unknown function cannot compile");
        assert_eq!(err.code().map(|c| c.to_string()).as_deref(), Some("handoff::compile::unknown_name"));
        assert!(err.to_string().contains("unknown function `shouting`"), "{err}");
    }
}
