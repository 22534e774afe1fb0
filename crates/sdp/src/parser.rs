//! The line-by-line parser.
//!
//! One pass over the input, no backtracking: split into lines (CRLF or
//! LF), check each line's shape, and hand it to the section it belongs to.
//! `v=`, `o=` and `s=` must be the first three lines (RFC 8866 §5; every
//! real peer writes them so). After them, each level accepts its own line
//! types in any order; the model keeps the order that matters (attributes,
//! media sections, repeated lines of one type) and
//! [`Display`](std::fmt::Display) restores RFC order for the rest. Every
//! error names its 1-based line.

use crate::attribute::Attribute;
use crate::connection::{Bandwidth, Connection};
use crate::error::{ErrorKind, SdpError, ValueError};
use crate::limits::{MAX_SDP_BYTES, MAX_SDP_LINES};
use crate::media::MediaDescription;
use crate::session::{Origin, SessionDescription, Timing};
use crate::text::parse_u32;

/// One non-blank line: its number, its text (no line ending), its type
/// letter and the value after `=`.
#[derive(Clone, Copy)]
struct Line<'a> {
    number: usize,
    text: &'a str,
    kind: u8,
    value: &'a str,
}

impl<'a> Line<'a> {
    fn error(&self, kind: ErrorKind) -> SdpError {
        SdpError::new(self.number, self.text, kind)
    }

    fn invalid(&self, e: ValueError) -> SdpError {
        self.error(ErrorKind::Invalid(e))
    }
}

/// The lines of the input, blank ones skipped (but counted).
struct Lines<'a> {
    rest: Option<&'a str>,
    number: usize,
}

impl<'a> Lines<'a> {
    fn new(input: &'a str) -> Self {
        Self {
            rest: Some(input),
            number: 0,
        }
    }

    /// The number the line after the last one would have.
    fn end(&self) -> usize {
        self.number + 1
    }

    fn next(&mut self) -> Result<Option<Line<'a>>, SdpError> {
        loop {
            let Some(rest) = self.rest else {
                return Ok(None);
            };
            let (raw, rest) = match rest.split_once('\n') {
                Some((line, rest)) => (line, Some(rest)),
                None => (rest, None),
            };
            self.rest = rest;
            // A trailing empty piece after the last newline is not a line.
            if raw.is_empty() && self.rest.is_none() {
                return Ok(None);
            }
            self.number += 1;
            let text = raw.strip_suffix('\r').unwrap_or(raw);
            if self.number > MAX_SDP_LINES {
                return Err(SdpError::new(self.number, text, ErrorKind::TooManyLines));
            }
            if text.is_empty() {
                continue;
            }
            // Control characters are ASCII, so bytes suffice.
            if text.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f) {
                return Err(SdpError::new(
                    self.number,
                    text,
                    ErrorKind::ControlCharacter,
                ));
            }
            let bytes = text.as_bytes();
            if bytes.len() < 2 || bytes[1] != b'=' || !bytes[0].is_ascii_alphabetic() {
                return Err(SdpError::new(self.number, text, ErrorKind::Syntax));
            }
            if !b"vosiuepcbtrzkam".contains(&bytes[0]) {
                return Err(SdpError::new(
                    self.number,
                    text,
                    ErrorKind::UnknownType(char::from(bytes[0])),
                ));
            }
            return Ok(Some(Line {
                number: self.number,
                text,
                kind: bytes[0],
                value: &text[2..],
            }));
        }
    }
}

/// Sets an at-most-once field.
fn once<T>(
    slot: &mut Option<T>,
    value: T,
    line: &Line<'_>,
    what: &'static str,
) -> Result<(), SdpError> {
    if slot.is_some() {
        return Err(line.error(ErrorKind::Duplicate(what)));
    }
    *slot = Some(value);
    Ok(())
}

fn attribute(line: &Line<'_>) -> Result<Attribute, SdpError> {
    let attribute = Attribute::parse(line.value).map_err(|e| line.invalid(e))?;
    attribute.validate().map_err(|e| line.invalid(e))?;
    Ok(attribute)
}

/// A required line among the first three.
fn expect<'a>(lines: &mut Lines<'a>, kind: u8, what: &'static str) -> Result<Line<'a>, SdpError> {
    match lines.next()? {
        Some(line) if line.kind == kind => Ok(line),
        Some(line) => Err(line.error(ErrorKind::Expected(what))),
        None => Err(SdpError::new(lines.end(), "", ErrorKind::Missing(what))),
    }
}

