//! Prints a data-only description built by `DataDescriptionBuilder`.
//!
//! ```text
//! cargo run -p sanderling-sdp --example data_description -- offer
//! cargo run -p sanderling-sdp --example data_description -- answer < offer.sdp
//! ```
//!
//! The answer mirrors the offer's layout (other sections rejected) and
//! answers `active`. Credentials and fingerprint are fixed, well-formed
//! placeholders: enough for a browser's `setRemoteDescription`, not for a
//! connection. The fixtures' capture scripts use this to check that
//! browsers accept what we write.

use std::io::Read;
use std::process::ExitCode;

use sanderling_sdp::{DataDescriptionBuilder, Fingerprint, SessionDescription, Setup};

fn main() -> ExitCode {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let fingerprint = Fingerprint::from_bytes(
        "sha-256",
        &[
            0x5A, 0x11, 0xDE, 0x21, 0x9E, 0x5D, 0x9B, 0x0C, 0x33, 0x7F, 0x81, 0x40, 0x2E, 0xC4,
            0x66, 0x19, 0xA7, 0x3B, 0x58, 0xD2, 0x0F, 0x94, 0xE1, 0x6A, 0x7C, 0x25, 0xB8, 0x03,
            0x4D, 0xF6, 0x92, 0xCE,
        ],
    );
    let builder = |setup| {
        DataDescriptionBuilder::new(
            4_611_686_018_427_387_903,
            "sndl",
            "sanderlingplaceholder0",
            fingerprint.clone(),
            setup,
        )
    };
    let description = match mode.as_str() {
        "offer" => builder(Setup::Actpass).build(),
        "answer" => {
            let mut offer = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut offer) {
                eprintln!("reading the offer: {e}");
                return ExitCode::FAILURE;
            }
            match SessionDescription::parse(&offer) {
                Ok(offer) => builder(Setup::Active).answer_to(&offer).build(),
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        _ => {
            eprintln!("usage: data_description offer | answer < OFFER");
            return ExitCode::FAILURE;
        }
    };
    print!("{description}");
    ExitCode::SUCCESS
}
