//! Reading input files carefully: the size limit, checked before a byte is read, and only regular
//! files.
//!
//! Every file aksplan reads (plans, `currentFrom` JSON, catalogs, manifests, policies, `--data`)
//! goes through [`read`], so one limit covers them all and no input can make aksplan hang or read
//! gigabytes:
//!
//! - the size comes from the file's metadata, so a 100 MB file is refused without being read;
//! - anything that is not a regular file (a directory, a named pipe, a socket, a device) is
//!   refused before it is opened: opening a named pipe for reading blocks until a writer appears,
//!   which may be never;
//! - the read itself stops one byte past the limit, in case the file grew since its metadata was
//!   read.
//!
//! The limit is a process-wide setting ([`set_max_input_bytes`], from `--max-input-size`) rather
//! than a parameter: files are read and parsed deep inside the loaders (a plan's `currentFrom`
//! files are read while the plan is resolved), and threading one number through every loader's
//! signature would widen all of their APIs for a value that is set once, at start-up.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::codes;
use crate::finding::Finding;

/// The default limit on any input: 16 MiB (a 5,000-cluster plan is about 15 MiB).
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

static MAX_INPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_BYTES);

/// The largest input, in bytes, aksplan reads or parses.
pub fn max_input_bytes() -> u64 {
    MAX_INPUT_BYTES.load(Ordering::Relaxed)
}

/// Sets the input limit for the rest of the process (the CLI's `--max-input-size`). The parser
/// budgets (YAML nodes and events) scale with it, see [`crate::source`].
pub fn set_max_input_bytes(bytes: u64) {
    MAX_INPUT_BYTES.store(bytes.max(1), Ordering::Relaxed);
}

/// A size for humans: `16 MiB`, `1.5 GiB`, `512 bytes`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            return if bytes.is_multiple_of(size) {
                format!("{} {unit}", bytes / size)
            } else {
                // One decimal is enough to tell sizes apart in a message.
                format!("{:.1} {unit}", bytes as f64 / size as f64)
            };
        }
    }
    format!("{bytes} bytes")
}

/// Parses a size as `--max-input-size` takes it: bytes (`1048576`), or a number with a unit
/// (`64MiB`, `64MB`, `64M`, `512KiB`, `1GiB`; the units are binary, as in every other aksplan
/// message).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let multiplier: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size; write bytes (`33554432`) or a number with KiB, MiB or GiB (`32MiB`)"
            ));
        }
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size; write a whole number, e.g. `32MiB`"))?;
    match number.checked_mul(multiplier) {
        Some(0) => Err("the input size limit must be at least one byte".to_owned()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is larger than any file")),
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed (no such file, permission denied, a symlink loop, ...).
    Io(std::io::Error),
    /// Not a regular file: what it is instead (`a directory`, `a named pipe (FIFO)`, ...).
    NotAFile(&'static str),
    /// Larger than [`max_input_bytes`]: its size (at least, when it grew while being read).
    TooLarge { size: u64, limit: u64 },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(err) => write!(f, "{err}"),
            ReadError::NotAFile(what) => write!(f, "it is {what}, not a file"),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "it is {} ({size} bytes), larger than the input limit of {}",
                human_size(*size),
                human_size(*limit)
            ),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(err: std::io::Error) -> Self {
        ReadError::Io(err)
    }
}

/// What a non-regular file is, in words.
fn describe(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    "not a regular file"
}

/// Reads a whole regular file of at most [`max_input_bytes`] bytes.
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    // `metadata` follows symbolic links: a dangling link is "not found", a loop is the OS's
    // "too many levels of symbolic links". Both come back as `Io`.
    let metadata = std::fs::metadata(path)?;
    if !metadata.file_type().is_file() {
        return Err(ReadError::NotAFile(describe(metadata.file_type())));
    }
    let limit = max_input_bytes();
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    let file = std::fs::File::open(path)?;
    // The file may have been replaced between `metadata` and `open`; check what was opened.
    let opened = file.metadata()?;
    if !opened.file_type().is_file() {
        return Err(ReadError::NotAFile(describe(opened.file_type())));
    }
    let capacity = usize::try_from(opened.len().min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    Ok(bytes)
}

/// Reads at most one byte past the limit from `reader` (standard input), so that an input that is
/// too large is reported, not silently cut.
pub fn read_limited(reader: impl Read) -> Result<Vec<u8>, ReadError> {
    let limit = max_input_bytes();
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    Ok(bytes)
}

impl ReadError {
    /// The finding for a file that was not read, for the problems that are the same wherever the
    /// file was named: too large (`AKS002`), not a regular file (`AKS901`). `None` for I/O errors,
    /// whose wording depends on where the path came from.
    pub fn finding(&self, name: &str) -> Option<Finding> {
        match self {
            ReadError::Io(_) => None,
            ReadError::TooLarge { size, limit } => Some(too_large(name, *size, *limit)),
            ReadError::NotAFile(what) => {
                let help = if *what == "a directory" {
                    "name a file"
                } else {
                    // Opening a pipe waits for a writer, reading a device may never end.
                    "aksplan reads regular files only, so that no input can make it wait forever; save the content to a file first (a plan can also come from standard input as `-`)"
                };
                Some(
                    Finding::new(
                        codes::CANNOT_READ,
                        format!("cannot read `{name}`: it is {what}, not a file"),
                    )
                    .help(help),
                )
            }
        }
    }
}

/// `AKS002` for an input larger than the limit (the same words whether the size came from the
/// file's metadata, a read, or bytes already in memory).
pub fn too_large(name: &str, size: u64, limit: u64) -> Finding {
    Finding::new(
        codes::LIMIT,
        format!(
            "`{name}` is {} ({size} bytes), larger than the input limit of {}",
            human_size(size),
            human_size(limit)
        ),
    )
    .help(limit_help(size))
}

/// The help of every "too large" finding: how to raise the limit to at least `needed` bytes.
pub fn limit_help(needed: u64) -> String {
    // A round size that fits: the next power of two, in MiB.
    let suggested = needed.max(1 << 20).checked_next_power_of_two().unwrap_or(needed);
    format!(
        "the limit guards against runaway inputs; raise it with `--max-input-size` (or `max-input-size` in aksplan.toml, or AKSPLAN_MAX_INPUT_SIZE), e.g. `--max-input-size {}`",
        size_flag(suggested)
    )
}

/// `32MiB`: a size as the flag takes it.
fn size_flag(bytes: u64) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{}MiB", bytes >> 20)
    } else {
        bytes.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_and_without_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("64 mb"), Ok(64 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }

    #[test]
    fn sizes_print_for_humans() {
        assert_eq!(human_size(16 << 20), "16 MiB");
        assert_eq!(human_size(100_000_000), "95.4 MiB");
        assert_eq!(human_size(12), "12 bytes");
    }

    #[test]
    fn directories_are_not_read() {
        let dir = std::env::temp_dir();
        assert!(matches!(read(&dir), Err(ReadError::NotAFile("a directory"))));
    }
}
