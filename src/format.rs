//! Formatting policies: the one canonical layout `handoff fmt` writes, every comment
//! kept, the meaning never changed.
//!
//! ```
//! let messy = "policy \"demo\"   version 1\nqueues { general \"General\" }\n# people first\n\
//!              rule human { when customer.last mentions [\"human\"] escalate to general }\n";
//! let tidy = handoff::format::policy("demo.handoff", messy)?;
//! assert!(tidy.starts_with("policy \"demo\" version 1\n"), "{tidy}");
//! assert!(tidy.contains("# people first"));
//! // Formatting is idempotent.
//! assert_eq!(handoff::format::policy("demo.handoff", &tidy)?, tidy);
//! # Ok::<(), handoff::PolicyError>(())
//! ```

use crate::analysis::{PolicyError, Problem};
use crate::syntax::{fmt::format_policy, parse_policy};

/// Formats a policy's text (`name` labels the error, usually the file's path).
/// `Err` holds the syntax error that stopped it parsing, shown with the text by
/// [`crate::render::plain`]; a policy need not check cleanly to be formatted.
pub fn policy(name: &str, source: &str) -> Result<String, PolicyError> {
    match parse_policy(source) {
        Ok(ast) => Ok(format_policy(&ast, source)),
        Err(e) => Err(PolicyError::in_source(name, source, vec![Problem::Syntax(e)])),
    }
}
