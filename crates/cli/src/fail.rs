//! [`Fail`]: why a command stopped, as one line a person can act on.

use std::fmt;

/// A command's failure: the message printed after `sanderling: `.
#[derive(Debug)]
pub(crate) struct Fail(pub(crate) String);

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Fail {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<sanderling::Error> for Fail {
    fn from(e: sanderling::Error) -> Self {
        Self(e.to_string())
    }
}

/// Adds what was being done to an error.
pub(crate) trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Fail>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Fail> {
        self.map_err(|e| Fail(format!("{}: {e}", what())))
    }
}

/// Prints clap's verdict: help and version in full on stdout, a usage
/// error as its first line plus where to look, on stderr (exit 2).
pub(crate) fn clap_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        std::process::exit(
            if e.kind() == ErrorKind::DisplayHelp || e.kind() == ErrorKind::DisplayVersion {
                0
            } else {
                2
            },
        );
    }
    let text = e.render().to_string();
    let first = text
        .lines()
        .next()
        .unwrap_or("bad arguments")
        .trim_start_matches("error: ");
    eprintln!("sanderling: {first} (see `sanderling --help`)");
    std::process::exit(2);
}
