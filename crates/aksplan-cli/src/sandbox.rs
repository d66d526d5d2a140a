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
    /// The prefix of the stderr line the child writes when an item is done, for a child that
    /// runs several at once; `None`: one at a time, each announcement ends the item before it.
    pub finished: Option<&'static str>,
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
            finished: None,
            per_item: Duration::from_millis(time_ms.saturating_add(GRACE_MS)),
            deadline: Duration::from_millis(
                time_ms
                    .saturating_mul(items.max(1) as u64)
                    .saturating_add(START_MS),
            ),
        }
    }

    /// Items run several at once, each ended by a line that starts with `prefix`.
    #[must_use]
    pub fn finishing_with(mut self, prefix: &'static str) -> Self {
        self.finished = Some(prefix);
        self
    }
}

/// The items a child is running, as its stderr announced them.
#[derive(Default)]
struct Items {
    /// Oldest first, with when each started.
    running: Vec<(String, Instant)>,
    /// The last one announced.
    last: Option<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It wrote its whole answer, the first line of its stdout; how it exits after that changes
    /// nothing (it is reaped by [`reap`]).
    Answered,
    /// It exited without a whole answer line (or with one, when its exit came first).
    Exited(ExitStatus),
    /// The parent stopped it: an item or the whole run took too long.
    Stopped,
}

/// A child's end and what it wrote.
pub struct Ended {
    pub end: End,
    /// Its answer line when it answered, else all it wrote.
    pub stdout: Vec<u8>,
    /// Empty when it answered (what it announced no longer matters).
    pub stderr: Vec<u8>,
    /// The items it had started and not finished when it ended, oldest first (empty when it
    /// answered).
    pub running: Vec<String>,
    /// The last item it announced.
    pub last: Option<String>,
}

impl Ended {
    /// An end with nothing read.
    fn bare(end: End) -> Self {
        Self {
            end,
            stdout: Vec::new(),
            stderr: Vec::new(),
            running: Vec::new(),
            last: None,
        }
    }

    /// What the child was doing when it ended: the oldest item it had not finished (the first
    /// to run past its limit), else the last it announced.
    pub fn blamed(&self) -> Option<&str> {
        self.running.first().or(self.last.as_ref()).map(String::as_str)
    }

    /// The child aborted on a failed allocation (the memory limit, or the machine's).
    pub fn out_of_memory(&self) -> bool {
        matches!(self.end, End::Exited(status) if !status.success())
            && String::from_utf8_lossy(&self.stderr).contains(OUT_OF_MEMORY)
    }
}

/// A child started and not yet waited for. Dropped unfinished (the plan turned out to have
/// errors, say), it is killed.
pub struct Running {
    /// `None` once it answered and was handed to [`reap`].
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    watch: Watch,
    /// The items running, from the child's stderr.
    items: Arc<Mutex<Items>>,
    out_reader: Option<JoinHandle<Vec<u8>>>,
    err_reader: Option<JoinHandle<Vec<u8>>>,
    /// From the stdout reader: `Some(line)` when the answer line is whole, `None` when the
    /// output ended (the child is exiting).
    events: Receiver<Option<Vec<u8>>>,
}

/// Children that answered and are left to exit on their own, waited for by [`reap`].
static EXITING: Mutex<Vec<Child>> = Mutex::new(Vec::new());

