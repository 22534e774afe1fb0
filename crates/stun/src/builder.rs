//! Building a STUN message: header, attributes (each padded to four bytes),
//! then optionally MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
//! FINGERPRINT, in that order.
//!
//! The builder writes straight into one buffer as attributes are added. The
//! integrity and fingerprint attributes are computed over the buffer as it
//! stands, with the header's length field first set to count up to and
//! including the attribute being computed (RFC 8489 §14.5–§14.7); the final
//! length is written by [`MessageBuilder::build`].
//!
//! Misuse (an attribute after an integrity attribute or FINGERPRINT, a
//! message over 64 KiB) is remembered: later calls do nothing and `build`
//! returns the first error.

use bytes::{BufMut, Bytes, BytesMut};

use crate::attr::{AttrType, Attribute, ErrorCode, Fingerprint, StunAttribute, UnknownAttributes};
use crate::error::BuildError;
use crate::header::{Class, HEADER_LEN, MAGIC_COOKIE, MessageType, Method, TransactionId};
use crate::message::{Message, Phase};
use crate::wire::{len16, pad_from, padded};

/// The largest length field a message can have: 16 bits, a multiple of 4.
pub const MAX_ATTRIBUTES_LEN: usize = 0xFFFC;

/// Builds one STUN message; see the [module documentation](self) and the
/// crate-level example.
#[derive(Debug)]
pub struct MessageBuilder {
    buf: BytesMut,
    transaction_id: TransactionId,
    phase: Phase,
    error: Option<BuildError>,
}

impl MessageBuilder {
    /// A message of type `typ` with transaction id `tid`.
    pub fn new(typ: MessageType, tid: TransactionId) -> Self {
        Self::with_buffer(BytesMut::with_capacity(128), typ, tid)
    }

    /// The same, writing into `buf` (cleared first) to reuse its
    /// allocation.
    pub fn with_buffer(mut buf: BytesMut, typ: MessageType, tid: TransactionId) -> Self {
        buf.clear();
        buf.put_u16(typ.to_u16());
        buf.put_u16(0);
        buf.put_u32(MAGIC_COOKIE);
        buf.put_slice(tid.as_bytes());
        Self {
            buf,
            transaction_id: tid,
            phase: Phase::Open,
            error: None,
        }
    }

    /// A request of `method`.
    pub fn request(method: Method, tid: TransactionId) -> Self {
        Self::new(MessageType::new(method, Class::Request), tid)
    }

    /// An indication of `method`.
    pub fn indication(method: Method, tid: TransactionId) -> Self {
        Self::new(MessageType::new(method, Class::Indication), tid)
    }

    /// A success response to `request`: same method and transaction id.
    pub fn success_response(request: &Message) -> Self {
        Self::new(
            MessageType::new(request.method(), Class::Success),
            request.transaction_id(),
        )
    }

    /// An error response to `request` carrying `error`.
    pub fn error_response(request: &Message, error: ErrorCode) -> Self {
        Self::new(
            MessageType::new(request.method(), Class::Error),
            request.transaction_id(),
        )
        .attr(error)
    }

    /// The 420 (Unknown Attribute) error response to `request`, listing
    /// `unknown` in UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1.1); `unknown` is
    /// normally [`Message::unknown_comprehension_required`]. Add
    /// MESSAGE-INTEGRITY and FINGERPRINT as the request had them.
    pub fn unknown_attributes_response(request: &Message, unknown: &[AttrType]) -> Self {
        let error = ErrorCode::with_default_reason(ErrorCode::UNKNOWN_ATTRIBUTE);
        let mut b = Self::new(
            MessageType::new(request.method(), Class::Error),
            request.transaction_id(),
        );
        match error {
            Ok(error) => {
                b.add(error);
            }
            Err(e) => b.fail(e.into()),
        }
        b.attr(UnknownAttributes(unknown.to_vec()))
    }

    /// The transaction id the message carries.
    pub const fn transaction_id(&self) -> TransactionId {
        self.transaction_id
    }

    /// Appends an attribute (by value, chaining).
    #[must_use]
    pub fn attr(mut self, attr: impl Into<Attribute>) -> Self {
        self.add(attr);
        self
    }

