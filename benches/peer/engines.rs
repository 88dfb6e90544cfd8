//! The engines the peer benchmark runs, each deciding one JSON line (a finished
//! conversation) into the bit mask of `reference::RULES` that hold. Every engine
//! reads the line itself: parsing is part of what is measured.

use std::sync::Arc;

use handoff::{Context, Policy};

use crate::reference::{Conversation, RULES};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peer");

/// The handoff policy, compiled once.
pub struct Handoff {
    policy: Policy,
    context: Context,
}

impl Handoff {
    pub fn load() -> Result<Handoff, String> {
        let policy = Policy::load(format!("{DIR}/peer.handoff")).map_err(|e| handoff::render::plain(&e))?;
        Ok(Handoff { policy, context: Context::default() })
    }
}

/// The library loop: the transcript reader, then the policy on the finished conversation.
/// Each line is read into the previous line's conversation (`parse_record_into`), as a
/// host deciding a corpus would: its strings and messages are reused.
pub fn decide_with_handoff(engine: &Handoff, buffer: &mut handoff::Conversation, line: &str) -> Result<u8, String> {
    handoff::transcript::parse_record_into("peer", line.as_bytes(), 1, buffer).map_err(|e| e.to_string())?;
    // The finished conversation as a whole: every rule decided once, on the final state.
    let decision = engine.policy.evaluate_finished(buffer, &engine.context);
    Ok(decision.rules.iter().fold(0, |mask, fired| mask | bit(&fired.rule)))
}

/// The reader alone, without a policy: the floor of the library loop.
pub fn read_with_handoff(buffer: &mut handoff::Conversation, line: &str) -> Result<u8, String> {
    handoff::transcript::parse_record_into("peer", line.as_bytes(), 1, buffer).map_err(|e| e.to_string())?;
    Ok(u8::from(buffer.messages.is_empty()))
}

fn bit(rule: &str) -> u8 {
    RULES.iter().position(|r| *r == rule).map_or(0, |i| 1 << i)
}

/// A list of five booleans, in `RULES` order, as a mask.
fn mask(holds: impl Iterator<Item = Option<bool>>) -> Result<u8, String> {
    let mut mask = 0;
    let mut n = 0;
    for (i, holds) in holds.enumerate() {
        mask |= u8::from(holds.ok_or("a rule's value is not a boolean")?) << i;
        n += 1;
    }
    if n == RULES.len() {
        Ok(mask)
    } else {
        Err(format!("{n} rule values, expected {}", RULES.len()))
    }
}

/// regorus, the Rego engine: its tree-walking interpreter over the compiled
/// policy, and its bytecode VM (RVM) over the same policy.
pub struct Rego {
    compiled: regorus::CompiledPolicy,
    vm: regorus::rvm::vm::RegoVM,
}

const REGO_ENTRY: &str = "data.peer.decision";

impl Rego {
    pub fn load() -> Result<Rego, String> {
        let source = std::fs::read_to_string(format!("{DIR}/peer.rego")).map_err(|e| e.to_string())?;
        let mut engine = regorus::Engine::new();
        engine.add_policy("peer.rego".into(), source).map_err(|e| e.to_string())?;
        let compiled = engine.compile_with_entrypoint(&REGO_ENTRY.into()).map_err(|e| e.to_string())?;
        let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[REGO_ENTRY])
            .map_err(|e| e.to_string())?;
        let mut vm = regorus::rvm::vm::RegoVM::new();
        vm.load_program(program);
        Ok(Rego { compiled, vm })
    }

    /// The interpreter: regorus's own JSON reader, then the compiled policy.
    pub fn decide_interpreted(&self, line: &str) -> Result<u8, String> {
        let input = regorus::Value::from_json_str(line).map_err(|e| e.to_string())?;
        let value = self.compiled.eval_with_input(input).map_err(|e| e.to_string())?;
        rego_mask(&value)
    }

    /// The bytecode VM: regorus's own JSON reader, then the RVM program.
    pub fn decide_vm(&mut self, line: &str) -> Result<u8, String> {
        let input = regorus::Value::from_json_str(line).map_err(|e| e.to_string())?;
        self.vm.set_input(input);
        let value = self.vm.execute().map_err(|e| e.to_string())?;
        rego_mask(&value)
    }
}

fn rego_mask(value: &regorus::Value) -> Result<u8, String> {
    let values = value.as_array().map_err(|e| format!("{REGO_ENTRY}: {e}"))?;
    mask(values.iter().map(|v| v.as_bool().ok().copied()))
}

/// cel (cel-rust): the expression compiled once; each conversation read into the
/// borrowed typed structs (the cheapest reading) and bound as `messages`.
pub struct Cel {
    program: cel::Program,
    root: cel::Context<'static, 'static>,
}

impl Cel {
    pub fn load() -> Result<Cel, String> {
        let source = std::fs::read_to_string(format!("{DIR}/peer.cel")).map_err(|e| e.to_string())?;
        let mut env = cel::Env::stdlib();
        env.add_extension(cel::extensions::lists).map_err(|e| e.to_string())?;
        let env = Arc::new(env);
        let program = env.compile(&source).map_err(|e| e.to_string())?;
        Ok(Cel { program, root: cel::Context::with_env(env) })
    }

    pub fn decide(&self, line: &str) -> Result<u8, String> {
        let conversation: Conversation = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let messages = cel::to_value(&conversation.messages).map_err(|e| e.to_string())?;
        let mut scope = self.root.new_inner_scope();
        scope.add_variable_from_value("messages", messages);
        match self.program.execute(&scope).map_err(|e| e.to_string())? {
            cel::Value::List(values) => mask(values.iter().map(|v| match v {
                cel::Value::Bool(b) => Some(*b),
                _ => None,
            })),
            other => Err(format!("peer.cel gave {other:?}, not a list")),
        }
    }
}
