//! Run-time values and their documented, safe behaviour on missing or mistyped data.
//!
//! An attribute that is missing, `null` or of another type than the comparison
//! needs is `Missing`: it is equal to nothing (`==` is false, `!=` is true), it is
//! neither less nor greater than anything, it is not in any list, and as a
//! condition it is false. Arithmetic with it, or a division by zero, gives `Missing`.

use serde_json::Value;

use super::program::{ArithOp, CmpOp};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Bool(bool),
    Num(f64),
    Str(&'a str),
    List(&'a [Box<str>]),
    Missing,
}

impl<'a> Val<'a> {
    pub fn from_json(v: Option<&'a Value>) -> Val<'a> {
        match v {
            Some(Value::Bool(b)) => Val::Bool(*b),
            Some(Value::Number(n)) => n.as_f64().map_or(Val::Missing, Val::Num),
            Some(Value::String(s)) => Val::Str(s),
            _ => Val::Missing,
        }
    }

    /// As a condition: only `true` is true.
    pub fn truthy(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    pub fn compare(&self, op: CmpOp, other: &Val<'_>) -> bool {
        use std::cmp::Ordering;
        let ordering = match (self, other) {
            (Val::Num(a), Val::Num(b)) => a.partial_cmp(b),
            (Val::Str(a), Val::Str(b)) => Some(a.cmp(b)).filter(|o| *o == Ordering::Equal).or(Some(Ordering::Less)),
            (Val::Bool(a), Val::Bool(b)) => Some(if a == b { Ordering::Equal } else { Ordering::Less }),
            _ => None,
        };
        let is_num = matches!((self, other), (Val::Num(_), Val::Num(_)));
        match (op, ordering) {
            (CmpOp::Eq, o) => o == Some(Ordering::Equal),
            (CmpOp::Ne, o) => o != Some(Ordering::Equal),
            (_, None) => false,
            (_, Some(_)) if !is_num => false,
            (CmpOp::Lt, Some(o)) => o == Ordering::Less,
            (CmpOp::Le, Some(o)) => o != Ordering::Greater,
            (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
            (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        }
    }

    pub fn is_in(&self, list: &Val<'_>) -> bool {
        match (self, list) {
            (Val::Str(s), Val::List(items)) => items.iter().any(|i| &**i == *s),
            _ => false,
        }
    }

    pub fn arith(&self, op: ArithOp, other: &Val<'_>) -> Val<'static> {
        let (Val::Num(a), Val::Num(b)) = (self, other) else { return Val::Missing };
        let v = match op {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div if *b == 0.0 => return Val::Missing,
            ArithOp::Div => a / b,
        };
        if v.is_finite() {
            Val::Num(v)
        } else {
            Val::Missing
        }
    }

    /// For explanations.
    pub fn render(&self) -> String {
        match self {
            Val::Bool(b) => b.to_string(),
            Val::Num(n) => {
                let r = (n * 10_000.0).round() / 10_000.0;
                format!("{r}")
            }
            Val::Str(s) => format!("{s:?}"),
            Val::List(items) => format!("[{} items]", items.len()),
            Val::Missing => "missing".into(),
        }
    }
}
