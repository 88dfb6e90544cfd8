//! Watching the policy file for changes, however it is replaced.
//!
//! - Editors and deploy tools replace a file by renaming a new one over it, and
//!   a Kubernetes ConfigMap swaps a symlink (`dir/policy.handoff ->
//!   ..data/policy.handoff`, `..data -> ..2026_12_02_.../`, a new `..data_tmp`
//!   renamed over `..data`). So the file's directory is watched, not the file,
//!   and so is the directory the symlinks lead to; any change there nudges a
//!   reload (which swaps nothing when the text is the same).
//! - A directory deleted and made again loses its watch silently; a network
//!   file system may send no events at all. So every `watch_poll` the watcher
//!   also compares the directories' identities (device, inode) and the file's
//!   (after following symlinks: device, inode, size, modification time) with
//!   what it saw last; it re-arms the watches and nudges a reload on a change.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::reload::Reloader;

/// What identifies a file or directory's version, as far as metadata can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0, 0);
    Some(Stamp { dev, ino, len: m.len(), modified: m.modified().ok() })
}

/// A directory being watched, and the identity it had when the watch was set.
#[derive(Debug)]
struct Armed {
    dir: PathBuf,
    id: Option<(u64, u64)>,
}

/// The notify watcher and what it was last seen watching.
pub struct FileWatch {
    watcher: RecommendedWatcher,
    file: PathBuf,
    armed: Vec<Armed>,
    seen: Option<Stamp>,
}

impl std::fmt::Debug for FileWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileWatch").field("file", &self.file).field("armed", &self.armed).finish_non_exhaustive()
    }
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl FileWatch {
    /// Watches `file` (an absolute path), nudging on every change. Fails when
    /// the file's directory cannot be watched at all.
    pub fn new(file: &Path, nudge: mpsc::Sender<()>) -> notify::Result<FileWatch> {
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            // Our own reads show up as access events, and reading may touch
            // metadata: neither is a change.
            let change = !matches!(event.kind, EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)));
            if change {
                // A full channel already holds a nudge: this change will be seen.
                let _ = nudge.try_send(());
            }
        })?;
        let dir = parent(file);
        watcher.watch(&dir, RecursiveMode::NonRecursive)?;
        let mut watch = FileWatch {
            watcher,
            file: file.to_path_buf(),
            armed: vec![Armed { id: dir_id(&dir), dir }],
            seen: stamp(file),
        };
        watch.rearm();
        Ok(watch)
    }

    /// The directories that should be watched: the file's, and the one its
    /// symlinks lead to.
    fn wanted(&self) -> Vec<PathBuf> {
        let mut dirs = vec![parent(&self.file)];
        if let Ok(real) = std::fs::canonicalize(&self.file) {
            let real_dir = parent(&real);
            if !dirs.contains(&real_dir) {
                dirs.push(real_dir);
            }
        }
        dirs
    }

    /// Re-arms any watch whose directory is gone, replaced or no longer wanted.
    /// Returns whether anything changed.
    fn rearm(&mut self) -> bool {
        let wanted = self.wanted();
        let mut changed = false;
        let mut kept = Vec::with_capacity(wanted.len());
        for old in std::mem::take(&mut self.armed) {
            let current = dir_id(&old.dir);
            if wanted.contains(&old.dir) && current.is_some() && current == old.id {
                kept.push(old);
            } else {
                // A deleted directory's watch is already gone: ignore the error.
                let _ = self.watcher.unwatch(&old.dir);
                changed = true;
            }
        }
        for dir in wanted {
            if kept.iter().any(|a| a.dir == dir) {
                continue;
            }
            let id = dir_id(&dir);
            if id.is_some() && self.watcher.watch(&dir, RecursiveMode::NonRecursive).is_ok() {
                tracing::debug!(dir = %dir.display(), "watching the policy's directory");
                kept.push(Armed { dir, id });
                changed = true;
            }
        }
        self.armed = kept;
        changed
    }

    /// Whether the file or its directories changed since the last check.
    pub fn check(&mut self) -> bool {
        let rearmed = self.rearm();
        let now = stamp(&self.file);
        let changed = now != self.seen;
        self.seen = now;
        rearmed || changed
    }
}

fn dir_id(dir: &Path) -> Option<(u64, u64)> {
    stamp(dir).map(|s| (s.dev, s.ino))
}

/// Reloads after each nudge or change seen by polling, once a burst of events
/// has settled for `debounce` (the reload then waits for the file to be stable).
pub async fn run(
    reloader: Arc<Reloader>,
    mut watch: FileWatch,
    mut nudges: mpsc::Receiver<()>,
    debounce: Duration,
    poll: Duration,
) {
    let mut tick = tokio::time::interval(poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let mut changed = tokio::select! {
            nudge = nudges.recv() => match nudge {
                Some(()) => true,
                None => return,
            },
            _ = tick.tick() => watch.check(),
        };
        while changed {
            tokio::time::sleep(debounce).await;
            while nudges.try_recv().is_ok() {}
            // What the reload is about to read is seen now, not after it.
            watch.check();
            reloader.reload("file").await;
            // A change during the reload (after its stable read) reloads again.
            changed = watch.check();
        }
    }
}