    /// Appends an attribute (by reference, for loops).
    ///
    /// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT given
    /// here are written as they are, not computed; use
    /// [`message_integrity`](Self::message_integrity) and friends to compute
    /// them. Either way the order rules apply.
    pub fn add(&mut self, attr: impl Into<Attribute>) -> &mut Self {
        let attr = attr.into();
        let tid = self.transaction_id;
        if self.begin(attr.typ(), attr.value_len()) {
            let start = self.buf.len();
            attr.encode(&mut self.buf, &tid);
            debug_assert_eq!(self.buf.len() - start, attr.value_len());
            pad_from(&mut self.buf, start);
        }
        self
    }

    /// Appends a typed attribute without going through [`Attribute`].
    pub fn add_typed<A: StunAttribute>(&mut self, attr: &A) -> &mut Self {
        let tid = self.transaction_id;
        if self.begin(A::TYPE, attr.value_len()) {
            let start = self.buf.len();
            attr.encode(&mut self.buf, &tid);
            pad_from(&mut self.buf, start);
        }
        self
    }

    /// Checks that an attribute of `typ` with a value of `len` bytes may be
    /// appended, and if so writes its header and returns true.
    pub(crate) fn begin(&mut self, typ: AttrType, len: usize) -> bool {
        let ok = self.admit(typ, len);
        if ok {
            self.write_header(typ, len);
        }
        ok
    }

    /// Checks that an attribute of `typ` with a value of `len` bytes may
    /// come next (order rules, size limit) and moves past it, without
    /// writing anything: the integrity and fingerprint attributes are
    /// computed over the message before their header is written. On refusal
    /// the error is recorded and false returned.
    pub(crate) fn admit(&mut self, typ: AttrType, len: usize) -> bool {
        if self.error.is_some() {
            return false;
        }
        let Some(next) = self.phase.next(typ) else {
            self.fail(match self.phase {
                Phase::AfterFingerprint => BuildError::AfterFingerprint { typ },
                _ => BuildError::AfterIntegrity { typ },
            });
            return false;
        };
        let length = self.attributes_len() + 4 + padded(len);
        if length > MAX_ATTRIBUTES_LEN {
            self.fail(BuildError::MessageTooLarge { length });
            return false;
        }
        self.phase = next;
        true
    }

    /// Writes an attribute header.
    pub(crate) fn write_header(&mut self, typ: AttrType, len: usize) {
        self.buf.put_u16(typ.0);
        self.buf.put_u16(len16(len));
    }

    /// Records the first error.
    pub(crate) fn fail(&mut self, e: BuildError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Bytes of attributes written so far.
    pub(crate) fn attributes_len(&self) -> usize {
        self.buf.len() - HEADER_LEN
    }

    /// Sets the header's length field.
    pub(crate) fn set_length(&mut self, length: usize) {
        let l = len16(length).to_be_bytes();
        self.buf[2] = l[0];
        self.buf[3] = l[1];
    }

    /// The buffer so far (header and attributes).
    pub(crate) fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// Appends raw bytes (an attribute value the caller has begun).
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        self.buf.put_slice(bytes);
    }

    /// Appends FINGERPRINT, computed over the message so far (RFC 8489
    /// §14.7). It must come last.
    #[must_use]
    pub fn fingerprint(mut self) -> Self {
        if self.admit(AttrType::FINGERPRINT, 4) {
            let fp = Fingerprint::compute(&self.buf, len16(self.attributes_len() + 8));
            self.write_header(AttrType::FINGERPRINT, 4);
            self.buf.put_u32(fp.0);
        }
        self
    }

