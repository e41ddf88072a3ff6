//! Chatwoot's message direction.

open_enum! {
    /// Direction of a Chatwoot message (`message_type`).
    ///
    /// ```
    /// use commbox::chatwoot::MessageType;
    /// assert_eq!(MessageType::INCOMING.value(), 0);
    /// ```
    MessageType {
        /// 0: from the contact (every message created through the public API).
        INCOMING = 0 => "incoming",
        /// 1: from an agent or bot.
        OUTGOING = 1 => "outgoing",
        /// 2: an activity note (never listed by the public API).
        ACTIVITY = 2 => "activity",
        /// 3: a template message.
        TEMPLATE = 3 => "template",
    }
}
