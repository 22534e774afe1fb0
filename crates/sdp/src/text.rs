//! Small lexical helpers shared by the parsers: fields, numbers, tokens.

use crate::error::ValueError;

/// Splits a value into fields separated by runs of spaces or tabs (RFC 8866
/// says one space; real peers are sometimes generous).
pub(crate) fn fields(s: &str) -> impl Iterator<Item = &str> {
    s.split([' ', '\t']).filter(|f| !f.is_empty())
}

fn digits(s: &str, what: &'static str) -> Result<(), ValueError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueError::new(what, "not an unsigned decimal number"));
    }
    Ok(())
}

/// The options of an `a=ice-options` value. RFC 8839 separates them by
/// spaces; libdatachannel writes `ice2,trickle`, so commas (which a token
/// cannot hold) separate them too.
pub(crate) fn ice_options(s: &str) -> impl Iterator<Item = &str> {
    s.split([' ', '\t', ',']).filter(|f| !f.is_empty())
}

/// An unsigned decimal number: ASCII digits only (no sign, no spaces), and
/// it must fit in a `u64`.
pub(crate) fn parse_u64(s: &str, what: &'static str) -> Result<u64, ValueError> {
    parse_bounded(s, u64::MAX, what, "number larger than 18446744073709551615")
}

/// [`parse_u64`] limited to `max`; `reason` says what the limit is.
pub(crate) fn parse_bounded(
    s: &str,
    max: u64,
    what: &'static str,
    reason: &'static str,
) -> Result<u64, ValueError> {
    digits(s, what)?;
    match s.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(ValueError::new(what, reason)),
    }
}

pub(crate) fn parse_u32(s: &str, what: &'static str) -> Result<u32, ValueError> {
    parse_bounded(s, u32::MAX.into(), what, "number larger than 4294967295").map(|n| n as u32)
}

pub(crate) fn parse_u16(s: &str, what: &'static str) -> Result<u16, ValueError> {
    parse_bounded(s, u16::MAX.into(), what, "number larger than 65535").map(|n| n as u16)
}

/// RFC 8866 `token-char`: visible ASCII except the separators
/// `"(),/:;<=>?@[\]`.
pub(crate) fn is_token_char(b: u8) -> bool {
    matches!(b,
        0x21 | 0x23..=0x27 | 0x2A..=0x2B | 0x2D..=0x2E | 0x30..=0x39 | 0x41..=0x5A | 0x5E..=0x7E)
}

pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// RFC 8839 `ice-char`: ALPHA / DIGIT / "+" / "/".
pub(crate) fn is_ice_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// A value without spaces or tabs, as the one-word attributes need.
pub(crate) fn one_word(s: &str, what: &'static str) -> Result<(), ValueError> {
    if s.is_empty() {
        Err(ValueError::new(what, "empty"))
    } else if s.contains([' ', '\t']) {
        Err(ValueError::new(what, "contains a space"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_digits_that_fit() {
        assert_eq!(parse_u64("0", "n"), Ok(0));
        assert_eq!(parse_u64("007", "n"), Ok(7));
        assert_eq!(parse_u64("18446744073709551615", "n"), Ok(u64::MAX));
        for bad in ["", "+1", "-1", " 1", "1 ", "1e3", "0x10", "١"] {
            assert!(parse_u64(bad, "n").is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_u64("18446744073709551616", "n").unwrap_err().reason,
            "number larger than 18446744073709551615"
        );
        assert_eq!(parse_u16("65535", "p"), Ok(65535));
        assert_eq!(
            parse_u16("65536", "p").unwrap_err().reason,
            "number larger than 65535"
        );
        assert_eq!(
            parse_u16("99999999999999999999999", "p")
                .unwrap_err()
                .reason,
            "number larger than 65535"
        );
        assert_eq!(parse_u32("4294967295", "x"), Ok(u32::MAX));
        assert!(parse_u32("4294967296", "x").is_err());
    }

    #[test]
    fn tokens_and_fields() {
        assert!(is_token("webrtc-datachannel"));
        assert!(is_token("x-google-flag"));
        assert!(!is_token(""));
        assert!(!is_token("a:b"));
        assert!(!is_token("a b"));
        assert!(!is_token("UDP/DTLS"));
        assert_eq!(fields(" a  b\tc ").collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(
            ice_options("ice2,trickle renomination").collect::<Vec<_>>(),
            ["ice2", "trickle", "renomination"]
        );
    }
}
