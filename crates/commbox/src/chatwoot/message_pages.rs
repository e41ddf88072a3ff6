//! A conversation's whole message history, page by page, as the messages endpoint serves
//! it: the latest 20, then `before=` the oldest id seen, until a page comes back empty.

use super::records::InboxMessage;
use crate::error::{Error, ErrorKind, Result};
use std::collections::VecDeque;

/// Where a walk through the pages stands; shared by the async stream and the blocking
/// iterator so both walk alike.
#[derive(Debug, Default)]
pub(crate) struct Pager {
    /// Messages of the last page not handed out yet, newest first.
    pending: VecDeque<InboxMessage>,
    /// The `before=` of the next page: the oldest id seen so far.
    before: Option<i64>,
    /// A page came back empty (or an error ended the walk).
    done: bool,
}

impl Pager {
    /// The next message already fetched, if any.
    pub(crate) fn pop(&mut self) -> Option<InboxMessage> {
        self.pending.pop_front()
    }

    /// `Some(before)` when another page must be fetched (`None` inside: the first page);
    /// `None` when the walk is over.
    pub(crate) fn next_page(&self) -> Option<Option<i64>> {
        (!self.done && self.pending.is_empty()).then_some(self.before)
    }

    /// Takes a fetched page (oldest first, as the API sends it).
    ///
    /// A page holding a message at or after the previous `before` would make the walk go
    /// round forever (a server ignoring `before=`): that ends it with a Decode error.
    pub(crate) fn take(&mut self, page: Vec<InboxMessage>) -> Result<()> {
        let Some(oldest) = page.iter().map(|m| m.id).min() else {
            self.done = true;
            return Ok(());
        };
        if let Some(before) = self.before {
            if page.iter().any(|m| m.id >= before) {
                self.done = true;
                return Err(Error::new(
                    ErrorKind::Decode,
                    format!(
                        "messages: the page before message {before} holds message {before} or \
                         later; the server ignores `before`, so the walk stops"
                    ),
                ));
            }
        }
        self.before = Some(oldest);
        self.pending.extend(page.into_iter().rev());
        Ok(())
    }

    /// Ends the walk after an error, so that it is reported once.
    pub(crate) fn stop(&mut self) {
        self.done = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: i64) -> InboxMessage {
        InboxMessage::from_json(&serde_json::json!({ "id": id })).unwrap()
    }

    #[test]
    fn walks_newest_first_and_asks_before_the_oldest_seen() {
        let mut p = Pager::default();
        assert_eq!(p.next_page(), Some(None));
        p.take(vec![msg(8), msg(9), msg(10)]).unwrap();
        assert_eq!(p.next_page(), None, "messages still pending");
        let ids: Vec<i64> = std::iter::from_fn(|| p.pop()).map(|m| m.id).collect();
        assert_eq!(ids, [10, 9, 8]);
        assert_eq!(p.next_page(), Some(Some(8)));
        p.take(vec![]).unwrap();
        assert_eq!(p.next_page(), None);
    }

    #[test]
    fn a_server_ignoring_before_ends_the_walk_with_an_error() {
        let mut p = Pager::default();
        p.take(vec![msg(5), msg(6)]).unwrap();
        while p.pop().is_some() {}
        let e = p.take(vec![msg(5), msg(6)]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(p.next_page(), None);
    }
}