    /// The message, or the first error met while building it.
    pub fn build(mut self) -> Result<Bytes, BuildError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let length = self.attributes_len();
        self.set_length(length);
        Ok(self.buf.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{
        Data, Fingerprint, MessageIntegrity, MessageIntegritySha256, Priority, Software, Username,
        XorPeerAddress,
    };

    const TID: TransactionId = TransactionId([9; 12]);

    #[test]
    fn builds_header_and_padded_attributes() {
        let bytes = MessageBuilder::request(Method::BINDING, TID)
            .attr(Username::new("abcde").unwrap())
            .attr(Priority(7))
            .build()
            .unwrap();
        assert_eq!(&bytes[..4], &[0x00, 0x01, 0x00, 20]);
        assert_eq!(&bytes[4..8], &MAGIC_COOKIE.to_be_bytes());
        assert_eq!(&bytes[8..20], &[9; 12]);
        assert_eq!(&bytes[20..24], &[0x00, 0x06, 0x00, 0x05]);
        assert_eq!(&bytes[24..32], b"abcde\0\0\0");
        assert_eq!(&bytes[32..40], &[0x00, 0x24, 0, 4, 0, 0, 0, 7]);
        let m = Message::parse(bytes).unwrap();
        assert_eq!(m.username(), Some("abcde"));
        assert_eq!(m.priority(), Some(7));
    }

    #[test]
    fn responses_echo_method_and_transaction_id() {
        let req = Message::parse(
            MessageBuilder::request(Method::ALLOCATE, TID)
                .build()
                .unwrap(),
        )
        .unwrap();
        let ok = Message::parse(MessageBuilder::success_response(&req).build().unwrap()).unwrap();
        assert_eq!(ok.typ(), MessageType::new(Method::ALLOCATE, Class::Success));
        assert_eq!(ok.transaction_id(), TID);
        let err =
            MessageBuilder::error_response(&req, ErrorCode::with_default_reason(437).unwrap())
                .build()
                .unwrap();
        let err = Message::parse(err).unwrap();
        assert_eq!(err.typ(), MessageType::new(Method::ALLOCATE, Class::Error));
        assert_eq!(err.error_code().unwrap().reason(), "Allocation Mismatch");
    }

    #[test]
    fn order_rules() {
        let e = MessageBuilder::request(Method::BINDING, TID)
            .attr(MessageIntegrity([0; 20]))
            .attr(Priority(1))
            .build();
        assert_eq!(
            e,
            Err(BuildError::AfterIntegrity {
                typ: AttrType::PRIORITY
            })
        );
        let e = MessageBuilder::request(Method::BINDING, TID)
            .attr(Fingerprint(0))
            .attr(Software::new("x").unwrap())
            .attr(Priority(1))
            .build();
        assert_eq!(
            e,
            Err(BuildError::AfterFingerprint {
                typ: AttrType::SOFTWARE
            })
        );
        let e = MessageBuilder::request(Method::BINDING, TID)
            .attr(MessageIntegritySha256::new(vec![0; 32]).unwrap())
            .attr(MessageIntegrity([0; 20]))
            .build();
        assert!(matches!(e, Err(BuildError::AfterIntegrity { .. })));
        // MI, MI-SHA256, FINGERPRINT is the allowed order.
        let ok = MessageBuilder::request(Method::BINDING, TID)
            .attr(MessageIntegrity([0; 20]))
            .attr(MessageIntegritySha256::new(vec![0; 16]).unwrap())
            .attr(Fingerprint(0))
            .build();
        assert!(ok.is_ok());
    }

    #[test]
    fn size_limit() {
        let big = Data(Bytes::from(vec![0; MAX_ATTRIBUTES_LEN - 4]));
        let m = MessageBuilder::indication(Method::SEND, TID)
            .attr(big)
            .build()
            .unwrap();
        assert_eq!(m.len(), HEADER_LEN + MAX_ATTRIBUTES_LEN);
        assert_eq!(
            Message::parse(m).unwrap().data().unwrap().len(),
            MAX_ATTRIBUTES_LEN - 4
        );
        let e = MessageBuilder::indication(Method::SEND, TID)
            .attr(XorPeerAddress("1.2.3.4:5".parse().unwrap()))
            .attr(Data(Bytes::from(vec![0; MAX_ATTRIBUTES_LEN - 4])))
            .build();
        assert!(matches!(e, Err(BuildError::MessageTooLarge { .. })));
        let e = MessageBuilder::indication(Method::SEND, TID)
            .attr(Data(Bytes::from(vec![0; 70_000])))
            .build();
        assert!(matches!(e, Err(BuildError::MessageTooLarge { .. })));
    }

    #[test]
    fn add_by_reference_and_typed() {
        let mut b = MessageBuilder::request(Method::BINDING, TID);
        for p in [1, 2] {
            b.add(Priority(p));
        }
        b.add_typed(&Priority(3));
        let m = Message::parse(b.build().unwrap()).unwrap();
        let all: Vec<_> = m.get_all::<Priority>().map(|p| p.0).collect();
        assert_eq!(all, vec![1, 2, 3]);
    }

    #[test]
    fn reuses_a_buffer() {
        let buf = BytesMut::with_capacity(512);
        let m = MessageBuilder::with_buffer(buf, MessageType::BINDING_INDICATION, TID)
            .build()
            .unwrap();
        assert_eq!(m.len(), 20);
        assert_eq!(&m[..2], &[0x00, 0x11]);
    }
}
