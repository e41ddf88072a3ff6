//! CommBox enums as integer newtypes with named constants.
//!
//! CommBox adds values over time (ObjectType 17 and 18 appear in the guide but not in the
//! schema), so these are open sets: any integer is accepted and kept, and the known ones have
//! names. Values from Commbox.json's "Enums" section.

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
    fn requests_may_name_a_value() {
        let v: ObjectStatusType = serde_json::from_str("\"open\"").unwrap();
        assert_eq!(v, ObjectStatusType::OPEN);
        let v: ObjectStatusType = serde_json::from_str("13").unwrap();
        assert_eq!(v, ObjectStatusType::SENT);
        let e = serde_json::from_str::<ObjectStatusType>("\"opne\"").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown ObjectStatusType \"opne\" (known: Open, "),
            "{e}"
        );
        assert!(serde_json::from_str::<ObjectStatusType>("true").is_err());
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
