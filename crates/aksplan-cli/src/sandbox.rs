//! The child process that evaluates Rego, for `check` (`__policy-eval`) and `test`
//! (`__policy-test`), and the parent's watch over it.
//!
//! Rego runs in a child because regorus cannot stop everything itself: a recursive function
//! overflows the stack (OPA rejects those at compile time, regorus does not), and a builtin such as
//! `numbers.range(1, 1e9)` runs to its end without returning to the VM's timer. The child caps its
//! own memory; the parent kills it when one item (a rule, a test) runs past its time limit plus a
//! grace, or the whole run past its deadline, and reads what it was doing from its stderr.

use std::io::{BufRead, Read};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long past its time limit one item may run before the parent stops the child (the VM stops
/// it itself when it can; the grace covers a builtin finishing and the report).
const GRACE_MS: u64 = 1_000;

/// What the whole child may take beyond its items' limits: process start, reading the request.
const START_MS: u64 = 2_000;

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
pub struct Watch {
    /// The hidden subcommand (`__policy-eval`).
    pub subcommand: &'static str,
    /// The prefix of the stderr line the child writes before each item.
    pub announce: &'static str,
    /// How long one item may run, counted from its announcement.
    pub per_item: Duration,
    /// How long the whole child may run, counted from [`Running::finish`].
    pub deadline: Duration,
}

impl Watch {
    /// The watch over `items` items (rules, tests) of at most `time_ms` each: one may run its
    /// limit plus a grace, all of them together the sum of their limits plus start-up slack.
    pub fn new(subcommand: &'static str, announce: &'static str, time_ms: u64, items: usize) -> Self {
        Self {
            subcommand,
            announce,
            per_item: Duration::from_millis(time_ms.saturating_add(GRACE_MS)),
            deadline: Duration::from_millis(
                time_ms
                    .saturating_mul(items.max(1) as u64)
                    .saturating_add(START_MS),
            ),
        }
    }
}

/// The end of the sentence that reports a child stopped on memory, `mib` its limit (0: none).
pub fn memory_failure(mib: u64) -> String {
    if mib > 0 {
        format!("ran past the memory limit ({mib} MiB) and was stopped")
    } else {
        "ran out of memory".to_owned()
    }
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

/// A child started and not yet waited for. Dropped unfinished (the plan turned out to have
/// errors, say), it is killed.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    watch: Watch,
    /// When the current item was announced.
    current: Arc<Mutex<Option<Instant>>>,
    out_reader: Option<JoinHandle<Vec<u8>>>,
    err_reader: Option<JoinHandle<Vec<u8>>>,
    done: Receiver<()>,
}

/// Starts this binary's `watch.subcommand`, its output read as it comes.
pub fn spawn(watch: Watch) -> std::io::Result<Running> {
    let mut command = Command::new(std::env::current_exe()?);
    command.arg(watch.subcommand);
    // regorus' parser builds an `anyhow` error each time it backtracks; with `RUST_BACKTRACE=1`
    // in the environment (common on developers' machines) each one captured a backtrace, which
    // doubled the time to parse the starter pack. The child never shows a backtrace anyway.
    command.env("RUST_LIB_BACKTRACE", "0");
    spawn_command(command, watch)
}

/// Starts `command` under `watch` (any program; the tests use a shell).
fn spawn_command(mut command: Command, watch: Watch) -> std::io::Result<Running> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // The child's stdout reaches its end when the child exits: the reader says so at once, so
    // the wait in `finish` wakes on completion instead of on its next poll.
    let (done_tx, done) = std::sync::mpsc::channel::<()>();
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
    let current = Arc::new(Mutex::new(None::<Instant>));
    let err_reader = {
        let current = Arc::clone(&current);
        let announce = watch.announce.as_bytes();
        std::thread::spawn(move || {
            let mut err = Vec::new();
            if let Some(s) = stderr {
                for line in std::io::BufReader::new(s).split(b'\n').map_while(Result::ok) {
                    if line.starts_with(announce)
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
    Ok(Running {
        child,
        stdin,
        watch,
        current,
        out_reader: Some(out_reader),
        err_reader: Some(err_reader),
        done,
    })
}

impl Running {
    /// The child's stdin, for what it may start on before the rest is known. A write error
    /// means the child died early; `finish` says why.
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.stdin.as_mut()
    }

    /// Hands the child's stdin to `send` for the rest of its request (closed when `send`
    /// returns), then waits for the child under the limits.
    pub fn finish(mut self, send: impl FnOnce(ChildStdin)) -> Ended {
        if let Some(stdin) = self.stdin.take() {
            send(stdin);
        }
        let started = Instant::now();
        let mut finished = false;
        let status = loop {
            let item_overran = self
                .current
                .lock()
                .ok()
                .and_then(|since| *since)
                .is_some_and(|since| since.elapsed() > self.watch.per_item);
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if item_overran || started.elapsed() > self.watch.deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
                // Woken at once when the child's output ends (it is exiting), else every 5 ms to
                // check the limits.
                Ok(None) if finished => std::thread::sleep(Duration::from_micros(100)),
                Ok(None) => finished = self.done.recv_timeout(Duration::from_millis(5)).is_ok(),
                Err(_) => break None,
            }
        };
        let join =
            |reader: Option<JoinHandle<Vec<u8>>>| reader.and_then(|r| r.join().ok()).unwrap_or_default();
        Ended {
            status,
            stdout: join(self.out_reader.take()),
            stderr: join(self.err_reader.take()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // `finish` takes the readers: a child that still has them was never waited for.
        if self.out_reader.is_some() {
            drop(self.stdin.take());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts the child, hands it its whole request through `send`, and waits for it.
pub fn run(watch: Watch, send: impl FnOnce(ChildStdin)) -> std::io::Result<Ended> {
    Ok(spawn(watch)?.finish(send))
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// `script` in a shell. A script that sleeps `exec`s the sleep, so that killing the child
    /// kills the sleep too and its output pipes close (the parent's child has no children).
    fn shell(script: &str, per_item_ms: u64, deadline_ms: u64) -> Running {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        let watch = Watch {
            subcommand: "",
            announce: "item ",
            per_item: Duration::from_millis(per_item_ms),
            deadline: Duration::from_millis(deadline_ms),
        };
        spawn_command(command, watch).unwrap()
    }

    #[test]
    fn a_child_that_ends_gives_its_status_and_output() {
        let ended = shell("cat; echo 'item b' >&2", 60_000, 60_000).finish(|mut stdin| {
            let _ = std::io::Write::write_all(&mut stdin, b"request");
        });
        assert!(ended.status.is_some_and(|s| s.success()));
        assert_eq!(ended.stdout, b"request");
        assert_eq!(ended.last_announced("item ").as_deref(), Some("b"));
        assert!(!ended.out_of_memory());
    }

    /// The watchdog: an item that overruns (a builtin that never returns to the VM's timer) is
    /// stopped long before the child would end by itself.
    #[test]
    fn an_item_past_its_limit_is_stopped() {
        let ended = shell("echo 'item slow' >&2; exec sleep 60", 200, 600_000).finish(drop);
        assert_eq!(ended.status, None);
        assert_eq!(ended.last_announced("item ").as_deref(), Some("slow"));
    }

    #[test]
    fn a_child_past_the_deadline_is_stopped() {
        let ended = shell("exec sleep 60", 600_000, 200).finish(drop);
        assert_eq!(ended.status, None);
        assert_eq!(ended.last_announced("item "), None);
    }

    #[test]
    fn a_child_dropped_unfinished_is_killed() {
        let running = shell("exec sleep 60", 600_000, 600_000);
        let pid = running.child.id().to_string();
        drop(running);
        let alive = Command::new("kill").args(["-0", &pid]).status().unwrap();
        assert!(!alive.success(), "process {pid} is still running");
    }

    #[test]
    fn an_abort_on_allocation_is_out_of_memory() {
        let script = "echo 'memory allocation of 1073741824 bytes failed' >&2; exit 134";
        let ended = shell(script, 60_000, 60_000).finish(drop);
        assert!(ended.out_of_memory());
        assert_eq!(
            memory_failure(256),
            "ran past the memory limit (256 MiB) and was stopped"
        );
        assert_eq!(memory_failure(0), "ran out of memory");
    }
}
