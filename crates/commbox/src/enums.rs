//! CommBox enums as integer newtypes with named constants.
//!
//! CommBox adds values over time (ObjectType 17 and 18 appear in the guide but not in the
//! schema), so these are open sets: any integer is accepted and kept, and the known ones have
//! names. Values from Commbox.json's "Enums" section.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$cmeta:meta])* $konst:ident = $value:expr => $label:expr ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: $name = $name($value); )+

            /// Every named value, in numeric order.
            pub const KNOWN: &'static [$name] = &[ $( $name($value) ),+ ];

            /// The integer on the wire.
            pub const fn value(self) -> i64 {
                self.0
            }

            /// The documented name, or `None` for a value this version does not know.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($label), )+
                    _ => None,
                }
            }

            /// The value whose documented name is `name` (ASCII case and spaces ignored).
            pub fn from_name(name: &str) -> Option<$name> {
                let wanted: String = name
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                Self::KNOWN.iter().copied().find(|v| {
                    v.name()
                        .map(|n| n.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).eq(wanted.chars()))
                        .unwrap_or(false)
                })
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> $name {
                $name(v)
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "Unknown({})", self.0),
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({} = {})", stringify!($name), self, self.0)
            }
        }
    };
}

open_enum! {
    /// Kind of a conversation (object) or message (child): CommBox's ObjectType.
    ///
    /// ```
    /// use commbox::ObjectType;
    /// assert_eq!(ObjectType::MAIL.value(), 5);
    /// assert_eq!(ObjectType(99).name(), None); // unknown values are kept
    /// ```
    ObjectType {
        /// 0
        TEXT = 0 => "Text",
        /// 1
        LINK = 1 => "Link",
        /// 2
        PHOTO = 2 => "Photo",
        /// 3
        VIDEO = 3 => "Video",
        /// 4: the default for chat, SMS and WhatsApp conversations and for messages.
        CONVERSATION = 4 => "Conversation",
        /// 5: e-mail conversations.
        MAIL = 5 => "Mail",
        /// 6
        AUDIO = 6 => "Audio",
        /// 7
        LOCATION = 7 => "Location",
        /// 8
        VOICE = 8 => "Voice",
        /// 9
        REVIEW = 9 => "Review",
        /// 10
        FORM = 10 => "Form",
        /// 11
        SYSTEM_MESSAGE = 11 => "System Message",
        /// 12
        OPTION = 12 => "Option",
        /// 13
        INPUT_DATA = 13 => "InputData",
        /// 14
        CONTACTS = 14 => "Contacts",
        /// 15
        ALBUM = 15 => "Album",
        /// 16
        TEMPLATE_MESSAGE = 16 => "TemplateMessage",
        /// 17 (in the guide, not in the schema)
        CAMPAIGN_MESSAGE = 17 => "CampaignMessage",
        /// 18 (in the guide, not in the schema)
        SURVEY_MESSAGE = 18 => "SurveyMessage",
    }
}

open_enum! {
    /// State of a conversation (`StatusId`): CommBox's ObjectStatusType. There is no 12.
    ///
    /// ```
    /// use commbox::ObjectStatusType;
    /// assert_eq!(ObjectStatusType::from_name("resolved"), Some(ObjectStatusType::RESOLVED));
    /// ```
    ObjectStatusType {
        /// 1
        OPEN = 1 => "Open",
        /// 2
        RESOLVED = 2 => "Resolved",
        /// 3
        FORWARD = 3 => "Forward",
        /// 4
        IRRELEVANT = 4 => "Irrelevant",
        /// 5
        DELETED = 5 => "Deleted",
        /// 6
        FORWARD_REPLY = 6 => "Forward Reply",
        /// 7
        DRAFT = 7 => "Draft",
        /// 8
        IN_PROCESS = 8 => "In Process",
        /// 9
        SCHEDULED = 9 => "Scheduled",
        /// 10
        FOLLOW_UP = 10 => "Follow Up",
        /// 11
        AUTOMATED = 11 => "Automated",
        /// 13
        SENT = 13 => "Sent",
        /// 14
        ARCHIVE = 14 => "Archive",
        /// 15
        PENDING = 15 => "Pending",
    }
}

open_enum! {
    /// Provider of a stream or of a user's identity: CommBox's StreamProviderType.
    ///
    /// ```
    /// use commbox::StreamProviderType;
    /// assert!(StreamProviderType::WHATSAPP.is_phone());
    /// assert!(!StreamProviderType::MAIL.is_phone());
    /// ```
    StreamProviderType {
        /// 0: CommBox's own chat.
        COMMBOX = 0 => "Commbox",
        /// 1
        FACEBOOK = 1 => "Facebook",
        /// 2
        TWITTER = 2 => "Twitter",
        /// 3
        YOUTUBE = 3 => "YouTube",
        /// 4: e-mail addresses.
        MAIL = 4 => "Mail",
        /// 5: phone numbers (SMS).
        TELEPHONE = 5 => "Telephone",
        /// 6
        ANONYMOUS = 6 => "Anonymous",
        /// 7
        WHATSAPP = 7 => "WhatsApp",
        /// 8
        WEB = 8 => "Web",
        /// 9
        APPLE_APP_STORE = 9 => "AppleAppStore",
        /// 10
        INSTAGRAM = 10 => "Instagram",
        /// 11
        GOOGLE = 11 => "Google",
        /// 12
        TELEGRAM = 12 => "Telegram",
        /// 13
        GOOGLE_MY_BUSINESS = 13 => "GoogleMyBusiness",
        /// 14
        MICROSOFT365 = 14 => "Microsoft365",
        /// 15
        GMAIL = 15 => "Gmail",
        /// 16
        WHATSAPP_CLOUD = 16 => "WhatsAppCloud",
        /// 17
        SALESFORCE = 17 => "Salesforce",
    }
}

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

impl StreamProviderType {
    /// Identities of this provider are phone numbers (digits with country code).
    pub fn is_phone(self) -> bool {
        matches!(
            self,
            StreamProviderType::TELEPHONE
                | StreamProviderType::WHATSAPP
                | StreamProviderType::WHATSAPP_CLOUD
        )
    }

    /// Identities of this provider are e-mail addresses.
    pub fn is_mail(self) -> bool {
        matches!(
            self,
            StreamProviderType::MAIL | StreamProviderType::GMAIL | StreamProviderType::MICROSOFT365
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_survive_round_trip() {
        let v: ObjectType = serde_json::from_str("99").unwrap();
        assert_eq!(v, ObjectType(99));
        assert_eq!(serde_json::to_string(&v).unwrap(), "99");
        assert_eq!(v.to_string(), "Unknown(99)");
    }

    #[test]
    fn names() {
        assert_eq!(ObjectStatusType(12).name(), None);
        assert_eq!(
            ObjectStatusType::from_name("In Process"),
            Some(ObjectStatusType::IN_PROCESS)
        );
        assert_eq!(
            ObjectStatusType::from_name("in_process"),
            Some(ObjectStatusType::IN_PROCESS)
        );
        assert_eq!(
            StreamProviderType::from_name("whatsapp"),
            Some(StreamProviderType::WHATSAPP)
        );
        assert_eq!(ObjectType::KNOWN.len(), 19);
    }
}
