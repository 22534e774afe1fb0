//! Renders the interop matrix from the last suite runs
//! (`target/interop-results/*.jsonl`).
//!
//! `cargo run -p sanderling-interop --bin interop-matrix` prints it;
//! `... -- --write README.md` replaces the table between the README's
//! `<!-- interop-matrix -->` and `<!-- /interop-matrix -->` markers.

use sanderling_interop::{paths, results};

const START: &str = "<!-- interop-matrix -->";
const END: &str = "<!-- /interop-matrix -->";

fn main() {
    let table = results::render_matrix(&paths::results_dir());
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => print!("{table}"),
        [flag, file] if flag == "--write" => {
            let text = std::fs::read_to_string(file).expect("read the README");
            let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
                panic!("{file} has no {START} ... {END} markers");
            };
            let out = format!("{}{START}\n{table}{}", &text[..a], &text[b..]);
            std::fs::write(file, out).expect("write the README");
        }
        _ => {
            eprintln!("usage: interop-matrix [--write README.md]");
            std::process::exit(2);
        }
    }
}
