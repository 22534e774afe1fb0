//! The line protocol between the suite and a peer.
//!
//! Both directions carry JSON objects. Signalling uses aiortc's format
//! (`type` = `offer` / `answer` / `candidate`); everything else is control:
//!
//! * to the peer, `{"cmd": ..}`: `pc` (a new connection, closing the last;
//!   answered by `ready`), `open_channel` (`label`, `ordered`,
//!   `maxRetransmits`, `maxPacketLifeTime`, `protocol`, `negotiated`, `id`),
//!   `offer` (make an offer and send it), `send` (`label` and `text` or
//!   `b64`), `send_random` (`label`, `bytes`, `chunk`: random binary
//!   messages, answered by `sent` with their SHA-256), `digest` (`label`:
//!   answered by `digest`, the SHA-256 of every binary byte received on it),
//!   `close_channel` (`label`), `close` (the connection), `quit`;
//! * from the peer, `{"ev": ..}`: `ready`, `open` (a channel is open, local
//!   or remote: `label`, `id`, `protocol`, `ordered`, `maxRetransmits`,
//!   `maxPacketLifeTime`, `negotiated`; null where the peer's API does not
//!   tell, and `reliabilityHidden: true` when it cannot tell the two
//!   limits of a channel the other side opened), `message` (`label` and
//!   `text`, or `len`, `sha256` and
//!   `b64` up to 1 KiB), `sent`, `digest`, `close` (`label`), `state`
//!   (`state`: the connection state), `error` (`message`), `log`.

use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// A live peer: send it lines, read its lines. Dropping it ends the peer.
#[derive(Debug)]
pub struct Link {
    /// Lines to the peer.
    pub tx: UnboundedSender<Value>,
    /// Lines from the peer; `None` once the peer is gone.
    pub rx: UnboundedReceiver<Value>,
}

impl Link {
    /// Two ends of an in-process link: (the suite's end, the peer's end).
    pub fn pair() -> (Link, Link) {
        let (to_peer, from_suite) = unbounded_channel();
        let (to_suite, from_peer) = unbounded_channel();
        (
            Link {
                tx: to_peer,
                rx: from_peer,
            },
            Link {
                tx: to_suite,
                rx: from_suite,
            },
        )
    }

    /// Starts `command` and links to its stdin/stdout (its stderr goes to
    /// ours, so the peer's own logs land in the test output). Panics if it
    /// cannot be started: a peer that cannot run fails the suite.
    pub fn spawn(name: &str, mut command: Command) -> Link {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {name} peer ({command:?}): {e}"));
        let mut stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (suite, mut peer) = Link::pair();
        // The writer owns the child: when the suite drops its end, the
        // writer ends and the child is killed.
        tokio::spawn(async move {
            while let Some(v) = peer.rx.recv().await {
                let mut line = v.to_string();
                line.push('\n');
                if stdin.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
                let _ = stdin.flush().await;
            }
            drop(stdin);
            let _ = child.kill().await;
        });
        let name = name.to_owned();
        let to_suite = peer.tx;
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) if v.is_object() => {
                        if to_suite.send(v).is_err() {
                            break;
                        }
                    }
                    // A library printing to stdout: keep it visible.
                    _ => eprintln!("[{name} stdout] {line}"),
                }
            }
        });
        suite
    }
}

/// Is this line a signalling message (aiortc's format)?
pub fn is_signalling(v: &Value) -> bool {
    v.get("type").is_some() && v.get("ev").is_none() && v.get("cmd").is_none()
}
