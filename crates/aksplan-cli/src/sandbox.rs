//! The child process that evaluates Rego, for `check` (`__policy-eval`) and `test`
//! (`__policy-test`), and the parent's watch over it.
//!
//! Rego runs in a child because regorus cannot stop everything itself: a recursive function
//! overflows the stack (OPA rejects those at compile time, regorus does not), and a builtin such as
//! `numbers.range(1, 1e9)` runs to its end without returning to the VM's timer. The child caps its
//! own memory; the parent kills it when one item (a rule, a test) runs past its time limit plus a
//! grace, or the whole run past its deadline, and reads what it was doing from its stderr.

use std::io::{BufRead, Read};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long past its time limit one item may run before the parent stops the child (the VM stops
/// it itself when it can; the grace covers a builtin finishing and the report).
pub const GRACE_MS: u64 = 1_000;

/// The line Rust's allocator prints before it aborts the process.
const OUT_OF_MEMORY: &str = "memory allocation of ";

/// Caps this process (the policy evaluator) at `mib` MiB, 0 for no cap. Past it an allocation
/// fails, and the process aborts with Rust's "memory allocation of N bytes failed", which the
/// parent reports as the memory limit. On Unix the data segment is capped (`RLIMIT_DATA`: the heap
/// and private writable mappings), not the address space, so that address space reserved but not
/// used does not count; the request already read counts. The hard limit is left as it is.
pub fn limit_memory(mib: u64) {
    if mib == 0 {
        return;
    }
    #[cfg(unix)]
    {
        let resource = rlimit::Resource::DATA;
        if let Ok((_, hard)) = resource.get() {
            let _ = resource.set(mib.saturating_mul(1024 * 1024).min(hard), hard);
        }
    }
}

/// How to run one child.
pub struct Watch<'a> {
    /// The hidden subcommand (`__policy-eval`).
    pub subcommand: &'a str,
    /// The prefix of the stderr line the child writes before each item.
    pub announce: &'a str,
    /// How long one item may run, counted from its announcement.
    pub per_item: Duration,
    /// How long the whole child may run.
    pub deadline: Duration,
}

/// How a child ended.
pub struct Ended {
    /// `None` when the parent stopped it: an item or the whole run took too long.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Ended {
    /// The rest of the last announcement line: what the child was doing when it ended.
    pub fn last_announced(&self, announce: &str) -> Option<String> {
        String::from_utf8_lossy(&self.stderr)
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix(announce).map(str::to_owned))
    }

    /// The child aborted on a failed allocation (the memory limit, or the machine's).
    pub fn out_of_memory(&self) -> bool {
        self.status.is_some_and(|s| !s.success())
            && String::from_utf8_lossy(&self.stderr).contains(OUT_OF_MEMORY)
    }
}

/// Starts this binary's `watch.subcommand`, hands its stdin to `send` (on this thread; a write
/// error means the child died early, and its status says why), and waits for it under the limits.
pub fn run(watch: &Watch<'_>, send: impl FnOnce(ChildStdin)) -> std::io::Result<Ended> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg(watch.subcommand)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(stdin) = child.stdin.take() {
        send(stdin);
    }
    let mut stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // The child's stdout reaches its end when the child exits: the reader says so at once, so
    // the wait below wakes on completion instead of on its next poll.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let out_reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut out);
        }
        let _ = done_tx.send(());
        out
    });
    // Stderr is read as it comes, on its own thread: the time since the last announcement is how
    // long the current item has run. (Read after stdout instead, a child announcing many items
    // would also fill the pipe and stall.)
    let started = Instant::now();
    let current = Arc::new(Mutex::new(None::<Instant>));
    let err_reader = {
        let current = Arc::clone(&current);
        let announce = watch.announce.as_bytes().to_vec();
        std::thread::spawn(move || {
            let mut err = Vec::new();
            if let Some(s) = stderr {
                for line in std::io::BufReader::new(s).split(b'\n').map_while(Result::ok) {
                    if line.starts_with(&announce)
                        && let Ok(mut since) = current.lock()
                    {
                        *since = Some(Instant::now());
                    }
                    err.extend_from_slice(&line);
                    err.push(b'\n');
                }
            }
            err
        })
    };
    let mut finished = false;
    let status = loop {
        let item_overran = current
            .lock()
            .ok()
            .and_then(|since| *since)
            .is_some_and(|since| since.elapsed() > watch.per_item);
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if item_overran || started.elapsed() > watch.deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            // Woken at once when the child's output ends (it is exiting), else every 5 ms to
            // check the limits.
            Ok(None) if finished => std::thread::sleep(Duration::from_micros(100)),
            Ok(None) => finished = done_rx.recv_timeout(Duration::from_millis(5)).is_ok(),
            Err(_) => break None,
        }
    };
    Ok(Ended {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}
