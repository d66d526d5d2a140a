//! Files named on the command line, and the folders walked for policies and manifests: read
//! through `aksplan_model::files` (the input limit checked before reading, regular files only),
//! walked without following a symbolic link back into a folder being walked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aksplan_model::codes;
use aksplan_model::files::{self, ReadError};
use aksplan_model::finding::Finding;

/// The finding for a file that could not be read.
pub fn read_error(name: &str, err: &ReadError) -> Finding {
    match err {
        ReadError::Io(io) => crate::cannot_read(name, io),
        other => other
            .finding(name)
            .unwrap_or_else(|| Finding::new(codes::CANNOT_READ, format!("cannot read `{name}`: {other}"))),
    }
}

/// A problem with a file that aksplan needs in order to run (a catalog, a policy), as `code`:
/// exit 2, since no verdict on the plan is possible. Message, place and help are kept; a finding
/// that already says aksplan could not run (a file that cannot be read) is left as it is.
pub fn as_tool_error(finding: Finding, code: codes::Code) -> Finding {
    if finding.code.category() == codes::Category::Tool {
        return finding;
    }
    let mut tool = Finding::new(code, finding.message).help_opt(finding.help);
    tool.primary = finding.primary;
    tool.secondary = finding.secondary;
    tool.pointer = finding.pointer;
    tool
}

/// Reads a whole file named on the command line (or found in a folder named there).
pub fn read(path: &Path) -> Result<Vec<u8>, Finding> {
    files::read(path).map_err(|err| read_error(&path.to_string_lossy(), &err))
}

/// The files under `root` whose extension is one of `extensions`, in name order, folders
/// recursively; `root` itself when it is not a folder (whatever its name: it was named on
/// purpose). Entries are not read here: one that cannot be (a dangling link, a pipe) is left in
/// the list, so that reading it reports why.
pub fn collect(root: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, Finding> {
    let mut found = Vec::new();
    let mut walk = Walk {
        extensions,
        ancestors: Vec::new(),
        seen: BTreeSet::new(),
        found: &mut found,
    };
    walk.path(root, true)?;
    Ok(found)
}

struct Walk<'a> {
    extensions: &'a [&'a str],
    /// The folders being walked, resolved: a link to one of them is a loop.
    ancestors: Vec<(PathBuf, PathBuf)>,
    /// Every folder walked, resolved: a folder reached twice through links is walked once, so
    /// that no policy is loaded twice.
    seen: BTreeSet<PathBuf>,
    found: &'a mut Vec<PathBuf>,
}

impl Walk<'_> {
    fn path(&mut self, path: &Path, named: bool) -> Result<(), Finding> {
        let name = path.to_string_lossy().into_owned();
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            // A path named on the command line must exist; an entry of a folder that cannot be
            // followed (a dangling link, a link loop) is reported when it is read.
            Err(err) if named => return Err(crate::cannot_read(&name, &err)),
            Err(_) => {
                if self.wanted(path) {
                    self.found.push(path.to_path_buf());
                }
                return Ok(());
            }
        };
        if !metadata.is_dir() {
            if named || self.wanted(path) {
                self.found.push(path.to_path_buf());
            }
            return Ok(());
        }
        let resolved = std::fs::canonicalize(path).map_err(|err| crate::cannot_read(&name, &err))?;
        if let Some((ancestor, _)) = self.ancestors.iter().find(|(_, r)| *r == resolved) {
            return Err(Finding::new(
                codes::CANNOT_READ,
                format!(
                    "cannot read `{name}`: it is a symbolic link back to `{}`, so the folder would never end",
                    ancestor.display()
                ),
            )
            .help("remove the link, or point it at a folder outside the one being read"));
        }
        if !self.seen.insert(resolved.clone()) {
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|err| crate::cannot_read(&name, &err))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        self.ancestors.push((path.to_path_buf(), resolved));
        let result = entries.iter().try_for_each(|entry| self.path(entry, false));
        self.ancestors.pop();
        result
    }

    fn wanted(&self, path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|ext| self.extensions.contains(&ext))
    }
}
