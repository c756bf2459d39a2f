//! Start-up clean-up of the uploads folder (`<data_dir>/uploads`).
//!
//! An upload is written as `<key>.part`, renamed to `<key>`, and only then
//! given its row in `attachments` (see [`super::http`]). A crash or a kill
//! between those steps leaves a file nobody can fetch. Before the server takes
//! requests (so no upload is in flight) this removes every `.part` file and
//! every file whose name no attachment row holds. With several nodes sharing
//! the folder, another node may be in the middle of an upload: only files
//! older than `min_age` are removed then.

use std::{collections::HashSet, path::Path, time::Duration};

use crate::store::{Store, StoreError};

/// Removes stray files from `dir` (the uploads folder) last changed at least
/// `min_age` ago, and returns how many. A missing folder is nothing to clean.
/// Only call it while no upload can be in flight on this node (at start-up);
/// `min_age` covers uploads other nodes sharing the folder are making.
///
/// Errors: [`StoreError`] when the known keys cannot be read; a file that
/// cannot be listed or removed is logged and skipped.
pub async fn sweep_stray_files(store: &Store, dir: &Path, min_age: Duration) -> Result<usize, StoreError> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => {
            tracing::warn!(error = %e, dir = %dir.display(), "cannot list the uploads folder");
            return Ok(0);
        }
    };
    let known: HashSet<String> = store.attachments().storage_keys().await?.into_iter().collect();
    let mut removed = 0;
    loop {
        let entry = match entries.next_entry().await {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the uploads folder");
                break;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if known.contains(&name) {
            continue;
        }
        let modified = entry.metadata().await.ok().and_then(|m| m.modified().ok());
        if modified.is_some_and(|at| at.elapsed().unwrap_or_default() < min_age) {
            continue;
        }
        match tokio::fs::remove_file(entry.path()).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(error = %e, file = %name, "cannot remove a stray upload"),
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed stray upload files");
    }
    Ok(removed)
}
