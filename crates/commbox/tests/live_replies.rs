//! Live replies over the mock's `/cable`: the agent's reply arrives, a send's echo_id comes
//! back, a dropped socket is reopened and resubscribed, a bad token ends the subscription.

use commbox::chatwoot::{LiveEventKind, LiveOptions, NewContact, NewInboxMessage};
use commbox::ErrorKind;
use commbox_mock::{MockServer, CHATWOOT_INBOX};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn fast() -> LiveOptions {
    LiveOptions::default()
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(200))
}

#[test]
fn blocking_an_agent_reply_arrives_and_an_echo_comes_back_across_a_reconnect() {
    let mock = MockServer::start().unwrap();
    let inbox = commbox::blocking::Client::builder()
        .base_url(mock.url())
        .build_inbox(CHATWOOT_INBOX)
        .unwrap();
    let contact = inbox
        .create_contact(NewContact::new().source_id("live-1").name("Dana"))
        .unwrap();
    let conv = inbox.create_conversation("live-1", None).unwrap();
    let mut live = inbox
        .live_with(contact.pubsub_token.as_deref().unwrap(), fast())
        .unwrap();
    // Subscribed once a first event can arrive: send until the echo comes back.
    inbox
        .create_message(
            "live-1",
            conv.id,
            NewInboxMessage::new("Is it shipped?").echo_id("e-1"),
        )
        .unwrap();
    let echo = match live.wait_for_echo("e-1", WAIT) {
        Ok(e) => e,
        // The first message may beat the subscription: the mock does not replay.
        Err(_) => {
            inbox
                .create_message(
                    "live-1",
                    conv.id,
                    NewInboxMessage::new("again").echo_id("e-2"),
                )
                .unwrap();
            live.wait_for_echo("e-2", WAIT).unwrap()
        }
    };
    assert!(!echo.is_agent_reply(), "the contact's own message");

    mock.chatwoot_agent_reply(conv.id as u64, "Yes, this morning.")
        .unwrap();
    let reply = loop {
        let e = live.next_timeout(WAIT).unwrap().expect("an event in time");
        if e.is_agent_reply() {
            break e;
        }
    };
    let message = reply.message.unwrap();
    assert_eq!(message.content.as_deref(), Some("Yes, this morning."));
    assert_eq!(message.conversation_id, Some(conv.id));

    // The mock drops every socket: the subscription comes back and says so.
    mock.drop_cables();
    let back = live
        .next_timeout(WAIT)
        .unwrap()
        .expect("reconnected in time");
    assert_eq!(back.kind, LiveEventKind::Reconnected);
    mock.chatwoot_agent_reply(conv.id as u64, "After the drop.")
        .unwrap();
    let after = live
        .next_timeout(WAIT)
        .unwrap()
        .expect("the reply after the drop");
    assert!(after.is_agent_reply());
    assert_eq!(
        after.message.unwrap().content.as_deref(),
        Some("After the drop.")
    );

    // Resolving the conversation is announced on the cable too.
    inbox.resolve_conversation("live-1", conv.id).unwrap();
    let status = loop {
        let e = live
            .next_timeout(WAIT)
            .unwrap()
            .expect("the status change in time");
        if e.kind == LiveEventKind::ConversationStatusChanged {
            break e;
        }
    };
    assert_eq!(status.conversation_id, Some(conv.id));

    // Closed from another thread, the iterator ends.
    let closer = live.closer();
    std::thread::spawn(move || closer.close()).join().unwrap();
    assert!(live.next().is_none());
}

#[test]
fn a_rejected_token_ends_the_subscription_with_an_authentication_error() {
    let mock = MockServer::start().unwrap();
    let inbox = commbox::blocking::Client::builder()
        .base_url(mock.url())
        .build_inbox(CHATWOOT_INBOX)
        .unwrap();
    let mut live = inbox.live_with("not-a-token", fast()).unwrap();
    let e = live.next().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert!(live.next().is_none());
    assert_eq!(
        inbox.live(" ").unwrap_err().kind(),
        ErrorKind::Validation,
        "a blank token is refused before connecting"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn async_the_reply_arrives_on_the_callers_runtime() {
    let mock = MockServer::start().unwrap();
    let inbox = commbox::Client::builder()
        .base_url(mock.url())
        .build_inbox(CHATWOOT_INBOX)
        .unwrap();
    let contact = inbox
        .create_contact(NewContact::new().source_id("live-2"))
        .await
        .unwrap();
    let conv = inbox.create_conversation("live-2", None).await.unwrap();
    let mut live = inbox
        .live_with(contact.pubsub_token.as_deref().unwrap(), fast())
        .unwrap();
    // Wait until subscribed: the contact's own echo comes back.
    let mut n = 0;
    loop {
        n += 1;
        let echo = format!("a-{n}");
        inbox
            .create_message("live-2", conv.id, NewInboxMessage::new("hi").echo_id(&echo))
            .await
            .unwrap();
        if live
            .wait_for_echo(&echo, Duration::from_millis(500))
            .await
            .is_ok()
        {
            break;
        }
        assert!(n < 20, "never subscribed");
    }
    mock.chatwoot_agent_reply(conv.id as u64, "Hello from the agent")
        .unwrap();
    let reply = tokio::time::timeout(WAIT, async {
        loop {
            let e = live.next().await.unwrap().unwrap();
            if e.is_agent_reply() {
                return e;
            }
        }
    })
    .await
    .expect("the reply in time");
    assert_eq!(
        reply.message.unwrap().content.as_deref(),
        Some("Hello from the agent")
    );
    live.close();
}
