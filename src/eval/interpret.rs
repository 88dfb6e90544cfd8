//! The condition interpreter: a compiled condition's value in a session's current
//! state. Lets are evaluated at most once per message ([`LetValues`]), however many
//! rules and lets use them.

use std::borrow::Borrow;
use std::ops::Deref;

use super::super::program::{by_id, NodeId, Op, SlotId};
use super::super::value::Val;
use super::super::Policy;
use super::{compare_numbers, lookup, AttributeSource, Session};
use crate::eval::program::Fold;
use crate::eval::Context;
use crate::syntax::ast::AttributeRoot;

/// What is known of each let at the current message: whether it holds, and its value
/// when that is a condition or a number (strings and lists are looked up again, which
/// costs no more than reading the let: no operator builds one from others).
#[derive(Debug, Clone, Default)]
pub(crate) struct LetValues {
    /// The message the entries with this mark were computed at.
    mark: u32,
    known: Vec<Known>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Known {
    mark: u32,
    truth: Option<bool>,
    value: Option<Cached>,
}

#[derive(Debug, Clone, Copy)]
enum Cached {
    Bool(bool),
    Num(f64),
    Missing,
}

impl LetValues {
    /// Forgets every value: the state changed. Constant time, whatever the lets.
    pub(crate) fn begin(&mut self, lets: usize) {
        self.mark = self.mark.wrapping_add(1);
        if self.mark == 0 {
            self.known.iter_mut().for_each(|k| *k = Known::default());
            self.mark = 1;
        }
        if self.known.len() < lets {
            self.known.resize(lets, Known::default());
        }
    }

    fn current(&self, i: u32) -> Option<&Known> {
        self.known.get(i as usize).filter(|k| k.mark == self.mark)
    }

    fn entry(&mut self, i: u32) -> Option<&mut Known> {
        let mark = self.mark;
        let k = self.known.get_mut(i as usize)?;
        if k.mark != mark {
            *k = Known { mark, ..Known::default() };
        }
        Some(k)
    }

    fn truth(&self, i: u32) -> Option<bool> {
        self.current(i)?.truth
    }

    fn set_truth(&mut self, i: u32, t: bool) {
        if let Some(k) = self.entry(i) {
            k.truth = Some(t);
        }
    }

    fn value(&self, i: u32) -> Option<Val<'static>> {
        Some(match self.current(i)?.value? {
            Cached::Bool(b) => Val::Bool(b),
            Cached::Num(n) => Val::Num(n),
            Cached::Missing => Val::Missing,
        })
    }

    fn set_value(&mut self, i: u32, v: Val<'_>) {
        let cached = match v {
            Val::Bool(b) => Cached::Bool(b),
            Val::Num(n) => Cached::Num(n),
            Val::Missing => Cached::Missing,
            Val::Str(_) | Val::List(_) => return,
        };
        if let Some(k) = self.entry(i) {
            k.value = Some(cached);
            k.truth = Some(v.truthy());
        }
    }
}

impl<P: Deref<Target = Policy> + Clone, A: AttributeSource, C: Borrow<Context>> Session<P, A, C> {
    /// Whether a condition holds: [`eval`](Self::eval)`(id).truthy()`, without
    /// building values for the conditions and numbers on the way. Recursive: as deep
    /// as the condition nests through its lets, which the checker bounds.
    pub(crate) fn holds(&self, mut id: NodeId, lets: &mut LetValues) -> bool {
        let nodes = &self.policy.program().nodes;
        // Parentheses and the right of `and` / `or` continue in the loop.
        loop {
            let Some(node) = by_id(nodes, id, "node") else { return false };
            match &node.op {
                Op::Paren(x) => id = *x,
                Op::Let(i, x) => {
                    if let Some(t) = lets.truth(*i) {
                        return t;
                    }
                    let t = self.holds(*x, lets);
                    lets.set_truth(*i, t);
                    return t;
                }
                Op::And(a, b) => {
                    if !self.holds(*a, lets) {
                        return false;
                    }
                    id = *b;
                }
                Op::Or(a, b) => {
                    if self.holds(*a, lets) {
                        return true;
                    }
                    id = *b;
                }
                Op::Bool(b) => return *b,
                Op::Not(x) => return !self.holds(*x, lets),
                Op::Signal(s) => return self.signal(*s).truthy(),
                Op::Cmp(op, a, b) => {
                    return match (self.number(*a, lets), self.number(*b, lets)) {
                        (Some(x), Some(y)) => compare_numbers(*op, x, y),
                        _ => self.eval(id, lets).truthy(),
                    }
                }
                _ => return self.eval(id, lets).truthy(),
            }
        }
    }

