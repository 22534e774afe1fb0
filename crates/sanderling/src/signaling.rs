//! Signalling helpers in aiortc's wire format (`aiortc.contrib.signaling`),
//! so that programs built on sanderling and aiortc's examples
//! (`datachannel-cli`, `datachannel-filexfer`) can talk.
//!
//! Each message is one JSON object on one line:
//! `{"sdp": "...", "type": "offer"}` (or `"answer"`),
//! `{"candidate": "candidate:...", "id": "0", "label": 0, "type": "candidate"}`,
//! `{"type": "bye"}`. Three carriers, as in aiortc: a TCP socket
//! ([`TcpSignaling`]: whoever sends first listens, whoever receives first
//! connects), a Unix socket ([`UnixSignaling`], same rule) and the terminal
//! ([`CopyAndPasteSignaling`]).
//!
//! ```
//! use sanderling::signaling::SignalingMessage;
//! use sanderling::{SdpType, SessionDescription};
//! let offer = SignalingMessage::Description(SessionDescription::new(SdpType::Offer, "v=0\r\n"));
//! let line = offer.to_json();
//! assert_eq!(line, r#"{"sdp":"v=0\r\n","type":"offer"}"#);
//! assert_eq!(SignalingMessage::from_json(&line).unwrap(), offer);
//! ```

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

use crate::description::{IceCandidate, SdpType, SessionDescription};
use crate::error::Error;

/// Longest line accepted from the other side (a description is a few KiB).
const MAX_LINE: usize = 1 << 20;
/// How long the connecting side keeps trying while nobody listens yet.
const CONNECT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// Connects with `connect`, trying again while the listener is not there
/// yet (refused, or no socket file), for [`CONNECT_PATIENCE`].
async fn connect_patiently<T, F, Fut>(mut connect: F) -> io::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = io::Result<T>>,
{
    let deadline = tokio::time::Instant::now() + CONNECT_PATIENCE;
    loop {
        match connect().await {
            Ok(s) => return Ok(s),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
                ) && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One signalling message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignalingMessage {
    /// An offer or answer (aiortc sends and accepts only these two).
    Description(SessionDescription),
    /// A trickled candidate. aiortc never sends these (its candidates are
    /// in the descriptions) and cannot read an empty one (end of
    /// candidates): don't send that to aiortc.
    Candidate(IceCandidate),
    /// The session is over.
    Bye,
}

impl SignalingMessage {
    /// The JSON object, keys sorted as aiortc writes them, without a line
    /// end.
    pub fn to_json(&self) -> String {
        let v = match self {
            Self::Description(d) => json!({"sdp": d.sdp, "type": d.sdp_type.as_str()}),
            Self::Candidate(c) => json!({
                "candidate": c.candidate,
                "id": c.sdp_mid,
                "label": c.sdp_m_line_index,
                "type": "candidate",
            }),
            Self::Bye => json!({"type": "bye"}),
        };
        v.to_string()
    }

    /// Reads one message. `OperationError` for anything that is not one of
    /// the three shapes.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::Operation(format!("signalling message: {why}"));
        let v: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no type"))?;
        match kind {
            "offer" | "answer" | "pranswer" | "rollback" => {
                let sdp_type: SdpType = kind.parse()?;
                let sdp = v
                    .get("sdp")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("no sdp"))?;
                Ok(Self::Description(SessionDescription::new(sdp_type, sdp)))
            }
            "candidate" => {
                let candidate = v
                    .get("candidate")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("no candidate"))?;
                let sdp_mid = v.get("id").and_then(Value::as_str).map(str::to_owned);
                let sdp_m_line_index = v
                    .get("label")
                    .and_then(Value::as_u64)
                    .and_then(|n| u16::try_from(n).ok());
                Ok(Self::Candidate(IceCandidate {
                    candidate: candidate.to_owned(),
                    sdp_mid,
                    sdp_m_line_index,
                }))
            }
            "bye" => Ok(Self::Bye),
            other => Err(bad(&format!("unknown type {other:?}"))),
        }
    }
}

