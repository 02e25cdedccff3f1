//! Pull cursors: opaque to clients, `base64url("v1:EPOCH:SEQ:SCOPE")` to us.
//!
//! The epoch ties a cursor to one change history (rotated after a restore); the scope
//! ties it to what the user could see when it was made (an office move starts over).
//! Anything that does not fit is answered with a reset, never with an error: the client
//! then simply downloads everything again.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::model::Scope;

pub(crate) fn encode(epoch: &str, scope: &Scope, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{epoch}:{seq}:{}", scope.tag()))
}

/// Where a pull starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// No cursor: from the beginning, nothing to reset.
    Fresh,
    /// After this change serial.
    After(i64),
    /// The cursor does not fit this server: drop server copies, start from the beginning.
    Reset,
}

impl Start {
    pub(crate) fn after(self) -> i64 {
        match self {
            Start::After(seq) => seq,
            Start::Fresh | Start::Reset => 0,
        }
    }
}

/// Reads a client's cursor against the current epoch, the actor's scope and the newest
/// change (a cursor beyond it means the history went backwards, e.g. a restore).
pub(crate) fn start(cursor: Option<&str>, epoch: &str, scope: &Scope, newest: i64) -> Start {
    let Some(cursor) = cursor else {
        return Start::Fresh;
    };
    let decoded = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let Some(text) = decoded else {
        return Start::Reset;
    };
    let mut parts = text.splitn(4, ':');
    let (Some("v1"), Some(e), Some(seq), Some(tag)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Start::Reset;
    };
    let Ok(seq) = seq.parse::<i64>() else {
        return Start::Reset;
    };
    if e != epoch || tag != scope.tag() || seq < 0 || seq > newest {
        return Start::Reset;
    }
    Start::After(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_only_for_its_epoch_and_scope() {
        let office = Scope::Office("1203".into());
        let c = encode("e1", &office, 42);
        assert_eq!(start(Some(&c), "e1", &office, 50), Start::After(42));
        assert_eq!(start(Some(&c), "e2", &office, 50), Start::Reset);
        assert_eq!(start(Some(&c), "e1", &Scope::All, 50), Start::Reset);
        assert_eq!(
            start(Some(&c), "e1", &Scope::Office("1101".into()), 50),
            Start::Reset
        );
        // The history went backwards (restored without rotating the epoch).
        assert_eq!(start(Some(&c), "e1", &office, 41), Start::Reset);
        assert_eq!(start(Some("%%%"), "e1", &office, 50), Start::Reset);
        assert_eq!(start(Some("djE6"), "e1", &office, 50), Start::Reset);
        assert_eq!(start(None, "e1", &office, 50), Start::Fresh);
    }
}