/// Waits for the children that answered (each has finished its work and is only exiting), so
/// that none outlives this process and their resources count as this process's children's
/// (what `wait4` on aksplan reports). One still there after a few seconds is killed. Called by
/// `main` before it returns.
pub fn reap() {
    let children = std::mem::take(&mut *EXITING.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    for mut child in children {
        let started = Instant::now();
        while matches!(child.try_wait(), Ok(None)) {
            if started.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }
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
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // The child answers in one line (JSON, which never holds a raw newline): the reader hands
    // it over as soon as it is whole, so the parent need not wait for the child to exit (tearing
    // down a process is ~1 ms on one cluster, tens of ms on a large input). Then it says when
    // the output ends (the child exits), so that `finish` wakes at once instead of on its next
    // poll.
    let (events_tx, events) = std::sync::mpsc::channel::<Option<Vec<u8>>>();
    let out_reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout {
            let mut s = std::io::BufReader::new(s);
            if s.read_until(b'\n', &mut out).is_ok() && out.ends_with(b"\n") {
                let _ = events_tx.send(Some(std::mem::take(&mut out)));
            }
            let _ = s.read_to_end(&mut out);
        }
        let _ = events_tx.send(None);
        out
    });
    // Stderr is read as it comes, on its own thread: the time since an item's announcement is
    // how long it has run. (Read after stdout instead, a child announcing many items would also
    // fill the pipe and stall.)
    let items = Arc::new(Mutex::new(Items::default()));
    let err_reader = {
        let items = Arc::clone(&items);
        let announce = watch.announce.as_bytes();
        let finished = watch.finished.map(str::as_bytes);
        std::thread::spawn(move || {
            let mut err = Vec::new();
            if let Some(s) = stderr {
                for line in std::io::BufReader::new(s).split(b'\n').map_while(Result::ok) {
                    let name = |prefix: &[u8]| String::from_utf8_lossy(&line[prefix.len()..]).into_owned();
                    if let Ok(mut items) = items.lock() {
                        if line.starts_with(announce) {
                            if finished.is_none() {
                                items.running.clear();
                            }
                            let item = name(announce);
                            items.running.push((item.clone(), Instant::now()));
                            items.last = Some(item);
                        } else if let Some(prefix) = finished.filter(|p| line.starts_with(p)) {
                            let item = name(prefix);
                            if let Some(at) = items.running.iter().position(|(name, _)| *name == item) {
                                items.running.remove(at);
                            }
                        }
                    }
                    err.extend_from_slice(&line);
                    err.push(b'\n');
                }
            }
            err
        })
    };
    Ok(Running {
        child: Some(child),
        stdin,
        watch,
        items,
        out_reader: Some(out_reader),
        err_reader: Some(err_reader),
        events,
    })
}

