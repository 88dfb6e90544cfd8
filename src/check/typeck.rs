//! Typing expressions: names, calls, operators, regexes, windows and constant ranges.

use miette::SourceSpan;

use super::err::did_you_mean;
use super::{CheckError, Checker, Const, Typed};
use crate::lang::builtins::{self, Param, Signature};
use crate::lang::regexes::build_regex;
use crate::lang::types::{Domain, Type};
use crate::syntax::ast::{Argument, BinaryOp, Expr, ExprKind, Ident, Node, Selector, UnaryOp, Window};

impl<'p> Checker<'p> {
    /// Types an expression; `None` means an error was already reported for it.
    pub(super) fn expr(&mut self, e: &'p Expr) -> Option<Typed> {
        let span = e.span;
        match &e.node {
            ExprKind::Bool(b) => Some(Typed { constant: Some(Const::Bool(*b)), ..Typed::new(Type::Bool) }),
            ExprKind::Number(n) => {
                Some(Typed { ty: Type::Number, domain: Domain::point(*n), constant: Some(Const::Number(*n)) })
            }
            ExprKind::Duration(ms, _) => {
                let v = *ms as f64;
                Some(Typed { ty: Type::Duration, domain: Domain::point(v), constant: Some(Const::Number(v)) })
            }
            ExprKind::String(_) => Some(Typed::new(Type::String)),
            // Built as the compiler builds it: the checker accepts exactly the regexes that compile.
            ExprKind::Regex { pattern, flags } => match self.regex(pattern, flags) {
                Ok(()) => {
                    self.lint_regex_matches_everything(pattern, flags, span);
                    Some(Typed::new(Type::Regex))
                }
                Err(reason) => {
                    let help = if reason.contains("too large") {
                        "simplify it: counted repetitions such as {100} multiply its size".into()
                    } else {
                        "handoff uses Rust regex syntax (no look-around or back-references)".into()
                    };
                    self.report(CheckError::InvalidRegex { reason, span, help });
                    None
                }
            },
            ExprKind::List(items) => {
                let mut ok = true;
                for item in items {
                    match self.expr(item) {
                        Some(_) if !matches!(item.node, ExprKind::String(_)) => {
                            ok = false;
                            self.report(CheckError::TypeMismatch {
                                message: "a list holds strings written out".into(),
                                label: "not a string in double quotes".into(),
                                span: item.span,
                                help: Some("write each item in double quotes; a list cannot hold names".into()),
                            });
                        }
                        Some(t) if t.ty == Type::String => {}
                        Some(t) => {
                            ok = false;
                            self.report(CheckError::TypeMismatch {
                                message: format!("a list holds strings, found {}", t.ty),
                                label: format!("this is {}", t.ty),
                                span: item.span,
                                help: Some("write each item in double quotes".into()),
                            });
                        }
                        None => ok = false,
                    }
                }
                ok.then(|| Typed::new(Type::List))
            }
            ExprKind::Name(name) => self.name(name, span),
            ExprKind::Attribute { root, path } => {
                self.lint_builtin_like_attribute(*root, path, span);
                Some(Typed::new(Type::Attribute))
            }
            ExprKind::Selector(sel) => self.selector(sel, span).then(|| Typed::new(Type::Messages)),
            ExprKind::Mentions { messages, phrases, words, .. } => {
                let sel_ok = self.selector(&messages.node, messages.span);
                let phrases_ok = self.phrases(phrases);
                if words.exact && words.typos {
                    self.report(CheckError::ExactWithTypos { span });
                }
                (sel_ok && phrases_ok).then(|| Typed::new(Type::Bool))
            }
            ExprKind::Matches { messages, regex } => {
                let sel_ok = self.selector(&messages.node, messages.span);
                let t = self.expr(regex);
                let re_ok =
                    self.want(t, Type::Regex, regex.span, "`matches` takes a regular expression such as /refund/i");
                (sel_ok && re_ok).then(|| Typed::new(Type::Bool))
            }
            ExprKind::Says { messages, intent, at_least } => {
                let sel_ok = self.selector(&messages.node, messages.span);
                let known = self.learnt_intent(intent);
                if let Some(n) = at_least {
                    self.score_in_range(n, "score");
                }
                (sel_ok && known).then(|| Typed::new(Type::Bool))
            }
            ExprKind::Call { function, args } => self.call(function, args, span),
            ExprKind::Unary { op, operand } => {
                let t = self.expr(operand)?;
                match op.node {
                    UnaryOp::Not => {
                        self.want(Some(t), Type::Bool, operand.span, "`not` applies to a condition").then_some(())?;
                        let constant = match t.constant {
                            Some(Const::Bool(b)) => Some(Const::Bool(!b)),
                            _ => None,
                        };
                        Some(Typed { constant, ..Typed::new(Type::Bool) })
                    }
                    UnaryOp::Neg => {
                        self.want(Some(t), Type::Number, operand.span, "`-` applies to a number").then_some(())?;
                        let constant = match t.constant {
                            Some(Const::Number(n)) => Some(Const::Number(-n)),
                            _ => None,
                        };
                        let domain = Domain { lo: -t.domain.hi, hi: -t.domain.lo, what: t.domain.what };
                        Some(Typed { ty: Type::Number, domain, constant })
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                if self.bare_word_compared(op, lhs, rhs) {
                    return None;
                }
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                self.binary(op, lhs, rhs, l?, r?, span)
            }
            ExprKind::Paren(inner) => self.expr(inner),
        }
    }

    /// Builds a regex literal once, keeping it for the compiler; one an earlier check
    /// built is taken as it is.
    fn regex(&mut self, pattern: &str, flags: &str) -> Result<(), String> {
        let key = (pattern.to_string(), flags.to_string());
        if self.regexes.contains_key(&key) {
            return Ok(());
        }
        let regex = match self.built.remove(&key) {
            Some(regex) => regex,
            None => build_regex(pattern, flags)?,
        };
        self.regexes.insert(key, regex);
        Ok(())
    }

    /// Reports a mismatch; returns whether the type fits.
    fn want(&mut self, t: Option<Typed>, want: Type, span: SourceSpan, help: &str) -> bool {
        match t {
            Some(t) if t.ty.fits(want) => true,
            Some(t) => {
                self.report(CheckError::TypeMismatch {
                    message: format!("expected {want}, found {}", t.ty),
                    label: format!("this is {}", t.ty),
                    span,
                    help: Some(help.to_string()),
                });
                false
            }
            None => false,
        }
    }

    fn name(&mut self, name: &str, span: SourceSpan) -> Option<Typed> {
        if let Some(&index) = self.lets.index.get(name) {
            if let Some(used) = self.used_lets.get_mut(index) {
                *used = true;
            }
            // Lets are checked before the expressions that use them; one not checked
            // yet closes a cycle, which the let resolver reported.
            return self.let_types.get(index).copied().flatten().flatten();
        }
        if let Some(v) = builtins::variable(name) {
            return Some(Typed { ty: v.ty, domain: v.domain, constant: None });
        }
        if builtins::function(name).is_some() {
            self.report(CheckError::TypeMismatch {
                message: format!("`{name}` is a function"),
                label: "called without arguments".into(),
                span,
                help: Some(format!("call it, for example `{name}(customer.last 3)`")),
            });
            return None;
        }
        let help = if self.queues.contains_key(name) {
            Some(format!("`{name}` is a queue; test it with `open({name})`, or route to it with `escalate to {name}`"))
        } else {
            let mut candidates: Vec<&str> = self.lets.index.keys().map(|k| &**k).collect();
            for n in builtins::all_names() {
                candidates.push(n);
            }
            did_you_mean(name, candidates)
        };
        self.report(CheckError::UnknownName { name: name.to_string(), span, help });
        None
    }

    /// `customer.tier == gold`: an unknown name compared with an attribute was meant as
    /// text. Reports it with the quotes to add; says whether it did.
    fn bare_word_compared(&mut self, op: &Node<BinaryOp>, lhs: &Expr, rhs: &Expr) -> bool {
        if !matches!(op.node, BinaryOp::Eq | BinaryOp::Ne) {
            return false;
        }
        let (name, span) = match (&lhs.node, &rhs.node) {
            (ExprKind::Attribute { .. }, ExprKind::Name(w)) => (w, rhs.span),
            (ExprKind::Name(w), ExprKind::Attribute { .. }) => (w, lhs.span),
            _ => return false,
        };
        let known = self.lets.index.contains_key(name.as_str())
            || builtins::variable(name).is_some()
            || builtins::function(name).is_some()
            || self.queues.contains_key(name.as_str());
        if known {
            return false;
        }
        let help = format!("to compare with the text {name}, put it in double quotes: `\"{name}\"`");
        self.report(CheckError::UnknownName { name: name.clone(), span, help: Some(help) });
        true
    }

    fn selector(&mut self, sel: &Selector, span: SourceSpan) -> bool {
        match sel.window {
            Window::Last(0) => {
                self.report(CheckError::OutOfRange {
                    message: "a window of 0 messages holds nothing".into(),
                    span,
                    help: "use `last` (the latest message) or `last N` with N of 1 or more".into(),
                });
                false
            }
            Window::Within(0) => {
                self.report(CheckError::OutOfRange {
                    message: "a window of no time holds nothing".into(),
                    span,
                    help: "give a duration greater than zero, such as `within 10m`".into(),
                });
                false
            }
            _ => true,
        }
    }

    /// The selector an expression denotes, through lets.
    fn selector_of(&self, e: &'p Expr) -> Option<&'p Selector> {
        match &self.lets.follow(e)?.node {
            ExprKind::Selector(s) => Some(s),
            _ => None,
        }
    }

    fn phrases(&mut self, e: &'p Expr) -> bool {
        let t = self.expr(e);
        let ok = match t {
            Some(t) if (t.ty == Type::String || t.ty == Type::List) && !self.written_out(e) => {
                self.not_written_out(e, "`mentions`");
                false
            }
            Some(t) if t.ty == Type::String || t.ty == Type::List => true,
            other => {
                if let Some(t) = other {
                    self.report(CheckError::TypeMismatch {
                        message: format!("`mentions` takes a phrase or a list of phrases, found {}", t.ty),
                        label: format!("this is {}", t.ty),
                        span: e.span,
                        help: Some("write `mentions \"refund\"` or `mentions [\"refund\", \"money back\"]`".into()),
                    });
                }
                false
            }
        };
        self.empty_phrases(e);
        ok
    }

    /// Whether strings are written in the policy (literals, or lets holding them), as
    /// phrase lists and intents must be: they are compiled once, when the policy loads.
    fn written_out(&self, e: &Expr) -> bool {
        matches!(self.lets.follow(e).map(|e| &e.node), Some(ExprKind::String(_) | ExprKind::List(_)))
    }

    fn not_written_out(&mut self, e: &Expr, what: &str) {
        self.report(CheckError::TypeMismatch {
            message: format!("{what} takes strings written in the policy"),
            label: "this is only known per conversation".into(),
            span: e.span,
            help: Some("write the phrases out, such as [\"refund\", \"money back\"], or name a `let` that does".into()),
        });
    }

    fn empty_phrases(&mut self, e: &'p Expr) {
        match &e.node {
            ExprKind::String(s) if s.trim().is_empty() => self.report(CheckError::EmptyPhrase { span: e.span }),
            ExprKind::List(items) if items.is_empty() => self.report(CheckError::EmptyPhrase { span: e.span }),
            ExprKind::List(items) => items.iter().for_each(|i| self.empty_phrases(i)),
            _ => {}
        }
    }

    fn call(&mut self, function: &Ident, args: &'p [Argument], span: SourceSpan) -> Option<Typed> {
        let Some(sig) = builtins::function(&function.node) else {
            let help = if builtins::variable(&function.node).is_some() {
                Some(format!("`{0}` is a value, not a function: write `{0}` without parentheses", function.node))
            } else {
                did_you_mean(&function.node, builtins::FUNCTIONS.iter().map(|f| f.name))
            };
            self.report(CheckError::UnknownFunction { name: function.node.clone(), span: function.span, help });
            for a in args {
                self.expr(&a.value);
            }
            return None;
        };
        let mut ok = true;
        let positional: Vec<&'p Argument> = args.iter().filter(|a| a.name.is_none()).collect();
        if positional.len() > sig.params.len() {
            let extra = positional.get(sig.params.len()).map_or(span, |a| a.value.span);
            self.report(CheckError::Arity {
                function: sig.name.into(),
                expected: sig.params.len(),
                found: positional.len(),
                span: extra,
                help: usage(sig),
            });
            ok = false;
        }
        for (i, (param, what)) in sig.params.iter().enumerate() {
            match positional.get(i) {
                Some(arg) => ok &= self.param(sig, *param, &arg.value),
                None => {
                    self.report(CheckError::MissingArgument {
                        function: sig.name.into(),
                        what: what.to_string(),
                        span: (span.offset() + span.len().saturating_sub(1), 1).into(),
                        help: usage(sig),
                    });
                    ok = false;
                }
            }
        }
        let mut seen: Vec<&Ident> = Vec::new();
        for arg in args {
            let Some(name) = &arg.name else { continue };
            if let Some(first) = seen.iter().find(|n| n.node == name.node) {
                self.report(CheckError::Duplicate {
                    kind: "argument",
                    name: name.node.clone(),
                    span: name.span,
                    first: first.span,
                    help: "give each named argument once".into(),
                });
                ok = false;
                continue;
            }
            seen.push(name);
            let Some(named) = sig.named.iter().find(|n| n.name == name.node) else {
                let help = did_you_mean(&name.node, sig.named.iter().map(|n| n.name)).or_else(|| Some(usage(sig)));
                self.report(CheckError::UnknownArgument {
                    function: sig.name.into(),
                    name: name.node.clone(),
                    span: name.span,
                    help,
                });
                self.expr(&arg.value);
                ok = false;
                continue;
            };
            let t = self.expr(&arg.value);
            if !self.want(t, named.ty, arg.value.span, named.meaning) {
                ok = false;
                continue;
            }
            match t {
                Some(Typed { constant: Some(Const::Number(v)), .. }) if !named.domain.contains(v) => {
                    self.report(CheckError::OutOfRange {
                        message: format!(
                            "`{}` must be between {} and {}; {v} is outside",
                            named.name, named.domain.lo, named.domain.hi
                        ),
                        span: arg.value.span,
                        help: format!("{} is {}", named.name, named.meaning),
                    });
                    ok = false;
                }
                Some(Typed { constant: None, ty: Type::Number, .. }) => {
                    self.report(CheckError::TypeMismatch {
                        message: format!("`{}` must be a number written out", named.name),
                        label: "this is only known per conversation".into(),
                        span: arg.value.span,
                        help: Some(format!(
                            "{} is {}, such as {}",
                            named.name,
                            named.meaning,
                            named.default.unwrap_or(0.5)
                        )),
                    });
                    ok = false;
                }
                _ => {}
            }
        }
        ok.then_some(Typed { ty: sig.result, domain: sig.domain, constant: None })
    }

    fn param(&mut self, sig: &Signature, param: Param, value: &'p Expr) -> bool {
        match param {
            Param::Messages => {
                let t = self.expr(value);
                if !self.want(t, Type::Messages, value.span, "pass messages, such as `customer.last 3` or `bot.any`") {
                    return false;
                }
                if sig.bounded && self.selector_of(value).is_some_and(|s| s.window == Window::Any) {
                    self.report(CheckError::UnboundedWindow {
                        window: sig.name.into(),
                        span: value.span,
                        help: {
                            let role = self.selector_of(value).map_or("bot", |s| s.role.keyword());
                            format!(
                                "`{}` compares messages with each other; give it a window such as `{role}.last 6` or `{role}.within 10m`",
                                sig.name
                            )
                        },
                    });
                    return false;
                }
                true
            }
            Param::Queue => match &value.node {
                ExprKind::Name(n) => self.queue(&Node::new(n.clone(), value.span)),
                _ => {
                    self.report(CheckError::TypeMismatch {
                        message: format!("`{}` takes a queue name", sig.name),
                        label: "not a queue name".into(),
                        span: value.span,
                        help: Some(format!("write the queue's name without quotes: `{}(general)`", sig.name)),
                    });
                    false
                }
            },
            Param::Strings | Param::String => {
                let t = self.expr(value);
                let fits = match (param, t) {
                    (Param::Strings, Some(t)) => t.ty == Type::String || t.ty == Type::List,
                    (_, Some(t)) => t.ty == Type::String,
                    _ => false,
                };
                if !fits {
                    return self.want(t, Type::String, value.span, "pass a string in double quotes");
                }
                if !self.written_out(value) {
                    self.not_written_out(value, &format!("`{}`", sig.name));
                    return false;
                }
                true
            }
        }
    }

    fn binary(
        &mut self,
        op: &Node<BinaryOp>,
        lhs: &Expr,
        rhs: &Expr,
        l: Typed,
        r: Typed,
        span: SourceSpan,
    ) -> Option<Typed> {
        match op.node {
            BinaryOp::Or | BinaryOp::And => {
                let word = op.node.symbol();
                let help = format!("`{word}` joins two conditions");
                let lo = self.want(Some(l), Type::Bool, lhs.span, &help);
                let ro = self.want(Some(r), Type::Bool, rhs.span, &help);
                if !(lo && ro) {
                    return None;
                }
                let (lc, rc) = (as_bool(l), as_bool(r));
                let constant = match (op.node, lc, rc) {
                    (BinaryOp::And, Some(false), _) | (BinaryOp::And, _, Some(false)) => Some(false),
                    (BinaryOp::And, Some(true), Some(true)) => Some(true),
                    (BinaryOp::Or, Some(true), _) | (BinaryOp::Or, _, Some(true)) => Some(true),
                    (BinaryOp::Or, Some(false), Some(false)) => Some(false),
                    _ => None,
                };
                Some(Typed { constant: constant.map(Const::Bool), ..Typed::new(Type::Bool) })
            }
            BinaryOp::In => {
                let lo = self.want(Some(l), Type::String, lhs.span, "`in` looks a string up in a list");
                let ro = self.want(
                    Some(r),
                    Type::List,
                    rhs.span,
                    "`in` looks a string up in a list such as [\"gold\", \"platinum\"]",
                );
                (lo && ro).then(|| Typed::new(Type::Bool))
            }
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ordering = !matches!(op.node, BinaryOp::Eq | BinaryOp::Ne);
                let comparable = match (l.ty, r.ty) {
                    (a, b) if a == b => {
                        matches!(a, Type::Number | Type::Duration | Type::Attribute)
                            || !ordering && matches!(a, Type::String | Type::Bool)
                    }
                    (Type::Attribute, b) | (b, Type::Attribute) => {
                        if ordering {
                            b == Type::Number
                        } else {
                            matches!(b, Type::Number | Type::String | Type::Bool)
                        }
                    }
                    _ => false,
                };
                if !comparable {
                    let message = if l.ty == r.ty {
                        format!("`{}` cannot order {}s", op.node.symbol(), type_noun(l.ty))
                    } else {
                        format!("cannot compare {} with {}", l.ty, r.ty)
                    };
                    self.report(CheckError::TypeMismatch {
                        message,
                        label: format!("{} and {}", l.ty, r.ty),
                        span,
                        help: Some(compare_help(l.ty, r.ty)),
                    });
                    return None;
                }
                self.compare_range(op.node, l, r, lhs, rhs)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let both_durations = l.ty == Type::Duration && r.ty == Type::Duration;
                if both_durations && matches!(op.node, BinaryOp::Add | BinaryOp::Sub) {
                    return Some(Typed::new(Type::Duration));
                }
                let help = format!("`{}` works on numbers", op.node.symbol());
                let lo = self.want(Some(l), Type::Number, lhs.span, &help);
                let ro = self.want(Some(r), Type::Number, rhs.span, &help);
                if !(lo && ro) {
                    return None;
                }
                if op.node == BinaryOp::Div && r.constant == Some(Const::Number(0.0)) {
                    self.report(CheckError::OutOfRange {
                        message: "division by zero".into(),
                        span: rhs.span,
                        help: "divide by a number other than 0".into(),
                    });
                    return None;
                }
                let constant = match (l.constant, r.constant) {
                    (Some(Const::Number(a)), Some(Const::Number(b))) => Some(Const::Number(match op.node {
                        BinaryOp::Add => a + b,
                        BinaryOp::Sub => a - b,
                        BinaryOp::Mul => a * b,
                        _ => a / b,
                    })),
                    _ => None,
                };
                let domain = match constant {
                    Some(Const::Number(v)) => Domain::point(v),
                    _ => Domain::ANY,
                };
                Some(Typed { ty: Type::Number, domain, constant })
            }
        }
    }

    /// A threshold outside what a signal can take is an error when the signal is
    /// bounded on both sides (sentiment, confidence); otherwise the comparison is a
    /// constant that the unreachable-rule lint reports.
    fn compare_range(&mut self, op: BinaryOp, l: Typed, r: Typed, lhs: &Expr, rhs: &Expr) -> Option<Typed> {
        let (signal, value, value_span, flipped) = match (l.constant, r.constant) {
            (None, Some(Const::Number(v))) => (l, v, rhs.span, false),
            (Some(Const::Number(v)), None) => (r, v, lhs.span, true),
            _ => return Some(Typed::new(Type::Bool)),
        };
        let d = signal.domain;
        if d.lo.is_finite() && d.hi.is_finite() && !d.contains(value) {
            self.report(CheckError::OutOfRange {
                message: format!("{} is between {} and {}; {value} is outside", d.what, d.lo, d.hi),
                span: value_span,
                help: format!("use a threshold between {} and {}", d.lo, d.hi),
            });
            return None;
        }
        // Normalise to `signal OP value`.
        let op = if flipped {
            match op {
                BinaryOp::Lt => BinaryOp::Gt,
                BinaryOp::Le => BinaryOp::Ge,
                BinaryOp::Gt => BinaryOp::Lt,
                BinaryOp::Ge => BinaryOp::Le,
                o => o,
            }
        } else {
            op
        };
        let constant = match op {
            BinaryOp::Lt if d.lo >= value => Some(false),
            BinaryOp::Le if d.lo > value => Some(false),
            BinaryOp::Gt if d.hi <= value => Some(false),
            BinaryOp::Ge if d.hi < value => Some(false),
            BinaryOp::Ge if d.lo >= value => Some(true),
            BinaryOp::Gt if d.lo > value => Some(true),
            BinaryOp::Eq if !d.contains(value) => Some(false),
            _ => None,
        };
        Some(Typed { constant: constant.map(Const::Bool), ..Typed::new(Type::Bool) })
    }
}

fn as_bool(t: Typed) -> Option<bool> {
    match t.constant {
        Some(Const::Bool(b)) => Some(b),
        _ => None,
    }
}

fn type_noun(t: Type) -> &'static str {
    match t {
        Type::Bool => "condition",
        Type::Number => "number",
        Type::String => "string",
        Type::Duration => "duration",
        Type::Regex => "regular expression",
        Type::List => "list",
        Type::Messages => "message selection",
        Type::Attribute => "attribute",
    }
}

fn compare_help(l: Type, r: Type) -> String {
    match (l, r) {
        (Type::Messages, _) | (_, Type::Messages) => {
            "messages are not values: use `sentiment(...)`, `count(...)` or `mentions` to get one".into()
        }
        (Type::Number, Type::String) | (Type::String, Type::Number) => {
            "a number compares with a number; drop the quotes if you meant a number".into()
        }
        (Type::Duration, Type::Number) | (Type::Number, Type::Duration) => {
            "give the number a unit, such as `90s` or `5m`".into()
        }
        _ => "compare values of the same type".into(),
    }
}

fn usage(sig: &Signature) -> String {
    let mut parts: Vec<String> = sig.params.iter().map(|(_, what)| what.to_string()).collect();
    parts.extend(sig.named.iter().map(|n| format!("{}: ...", n.name)));
    format!("usage: {}({})", sig.name, parts.join(", "))
}
