//! Progress of a file transfer on stderr: a bar with the rate on a
//! terminal, a plain line every quarter otherwise (logs, tests).

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Reports bytes moved so far; quiet when built with [`Progress::none`].
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    total: u64,
    done: u64,
    next_quarter: u64,
    verb: &'static str,
    start: Instant,
}

impl Progress {
    /// Shows nothing (the demo prints its own summary).
    pub(crate) fn none() -> Self {
        Self {
            bar: None,
            plain: false,
            total: 0,
            done: 0,
            next_quarter: u64::MAX,
            verb: "",
            start: Instant::now(),
        }
    }

    /// Progress of `total` bytes, `verb` being "sent" or "received".
    pub(crate) fn new(total: u64, verb: &'static str) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:40}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(verb);
            bar
        });
        Self {
            bar,
            plain: !terminal,
            total,
            done: 0,
            next_quarter: total / 4,
            verb,
            start: Instant::now(),
        }
    }

    pub(crate) fn add(&mut self, n: u64) {
        self.done += n;
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
        }
        if self.plain && self.total > 0 && self.done >= self.next_quarter && self.done < self.total
        {
            let secs = self.start.elapsed().as_secs_f64().max(1e-6);
            eprintln!(
                "{} {} of {} ({:.0}%), {}/s",
                self.verb,
                mib(self.done),
                mib(self.total),
                self.done as f64 * 100.0 / self.total as f64,
                mib((self.done as f64 / secs) as u64)
            );
            self.next_quarter = self.done + self.total / 4;
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// `n` bytes in MiB, one decimal.
pub(crate) fn mib(n: u64) -> String {
    format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
}
