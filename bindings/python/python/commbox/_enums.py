"""CommBox's (and Chatwoot's) enums as ``IntEnum``s that also accept values this version
does not know.

CommBox adds values over time (ObjectType 17 and 18 appear in the guide but not in the
schema), so ``ObjectType(99)`` works: it gives a member named ``UNKNOWN_99`` whose value is
99 and which compares equal to 99. The tables match the core's (a test checks it).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

__all__ = ["ObjectType", "ObjectStatusType", "StreamProviderType", "MessageType"]


class _OpenIntEnum(IntEnum):
    """An IntEnum whose unknown integer values become members named ``UNKNOWN_<value>``."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return member
        return None

    @property
    def is_known(self) -> bool:
        """True for the values this version names."""
        return self._value_ in type(self)._value2member_map_


class ObjectType(_OpenIntEnum):
    """Kind of a conversation (object) or message (child): CommBox's ObjectType."""

    TEXT = 0
    LINK = 1
    PHOTO = 2
    VIDEO = 3
    CONVERSATION = 4
    """The default for chat, SMS and WhatsApp conversations and for messages."""
    MAIL = 5
    """E-mail conversations."""
    AUDIO = 6
    LOCATION = 7
    VOICE = 8
    REVIEW = 9
    FORM = 10
    SYSTEM_MESSAGE = 11
    OPTION = 12
    INPUT_DATA = 13
    CONTACTS = 14
    ALBUM = 15
    TEMPLATE_MESSAGE = 16
    CAMPAIGN_MESSAGE = 17
    SURVEY_MESSAGE = 18


class ObjectStatusType(_OpenIntEnum):
    """State of a conversation (``StatusId``): CommBox's ObjectStatusType. There is no 12."""

    OPEN = 1
    RESOLVED = 2
    FORWARD = 3
    IRRELEVANT = 4
    DELETED = 5
    FORWARD_REPLY = 6
    DRAFT = 7
    IN_PROCESS = 8
    SCHEDULED = 9
    FOLLOW_UP = 10
    AUTOMATED = 11
    SENT = 13
    ARCHIVE = 14
    PENDING = 15


class StreamProviderType(_OpenIntEnum):
    """Provider of a stream or of a user's identity: CommBox's StreamProviderType."""

    COMMBOX = 0
    """CommBox's own chat."""
    FACEBOOK = 1
    TWITTER = 2
    YOUTUBE = 3
    MAIL = 4
    """E-mail addresses."""
    TELEPHONE = 5
    """Phone numbers (SMS)."""
    ANONYMOUS = 6
    WHATSAPP = 7
    WEB = 8
    APPLE_APP_STORE = 9
    INSTAGRAM = 10
    GOOGLE = 11
    TELEGRAM = 12
    GOOGLE_MY_BUSINESS = 13
    MICROSOFT365 = 14
    GMAIL = 15
    WHATSAPP_CLOUD = 16
    SALESFORCE = 17


class MessageType(_OpenIntEnum):
    """Direction of a Chatwoot message (``message_type``)."""

    INCOMING = 0
    """From the contact: every message created through the public client API."""
    OUTGOING = 1
    """From an agent or a bot: the replies to the contact."""
    ACTIVITY = 2
    """An activity note (the public API never lists them)."""
    TEMPLATE = 3
    """A template message."""
