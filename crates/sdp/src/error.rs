//! Errors: [`SdpError`] for a whole description (with the line), and
//! [`ValueError`] for one value (an attribute value or a trickled candidate
//! string, which has no line of its own).

use std::fmt;

use crate::limits::MAX_QUOTED_CHARS;

/// Why one value (a field, an attribute value, a candidate string) is invalid.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{what}: {reason}")]
pub struct ValueError {
    /// The value being parsed, e.g. `"candidate port"`.
    pub what: &'static str,
    /// What is wrong with it, e.g. `"not a number in 0..=65535"`.
    pub reason: &'static str,
}

impl ValueError {
    pub(crate) const fn new(what: &'static str, reason: &'static str) -> Self {
        Self { what, reason }
    }
}

/// Why a description was rejected.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is longer than [`MAX_SDP_BYTES`](crate::MAX_SDP_BYTES);
    /// the line is the one that crosses the limit.
    TooLarge,
    /// The input has more than [`MAX_SDP_LINES`](crate::MAX_SDP_LINES) lines.
    TooManyLines,
    /// The bytes of the line are not UTF-8 (only from
    /// [`SessionDescription::parse_bytes`](crate::SessionDescription::parse_bytes)).
    InvalidUtf8,
    /// The line holds a control character (anything below U+0020 but tab,
    /// or U+007F); a lone CR in the middle of a line is one.
    ControlCharacter,
    /// The line is not `<letter>=<value>`.
    Syntax,
    /// The line's type letter is not one RFC 8866 defines.
    UnknownType(char),
    /// A different line was required here (e.g. `v=` first).
    Expected(&'static str),
    /// `v=` holds a version other than 0.
    UnsupportedVersion,
    /// The line is of a kind not allowed where it is (e.g. `t=` in a media
    /// section, `r=` before any `t=`).
    Misplaced(&'static str),
    /// A line that may appear once per section appears again.
    Duplicate(&'static str),
    /// A required line is missing; reported at the line where it was due.
    Missing(&'static str),
    /// A field or attribute value is invalid.
    Invalid(ValueError),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge => write!(
                f,
                "description longer than {} bytes",
                crate::limits::MAX_SDP_BYTES
            ),
            Self::TooManyLines => write!(
                f,
                "description has more than {} lines",
                crate::limits::MAX_SDP_LINES
            ),
            Self::InvalidUtf8 => f.write_str("not valid UTF-8"),
            Self::ControlCharacter => f.write_str("control character in line"),
            Self::Syntax => f.write_str("not a `<type>=<value>` line"),
            Self::UnknownType(c) => write!(f, "unknown line type `{}=`", c.escape_debug()),
            Self::Expected(what) => write!(f, "expected {what}"),
            Self::UnsupportedVersion => f.write_str("unsupported SDP version (only v=0 exists)"),
            Self::Misplaced(why) => f.write_str(why),
            Self::Duplicate(what) => write!(f, "more than one {what} in this section"),
            Self::Missing(what) => write!(f, "missing {what}"),
            Self::Invalid(e) => write!(f, "invalid {e}"),
        }
    }
}

/// A description was rejected: where and why.
///
/// `line` is 1-based and counts every line of the input, blank ones
/// included. When the input ended before a required line, `line` is one
/// past the last line and `text` is empty.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SdpError {
    /// 1-based number of the offending line.
    pub line: usize,
    /// The offending line, without its line ending, cut to 120 characters.
    pub text: String,
    /// What is wrong with it.
    pub kind: ErrorKind,
}

impl SdpError {
    pub(crate) fn new(line: usize, text: &str, kind: ErrorKind) -> Self {
        let text = match text.char_indices().nth(MAX_QUOTED_CHARS) {
            Some((cut, _)) => format!("{}...", &text[..cut]),
            None => text.to_owned(),
        };
        Self { line, text, kind }
    }
}

impl fmt::Display for SdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            write!(f, "SDP line {} (end of input): {}", self.line, self.kind)
        } else {
            write!(
                f,
                "SDP line {}: {}: `{}`",
                self.line,
                self.kind,
                self.text.escape_debug()
            )
        }
    }
}

impl std::error::Error for SdpError {}
