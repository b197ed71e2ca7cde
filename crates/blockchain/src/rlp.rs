//! Small strict RLP helpers over `alloy-rlp`: open a list, read its fields by name.

use alloy_rlp::Decodable;

use crate::DecodeError;

/// Opens the list at the front of `buf`, advances `buf` past it and returns its payload.
pub(crate) fn list_payload<'a>(
    buf: &mut &'a [u8],
    what: &'static str,
) -> Result<&'a [u8], DecodeError> {
    let header = alloy_rlp::Header::decode(buf).map_err(|e| DecodeError::Rlp {
        what,
        field: "list header",
        reason: e.to_string(),
    })?;
    if !header.list {
        return Err(DecodeError::NotAList(what));
    }
    if buf.len() < header.payload_length {
        return Err(DecodeError::Rlp {
            what,
            field: "list",
            reason: "input too short".into(),
        });
    }
    let (payload, rest) = buf.split_at(header.payload_length);
    *buf = rest;
    Ok(payload)
}

/// Reads the items of one list in order.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(payload: &'a [u8], what: &'static str) -> Self {
        Reader { buf: payload, what }
    }

    /// True when every item was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Reads one field.
    pub(crate) fn field<T: Decodable>(&mut self, field: &'static str) -> Result<T, DecodeError> {
        if self.buf.is_empty() {
            return Err(DecodeError::MissingField {
                what: self.what,
                field,
            });
        }
        T::decode(&mut self.buf).map_err(|e| DecodeError::Rlp {
            what: self.what,
            field,
            reason: e.to_string(),
        })
    }

    /// Reads one field if any item is left.
    pub(crate) fn optional<T: Decodable>(
        &mut self,
        field: &'static str,
    ) -> Result<Option<T>, DecodeError> {
        if self.buf.is_empty() {
            Ok(None)
        } else {
            self.field(field).map(Some)
        }
    }

    /// Opens a nested list and returns its payload.
    pub(crate) fn list(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.buf.is_empty() {
            return Err(DecodeError::MissingField {
                what: self.what,
                field,
            });
        }
        list_payload(&mut self.buf, self.what)
    }

    /// Takes the next item whole (header and payload) and tells whether it is a list.
    pub(crate) fn raw_item(&mut self) -> Result<(&'a [u8], bool), DecodeError> {
        let start = self.buf;
        let mut probe = self.buf;
        let header = alloy_rlp::Header::decode(&mut probe).map_err(|e| DecodeError::Rlp {
            what: self.what,
            field: "item",
            reason: e.to_string(),
        })?;
        if probe.len() < header.payload_length {
            return Err(DecodeError::Rlp {
                what: self.what,
                field: "item",
                reason: "input too short".into(),
            });
        }
        let header_len = start.len() - probe.len();
        let total = header_len + header.payload_length;
        let (item, rest) = start.split_at(total);
        self.buf = rest;
        Ok((item, header.list))
    }

    /// Fails when items are left.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::ExtraFields(self.what))
        }
    }
}
