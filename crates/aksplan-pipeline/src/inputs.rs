//! Files named on the command line, and the folders walked for policies and manifests: read
//! through `aksplan_model::files` (the input limit checked before reading, regular files only),
//! walked without following a symbolic link back into a folder being walked. Every problem is a
//! finding, never a panic: reading is where hostile input arrives first.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aksplan_model::codes;
use aksplan_model::files::{self, ReadError};
use aksplan_model::finding::Finding;
use aksplan_model::source::{Document, Format};

/// The finding for a file that could not be read.
pub fn read_error(name: &str, err: &ReadError) -> Finding {
    match err {
        ReadError::Io(io) => cannot_read(name, io),
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
            Err(err) if named => return Err(cannot_read(&name, &err)),
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
        let resolved = std::fs::canonicalize(path).map_err(|err| cannot_read(&name, &err))?;
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
            .map_err(|err| cannot_read(&name, &err))?
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

/// The finding for a file that cannot be read, with a hint when it does not exist.
pub fn cannot_read(name: &str, err: &std::io::Error) -> Finding {
    let finding = Finding::new(codes::CANNOT_READ, format!("cannot read `{name}`: {err}"));
    if err.kind() == std::io::ErrorKind::NotFound {
        finding.help("check the path; it is relative to the current directory")
    } else {
        finding
    }
}

/// A plan named on the command line, read: `-` is standard input.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The name findings show (`<stdin>` for `-`).
    pub name: String,
    pub bytes: Vec<u8>,
    pub format: Format,
    /// The folder the plan lives in: `currentFrom` paths and `policies/` are relative to it.
    pub base: PathBuf,
}

impl PlanInput {
    /// A plan that is already in memory (tests, fuzz targets, benchmarks).
    pub fn new(
        name: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
        format: Format,
        base: impl Into<PathBuf>,
    ) -> Self {
        Self {
            name: name.into(),
            bytes: bytes.into(),
            format,
            base: base.into(),
        }
    }
}

/// Reads a plan: from standard input for `-` (YAML unless `format` says otherwise), else from
/// the file, its format told by its extension unless `format` is given.
pub fn read_plan(name: &str, format: Option<Format>) -> Result<PlanInput, Finding> {
    let format = match format {
        Some(format) => Some(format),
        None if name == "-" => Some(Format::Yaml),
        None => Format::from_path(name),
    };
    let Some(format) = format else {
        return Err(Finding::new(
            codes::UNKNOWN_FORMAT,
            format!("cannot tell the format of `{name}` from its name"),
        )
        .help("name plans `.yaml`, `.yml`, `.toml` or `.json`, or pass `--input-format yaml|toml|json`"));
    };
    if name == "-" {
        // Reads one byte past the limit, so that too-large input is reported, not silently cut.
        let bytes = files::read_limited(std::io::stdin().lock()).map_err(|err| match err {
            ReadError::Io(err) => {
                Finding::new(codes::CANNOT_READ, format!("cannot read standard input: {err}"))
            }
            other => read_error("<stdin>", &other),
        })?;
        return Ok(PlanInput {
            name: "<stdin>".to_owned(),
            bytes,
            format,
            base: PathBuf::from("."),
        });
    }
    let path = Path::new(name);
    // Refused before reading when too large or not a regular file (a pipe would block).
    let bytes = read(path)?;
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(PlanInput {
        name: name.to_owned(),
        bytes,
        format,
        base,
    })
}

/// The catalog to judge plans by: the embedded snapshot, or a saved `az aks get-versions`.
pub fn load_catalog(path: Option<&Path>) -> Result<aksplan_catalog::Catalog, Vec<Finding>> {
    open_catalog(path).map(|(catalog, _)| catalog)
}

/// The catalog and how emitted files name it: `embedded snapshot DATE`, or the file's path with
/// its content hash (the file is read once).
pub fn open_catalog(path: Option<&Path>) -> Result<(aksplan_catalog::Catalog, String), Vec<Finding>> {
    let Some(path) = path else {
        let catalog = aksplan_catalog::Catalog::embedded();
        let described = match &catalog.origin {
            aksplan_catalog::Origin::Embedded { snapshot } => format!("embedded snapshot {snapshot}"),
            _ => "embedded snapshot".to_owned(),
        };
        return Ok((catalog, described));
    };
    let name = path.to_string_lossy().into_owned();
    // A catalog that cannot be used is a usage problem (exit 2), whatever is wrong with it: too
    // large, not JSON, not `get-versions` output. Unreadable files keep their own code (AKS901).
    let bytes = read(path).map_err(|f| vec![bad_catalog(f)])?;
    let described = format!("{} ({})", path.display(), content_hash(&bytes));
    let doc = aksplan_model::source::parse_document(&name, bytes, Format::Json)
        .map_err(|finding| vec![bad_catalog(finding)])?;
    let catalog = aksplan_catalog::Catalog::from_get_versions(&std::sync::Arc::new(doc))
        .map_err(|findings| findings.into_iter().map(bad_catalog).collect::<Vec<_>>())?;
    Ok((catalog, described))
}

/// A stable content hash (FNV-1a, 64 bits): identifies an input in emitted files, not a
/// security measure.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{hash:016x}")
}

/// A finding about the `--catalog` file as `AKS904` (exit 2), keeping its message, place and help.
fn bad_catalog(finding: Finding) -> Finding {
    let finding = if finding.code == codes::EMPTY {
        // The parser's help for an empty file is about plans.
        finding.help("save it with `az aks get-versions -l LOCATION -o json > FILE`")
    } else {
        finding
    };
    as_tool_error(finding, codes::BAD_CATALOG)
}

/// Every YAML document under the `--manifests` paths (files in name order, folders recursively).
/// A folder or file that cannot be read is a usage error; a manifest that does not parse is
/// reported where it fails, and the others are still checked.
pub fn load_manifests(paths: &[PathBuf], findings: &mut Vec<Finding>) -> Vec<Document> {
    let mut documents = Vec::new();
    for path in paths {
        let files = match collect(path, &["yaml", "yml"]) {
            Ok(files) => files,
            Err(finding) => {
                findings.push(finding);
                continue;
            }
        };
        for file in files {
            let name = file.to_string_lossy().into_owned();
            match read(&file) {
                Ok(bytes) => match aksplan_model::source::parse_yaml_documents(&name, bytes) {
                    Ok(docs) => documents.extend(docs),
                    Err(finding) => findings.push(finding),
                },
                Err(finding) => findings.push(finding),
            }
        }
    }
    documents
}

/// A saved JSON document (`az` output), parsed with its source map.
pub fn read_json(path: &Path) -> Result<std::sync::Arc<Document>, Finding> {
    let name = path.to_string_lossy().into_owned();
    let bytes = read(path)?;
    aksplan_model::source::parse_document(&name, bytes, Format::Json).map(std::sync::Arc::new)
}