    /// A node's value when it is a number that needs no look-up by name (constants,
    /// signals, counters): `None` sends the caller to [`eval`](Self::eval).
    fn number(&self, id: NodeId, lets: &mut LetValues) -> Option<f64> {
        let node = self.policy.program().node(id)?;
        match &node.op {
            Op::Number(n) => Some(*n),
            Op::Neg(x) => self.number(*x, lets).map(|n| -n),
            Op::Paren(x) => self.number(*x, lets),
            Op::Let(i, x) => match lets.value(*i) {
                Some(Val::Num(n)) => Some(n),
                Some(_) => None,
                None => {
                    let n = self.number(*x, lets);
                    if let Some(n) = n {
                        lets.set_value(*i, Val::Num(n));
                    }
                    n
                }
            },
            Op::Signal(s) => match self.signal(*s) {
                Val::Num(n) => Some(n),
                _ => None,
            },
            Op::Variable(v) => match self.variable(*v) {
                Val::Num(n) => Some(n),
                _ => None,
            },
            _ => None,
        }
    }

    /// Evaluates one compiled expression node in the current state.
    pub(crate) fn eval(&self, id: NodeId, lets: &mut LetValues) -> Val<'_> {
        let program = self.policy.program();
        let Some(node) = program.node(id) else { return Val::Missing };
        match &node.op {
            Op::Bool(b) => Val::Bool(*b),
            Op::Number(n) => Val::Num(*n),
            Op::String(s) => Val::Str(s),
            Op::List(items) => Val::List(items),
            Op::Not(x) => Val::Bool(!self.eval(*x, lets).truthy()),
            Op::Neg(x) => match self.eval(*x, lets) {
                Val::Num(n) => Val::Num(-n),
                _ => Val::Missing,
            },
            Op::And(a, b) => Val::Bool(self.eval(*a, lets).truthy() && self.eval(*b, lets).truthy()),
            Op::Or(a, b) => Val::Bool(self.eval(*a, lets).truthy() || self.eval(*b, lets).truthy()),
            Op::Cmp(op, a, b) => Val::Bool(self.eval(*a, lets).compare(*op, &self.eval(*b, lets))),
            Op::In(a, b) => Val::Bool(self.eval(*a, lets).is_in(&self.eval(*b, lets))),
            Op::Arith(op, a, b) => self.eval(*a, lets).arith(*op, &self.eval(*b, lets)),
            Op::Paren(x) => self.eval(*x, lets),
            Op::Let(i, x) => {
                if let Some(v) = lets.value(*i) {
                    return v;
                }
                let v = self.eval(*x, lets);
                lets.set_value(*i, v);
                v
            }
            Op::Variable(v) => self.variable(*v),
            Op::Attribute(root, path) => {
                let map = match root {
                    AttributeRoot::Customer => self.attributes.customer(),
                    AttributeRoot::Metadata => self.attributes.metadata(),
                };
                Val::from_json(lookup(map, path))
            }
            Op::Signal(s) => self.signal(*s),
            Op::Open(q) => Val::Bool(self.context.borrow().is_open(self.queue_name(*q), self.now)),
            Op::InHours(q) => Val::Bool(self.context.borrow().in_hours(self.queue_name(*q), self.now)),
            Op::AgentsFree(q) => Val::Num(f64::from(self.context.borrow().agents_free(self.queue_name(*q)))),
            Op::Inert => Val::Missing,
        }
    }

    fn queue_name(&self, q: u32) -> &str {
        self.policy.program().queue(q).map_or("", |q| q.name.as_str())
    }

    fn variable(&self, v: crate::lang::builtins::Variable) -> Val<'_> {
        use crate::lang::builtins::Variable;
        match v {
            Variable::Turns => Val::Num(f64::from(self.turns)),
            Variable::Duration => match (self.first_ts, self.last_ts) {
                (Some(a), Some(b)) => Val::Num((b - a).max(0) as f64),
                _ => Val::Num(0.0),
            },
            Variable::SincePrevious => Val::Num(self.gap_ms),
            Variable::Channel => Val::Str(self.attributes.channel().unwrap_or("")),
        }
    }

    fn signal(&self, s: SlotId) -> Val<'_> {
        let (Some(slot), Some(state)) = (self.policy.program().slot(s), by_id(&self.slots, s, "signal state")) else {
            return Val::Missing;
        };
        match slot.fold {
            Fold::Any => Val::Bool(state.hit),
            Fold::LatestIntent => Val::Str(state.latest_intent.as_deref().unwrap_or("")),
            _ => Val::Num(state.num),
        }
    }
}