pub(crate) fn parse(input: &str) -> Result<SessionDescription, SdpError> {
    if input.len() > MAX_SDP_BYTES {
        return Err(too_large(input.as_bytes()));
    }
    let mut lines = Lines::new(input);

    let v = expect(&mut lines, b'v', "`v=0` as the first line")?;
    let version = parse_u32(v.value, "v= version").map_err(|e| v.invalid(e))?;
    if version != 0 {
        return Err(v.error(ErrorKind::UnsupportedVersion));
    }
    let o = expect(&mut lines, b'o', "`o=` (origin) as the second line")?;
    let origin = Origin::parse(o.value).map_err(|e| o.invalid(e))?;
    let s = expect(&mut lines, b's', "`s=` (session name) as the third line")?;

    let mut session = SessionDescription::new(origin);
    session.times.clear();
    session.session_name = s.value.to_owned();

    // Session level, up to the first m= line.
    let mut first_media = None;
    while let Some(line) = lines.next()? {
        match line.kind {
            b'v' => return Err(line.error(ErrorKind::Duplicate("`v=` line"))),
            b'o' => return Err(line.error(ErrorKind::Duplicate("`o=` line"))),
            b's' => return Err(line.error(ErrorKind::Duplicate("`s=` line"))),
            b'i' => once(
                &mut session.information,
                line.value.to_owned(),
                &line,
                "`i=` line",
            )?,
            b'u' => once(&mut session.uri, line.value.to_owned(), &line, "`u=` line")?,
            b'e' => session.emails.push(line.value.to_owned()),
            b'p' => session.phones.push(line.value.to_owned()),
            b'c' => {
                let c = Connection::parse(line.value).map_err(|e| line.invalid(e))?;
                once(&mut session.connection, c, &line, "`c=` line")?;
            }
            b'b' => session
                .bandwidths
                .push(Bandwidth::parse(line.value).map_err(|e| line.invalid(e))?),
            b't' => session
                .times
                .push(Timing::parse(line.value).map_err(|e| line.invalid(e))?),
            b'r' => match session.times.last_mut() {
                Some(t) => t.repeats.push(line.value.to_owned()),
                None => {
                    return Err(line.error(ErrorKind::Misplaced("`r=` line before any `t=` line")));
                }
            },
            b'z' => once(
                &mut session.time_zones,
                line.value.to_owned(),
                &line,
                "`z=` line",
            )?,
            b'k' => once(&mut session.key, line.value.to_owned(), &line, "`k=` line")?,
            b'a' => session.attributes.push(attribute(&line)?),
            _ => {
                first_media = Some(line);
                break;
            }
        }
    }
    if session.times.is_empty() {
        let what = "`t=` line (the session needs one, before the first `m=`)";
        return Err(match first_media {
            Some(m) => m.error(ErrorKind::Missing(what)),
            None => SdpError::new(lines.end(), "", ErrorKind::Missing(what)),
        });
    }

    // Media sections.
    let mut next = first_media;
    while let Some(m) = next.take() {
        let mut media = MediaDescription::parse_m_line(m.value).map_err(|e| m.invalid(e))?;
        while let Some(line) = lines.next()? {
            match line.kind {
                b'm' => {
                    next = Some(line);
                    break;
                }
                b'i' => once(
                    &mut media.information,
                    line.value.to_owned(),
                    &line,
                    "`i=` line",
                )?,
                b'c' => media
                    .connections
                    .push(Connection::parse(line.value).map_err(|e| line.invalid(e))?),
                b'b' => media
                    .bandwidths
                    .push(Bandwidth::parse(line.value).map_err(|e| line.invalid(e))?),
                b'k' => once(&mut media.key, line.value.to_owned(), &line, "`k=` line")?,
                b'a' => media.attributes.push(attribute(&line)?),
                _ => {
                    return Err(line.error(ErrorKind::Misplaced(
                        "this line type belongs to the session level, before the first `m=` line",
                    )));
                }
            }
        }
        session.media.push(media);
    }
    Ok(session)
}

/// The error for input over [`MAX_SDP_BYTES`]: at the line holding the
/// first byte past the limit.
fn too_large(input: &[u8]) -> SdpError {
    let limit = &input[..MAX_SDP_BYTES];
    let number = limit.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = limit.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let quote = &input[start..input.len().min(start + 4 * crate::limits::MAX_QUOTED_CHARS)];
    let quote = quote.split(|&b| b == b'\n').next().unwrap_or_default();
    SdpError::new(
        number,
        String::from_utf8_lossy(quote).trim_end_matches('\r'),
        ErrorKind::TooLarge,
    )
}

pub(crate) fn parse_bytes(input: &[u8]) -> Result<SessionDescription, SdpError> {
    if input.len() > MAX_SDP_BYTES {
        return Err(too_large(input));
    }
    match std::str::from_utf8(input) {
        Ok(text) => parse(text),
        Err(e) => {
            let bad = e.valid_up_to();
            let start = input[..bad]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let number = input[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
            let end = input[bad..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(input.len(), |i| bad + i);
            let text = String::from_utf8_lossy(&input[start..end]);
            Err(SdpError::new(
                number,
                text.trim_end_matches('\r'),
                ErrorKind::InvalidUtf8,
            ))
        }
    }
}
