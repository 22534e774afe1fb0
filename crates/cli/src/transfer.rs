//! The file-transfer protocol on one ordered, reliable channel, used by
//! `sanderling demo`, `send`/`recv` and the browser page of `serve`:
//!
//! 1. text `{"type":"file","name":N,"size":S}` (size may be absent when
//!    the sender reads a stream of unknown length);
//! 2. the bytes, in binary messages, paced by the buffered amount;
//! 3. text `{"type":"end","size":S,"sha256":H}`;
//! 4. the receiver answers `{"type":"received","size":S,"sha256":H}` with
//!    what it counted and hashed itself, so both sides report the check.
//!
//! The hash goes at the end so that the sender reads its source once.

use std::time::{Duration, Instant};

use aws_lc_rs::digest::{Context as Digest, SHA256};
use sanderling::{Bytes, DataChannel, Message};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::fail::{Context, Fail};
use crate::progress::Progress;

/// Bytes per binary message: 64 KiB is the largest aiortc accepts, well
/// under ours and browsers' 256 KiB.
pub(crate) const CHUNK: usize = 64 << 10;
/// The sender waits while more than this is queued: enough to keep a fast
/// link busy, little memory.
const LOW_WATER: usize = 1 << 20;

/// The end of a transfer, as one side saw it.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) name: String,
    pub(crate) bytes: u64,
    /// Our SHA-256, hex.
    pub(crate) sha256: String,
    /// The other side's SHA-256 of the same bytes, hex.
    pub(crate) peer_sha256: String,
    /// From the first byte to the end (sender: to the receiver's answer).
    pub(crate) elapsed: Duration,
}

impl Outcome {
    pub(crate) fn hashes_equal(&self) -> bool {
        self.sha256 == self.peer_sha256
    }

    pub(crate) fn rate(&self) -> String {
        let secs = self.elapsed.as_secs_f64().max(1e-6);
        let per_s = self.bytes as f64 / secs;
        format!(
            "{:.1} MiB/s ({:.0} Mbit/s)",
            per_s / (1 << 20) as f64,
            per_s * 8.0 / 1e6
        )
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(m: &Value) -> Message {
    Message::Text(m.to_string())
}

fn closed() -> Fail {
    Fail::from("the peer closed the channel before the transfer finished")
}

/// Reads the next text message as JSON of the given `type`.
async fn expect_json(ch: &DataChannel, kind: &str) -> Result<Value, Fail> {
    let unexpected = |what: &str| Fail(format!("the peer sent {what} where {kind:?} was expected"));
    match ch.recv().await.ok_or_else(closed)? {
        Message::Text(t) => serde_json::from_str::<Value>(&t)
            .ok()
            .filter(|v| v.get("type").and_then(Value::as_str) == Some(kind))
            .ok_or_else(|| unexpected(&format!("{t:?}"))),
        Message::Binary(_) => Err(unexpected("bytes")),
    }
}

/// Sends `src` as `name` on `ch` (open, ordered, reliable) and waits for
/// the receiver's check.
pub(crate) async fn send_stream<R: AsyncRead + Unpin>(
    ch: &DataChannel,
    mut src: R,
    name: &str,
    size: Option<u64>,
    progress: &mut Progress,
) -> Result<Outcome, Fail> {
    ch.set_buffered_amount_low_threshold(LOW_WATER);
    let mut meta = json!({"type": "file", "name": name});
    if let Some(size) = size {
        meta["size"] = json!(size);
    }
    ch.send(text(&meta))?;
    let start = Instant::now();
    let mut digest = Digest::new(&SHA256);
    let mut total = 0u64;
    loop {
        let mut buf = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            let n = src
                .read(&mut buf[filled..])
                .await
                .context(|| format!("cannot read {name}"))?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        buf.truncate(filled);
        digest.update(&buf);
        ch.send_wait(Bytes::from(buf)).await?;
        total += filled as u64;
        progress.add(filled as u64);
        if filled < CHUNK {
            break;
        }
    }
    let sha256 = hex(digest.finish().as_ref());
    ch.send(text(
        &json!({"type": "end", "size": total, "sha256": sha256}),
    ))?;
    let answer = expect_json(ch, "received").await?;
    progress.finish();
    Ok(Outcome {
        name: name.to_owned(),
        bytes: answer.get("size").and_then(Value::as_u64).unwrap_or(0),
        sha256,
        peer_sha256: answer
            .get("sha256")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        elapsed: start.elapsed(),
    })
}

/// What the sender announced before the bytes.
#[derive(Debug)]
pub(crate) struct Announced {
    pub(crate) name: String,
    pub(crate) size: Option<u64>,
}

/// Receives one transfer on `ch`: `open` is given the announcement and
/// returns where the bytes go, and the progress to show.
pub(crate) async fn recv_stream<W, F>(ch: &DataChannel, open: F) -> Result<Outcome, Fail>
where
    W: AsyncWrite + Unpin,
    F: AsyncFnOnce(&Announced) -> Result<(W, Progress), Fail>,
{
    let meta = expect_json(ch, "file").await?;
    let announced = Announced {
        name: meta
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("received")
            .to_owned(),
        size: meta.get("size").and_then(Value::as_u64),
    };
    let (mut sink, mut progress) = open(&announced).await?;
    let start = Instant::now();
    let mut digest = Digest::new(&SHA256);
    let mut total = 0u64;
    let end = loop {
        match ch.recv().await.ok_or_else(closed)? {
            Message::Binary(b) => {
                digest.update(&b);
                sink.write_all(&b)
                    .await
                    .context(|| "cannot write what was received".to_owned())?;
                total += b.len() as u64;
                progress.add(b.len() as u64);
            }
            Message::Text(t) => {
                break serde_json::from_str::<Value>(&t)
                    .ok()
                    .filter(|v| v.get("type").and_then(Value::as_str) == Some("end"))
                    .ok_or_else(|| Fail(format!("the peer sent {t:?} in the middle of a file")))?;
            }
        }
    };
    sink.flush()
        .await
        .context(|| "cannot write what was received".to_owned())?;
    progress.finish();
    let elapsed = start.elapsed();
    let sha256 = hex(digest.finish().as_ref());
    ch.send(text(
        &json!({"type": "received", "size": total, "sha256": sha256}),
    ))?;
    Ok(Outcome {
        name: announced.name,
        bytes: total,
        sha256,
        peer_sha256: end
            .get("sha256")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        elapsed,
    })
}
