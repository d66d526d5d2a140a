//! The compiled policy programs kept between runs, in the user's cache folder.
//!
//! Compiling the policies into regorus' VM program is most of what the policy evaluator does
//! before the plan's input arrives; a team re-running `aksplan check` on the same policies pays
//! it once. An entry is named by a SHA-256 of this build of aksplan and of every policy file
//! (path and text), so any change to either names another entry. Entries are written to a
//! temporary file and renamed into place: concurrent runs see a whole entry or none, and two runs
//! writing the same entry write the same bytes. The evaluator checks that an entry holds exactly
//! the policies and rules it needs before using it (`aksplan_policy::prepare_cached`), so a
//! damaged or foreign entry costs a recompilation, never a verdict. Any error here is a miss.

use std::path::{Path, PathBuf};

use aksplan_policy::PolicyFile;
use sha2::{Digest, Sha256};

/// `AKSPLAN_CACHE_DIR` names the folder (empty: no cache).
pub const ENV: &str = "AKSPLAN_CACHE_DIR";

/// Entries kept; past this the oldest are removed when one is written.
const KEEP: usize = 64;

/// The cache folder: `$AKSPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/aksplan`, else
/// `~/.cache/aksplan` (`%LOCALAPPDATA%\aksplan` on Windows); `None` when there is none.
pub fn dir() -> Option<PathBuf> {
    let absolute = |value: std::ffi::OsString| Some(PathBuf::from(value)).filter(|p| p.is_absolute());
    if let Some(value) = std::env::var_os(ENV) {
        return absolute(value);
    }
    if let Some(base) = std::env::var_os("XDG_CACHE_HOME").and_then(absolute) {
        return Some(base.join("aksplan"));
    }
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA")
            .and_then(absolute)
            .map(|base| base.join("aksplan"));
    }
    std::env::var_os("HOME")
        .and_then(absolute)
        .map(|home| home.join(".cache").join("aksplan"))
}

/// The entry for `policies` compiled by this build.
pub fn entry(dir: &Path, policies: &[PolicyFile]) -> PathBuf {
    let mut hash = Sha256::new();
    hash.update(b"aksplan policy program\0");
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    // This build: a rebuilt binary (another regorus, another compiler) never reads what an
    // earlier one wrote. Its size and modification time stand for it.
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        hash.update(meta.len().to_le_bytes());
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        hash.update(modified.to_le_bytes());
    }
    for policy in policies {
        for part in [policy.path.as_bytes(), policy.text.as_bytes()] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    let name: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    dir.join("policy-programs").join(format!("{name}.rvm"))
}

/// The entry's bytes, when there is one.
pub fn read(entry: &Path) -> Option<Vec<u8>> {
    std::fs::read(entry).ok()
}

/// Saves an entry (whole or not at all) and keeps the folder to its last [`KEEP`] entries.
pub fn write(entry: &Path, bytes: &[u8]) {
    use std::io::Write;
    let Some(folder) = entry.parent() else {
        return;
    };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let Ok(mut file) = tempfile::NamedTempFile::new_in(folder) else {
        return;
    };
    if file.write_all(bytes).is_err() || file.persist(entry).is_err() {
        return;
    }
    prune(folder);
}

/// Removes all but the [`KEEP`] most recently written entries.
fn prune(folder: &Path) {
    let Ok(items) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = items
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rvm"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if entries.len() <= KEEP {
        return;
    }
    entries.sort();
    for (_, path) in &entries[..entries.len() - KEEP] {
        let _ = std::fs::remove_file(path);
    }
}
