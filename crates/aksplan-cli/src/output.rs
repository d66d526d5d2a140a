//! What a command hands back to the terminal: text on stdout and stderr, files written whole,
//! and the exit status (the contract in `docs/cli.md`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use aksplan_model::codes::{self, Category};
use aksplan_model::finding::{Finding, Severity};
use aksplan_report::HumanOptions;

use crate::args::FailOn;

/// How a command ended. `diff` uses `Rejected` for "the two plans differ".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the plan is accepted (warnings allowed), or the command did what was asked.
    Success,
    /// 1: the plan is rejected (findings at or above `--fail-on`).
    Rejected,
    /// 2: aksplan could not run (bad usage, a file that cannot be read or written, a policy that
    /// could not be evaluated): no verdict on the plan.
    CouldNotRun,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Rejected => ExitCode::from(1),
            ExitStatus::CouldNotRun => ExitCode::from(2),
        }
    }
}

/// The verdict on findings: could not run when any is a tool error, rejected when any that is not
/// waived reaches `fail_on`.
pub fn verdict(findings: &[Finding], fail_on: FailOn) -> ExitStatus {
    if findings.iter().any(|f| f.code.category() == Category::Tool) {
        return ExitStatus::CouldNotRun;
    }
    let rejects = |f: &Finding| {
        f.waived.is_none()
            && match fail_on {
                FailOn::Error => f.severity == Severity::Error,
                FailOn::Warning => matches!(f.severity, Severity::Error | Severity::Warning),
                FailOn::Never => false,
            }
    };
    if findings.iter().any(rejects) {
        ExitStatus::Rejected
    } else {
        ExitStatus::Success
    }
}

/// Reports findings that stop a command before it could judge anything.
pub fn tool_errors(findings: &[Finding], human: HumanOptions) -> ExitStatus {
    write_stderr(&aksplan_report::render_human(findings, human));
    ExitStatus::CouldNotRun
}

/// A usage error that clap cannot see (a combination of flags), as one line.
pub fn usage_error(message: &str) -> ExitStatus {
    write_stderr(&format!("error: {message}\n"));
    ExitStatus::CouldNotRun
}

/// Writes to stdout; a closed pipe (`aksplan ... | head`) is not an error.
pub fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

pub fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// Writes to a temporary file beside `path`, then renames it over `path`: readers see the old
/// file or the new one, never half of one.
pub fn write_atomically(path: &Path, text: &str, force: bool) -> Result<(), Finding> {
    write_atomically_with(path, force, |file| file.write_all(text.as_bytes()))
}

/// [`write_atomically`], the text written by `fill` as it is made (a large script need not be
/// held whole): nothing reaches `path` unless `fill` succeeds.
pub fn write_atomically_with(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Finding> {
    put_in_place(written_beside(path, force, fill)?, path)
}

/// What `fill` writes, in a temporary file beside `path` (removed when dropped): the first half
/// of [`write_atomically_with`], for output made before it is known whether it will be kept.
pub fn written_beside(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<tempfile::NamedTempFile, Finding> {
    if path.exists() && !force {
        return Err(Finding::new(
            codes::CANNOT_WRITE,
            format!("`{}` exists already", path.display()),
        )
        .help("pass `--force` to replace it"));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Made as any new file is (0666 less the umask), not 0600 as temporary files are: a report or
    // script written for CI is read by other users and steps.
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir).map_err(|e| cannot_write(path, &e))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, &mut file);
    fill(&mut writer)
        .and_then(|()| writer.flush())
        .map_err(|e| cannot_write(path, &e))?;
    drop(writer);
    Ok(file)
}

/// The second half of [`write_atomically_with`]: the file made by [`written_beside`], on disk
/// and renamed over `path`.
pub fn put_in_place(file: tempfile::NamedTempFile, path: &Path) -> Result<(), Finding> {
    file.as_file().sync_all().map_err(|e| cannot_write(path, &e))?;
    file.persist(path).map_err(|e| cannot_write(path, &e.error))?;
    Ok(())
}

fn cannot_write(path: &Path, err: &dyn std::fmt::Display) -> Finding {
    Finding::new(
        codes::CANNOT_WRITE,
        format!("cannot write `{}`: {err}", path.display()),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// A text written as it is made reaches its file whole, or not at all: a writer that fails
    /// halfway leaves the old file as it was and no temporary file beside it.
    #[test]
    fn a_file_written_in_pieces_is_whole_or_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upgrade.sh");
        write_atomically_with(&path, true, |file| {
            file.write_all(b"first ")?;
            file.write_all(b"second\n")
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first second\n");
        let failed = write_atomically_with(&path, true, |file| {
            file.write_all(b"half")?;
            Err(std::io::Error::other("the renderer gave up"))
        })
        .unwrap_err();
        assert_eq!(failed.code, codes::CANNOT_WRITE);
        assert!(
            failed.message.contains("the renderer gave up"),
            "{}",
            failed.message
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first second\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
