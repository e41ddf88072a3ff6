//! Ids in paths are percent-encoded exactly once and cannot reach another route.

mod common;

use commbox::*;
use common::*;

#[test]
fn stream_ids_are_encoded_once() {
    let (mock, client) = setup();
    for (given, wire, stored) in [
        ("abc==", "/streams/abc%3D%3D/objects", "abc=="),
        (
            "hNyRN_fLUy7rrOrN9jLpipA%3d%3d",
            "/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects",
            "hNyRN_fLUy7rrOrN9jLpipA==",
        ),
        ("a/b", "/streams/a%2Fb/objects", "a/b"),
        ("x?y#z", "/streams/x%3Fy%23z/objects", "x?y#z"),
        (
            "שלום 1",
            "/streams/%D7%A9%D7%9C%D7%95%D7%9D%201/objects",
            "שלום 1",
        ),
    ] {
        mock.reset();
        client
            .create_conversation(given, SmsConversation::new("1", "m"))
            .unwrap();
        let req = only_request(&mock);
        assert_eq!(req.path, wire, "{given}");
        assert_eq!(mock.objects()[0].stream_id, stored, "{given}");
    }
}

#[test]
fn an_object_id_with_a_slash_stays_one_segment() {
    let (mock, client) = setup();
    let e = client
        .create_message(
            "s",
            "1/../../managers",
            NewMessage::from_customer("a@b.co", "m"),
        )
        .unwrap_err();
    // Reached the child route with an unknown object, not /managers.
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        only_request(&mock).path,
        "/streams/s/objects/1%2F..%2F..%2Fmanagers/child"
    );
}

#[test]
fn dot_segments_are_refused_before_sending() {
    let (mock, client) = setup();
    for id in [".", "..", "%2e%2e", "%2E."] {
        let e = client
            .create_conversation(id, SmsConversation::new("1", "m"))
            .unwrap_err();
        assert_eq!(e.field(), Some("stream_id"), "{id}");
    }
    assert_eq!(mock.request_count(), 0);
}
