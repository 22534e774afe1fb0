//! `sanderling send FILE` and `sanderling recv [DIR | -o FILE]`: one file
//! over a channel, with a progress bar and a SHA-256 check on both sides
//! (protocol in `transfer.rs`).

use std::path::{Path, PathBuf};

use crate::fail::{Context, Fail};
use crate::progress::{Progress, mib};
use crate::session;
use crate::signaling_args::{Role, SignalingArgs};
use crate::transfer::{self, Announced, Outcome};

/// The channel's label.
const LABEL: &str = "sanderling-file";

#[derive(Debug, clap::Args)]
pub(crate) struct SendArgs {
    /// The file to send.
    file: PathBuf,
    #[command(flatten)]
    signaling: SignalingArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RecvArgs {
    /// Where to put the file, under the name the sender gives.
    #[arg(default_value = ".", conflicts_with = "output")]
    dir: PathBuf,
    /// Write the file here instead.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    signaling: SignalingArgs,
}

fn summary(verb: &str, o: &Outcome) -> String {
    format!(
        "{verb} {} ({}, {} bytes) in {:.2} s, {}",
        o.name,
        mib(o.bytes),
        o.bytes,
        o.elapsed.as_secs_f64(),
        o.rate()
    )
}

pub(crate) async fn send(a: SendArgs) -> Result<(), Fail> {
    let path = &a.file;
    let cannot = |e: &dyn std::fmt::Display| Fail(format!("cannot read {}: {e}", path.display()));
    // Before any signalling: a wrong path should not cost the peer a wait.
    let meta = tokio::fs::metadata(path).await.map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(cannot(&"not a regular file"));
    }
    let file = tokio::fs::File::open(path).await.map_err(|e| cannot(&e))?;
    let name = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let role = a.signaling.role.unwrap_or(Role::Offer);
    let sig = a.signaling.open()?;
    eprintln!("connecting as the {} side ...", role.name());
    let s = session::connect(sig, role, a.signaling.configuration(), LABEL).await?;
    eprintln!("connected; sending {name}");
    let mut progress = Progress::new(meta.len(), "sent");
    let result = transfer::send_stream(
        &s.channel,
        tokio::io::BufReader::new(file),
        &name,
        Some(meta.len()),
        &mut progress,
    )
    .await;
    s.close().await;
    let o = result?;
    println!("{}", summary("sent", &o));
    println!("sha-256 {}", o.sha256);
    if !o.hashes_equal() {
        return Err(Fail(format!(
            "the receiver's SHA-256 differs ({}): the file arrived damaged",
            o.peer_sha256
        )));
    }
    println!("the receiver's SHA-256 matches");
    Ok(())
}

/// Where the announced file goes: `-o FILE`, or its own name (its last
/// component only, so a sender cannot write elsewhere) in `dir`.
fn destination(a: &RecvArgs, announced: &Announced) -> Result<PathBuf, Fail> {
    if let Some(out) = &a.output {
        return Ok(out.clone());
    }
    let name = Path::new(&announced.name)
        .file_name()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            Fail(format!(
                "the sender's file name {:?} is not usable; give one with -o FILE",
                announced.name
            ))
        })?;
    Ok(a.dir.join(name))
}

pub(crate) async fn recv(a: RecvArgs) -> Result<(), Fail> {
    if a.output.is_none() && !a.dir.is_dir() {
        return Err(Fail(format!(
            "cannot write into {}: not a directory",
            a.dir.display()
        )));
    }
    let role = a.signaling.role.unwrap_or(Role::Answer);
    let sig = a.signaling.open()?;
    eprintln!("connecting as the {} side ...", role.name());
    let s = session::connect(sig, role, a.signaling.configuration(), LABEL).await?;
    eprintln!("connected; waiting for a file");
    let mut target = None;
    let result = transfer::recv_stream(&s.channel, async |announced: &Announced| {
        let path = destination(&a, announced)?;
        // Written aside, renamed once the hash matches.
        let part = path.with_file_name(format!(
            "{}.part",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        let file = tokio::fs::File::create(&part)
            .await
            .context(|| format!("cannot create {}", part.display()))?;
        eprintln!(
            "receiving {}{} into {}",
            announced.name,
            announced
                .size
                .map(|n| format!(" ({})", mib(n)))
                .unwrap_or_default(),
            path.display()
        );
        target = Some((part, path));
        Ok((
            tokio::io::BufWriter::new(file),
            Progress::new(announced.size.unwrap_or(0), "received"),
        ))
    })
    .await;
    s.close().await;
    let o = result?;
    let (part, path) = target.ok_or_else(|| Fail::from("nothing was received"))?;
    println!("{}", summary("received", &o));
    println!("sha-256 {}", o.sha256);
    if !o.hashes_equal() {
        return Err(Fail(format!(
            "the sender's SHA-256 differs ({}): the damaged file is left in {}",
            o.peer_sha256,
            part.display()
        )));
    }
    tokio::fs::rename(&part, &path)
        .await
        .context(|| format!("cannot rename {} to {}", part.display(), path.display()))?;
    println!("the sender's SHA-256 matches; wrote {}", path.display());
    Ok(())
}
