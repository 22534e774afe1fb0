//! `sanderling demo`: two peers, "alice" and "bob", in this process over
//! real UDP sockets on 127.0.0.1 (ICE, DTLS, SCTP as between two
//! machines; the descriptions are handed over in memory), then three
//! channels at work: a chat, an unordered channel, a file transfer.

use std::time::{Duration, Instant};

use sanderling::{
    Configuration, DataChannel, DataChannelInit, Message, PeerConnection, PeerConnectionEvent,
};

use crate::fail::{Context, Fail};
use crate::progress::{Progress, mib};
use crate::transfer;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Size of the generated file to transfer, in MiB.
    #[arg(long, default_value_t = 32, value_name = "MIB")]
    size: u64,
    /// Messages sent on the unordered channel.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    messages: u32,
}

/// Longest wait for any one step (the whole demo takes seconds).
const PATIENCE: Duration = Duration::from_secs(60);

fn loopback() -> Configuration {
    Configuration {
        include_loopback: true,
        interfaces: vec!["127.0.0.1".into()],
        ..Configuration::default()
    }
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> Result<T, Fail> {
    tokio::time::timeout(PATIENCE, f)
        .await
        .map_err(|_| Fail(format!("{what}: nothing after {} s", PATIENCE.as_secs())))
}

/// The channel bob sees for each of alice's, by label.
async fn incoming(bob: &PeerConnection, labels: &[&str]) -> Result<Vec<DataChannel>, Fail> {
    let mut events = bob.events();
    let mut found: Vec<Option<DataChannel>> = vec![None; labels.len()];
    while found.iter().any(Option::is_none) {
        match events.recv().await {
            Some(PeerConnectionEvent::DataChannel(ch)) => {
                if let Some(i) = labels.iter().position(|l| *l == ch.label()) {
                    found[i] = Some(ch);
                }
            }
            Some(_) => {}
            None => return Err("bob's connection closed".into()),
        }
    }
    Ok(found.into_iter().flatten().collect())
}

pub(crate) async fn run(a: Args) -> Result<(), Fail> {
    println!("sanderling demo: two peers, alice and bob, over UDP on 127.0.0.1\n");
    let start = Instant::now();
    let alice = PeerConnection::new(loopback()).context(|| "alice".into())?;
    let bob = PeerConnection::new(loopback()).context(|| "bob".into())?;
    let chat = alice.create_data_channel("chat", DataChannelInit::default())?;
    let unordered = alice.create_data_channel(
        "telemetry",
        DataChannelInit {
            ordered: false,
            max_retransmits: Some(0),
            ..DataChannelInit::default()
        },
    )?;
    let file = alice.create_data_channel("file", DataChannelInit::default())?;

    let offer = alice.create_offer().await?;
    alice.set_local_description(offer.clone()).await?;
    bob.set_remote_description(offer).await?;
    let answer = bob.create_answer().await?;
    bob.set_local_description(answer.clone()).await?;
    alice.set_remote_description(answer).await?;
    let remote = within("connecting", incoming(&bob, &["chat", "telemetry", "file"])).await??;
    let (bob_chat, bob_unordered, bob_file) = (&remote[0], &remote[1], &remote[2]);
    within("opening the channels", async {
        for ch in [&chat, &unordered, &file] {
            ch.opened().await?;
        }
        Ok::<_, sanderling::Error>(())
    })
    .await??;
    let addr = |pc: &PeerConnection| {
        pc.local_addresses()
            .first()
            .map_or_else(|| "?".to_owned(), ToString::to_string)
    };
    println!(
        "connected   alice {} <-> bob {} in {:.0} ms (ICE, DTLS, SCTP; 3 channels open)",
        addr(&alice),
        addr(&bob),
        start.elapsed().as_secs_f64() * 1000.0
    );

    // Chat: bob answers every line, the way a person would.
    let bob_chat = bob_chat.clone();
    let echo = tokio::spawn(async move {
        while let Some(Message::Text(t)) = bob_chat.recv().await {
            println!("chat        bob   received {t:?}");
            if bob_chat.send(format!("echo: {t}")).is_err() {
                break;
            }
        }
    });
    for line in ["hello bob", "how are the packets?"] {
        println!("chat        alice sends    {line:?}");
        chat.send(line)?;
        match within("the chat", chat.recv()).await? {
            Some(Message::Text(t)) => println!("chat        alice received {t:?}"),
            other => return Err(Fail(format!("chat: unexpected {other:?}"))),
        }
    }

    // Unordered, no retransmissions: what arrives, in whatever order.
    let n = a.messages;
    for i in 0..n {
        unordered.send_wait(format!("{i}")).await?;
    }
    let mut arrived = 0u32;
    let mut out_of_order = 0u32;
    let mut last: Option<u32> = None;
    while arrived < n {
        // Unreliable: a quiet second means the rest was dropped.
        let Ok(m) = tokio::time::timeout(Duration::from_secs(1), bob_unordered.recv()).await else {
            break;
        };
        let Some(Message::Text(t)) = m else { break };
        let i: u32 = t.parse().unwrap_or(0);
        if last.is_some_and(|l| i < l) {
            out_of_order += 1;
        }
        last = Some(i);
        arrived += 1;
    }
    println!(
        "unordered   {arrived}/{n} messages arrived ({out_of_order} out of order) on \"telemetry\" (ordered: false, maxRetransmits: 0)"
    );

    // A file: generated bytes, hashed on both sides.
    let data = generate(a.size << 20);
    let bob_file = bob_file.clone();
    let receiver = tokio::spawn(async move {
        transfer::recv_stream(&bob_file, async |_: &transfer::Announced| {
            Ok((tokio::io::sink(), Progress::none()))
        })
        .await
    });
    let sent = within(
        "the file transfer",
        transfer::send_stream(
            &file,
            &data[..],
            "demo.bin",
            Some(data.len() as u64),
            &mut Progress::none(),
        ),
    )
    .await??;
    let received = within("the file transfer", receiver)
        .await?
        .map_err(|e| Fail(format!("bob: {e}")))??;
    println!(
        "file        alice sent {} ({}) in {:.2} s: {}",
        sent.name,
        mib(sent.bytes),
        sent.elapsed.as_secs_f64(),
        sent.rate()
    );
    println!("file        sha-256 sent     {}", sent.sha256);
    println!("file        sha-256 received {}", received.sha256);
    let equal =
        sent.hashes_equal() && received.hashes_equal() && received.bytes == data.len() as u64;
    println!(
        "file        {}",
        if equal {
            "hashes equal"
        } else {
            "HASHES DIFFER"
        }
    );

    chat.close();
    echo.abort();
    alice.close();
    bob.close();
    println!("\ndone in {:.1} s", start.elapsed().as_secs_f64());
    if equal {
        Ok(())
    } else {
        Err("the file arrived damaged".into())
    }
}

/// `len` bytes that do not compress (xorshift), the same on every run.
fn generate(len: u64) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(len as usize + 8);
    while (out.len() as u64) < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len as usize);
    out
}
