//! Hot reload: on a change to the policy file (see [`super::watch`]), on SIGHUP,
//! or when asked. A policy's intent example files are read again on every
//! reload; a change to one alone is seen by the watcher when it is in the
//! policy's directory, else on SIGHUP or an explicit reload.
//!
//! A reload cannot half-load: the file must keep the same size and content
//! (SHA-256) over the settle interval before it is checked, so a file still
//! being written is never read as a policy. The new text is parsed, checked and
//! compiled on a thread with a large stack; a policy with errors never replaces
//! the running one (its diagnostics are logged, counted and shown). The swap is
//! one atomic pointer store, so a request sees either the old policy or the new
//! one, and finishes on the one it started with.
//!
//! What the server says about the file names it as it was given (relative to
//! the working directory) or by its name alone, never by an absolute path, and
//! read errors are in plain words, never the OS's text.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::metrics::ReloadResult;
use super::state::{App, Loaded, ReloadFailure};
use super::work::on_reload_stack;
use crate::analysis::PolicyError;
use crate::eval::{Policy, PolicyRef};

/// How long a file may keep changing before a reload gives up on it.
const PATIENCE: Duration = Duration::from_secs(10);

/// The policy file: where to read it, and how to name it to others.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Absolute, so a later change of working directory changes nothing.
    pub path: PathBuf,
    /// As given when relative; else relative to the working directory when
    /// inside it; else the file name alone.
    pub shown: String,
}

impl PolicyFile {
    /// The policy file `given` (relative to the working directory).
    pub fn new(given: &Path) -> PolicyFile {
        let path = std::path::absolute(given).unwrap_or_else(|_| given.to_path_buf());
        let shown = if given.is_relative() {
            given.display().to_string()
        } else {
            let cwd = std::env::current_dir().ok();
            match cwd.as_deref().and_then(|cwd| given.strip_prefix(cwd).ok()) {
                Some(inside) if !inside.as_os_str().is_empty() => inside.display().to_string(),
                _ => given.file_name().map_or_else(|| "the policy file".into(), |n| n.to_string_lossy().into_owned()),
            }
        };
        PolicyFile { path, shown }
    }

    /// `text` with the file's directory (as shown) taken out, so the file and its example
    /// files are named relative to the policy: what `GET /v1/policy` may show.
    pub fn without_directory(&self, text: &str) -> String {
        match Path::new(&self.shown).parent().map(|d| d.display().to_string()).filter(|d| !d.is_empty()) {
            Some(dir) => text.replace(&format!("{dir}/"), ""),
            None => text.to_string(),
        }
    }

    /// The file's bytes, or why not in plain words.
    fn read_bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.path).map_err(|e| self.read_error(&e))
    }

    fn read_error(&self, e: &io::Error) -> String {
        let (why, _) = crate::io::reason(e.kind());
        format!("cannot read the policy file {}: {why}", self.shown)
    }

    fn text(&self, bytes: Vec<u8>) -> Result<String, String> {
        String::from_utf8(bytes).map_err(|_| self.read_error(&io::ErrorKind::InvalidData.into()))
    }

    /// The file's text, read once.
    pub fn read(&self) -> Result<String, String> {
        self.read_bytes().and_then(|b| self.text(b))
    }

    /// The file's text once its size and content stayed the same over `settle`.
    /// Blocks: call it on a thread of its own.
    pub fn read_stable(&self, settle: Duration) -> Result<String, String> {
        let started = Instant::now();
        let mut bytes = self.read_bytes()?;
        loop {
            std::thread::sleep(settle);
            let again = self.read_bytes()?;
            if again.len() == bytes.len() && Sha256::digest(&again) == Sha256::digest(&bytes) {
                return self.text(again);
            }
            if started.elapsed() > PATIENCE {
                return Err(format!(
                    "the policy file {} kept changing for {} s and was not loaded; \
                     write the new version aside and rename it over the old one",
                    self.shown,
                    PATIENCE.as_secs()
                ));
            }
            bytes = again;
        }
    }

    /// Parses, checks and compiles `text`, diagnostics naming the file as shown;
    /// the example files it names are read from its directory.
    pub fn compile(&self, text: &str) -> Result<Policy, Box<PolicyError>> {
        let dir = self.path.parent().unwrap_or(Path::new("/"));
        Policy::from_source_in(&self.shown, text, dir).map_err(Box::new)
    }
}

/// Why the policy could not be loaded at start.
#[derive(Debug)]
pub enum LoadError {
    Read(String),
    Policy(Box<PolicyError>),
}

/// Reads and compiles the policy on a large stack (at start: no settling).
pub async fn load(file: &PolicyFile) -> Result<Policy, LoadError> {
    let file = file.clone();
    on_reload_stack(move || {
        let text = file.read().map_err(LoadError::Read)?;
        file.compile(&text).map_err(LoadError::Policy)
    })
    .await
    .map_err(LoadError::Read)?
}

/// How a reload ended, with the policy serving afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// The new policy is serving.
    Swapped {
        /// The policy that was serving.
        from: PolicyRef,
        /// The policy now serving.
        to: PolicyRef,
    },
    /// The file's text is the same as the serving policy's.
    Unchanged(PolicyRef),
    /// The file had errors or could not be read; the old policy keeps serving.
    Rejected {
        /// The policy still serving.
        serving: PolicyRef,
        /// The diagnostics, rendered.
        diagnostics: String,
    },
}

