/*
 * The C face's JSON-form constructors (commbox_conversation_from_json,
 * commbox_message_from_json), run against the mock under valgrind: the document a C
 * program passes is the one `commbox batch` reads and the Python keyword arguments build,
 * and the core reads it, so the bytes on the wire are the same as through the setters.
 */
#define _POSIX_C_SOURCE 200809L
#include "commbox.h"

#include "harness.h"

/* The same SMS through the setters and through its JSON form reaches the mock equally. */
static void test_same_wire_as_setters(commbox_client *client) {
    mock_reset();
    commbox_conversation *by_setters = NULL, *by_json = NULL;
    char *wire_setters = NULL, *wire_json = NULL;
    OK(commbox_conversation_new_sms("+972544444444", "code 1234", &by_setters, E));
    OK(commbox_conversation_set_status(by_setters, 1, E));
    OK(commbox_conversation_set_manager_id(by_setters, 7, E));
    OK(commbox_conversation_from_json(
        "{\"channel\": \"sms\", \"identity\": \"+972544444444\", \"message\": \"code 1234\","
        " \"status\": \"open\", \"manager_id\": 7}",
        &by_json, E));
    OK(commbox_conversation_to_json(by_setters, &wire_setters, E));
    OK(commbox_conversation_to_json(by_json, &wire_json, E));
    CHECK(wire_setters && wire_json && strcmp(wire_setters, wire_json) == 0);

    int64_t id = 0;
    OK(commbox_create_conversation(client, "sms", by_json, &id, E));
    CHECK(id > 0);
    CHECK(mock_requests_contain("\"StatusId\":1"));
    CHECK(mock_requests_contain("\"UserStreamProviderId\":\"972544444444\""));

    /* A handle read from JSON still takes the setters, with the core's channel rules. */
    BAD(COMMBOX_STATUS_VALIDATION, "cc", commbox_conversation_add_cc(by_json, "a@b.co", NULL, ERR));

    commbox_string_free(wire_setters);
    commbox_string_free(wire_json);
    commbox_conversation_free(by_setters);
    commbox_conversation_free(by_json);
}

static void test_message_from_json(commbox_client *client) {
    mock_reset();
    commbox_conversation *c = NULL;
    int64_t conversation = 0, message = 0;
    OK(commbox_conversation_from_json(
        "{\"channel\": \"chat\", \"identity\": \"john@example.com\", \"message\": \"hi\"}", &c, E));
    OK(commbox_create_conversation(client, "chat", c, &conversation, E));
    commbox_conversation_free(c);

    commbox_message *m = NULL;
    OK(commbox_message_from_json(
        "{\"identity\": \"agent@example.com\", \"message\": \"It ships today.\", \"agent_id\": 36574658}",
        &m, E));
    OK(commbox_create_message(client, "chat", conversation, m, &message, E));
    CHECK(message > 0);
    CHECK(mock_requests_contain("\"IsManager\":true"));
    CHECK(mock_requests_contain("\"UserIdentity\":36574658"));
    commbox_message_free(m);
}

/* A document that is not a request names the JSON path; nothing is made, nothing sent. */
static void test_bad_documents(void) {
    int before = mock_request_count();
    commbox_conversation *c = NULL;
    commbox_message *m = NULL;
    BAD(COMMBOX_STATUS_VALIDATION, "channel",
        commbox_conversation_from_json("{\"identity\": \"1\", \"message\": \"m\"}", &c, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "channel",
        commbox_conversation_from_json("{\"channel\": \"fax\", \"identity\": \"1\", \"message\": \"m\"}", &c, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "mesage",
        commbox_conversation_from_json("{\"channel\": \"sms\", \"identity\": \"1\", \"mesage\": \"m\"}", &c, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "to[1]",
        commbox_conversation_from_json("{\"channel\": \"email\", \"identity\": \"a@b.co\", \"subject\": \"s\","
                                       " \"message\": \"m\", \"to\": [\"a@b.co\", 7]}",
                                       &c, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "user.email",
        commbox_conversation_from_json("{\"channel\": \"sms\", \"identity\": \"1\", \"message\": \"m\","
                                       " \"user\": {\"email\": 5}}",
                                       &c, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "conversation", commbox_conversation_from_json("{", &c, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "agent_id",
        commbox_message_from_json("{\"identity\": \"a@b.co\", \"agent_id\": \"x\"}", &m, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "json", commbox_message_from_json(NULL, &m, ERR));
    CHECK(c == NULL && m == NULL);
    CHECK(mock_request_count() == before);
}

int main(void) {
    read_mock_env();
    inspector = new_client(api_key, base_url);
    commbox_client *client = new_client(api_key, base_url);
    test_same_wire_as_setters(client);
    test_message_from_json(client);
    test_bad_documents();
    commbox_client_free(client);
    commbox_client_free(inspector);
    return finish();
}
