//! Hot reload: on a change to the policy file (notify), on SIGHUP, or when asked.
//!
//! The new file is loaded and checked first; a policy with errors never replaces
//! the running one (its diagnostics are logged and counted). The swap is one
//! atomic pointer store, so a request sees either the old policy or the new one,
//! and finishes on the one it started with.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::{mpsc, Mutex};

use super::metrics::ReloadResult;
use super::state::{App, Loaded, ReloadFailure};
use crate::eval::{Policy, PolicyRef};

/// How a reload ended, with the policy serving afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// The new policy is serving.
    Swapped { from: PolicyRef, to: PolicyRef },
    /// The file's text is the same as the serving policy's.
    Unchanged(PolicyRef),
    /// The file had errors; the old policy keeps serving. The diagnostics, rendered.
    Rejected { serving: PolicyRef, diagnostics: String },
}

/// Reloads one at a time, whoever asks.
#[derive(Debug)]
pub struct Reloader {
    app: Arc<App>,
    path: PathBuf,
    busy: Mutex<()>,
}

impl Reloader {
    pub fn new(app: Arc<App>, path: PathBuf) -> Reloader {
        Reloader { app, path, busy: Mutex::new(()) }
    }

    /// Loads the file and, if it checks, swaps it in.
    pub async fn reload(&self, trigger: &'static str) -> ReloadOutcome {
        let _one_at_a_time = self.busy.lock().await;
        let path = self.path.clone();
        let loaded = tokio::task::spawn_blocking(move || Policy::load(&path)).await;
        let serving = self.app.current();
        let before = serving.policy.reference().clone();
        let policy = match loaded {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => {
                let diagnostics = crate::render::plain(&e);
                return self.rejected(trigger, before, diagnostics, e.errors.len());
            }
            Err(e) => return self.rejected(trigger, before, format!("the reload task failed: {e}"), 1),
        };
        if policy.hash() == &*before.hash {
            self.app.metrics.reload(ReloadResult::Unchanged);
            self.app.set_last_failure(None);
            tracing::debug!(trigger, hash = %before.hash, "policy file unchanged");
            return ReloadOutcome::Unchanged(before);
        }
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
        self.app.set_last_failure(Some(ReloadFailure { at: jiff::Timestamp::now(), diagnostics: diagnostics.clone() }));
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

/// Watches the policy's directory (editors replace files by renaming, which a
/// watch on the file itself would lose) and sends a nudge when the file changes.
pub fn watch(path: &Path, nudge: mpsc::Sender<()>) -> notify::Result<RecommendedWatcher> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(ToOwned::to_owned);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        // Our own reads show up as access events: only writes, creations,
        // renames and removals may trigger a reload.
        let relevant = matches!(
            event.kind,
            EventKind::Create(_)
                | EventKind::Modify(_)
                | EventKind::Remove(_)
                | EventKind::Access(AccessKind::Close(AccessMode::Write))
        );
        let ours = event.paths.iter().any(|p| p.file_name() == name.as_deref());
        if relevant && ours {
            // A full channel already holds a nudge: this change will be seen.
            let _ = nudge.try_send(());
        }
    })?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// Reloads after each nudge, once a burst of them has settled.
pub async fn run(reloader: Arc<Reloader>, mut nudges: mpsc::Receiver<()>, debounce: Duration) {
    while nudges.recv().await.is_some() {
        tokio::time::sleep(debounce).await;
        while nudges.try_recv().is_ok() {}
        reloader.reload("file").await;
    }
}
