//! Running the `sanderling` binary (and its peers) as child processes:
//! output read line by line on threads, waited for with generous
//! timeouts, children killed when a test ends however it ends.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Long enough for a loaded shared machine; nothing is timed.
pub(crate) const PATIENCE: Duration = Duration::from_secs(90);

/// The directory cargo builds into (`target/` or `$CARGO_TARGET_DIR`).
pub(crate) fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_sanderling"));
    bin.parent()
        .and_then(Path::parent)
        .expect("the binary is in <target>/<profile>/")
        .to_owned()
}

/// A scratch directory of its own under the target directory.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = target_dir()
        .join("cli-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A TCP port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Which stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    Out,
    Err,
}

/// A child process whose output lines are collected as they come.
#[derive(Debug)]
pub(crate) struct Proc {
    pub(crate) name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<(Stream, String)>,
    /// Every line so far, in order.
    pub(crate) seen: Vec<(Stream, String)>,
}

impl Proc {
    pub(crate) fn sanderling(args: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sanderling"));
        cmd.args(args);
        Self::spawn("sanderling", cmd)
    }

    pub(crate) fn spawn(name: &str, mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let (tx, lines) = channel();
        let out = child.stdout.take().expect("piped");
        let err = child.stderr.take().expect("piped");
        for (stream, pipe) in [
            (Stream::Out, Box::new(out) as Box<dyn std::io::Read + Send>),
            (Stream::Err, Box::new(err)),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if tx.send((stream, line)).is_err() {
                        break;
                    }
                }
            });
        }
        Self {
            name: name.to_owned(),
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Everything printed so far, for failure messages.
    pub(crate) fn transcript(&self) -> String {
        let mut s = String::new();
        for (stream, line) in &self.seen {
            let tag = if *stream == Stream::Out { "out" } else { "err" };
            s.push_str(&format!("[{} {tag}] {line}\n", self.name));
        }
        s
    }

    /// Waits for a line on `stream` that contains `needle`; returns it.
    pub(crate) fn wait_for(&mut self, stream: Stream, needle: &str) -> String {
        if let Some((_, l)) = self
            .seen
            .iter()
            .find(|(s, l)| *s == stream && l.contains(needle))
        {
            return l.clone();
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((s, line)) => {
                    self.seen.push((s, line.clone()));
                    if s == stream && line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{} printed no {needle:?} within {} s:\n{}",
                    self.name,
                    PATIENCE.as_secs(),
                    self.transcript()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "{} ended without printing {needle:?}:\n{}",
                    self.name,
                    self.transcript()
                ),
            }
        }
    }

    pub(crate) fn write_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").expect("write to the child's stdin");
        stdin.flush().expect("flush");
    }

    pub(crate) fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the exit (and the rest of the output).
    pub(crate) fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(5)) {
                    self.seen.push(l);
                }
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {} s:\n{}",
                self.name,
                PATIENCE.as_secs(),
                self.transcript()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python that has aiortc: `$SANDERLING_AIORTC_PYTHON`, else the venv
/// `scripts/cli-test-deps` makes in the target directory. Missing aiortc
/// fails the test: interop that silently skips proves nothing.
pub(crate) fn aiortc_python() -> PathBuf {
    let python = std::env::var_os("SANDERLING_AIORTC_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("interop-venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import aiortc"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "no aiortc at {} : run ./scripts/cli-test-deps (with the same CARGO_TARGET_DIR), \
         or point SANDERLING_AIORTC_PYTHON at a Python that has aiortc 1.16",
        python.display()
    );
    python
}