/// What the loading thread found.
enum Found {
    Same,
    New(Box<Policy>),
    Bad { diagnostics: String, errors: usize },
}

/// Reloads one at a time, whoever asks.
#[derive(Debug)]
pub struct Reloader {
    app: Arc<App>,
    file: PolicyFile,
    settle: Duration,
    busy: Mutex<()>,
}

impl Reloader {
    pub fn new(app: Arc<App>, file: PolicyFile, settle: Duration) -> Reloader {
        Reloader { app, file, settle, busy: Mutex::new(()) }
    }

    /// Loads the file once it is stable and, if it checks, swaps it in.
    pub async fn reload(&self, trigger: &'static str) -> ReloadOutcome {
        let _one_at_a_time = self.busy.lock().await;
        let serving = self.app.current();
        let before = serving.policy.reference().clone();
        let (file, settle, current) = (self.file.clone(), self.settle, Arc::clone(&serving.policy));
        let found = on_reload_stack(move || {
            let text = match file.read_stable(settle) {
                Ok(text) => text,
                Err(diagnostics) => return Found::Bad { diagnostics, errors: 1 },
            };
            // Example files are read again: the policy's text alone does not say
            // whether its intents changed, its hash (which includes them) does.
            if text == current.source() && current.example_files().is_empty() {
                return Found::Same;
            }
            match file.compile(&text) {
                Ok(policy) if policy.hash() == current.hash() => Found::Same,
                Ok(policy) => Found::New(Box::new(policy)),
                Err(e) => Found::Bad { diagnostics: crate::render::plain(e.as_ref()), errors: e.errors.len() },
            }
        })
        .await
        .unwrap_or_else(|diagnostics| Found::Bad { diagnostics, errors: 1 });
        let policy = match found {
            Found::New(policy) => *policy,
            Found::Bad { diagnostics, errors } => return self.rejected(trigger, before, diagnostics, errors),
            Found::Same => {
                self.app.metrics.reload(ReloadResult::Unchanged);
                self.app.set_last_failure(None);
                // Asked for by a person (SIGHUP, the API): say so where they look.
                if trigger == "file" {
                    tracing::debug!(trigger, hash = %before.hash, "policy file unchanged");
                } else {
                    tracing::info!(trigger, hash = %before.hash, "policy file unchanged; nothing to reload");
                }
                return ReloadOutcome::Unchanged(before);
            }
        };
        let after = policy.reference().clone();
        let warnings = policy.warnings().len();
        self.app.policy.store(Arc::new(Loaded { policy: Arc::new(policy), loaded_at: jiff::Timestamp::now() }));
        self.app.metrics.reload(ReloadResult::Succeeded);
        self.app.set_last_failure(None);
        tracing::info!(
            trigger,
            policy = %after.name,
            version = after.version,
            hash = %after.hash,
            previous_hash = %before.hash,
            warnings,
            "policy reloaded"
        );
        ReloadOutcome::Swapped { from: before, to: after }
    }

    fn rejected(&self, trigger: &'static str, serving: PolicyRef, diagnostics: String, errors: usize) -> ReloadOutcome {
        self.app.metrics.reload(ReloadResult::Failed);
        // The log names the file as given; the API, which clients read, by name only.
        let public = self.file.without_directory(&diagnostics);
        self.app.set_last_failure(Some(ReloadFailure { at: jiff::Timestamp::now(), diagnostics: public }));
        tracing::error!(
            trigger,
            errors,
            serving_hash = %serving.hash,
            diagnostics = %diagnostics,
            "policy reload rejected; the previous policy keeps serving"
        );
        ReloadOutcome::Rejected { serving, diagnostics }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_clients_see_names_the_file_without_its_directory() {
        let file = PolicyFile::new(Path::new("deploy/policies/p.handoff"));
        let text = "policy `deploy/policies/p.handoff` has 1 error(s)\n ╭─[deploy/policies/p.handoff:3:5]\n deploy/policies/intents/x.txt";
        assert_eq!(
            file.without_directory(text),
            "policy `p.handoff` has 1 error(s)\n ╭─[p.handoff:3:5]\n intents/x.txt"
        );
        assert_eq!(PolicyFile::new(Path::new("p.handoff")).without_directory("p.handoff:1"), "p.handoff:1");
    }

    #[test]
    fn a_file_is_named_as_given_or_by_name_never_by_an_absolute_path() {
        assert_eq!(PolicyFile::new(Path::new("policies/p.handoff")).shown, "policies/p.handoff");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(PolicyFile::new(&cwd.join("a/p.handoff")).shown, "a/p.handoff");
        let elsewhere = PolicyFile::new(Path::new("/nonexistent-root/secret/p.handoff"));
        assert_eq!(elsewhere.shown, "p.handoff");
        assert!(elsewhere.path.is_absolute());
        let e = elsewhere.read().unwrap_err();
        assert_eq!(e, "cannot read the policy file p.handoff: it does not exist (or a directory on its path does not)");
    }
}