/// A line-per-message connection over any byte stream.
#[derive(Debug)]
struct Lines<R, W> {
    reader: BufReader<R>,
    writer: W,
    /// The line read so far (kept across a cancelled `recv`).
    buf: Vec<u8>,
}

impl<R: tokio::io::AsyncRead + Unpin, W: AsyncWrite + Unpin> Lines<R, W> {
    fn new(reader: R, writer: W) -> Self {
        Self {
            reader: BufReader::new(reader),
            writer,
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, m: &SignalingMessage) -> io::Result<()> {
        let mut text = m.to_json();
        text.push('\n');
        self.writer.write_all(text.as_bytes()).await?;
        self.writer.flush().await
    }

    /// The next message; `None` at the end of the stream. Blank lines are
    /// skipped. Cancel-safe: a partly read line is kept for the next call.
    async fn recv(&mut self) -> Result<Option<SignalingMessage>, Error> {
        loop {
            let room = (MAX_LINE + 1).saturating_sub(self.buf.len()) as u64;
            let n = (&mut self.reader)
                .take(room)
                .read_until(b'\n', &mut self.buf)
                .await?;
            if self.buf.last() != Some(&b'\n') {
                if n == 0 && self.buf.is_empty() {
                    return Ok(None);
                }
                if self.buf.len() > MAX_LINE {
                    self.buf.clear();
                    return Err(Error::Operation("signalling line too long".into()));
                }
                if n != 0 {
                    continue;
                }
                // End of stream after a last line without a line end.
            }
            let line = std::mem::take(&mut self.buf);
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if !text.is_empty() {
                return SignalingMessage::from_json(text).map(Some);
            }
            if n == 0 {
                return Ok(None);
            }
        }
    }
}

type TcpLines = Lines<tokio::net::tcp::OwnedReadHalf, tokio::net::tcp::OwnedWriteHalf>;
type UnixLines = Lines<tokio::net::unix::OwnedReadHalf, tokio::net::unix::OwnedWriteHalf>;

/// aiortc's `TcpSocketSignaling`: the side that sends first listens on
/// `addr` and waits for one connection; the side that receives first
/// connects to it (trying for up to 10 s while nobody listens yet, so the
/// two may start in any order). Dropping it (or [`close`](Self::close))
/// ends the session.
#[derive(Debug)]
pub struct TcpSignaling {
    addr: SocketAddr,
    lines: Option<TcpLines>,
}

impl TcpSignaling {
    /// Signalling on `addr` (aiortc's default is 127.0.0.1:1234).
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, lines: None }
    }

    async fn connected(&mut self, listen: bool) -> io::Result<&mut TcpLines> {
        if self.lines.is_none() {
            let stream = if listen {
                let listener = TcpListener::bind(self.addr).await?;
                listener.accept().await?.0
            } else {
                let addr = self.addr;
                connect_patiently(|| TcpStream::connect(addr)).await?
            };
            let (r, w) = stream.into_split();
            self.lines = Some(Lines::new(r, w));
        }
        Ok(self.lines.as_mut().expect("just set"))
    }

    /// Sends a message (listening first if nothing is connected yet).
    pub async fn send(&mut self, m: &SignalingMessage) -> Result<(), Error> {
        Ok(self.connected(true).await?.send(m).await?)
    }

    /// The next message (connecting first if nothing is connected yet);
    /// `None` when the other side closed. Cancel-safe once connected (a
    /// partly read line is kept), so it can sit in a `tokio::select!`.
    pub async fn recv(&mut self) -> Result<Option<SignalingMessage>, Error> {
        self.connected(false).await?.recv().await
    }

    /// Sends BYE (if connected) and closes.
    pub async fn close(&mut self) {
        if let Some(mut lines) = self.lines.take() {
            let _ = lines.send(&SignalingMessage::Bye).await;
        }
    }
}

/// aiortc's `UnixSocketSignaling`: [`TcpSignaling`]'s rules on a socket
/// path (the listener removes a stale file first).
#[derive(Debug)]
pub struct UnixSignaling {
    path: PathBuf,
    lines: Option<UnixLines>,
}

