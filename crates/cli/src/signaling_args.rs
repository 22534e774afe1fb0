//! The signalling flags of `chat`, `send` and `recv`, named as in aiortc's
//! examples (`--signaling`, `--signaling-host`, `--signaling-port`,
//! `--signaling-path`), and the carrier they choose, with errors that say
//! which flag to change.

use std::io::ErrorKind;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use sanderling::Configuration;
use sanderling::signaling::{CopyAndPasteSignaling, SignalingMessage, TcpSignaling, UnixSignaling};

use crate::fail::Fail;

/// Which side of the offer/answer exchange this process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Role {
    /// Creates the channel and the offer; with a socket carrier it listens.
    Offer,
    /// Answers; with a socket carrier it connects.
    Answer,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Offer => "offering",
            Self::Answer => "answering",
        }
    }
}

/// How signalling messages travel (aiortc's three carriers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Carrier {
    /// Printed on stdout, pasted into stdin.
    CopyAndPaste,
    /// A TCP connection: the offerer listens, the answerer connects.
    TcpSocket,
    /// A Unix socket: the offerer listens, the answerer connects.
    UnixSocket,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SignalingArgs {
    /// Offer or answer (one side of each pair does each).
    #[arg(long, value_enum)]
    pub(crate) role: Option<Role>,
    /// How the offer and answer travel.
    #[arg(short = 's', long, value_enum, default_value = "copy-and-paste")]
    signaling: Carrier,
    /// TCP signalling: the offerer listens here, the answerer connects here.
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    signaling_host: String,
    /// TCP signalling port.
    #[arg(long, default_value_t = 1234, value_name = "PORT")]
    signaling_port: u16,
    /// Unix-socket signalling: the socket file.
    #[arg(long, default_value = "aiortc.socket", value_name = "PATH")]
    signaling_path: PathBuf,
    /// Offer only 127.0.0.1 (both peers on this machine).
    #[arg(long)]
    loopback: bool,
}

impl SignalingArgs {
    /// The peer-connection configuration these flags ask for.
    pub(crate) fn configuration(&self) -> Configuration {
        if self.loopback {
            Configuration {
                include_loopback: true,
                interfaces: vec!["127.0.0.1".into()],
                ..Configuration::default()
            }
        } else {
            Configuration::default()
        }
    }

    /// The carrier, not connected yet.
    pub(crate) fn open(&self) -> Result<Signaling, Fail> {
        let carrier = match self.signaling {
            Carrier::TcpSocket => {
                let addr = (self.signaling_host.as_str(), self.signaling_port)
                    .to_socket_addrs()
                    .ok()
                    .and_then(|mut a| a.next())
                    .ok_or_else(|| {
                        Fail(format!(
                            "cannot resolve the signalling host {:?} (--signaling-host)",
                            self.signaling_host
                        ))
                    })?;
                Inner::Tcp(TcpSignaling::new(addr), addr)
            }
            Carrier::UnixSocket => Inner::Unix(
                UnixSignaling::new(&self.signaling_path),
                self.signaling_path.clone(),
            ),
            Carrier::CopyAndPaste => Inner::Paste(CopyAndPasteSignaling::new()),
        };
        Ok(Signaling {
            inner: carrier,
            connected: false,
        })
    }
}

#[derive(Debug)]
enum Inner {
    Tcp(TcpSignaling, SocketAddr),
    Unix(UnixSignaling, PathBuf),
    Paste(CopyAndPasteSignaling),
}

/// One of the carriers, whose first error (the connection) is explained.
#[derive(Debug)]
pub(crate) struct Signaling {
    inner: Inner,
    connected: bool,
}

impl Signaling {
    /// Whether the carrier reads stdin (then the chat must not read it
    /// while signalling could).
    pub(crate) fn uses_stdin(&self) -> bool {
        matches!(self.inner, Inner::Paste(_))
    }

    pub(crate) async fn send(&mut self, m: &SignalingMessage) -> Result<(), Fail> {
        let r = match &mut self.inner {
            Inner::Tcp(s, _) => s.send(m).await,
            Inner::Unix(s, _) => s.send(m).await,
            Inner::Paste(s) => s.send(m).await,
        };
        self.explain(r, true)
    }

    pub(crate) async fn recv(&mut self) -> Result<Option<SignalingMessage>, Fail> {
        let r = match &mut self.inner {
            Inner::Tcp(s, _) => s.recv().await,
            Inner::Unix(s, _) => s.recv().await,
            Inner::Paste(s) => s.recv().await,
        };
        self.explain(r, false)
    }

    /// Says bye (socket carriers) and closes.
    pub(crate) async fn close(&mut self) {
        match &mut self.inner {
            Inner::Tcp(s, _) => s.close().await,
            Inner::Unix(s, _) => s.close().await,
            // The person at the other end needs no bye to paste.
            Inner::Paste(_) => {}
        }
    }

    fn explain<T>(&mut self, r: Result<T, sanderling::Error>, sending: bool) -> Result<T, Fail> {
        let first = !self.connected;
        let e = match r {
            Ok(v) => {
                self.connected = true;
                return Ok(v);
            }
            Err(e) => e,
        };
        let sanderling::Error::Io(io) = &e else {
            return Err(Fail(format!("signalling: {e}")));
        };
        if !first {
            return Err(Fail(format!("signalling connection lost: {io}")));
        }
        let text = match (&self.inner, io.kind(), sending) {
            (Inner::Tcp(_, addr), ErrorKind::AddrInUse, _) => format!(
                "cannot listen for signalling on {addr}: the port is in use (choose another with --signaling-port)"
            ),
            (Inner::Tcp(_, addr), ErrorKind::ConnectionRefused, false) => format!(
                "cannot reach the signalling peer at {addr}: connection refused for 10 s (start the offering side first, or check --signaling-host and --signaling-port)"
            ),
            (Inner::Tcp(_, addr), _, true) => {
                format!("cannot listen for signalling on {addr}: {io}")
            }
            (Inner::Tcp(_, addr), _, false) => {
                format!("cannot reach the signalling peer at {addr}: {io}")
            }
            (Inner::Unix(_, path), ErrorKind::NotFound | ErrorKind::ConnectionRefused, false) => {
                format!(
                    "nobody listens on the signalling socket {} after 10 s (start the offering side first, or check --signaling-path)",
                    path.display()
                )
            }
            (Inner::Unix(_, path), _, true) => {
                format!("cannot listen for signalling on {}: {io}", path.display())
            }
            (Inner::Unix(_, path), _, false) => format!(
                "cannot reach the signalling socket {}: {io}",
                path.display()
            ),
            (Inner::Paste(_), _, _) => format!("signalling on the terminal: {io}"),
        };
        Err(Fail(text))
    }
}
