//! Result lines and the README's interop matrix.
//!
//! Each suite run writes one file per peer and role,
//! `target/interop-results/<peer>-<role>.jsonl`, one line per scenario.
//! [`render_matrix`] reads them all into a markdown table; the
//! `interop-matrix` binary puts it into the README.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

/// How a scenario ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It worked.
    Pass,
    /// It worked; the note says what was seen.
    Note(String),
    /// It failed.
    Fail(String),
    /// It failed because of a known defect of the peer (not ours), and in
    /// the way that defect predicts.
    PeerDefect(String),
    /// The peer cannot do this at all (said why).
    NotApplicable(String),
}

impl Outcome {
    fn key(&self) -> &'static str {
        match self {
            Outcome::Pass | Outcome::Note(_) => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::PeerDefect(_) => "peer-defect",
            Outcome::NotApplicable(_) => "n/a",
        }
    }

    fn detail(&self) -> &str {
        match self {
            Outcome::Pass => "",
            Outcome::Note(d)
            | Outcome::Fail(d)
            | Outcome::PeerDefect(d)
            | Outcome::NotApplicable(d) => d,
        }
    }
}

/// The peers, in the matrix's column order.
pub const PEERS: &[&str] = &[
    "aiortc",
    "chromium",
    "chromium-nosnap",
    "node-datachannel",
    "webrtc-rs",
];

/// Writes one run's cells (replacing that peer and role's last run).
pub fn write(peer: &str, role: &str, cells: &[(String, Outcome)]) {
    let dir = crate::paths::results_dir();
    std::fs::create_dir_all(&dir).expect("create target/interop-results");
    let mut text = String::new();
    for (scenario, outcome) in cells {
        let line = json!({
            "peer": peer, "role": role, "scenario": scenario,
            "outcome": outcome.key(), "detail": outcome.detail(),
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    std::fs::write(dir.join(format!("{peer}-{role}.jsonl")), text).expect("write results");
}

/// The matrix from every result file in `dir`: a row per scenario (in
/// suite order), a column per peer and role, then the notes that explain
/// every cell that is not a plain pass.
pub fn render_matrix(dir: &Path) -> String {
    // (peer, role) -> scenario -> (outcome, detail)
    let mut cells: BTreeMap<(String, String), BTreeMap<String, (String, String)>> = BTreeMap::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for path in entries {
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            cells
                .entry((s("peer"), s("role")))
                .or_default()
                .insert(s("scenario"), (s("outcome"), s("detail")));
        }
    }
    let mut columns: Vec<(String, String)> = Vec::new();
    for peer in PEERS {
        for role in ["offerer", "answerer"] {
            let key = (peer.to_string(), role.to_string());
            if cells.contains_key(&key) {
                columns.push(key);
            }
        }
    }
    let mut out = String::new();
    out.push_str("| scenario |");
    for (peer, role) in &columns {
        let _ = write!(out, " {peer}, we {} |", &role[..role.len() - 2]);
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(columns.len()));
    out.push('\n');
    let mut notes: Vec<String> = Vec::new();
    for (scenario, what) in crate::suite::SCENARIOS {
        let _ = write!(out, "| {what} |");
        for key in &columns {
            let cell = match cells[key].get(*scenario) {
                None => "–".to_owned(),
                Some((outcome, detail)) => {
                    let mark = match outcome.as_str() {
                        "pass" => "✅",
                        "fail" => "❌",
                        "peer-defect" => "❌ peer",
                        _ => "n/a",
                    };
                    if detail.is_empty() {
                        mark.to_owned()
                    } else {
                        let note = format!("{} ({}): {detail}", key.0, scenario);
                        let n = match notes.iter().position(|x| *x == note) {
                            Some(i) => i + 1,
                            None => {
                                notes.push(note);
                                notes.len()
                            }
                        };
                        format!("{mark} [{n}]")
                    }
                }
            };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    if !notes.is_empty() {
        out.push('\n');
        for (i, note) in notes.iter().enumerate() {
            let _ = writeln!(out, "{}. {note}", i + 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_has_a_column_per_run_and_a_note_per_remark() {
        let dir = std::env::temp_dir().join(format!("interop-matrix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let line = |role: &str, scenario: &str, outcome: &str, detail: &str| {
            json!({"peer": "aiortc", "role": role, "scenario": scenario,
                   "outcome": outcome, "detail": detail})
            .to_string()
        };
        let offerer = [
            line("offerer", "trickle", "pass", ""),
            line("offerer", "unicode", "peer-defect", "its bug"),
        ];
        let answerer = [
            line("answerer", "trickle", "fail", "no answer"),
            line("answerer", "unicode", "peer-defect", "its bug"),
        ];
        std::fs::write(dir.join("aiortc-offerer.jsonl"), offerer.join("\n")).unwrap();
        std::fs::write(dir.join("aiortc-answerer.jsonl"), answerer.join("\n")).unwrap();
        let table = render_matrix(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(table.starts_with("| scenario | aiortc, we offer | aiortc, we answer |\n"));
        let row = |name: &str| {
            table
                .lines()
                .find(|l| l.starts_with(&format!("| {name}")))
                .unwrap()
                .to_owned()
        };
        assert!(row("connect").ends_with("| ✅ | ❌ [1] |"), "{table}");
        // One note for the same remark in both columns.
        assert!(
            row("non-ASCII").ends_with("| ❌ peer [2] | ❌ peer [2] |"),
            "{table}"
        );
        // Scenarios without results show a dash.
        assert!(row("4 MiB").ends_with("| – | – |"), "{table}");
        assert!(table.contains("\n1. aiortc (trickle): no answer\n2. aiortc (unicode): its bug\n"));
    }
}
