//! `sanderling chat`: lines typed on stdin go to the peer on the channel
//! "chat", lines received are printed on stdout. A received `ping X` is
//! answered `pong X`, which is what aiortc's `datachannel-cli` offerer
//! expects, so the two talk.

use sanderling::Message;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::fail::Fail;
use crate::session;
use crate::signaling_args::SignalingArgs;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    signaling: SignalingArgs,
}

pub(crate) async fn run(a: Args) -> Result<(), Fail> {
    let role = a.signaling.role.ok_or_else(|| {
        Fail::from("chat needs --role offer on one side and --role answer on the other")
    })?;
    let sig = a.signaling.open()?;
    eprintln!("connecting as the {} side ...", role.name());
    let mut s = session::connect(sig, role, a.signaling.configuration(), "chat").await?;
    eprintln!("connected: type a line and Enter to send it; Ctrl-D to leave");
    let ch = s.channel.clone();
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let reason = loop {
        tokio::select! {
            line = stdin.next_line(), if stdin_open => match line {
                Ok(Some(line)) => ch.send(line)?,
                // End of input: leave (the queued lines are still delivered).
                Ok(None) => break None,
                Err(e) => {
                    stdin_open = false;
                    eprintln!("stdin: {e}; still printing what arrives");
                }
            },
            m = ch.recv() => match m {
                Some(Message::Text(t)) => {
                    println!("{t}");
                    if let Some(rest) = t.strip_prefix("ping") {
                        ch.send(format!("pong{rest}"))?;
                    }
                }
                Some(Message::Binary(b)) => println!("[{} bytes of binary]", b.len()),
                None => break Some("the peer closed the chat"),
            },
            _ = s.peer_left.changed() => break Some("the peer left"),
            _ = tokio::signal::ctrl_c() => break None,
        }
    };
    if let Some(reason) = reason {
        eprintln!("{reason}");
    }
    s.close().await;
    Ok(())
}