impl UnixSignaling {
    /// Signalling on the socket at `path` (aiortc's default is
    /// `aiortc.socket`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lines: None,
        }
    }

    async fn connected(&mut self, listen: bool) -> io::Result<&mut UnixLines> {
        if self.lines.is_none() {
            let stream = if listen {
                let _ = std::fs::remove_file(&self.path);
                let listener = UnixListener::bind(&self.path)?;
                listener.accept().await?.0
            } else {
                let path = self.path.clone();
                connect_patiently(|| UnixStream::connect(path.clone())).await?
            };
            let (r, w) = stream.into_split();
            self.lines = Some(Lines::new(r, w));
        }
        Ok(self.lines.as_mut().expect("just set"))
    }

    /// Sends a message (listening first if nothing is connected yet).
    pub async fn send(&mut self, m: &SignalingMessage) -> Result<(), Error> {
        Ok(self.connected(true).await?.send(m).await?)
    }

    /// The next message (connecting first if nothing is connected yet);
    /// `None` when the other side closed. Cancel-safe once connected (a
    /// partly read line is kept), so it can sit in a `tokio::select!`.
    pub async fn recv(&mut self) -> Result<Option<SignalingMessage>, Error> {
        self.connected(false).await?.recv().await
    }

    /// Sends BYE (if connected) and closes.
    pub async fn close(&mut self) {
        if let Some(mut lines) = self.lines.take() {
            let _ = lines.send(&SignalingMessage::Bye).await;
        }
    }
}

/// aiortc's `CopyAndPasteSignaling`: messages are printed for the user to
/// carry to the other side, and read from standard input.
#[derive(Debug)]
pub struct CopyAndPasteSignaling {
    lines: Lines<tokio::io::Stdin, tokio::io::Stdout>,
}

impl Default for CopyAndPasteSignaling {
    fn default() -> Self {
        Self::new()
    }
}

impl CopyAndPasteSignaling {
    /// Signalling on this process's terminal.
    pub fn new() -> Self {
        Self {
            lines: Lines::new(tokio::io::stdin(), tokio::io::stdout()),
        }
    }

    /// Prints the message between aiortc's banner and a blank line.
    pub async fn send(&mut self, m: &SignalingMessage) -> Result<(), Error> {
        let text = format!(
            "-- Please send this message to the remote party --\n{}\n\n",
            m.to_json()
        );
        let out = &mut self.lines.writer;
        out.write_all(text.as_bytes()).await?;
        out.flush().await?;
        Ok(())
    }

    /// Asks for a message and reads it from standard input.
    pub async fn recv(&mut self) -> Result<Option<SignalingMessage>, Error> {
        let out = &mut self.lines.writer;
        out.write_all(b"-- Please enter a message from remote party --\n")
            .await?;
        out.flush().await?;
        self.lines.recv().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_shapes_round_trip() {
        let candidate = SignalingMessage::Candidate(IceCandidate {
            candidate: "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host".into(),
            sdp_mid: Some("0".into()),
            sdp_m_line_index: Some(0),
        });
        assert_eq!(
            candidate.to_json(),
            r#"{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host","id":"0","label":0,"type":"candidate"}"#
        );
        for m in [
            candidate,
            SignalingMessage::Bye,
            SignalingMessage::Description(SessionDescription::new(SdpType::Answer, "v=0\r\n")),
        ] {
            assert_eq!(SignalingMessage::from_json(&m.to_json()).unwrap(), m);
        }
    }

    #[test]
    fn reads_what_aiortc_writes() {
        // Python's json.dumps(sort_keys=True): spaces after separators.
        let m = SignalingMessage::from_json(r#"{"sdp": "v=0\r\n", "type": "offer"}"#).unwrap();
        assert_eq!(
            m,
            SignalingMessage::Description(SessionDescription::new(SdpType::Offer, "v=0\r\n"))
        );
        assert_eq!(
            SignalingMessage::from_json(r#"{"type": "bye"}"#).unwrap(),
            SignalingMessage::Bye
        );
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"type": "offer"}"#,
            r#"{"type": "hello"}"#,
            r#"{"type": "candidate"}"#,
            "not json",
        ] {
            assert_eq!(
                SignalingMessage::from_json(bad).unwrap_err().w3c_name(),
                "OperationError",
                "{bad}"
            );
        }
    }
}
