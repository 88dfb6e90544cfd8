//! The built-ins as the editor shows them: signature, parameters and a line of documentation.
//!
//! Everything the server knows of built-ins comes through [`builtins`], the one place that
//! reads the language's declarations (`lang::builtins`), so hover and completion say what
//! the checker accepts, in the words of `docs/language.md`.

use std::sync::LazyLock;

use crate::lang::builtins::{Param, FUNCTIONS, VARIABLES};

/// A built-in function or value, ready for hover and completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Builtin {
    pub name: &'static str,
    /// `repeats(messages, similarity: 0.85) -> a number`, or `turns: a number`.
    pub signature: String,
    /// What it is and what each parameter means, as Markdown.
    pub doc: String,
    /// The positional parameters, in order: their names, and whether each names a queue.
    pub params: Vec<(&'static str, bool)>,
    /// A function (called with arguments) rather than a value.
    pub is_function: bool,
}

/// Every built-in, in the order the checker declares them.
pub fn builtins() -> &'static [Builtin] {
    static BUILTINS: LazyLock<Vec<Builtin>> = LazyLock::new(read_tables);
    &BUILTINS
}

/// The built-in of this name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    builtins().iter().find(|b| b.name == name)
}

/// The one reading of the declarations.
fn read_tables() -> Vec<Builtin> {
    let values = VARIABLES.iter().map(|v| Builtin {
        name: v.name,
        signature: format!("{}: {}", v.name, v.ty),
        doc: format!("{}.", capitalised(v.doc)),
        params: Vec::new(),
        is_function: false,
    });
    let functions = FUNCTIONS.iter().map(|f| {
        let params: Vec<(&'static str, bool)> =
            f.params.iter().map(|(p, _)| (param_name(*p), matches!(p, Param::Queue))).collect();
        let named = f.named.iter().map(|n| match n.default {
            Some(d) => format!("{}: {d}", n.name),
            None => format!("{}: ...", n.name),
        });
        let written: Vec<String> = params.iter().map(|(p, _)| (*p).to_string()).chain(named).collect();
        let mut doc = format!("{}.\n\nGives {}.", capitalised(f.doc), f.result);
        for (p, meaning) in f.params {
            doc.push_str(&format!("\n- `{}`: {meaning}", param_name(*p)));
        }
        for n in f.named {
            doc.push_str(&format!("\n- `{}:` (optional) {}", n.name, n.meaning));
        }
        if f.bounded {
            doc.push_str("\n\nNeeds a bounded window: `last N` or `within DURATION`.");
        }
        Builtin {
            name: f.name,
            signature: format!("{}({}) -> {}", f.name, written.join(", "), f.result),
            doc,
            params,
            is_function: true,
        }
    });
    values.chain(functions).collect()
}

/// A documentation line as a sentence's start.
fn capitalised(line: &str) -> String {
    let mut chars = line.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn param_name(p: Param) -> &'static str {
    match p {
        Param::Messages => "messages",
        Param::Queue => "queue",
        Param::Strings => "names",
        Param::String => "name",
    }
}