impl Running {
    /// The child's stdin, for what it may start on before the rest is known. A write error
    /// means the child died early; `finish` says why.
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.stdin.as_mut()
    }

    /// Hands the child's stdin to `send` for the rest of its request (closed when `send`
    /// returns), then waits for its answer, or its end, under the limits.
    pub fn finish(mut self, send: impl FnOnce(ChildStdin)) -> Ended {
        if let Some(stdin) = self.stdin.take() {
            send(stdin);
        }
        // Only `finish`, which consumes `self`, takes the child.
        let Some(mut child) = self.child.take() else {
            return Ended::bare(End::Stopped);
        };
        let started = Instant::now();
        let mut output_ended = false;
        let end = loop {
            let item_overran = self.items.lock().is_ok_and(|items| {
                items
                    .running
                    .iter()
                    .any(|(_, since)| since.elapsed() > self.watch.per_item)
            });
            match child.try_wait() {
                Ok(Some(status)) => break End::Exited(status),
                Ok(None) if item_overran || started.elapsed() > self.watch.deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break End::Stopped;
                }
                Ok(None) if output_ended => std::thread::sleep(Duration::from_micros(100)),
                // Woken at once by the answer or the end of the output, else every 5 ms to
                // check the limits.
                Ok(None) => match self.events.recv_timeout(Duration::from_millis(5)) {
                    Ok(Some(line)) => {
                        // Its work is done; its exit is left to `reap`, and what it announced
                        // to the reader, which ends with it.
                        EXITING
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(child);
                        self.out_reader = None;
                        self.err_reader = None;
                        return Ended {
                            stdout: line,
                            ..Ended::bare(End::Answered)
                        };
                    }
                    Ok(None) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => output_ended = true,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                },
                Err(_) => break End::Stopped,
            }
        };
        let join =
            |reader: Option<JoinHandle<Vec<u8>>>| reader.and_then(|r| r.join().ok()).unwrap_or_default();
        let mut stdout = join(self.out_reader.take());
        let mut end = end;
        // The exit was seen before the answer line the reader had handed over: the answer counts
        // (a child stopped by the parent never answered).
        while let Ok(event) = self.events.try_recv() {
            if let (Some(line), End::Exited(_)) = (event, end) {
                stdout = line;
                end = End::Answered;
            }
        }
        let stderr = join(self.err_reader.take());
        let (running, last) = self.items.lock().map_or_else(
            |_| (Vec::new(), None),
            |items| {
                let running = items.running.iter().map(|(name, _)| name.clone()).collect();
                (running, items.last.clone())
            },
        );
        Ended {
            end,
            stdout,
            stderr,
            running,
            last,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // `finish` takes the child: one still here was never waited for.
        if let Some(mut child) = self.child.take() {
            drop(self.stdin.take());
            let _ = child.kill();
            let _ = child.wait();
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
        shell_with(script, per_item_ms, deadline_ms, None)
    }

    fn shell_with(
        script: &str,
        per_item_ms: u64,
        deadline_ms: u64,
        finished: Option<&'static str>,
    ) -> Running {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        let watch = Watch {
            subcommand: "",
            announce: "item ",
            finished,
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
        assert!(matches!(ended.end, End::Exited(s) if s.success()));
        assert_eq!(ended.stdout, b"request");
        assert_eq!(ended.blamed(), Some("b"));
        assert!(!ended.out_of_memory());
    }

    /// The watchdog: an item that overruns (a builtin that never returns to the VM's timer) is
    /// stopped long before the child would end by itself.
    #[test]
    fn an_item_past_its_limit_is_stopped() {
        let ended = shell("echo 'item slow' >&2; exec sleep 60", 200, 600_000).finish(drop);
        assert_eq!(ended.end, End::Stopped);
        assert_eq!(ended.blamed(), Some("slow"));
    }

    /// The answer is the first whole line: the parent goes on without waiting for the exit, and
    /// `reap` waits for it later (here, stops it: the sleep outlasts its patience).
    #[test]
    fn a_whole_answer_line_ends_the_wait() {
        let ended = shell(
            "printf 'answer\\n'; echo 'item a' >&2; exec sleep 60",
            60_000,
            60_000,
        )
        .finish(drop);
        assert_eq!(ended.end, End::Answered);
        assert_eq!(ended.stdout, b"answer\n");
        // Not waited for: still running (its sleep), left to `reap`.
        let still_running = EXITING
            .lock()
            .unwrap()
            .iter_mut()
            .any(|child| matches!(child.try_wait(), Ok(None)));
        assert!(still_running);
        reap();
        assert!(EXITING.lock().unwrap().is_empty());
    }

    /// Half a line is no answer: the exit decides.
    #[test]
    fn a_partial_answer_is_not_an_answer() {
        let ended = shell("printf 'ans'; exit 3", 60_000, 60_000).finish(drop);
        assert!(matches!(ended.end, End::Exited(s) if s.code() == Some(3)));
        assert_eq!(ended.stdout, b"ans");
    }

    /// Items that run several at once: one that overruns is stopped and blamed while the others
    /// start and finish around it.
    #[test]
    fn an_item_past_its_limit_is_blamed_among_several() {
        let script = "echo 'item slow' >&2; echo 'item a' >&2; echo 'done a' >&2; echo 'item b' >&2; echo 'done b' >&2; exec sleep 60";
        let ended = shell_with(script, 200, 600_000, Some("done ")).finish(drop);
        assert_eq!(ended.end, End::Stopped);
        assert_eq!(ended.running, ["slow"]);
        assert_eq!(ended.blamed(), Some("slow"));
        assert_eq!(ended.last.as_deref(), Some("b"));
    }

    /// A finished item no longer runs: stopped at the deadline, nothing is running, and the last
    /// item announced is what the child was doing.
    #[test]
    fn a_finished_item_does_not_run_on() {
        let ended = shell_with(
            "echo 'item a' >&2; echo 'done a' >&2; exec sleep 60",
            200,
            1_500,
            Some("done "),
        )
        .finish(drop);
        assert_eq!(ended.end, End::Stopped);
        assert!(ended.running.is_empty(), "{:?}", ended.running);
        assert_eq!(ended.blamed(), Some("a"));
    }

    #[test]
    fn a_child_past_the_deadline_is_stopped() {
        let ended = shell("exec sleep 60", 600_000, 200).finish(drop);
        assert_eq!(ended.end, End::Stopped);
        assert_eq!(ended.blamed(), None);
    }

    #[test]
    fn a_child_dropped_unfinished_is_killed() {
        let running = shell("exec sleep 60", 600_000, 600_000);
        let pid = running.child.as_ref().unwrap().id().to_string();
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
