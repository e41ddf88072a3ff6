/*
 * The Chatwoot part of the C API, against the mock (tests/with-mock.sh), under valgrind:
 * the whole lifecycle (contact -> conversation -> messages with two attachments -> list
 * with `before` -> resolve), each error kind, and bad input that sends nothing.
 * The mock seeds the inboxes "mock-inbox", "hmac-inbox" (token "mock-hmac-token") and
 * "single-inbox"; GET /__mock/chatwoot shows what it stored.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static commbox_inbox *open_inbox(const char *identifier, unsigned retries) {
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_inbox *inbox = NULL;
    OK(commbox_client_config_set_base_url(cfg, base_url, E));
    OK(commbox_client_config_set_max_retries(cfg, retries, E));
    OK(commbox_inbox_new(cfg, identifier, &inbox, E));
    commbox_client_config_free(cfg);
    return inbox;
}

static int state_contains(const char *needle) {
    char *json = mock_get("/__mock/chatwoot");
    int found = json && strstr(json, needle) != NULL;
    if (!found) fprintf(stderr, "  not in /__mock/chatwoot: %s\n", needle);
    commbox_string_free(json);
    return found;
}

static void sha256_of(const char *path, char out[65]) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    out[0] = '\0';
    if (p) {
        if (fscanf(p, "%64s", out) != 1) out[0] = '\0';
        pclose(p);
    }
}

static void test_lifecycle(const char *dir) {
    mock_reset();
    commbox_inbox *inbox = open_inbox("mock-inbox", 0);
    char *json = NULL, *sid = NULL, *again = NULL;

    OK(commbox_inbox_get(inbox, &json, E));
    CHECK(json && strstr(json, "\"identifier\":\"mock-inbox\""));
    commbox_string_free(json);

    OK(commbox_inbox_create_contact(inbox, "crm-42", NULL, NULL, "john@example.com", "John Doe", "+972541234567",
                                    NULL, "{\"plan\":\"gold\"}", &sid, &json, E));
    CHECK(sid && strcmp(sid, "crm-42") == 0);
    CHECK(json && strstr(json, "\"pubsub_token\":"));
    commbox_string_free(json);
    /* The same source_id again: the existing contact, unchanged. */
    OK(commbox_inbox_create_contact(inbox, "crm-42", NULL, NULL, NULL, "Someone Else", NULL, NULL, NULL, &again, &json,
                                    E));
    CHECK(again && strcmp(again, sid) == 0);
    CHECK(json && strstr(json, "\"name\":\"John Doe\""));
    commbox_string_free(json);
    commbox_string_free(again);

    OK(commbox_inbox_get_contact(inbox, sid, &json, E));
    CHECK(json && strstr(json, "\"source_id\":\"crm-42\""));
    commbox_string_free(json);
    OK(commbox_inbox_update_contact(inbox, sid, NULL, NULL, NULL, "John Q. Doe", NULL, NULL, NULL, &json, E));
    /* The full model has no source_id: in the JSON form the key is there, null. */
    CHECK(json && strstr(json, "\"name\":\"John Q. Doe\"") && strstr(json, "\"source_id\":null") &&
          !strstr(json, "\"source_id\":\""));
    commbox_string_free(json);

    int64_t conv = 0;
    OK(commbox_inbox_create_conversation(inbox, sid, "{\"order\":\"A-1001\"}", &conv, NULL, E));
    CHECK(conv > 0);

    /* A message with two attachments: a PNG from disk and bytes. */
    char png[512], hash[65], needle[256];
    snprintf(png, sizeof png, "%s/photo.png", dir);
    FILE *f = fopen(png, "wb");
    for (int i = 0; i < 3000; i++) fputc(i % 251, f);
    fclose(f);
    sha256_of(png, hash);
    const char *receipt = "paid in full";
    commbox_inbox_message *m = NULL;
    int64_t with_files = 0;
    OK(commbox_inbox_message_new("Here are the photo and the receipt", &m, E));
    OK(commbox_inbox_message_set_echo_id(m, "tmp-1", E));
    OK(commbox_inbox_message_add_attachment_path(m, png, E));
    OK(commbox_inbox_message_add_attachment_bytes(m, (const uint8_t *)receipt, strlen(receipt), "receipt.txt", E));
    OK(commbox_inbox_create_message(inbox, sid, conv, m, &with_files, &json, E));
    commbox_inbox_message_free(m);
    CHECK(with_files > 0);
    CHECK(json && strstr(json, "\"file_type\":\"image\"") && strstr(json, "\"file_type\":\"file\""));
    CHECK(json && strstr(json, "\"message_type\":0"));
    commbox_string_free(json);
    snprintf(needle, sizeof needle, "\"sha256\":\"%s\"", hash);
    CHECK(state_contains(needle));
    CHECK(state_contains("\"echo_id\":\"tmp-1\""));
    CHECK(mock_requests_contain("\"filename\":\"photo.png\",\"name\":\"attachments[]\""));

    /* 25 more messages: the latest 20 oldest first, then the rest with `before`. */
    int64_t ids[25];
    for (int i = 0; i < 25; i++) {
        char text[32];
        snprintf(text, sizeof text, "message %d", i);
        OK(commbox_inbox_message_new(text, &m, E));
        OK(commbox_inbox_create_message(inbox, sid, conv, m, &ids[i], NULL, E));
        commbox_inbox_message_free(m);
    }
    OK(commbox_inbox_list_messages(inbox, sid, conv, 0, &json, E));
    /* Each message's key is in its JSON form and in its `raw`. */
    CHECK(json && count(json, "\"conversation_id\":") == 2 * 20);
    char first[64];
    snprintf(first, sizeof first, "{\"id\":%lld,\"content\":\"message 5\"", (long long)ids[5]);
    CHECK(json && strstr(json, first) == json + 1); /* oldest first: messages 5..24 */
    commbox_string_free(json);
    OK(commbox_inbox_list_messages(inbox, sid, conv, ids[6], &json, E));
    CHECK(json && count(json, "\"conversation_id\":") == 2 * 7); /* 1 with files + messages 0..5 */
    commbox_string_free(json);

    OK(commbox_inbox_set_typing(inbox, sid, conv, true, E));
    CHECK(state_contains("\"typing_status\":\"on\""));
    OK(commbox_inbox_set_typing(inbox, sid, conv, false, E));
    OK(commbox_inbox_update_last_seen(inbox, sid, conv, E));
    OK(commbox_inbox_update_message(inbox, sid, conv, ids[0], "[{\"name\":\"size\",\"value\":\"L\"}]", &json, E));
    CHECK(json && strstr(json, "\"submitted_values\""));
    commbox_string_free(json);

    OK(commbox_inbox_list_conversations(inbox, sid, &json, E));
    CHECK(json && json[0] == '[');
    commbox_string_free(json);
    OK(commbox_inbox_resolve_conversation(inbox, sid, conv, &json, E));
    CHECK(json && strstr(json, "\"status\":\"resolved\""));
    commbox_string_free(json);
    OK(commbox_inbox_get_conversation(inbox, sid, conv, &json, E));
    /* 26 messages, each in its form, in its raw and in the conversation's raw. */
    CHECK(json && strstr(json, "\"status\":\"resolved\"") && count(json, "\"message_type\":") == 3 * 26);
    commbox_string_free(json);

    /* An inbox handle sharing a CommBox client's pool. */
    commbox_client *client = new_client(api_key, base_url);
    commbox_inbox *shared = NULL;
    OK(commbox_client_inbox(client, base_url, "mock-inbox", &shared, E));
    OK(commbox_inbox_get_contact(shared, sid, &json, E));
    commbox_string_free(json);
    commbox_inbox_free(shared);
    commbox_client_free(client);

    commbox_string_free(sid);
    commbox_inbox_free(inbox);
    unlink(png);
}

static void test_errors(void) {
    mock_reset();
    commbox_inbox *inbox = open_inbox("mock-inbox", 0);
    char *json = NULL, *sid = NULL;
    commbox_error *e = NULL;

    BAD(COMMBOX_STATUS_NOT_FOUND, NULL, commbox_inbox_get_contact(inbox, "nobody", &json, ERR));
    commbox_inbox *missing = open_inbox("no-such-inbox", 0);
    CHECK(commbox_inbox_get(missing, &json, &e) == COMMBOX_STATUS_NOT_FOUND);
    CHECK(e && commbox_error_http_status(e) == 404 && commbox_error_description(e) &&
          strcmp(commbox_error_description(e), "Not Found") == 0);
    commbox_error_free(e);
    e = NULL;
    commbox_inbox_free(missing);

    /* HMAC: required by hmac-inbox; a bad or missing hash is Chatwoot's bare 500. */
    commbox_inbox *hmac = open_inbox("hmac-inbox", 0);
    CHECK(commbox_inbox_create_contact(hmac, NULL, "user-7", NULL, NULL, NULL, NULL, NULL, NULL, &sid, NULL, &e) ==
          COMMBOX_STATUS_SERVER);
    CHECK(e && commbox_error_http_status(e) == 500 && strstr(commbox_error_message(e), "identifier_hash"));
    commbox_error_free(e);
    e = NULL;
    char *hash = NULL;
    OK(commbox_chatwoot_identifier_hash("user-7", "mock-hmac-token", &hash, E));
    OK(commbox_inbox_create_contact(hmac, NULL, "user-7", hash, NULL, NULL, NULL, NULL, NULL, &sid, NULL, E));
    CHECK(sid != NULL);
    /* Identity validation applies to get too: plain get fails, the verified one works. */
    BAD(COMMBOX_STATUS_SERVER, NULL, commbox_inbox_get_contact(hmac, sid, &json, ERR));
    OK(commbox_inbox_get_verified_contact(hmac, sid, "user-7", hash, &json, E));
    CHECK(json && strstr(json, "\"source_id\":"));
    commbox_string_free(json);
    json = NULL;
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "identifier_hash", commbox_inbox_get_verified_contact(hmac, sid, "user-7", NULL, &json, ERR));
    commbox_string_free(sid);
    commbox_string_free(hash);
    commbox_inbox_free(hmac);

    /* 422 from the server, with its message. */
    mock_post("/__mock/faults", "{\"status\":422,\"body\":{\"message\":\"Email has already been taken\","
                                "\"attributes\":[\"email\"]}}");
    CHECK(commbox_inbox_create_contact(inbox, NULL, NULL, NULL, "a@b.co", NULL, NULL, NULL, NULL, &sid, NULL, &e) ==
          COMMBOX_STATUS_BAD_REQUEST);
    CHECK(e && commbox_error_description(e) && strcmp(commbox_error_description(e), "Email has already been taken") == 0);
    commbox_error_free(e);
    e = NULL;

    /* A created contact without its source_id is an answer the API does not document:
     * DECODE (it was VALIDATION, whose meaning is "nothing was sent"); no id is written. */
    mock_post("/__mock/faults", "{\"status\":200,\"body\":{\"id\":7,\"name\":\"A\"}}");
    sid = NULL;
    CHECK(commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, "A", NULL, NULL, NULL, &sid, NULL, &e) ==
          COMMBOX_STATUS_DECODE);
    CHECK(sid == NULL);
    CHECK(e && strstr(commbox_error_message(e), "the created contact has no source_id") != NULL);
    commbox_error_free(e);
    e = NULL;

    /* 429 without Retry-After (Chatwoot sends none): retried with backoff, then it works. */
    commbox_inbox *patient = open_inbox("mock-inbox", 2);
    mock_reset();
    mock_post("/__mock/faults", "{\"status\":429}");
    OK(commbox_inbox_get(patient, &json, E));
    commbox_string_free(json);
    CHECK(mock_request_count() == 2);
    commbox_inbox_free(patient);
    commbox_inbox_free(inbox);
}

static void test_bad_input(void) {
    mock_reset();
    commbox_inbox *inbox = open_inbox("mock-inbox", 0);
    commbox_inbox *none = NULL;
    commbox_inbox_message *m = NULL, *big = NULL, *many = NULL;
    char *json = NULL, *sid = NULL;
    int64_t id = 0;
    commbox_client_config *cfg = commbox_client_config_new();

    BAD(COMMBOX_STATUS_VALIDATION, "base_url", commbox_inbox_new(cfg, "mock-inbox", &none, ERR)); /* no URL set */
    OK(commbox_client_config_set_base_url(cfg, base_url, E));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "inbox_identifier", commbox_inbox_new(cfg, NULL, &none, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_inbox_new(NULL, "x", &none, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_inbox_new(cfg, "x", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "client", commbox_client_inbox(NULL, base_url, "x", &none, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "base_url", commbox_inbox_new_from_json("{}", "mock-inbox", &none, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "max_retries",
        commbox_inbox_new_from_json("{\"max_retries\": -1}", "mock-inbox", &none, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "inbox_identifier", commbox_inbox_new_from_json("{}", NULL, &none, ERR));
    CHECK(none == NULL);

    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "inbox", commbox_inbox_get(NULL, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_json", commbox_inbox_get(inbox, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_source_id",
        commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "phone_number",
        commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, NULL, "972541234567", NULL, NULL, &sid, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "email",
        commbox_inbox_create_contact(inbox, NULL, NULL, NULL, "john@", NULL, NULL, NULL, NULL, &sid, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "custom_attributes_json",
        commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "[1]", &sid, NULL, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "name",
        commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, "\xff", NULL, NULL, NULL, &sid, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "contact_identifier", commbox_inbox_get_contact(inbox, "", &json, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "phone_number",
        commbox_inbox_update_contact(inbox, "c", NULL, NULL, NULL, NULL, "+0", NULL, NULL, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_id", commbox_inbox_create_conversation(inbox, "c", NULL, NULL, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "custom_attributes_json",
        commbox_inbox_create_conversation(inbox, "c", "not json", &id, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "conversation_id", commbox_inbox_get_conversation(inbox, "c", 0, &json, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "conversation_id", commbox_inbox_resolve_conversation(inbox, "c", -1, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "conversation_id", commbox_inbox_set_typing(inbox, "c", 0, true, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "conversation_id", commbox_inbox_update_last_seen(inbox, "c", 0, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "before", commbox_inbox_list_messages(inbox, "c", 1, -5, &json, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "message_id", commbox_inbox_update_message(inbox, "c", 1, 0, "[]", &json, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "submitted_values", commbox_inbox_update_message(inbox, "c", 1, 2, "3", &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "content", commbox_inbox_message_new(NULL, &m, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_inbox_message_new("x", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_inbox_message_set_echo_id(NULL, "e", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_inbox_message_add_attachment_bytes(NULL, NULL, 3, "n", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_inbox_create_message(inbox, "c", 1, NULL, &id, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "identifier", commbox_chatwoot_identifier_hash(NULL, "t", &json, ERR));

    /* Too long, too many files, a missing file: refused before sending. */
    size_t n = 150001;
    char *text = malloc(n + 1);
    memset(text, 'x', n);
    text[n] = '\0';
    OK(commbox_inbox_message_new(text, &big, E));
    free(text);
    BAD(COMMBOX_STATUS_VALIDATION, "content", commbox_inbox_create_message(inbox, "c", 1, big, &id, NULL, ERR));
    OK(commbox_inbox_message_new("files", &many, E));
    for (int i = 0; i < 16; i++) OK(commbox_inbox_message_add_attachment_bytes(many, (const uint8_t *)"x", 1, "f.txt", E));
    BAD(COMMBOX_STATUS_VALIDATION, "attachments", commbox_inbox_create_message(inbox, "c", 1, many, &id, NULL, ERR));
    OK(commbox_inbox_message_new("", &m, E));
    OK(commbox_inbox_message_add_attachment_path(m, "/no/such/photo.png", E));
    /* A file that cannot be read: I/O, naming it, before anything is sent. */
    BAD(COMMBOX_STATUS_IO, "attachment \"/no/such/photo.png\"",
        commbox_inbox_create_message(inbox, "c", 1, m, &id, NULL, ERR));

    CHECK(id == 0 && json == NULL && sid == NULL);
    CHECK(mock_request_count() == 0);
    commbox_inbox_message_free(m);
    commbox_inbox_message_free(big);
    commbox_inbox_message_free(many);
    commbox_client_config_free(cfg);
    commbox_inbox_free(inbox);
}

/* The client options and the requests in their JSON forms (docs/schemas/): the same
 * checks as every face, errors naming the JSON path. */
static void test_json_forms(void) {
    mock_reset();
    commbox_inbox *inbox = NULL;
    commbox_inbox_message *m = NULL, *none = NULL;
    char options[512], *json = NULL, *sid = NULL, *other = NULL;
    int64_t conversation = 0, id = 0;
    snprintf(options, sizeof options, "{\"base_url\": \"%s\", \"max_retries\": 0}", base_url);
    OK(commbox_inbox_new_from_json(options, "mock-inbox", &inbox, E));
    OK(commbox_inbox_create_contact_from_json(
        inbox, "{\"source_id\": \"json-1\", \"name\": \"Jay\", \"custom_attributes\": {\"plan\": \"gold\"}}", &sid,
        NULL, E));
    CHECK(sid && strcmp(sid, "json-1") == 0);
    CHECK(state_contains("\"plan\":\"gold\""));
    OK(commbox_inbox_update_contact_from_json(inbox, "json-1", "{\"email\": \"jay@example.com\"}", &json, E));
    CHECK(json && strstr(json, "jay@example.com"));
    commbox_string_free(json);
    json = NULL;
    OK(commbox_inbox_create_conversation(inbox, "json-1", NULL, &conversation, NULL, E));
    OK(commbox_inbox_message_from_json("{\"content\": \"from JSON\", \"echo_id\": \"e-1\"}", &m, E));
    OK(commbox_inbox_create_message(inbox, "json-1", conversation, m, &id, &json, E));
    CHECK(id > 0 && json && strstr(json, "from JSON"));
    commbox_string_free(json);
    json = NULL;

    /* The core's rules, nothing sent: an HMAC token needs an identifier and excludes a hash. */
    int before = mock_request_count();
    BAD(COMMBOX_STATUS_VALIDATION, "hmac_token",
        commbox_inbox_create_contact_from_json(inbox, "{\"hmac_token\": \"t\"}", &other, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "hmac_token",
        commbox_inbox_create_contact_from_json(
            inbox, "{\"identifier\": \"u\", \"identifier_hash\": \"h\", \"hmac_token\": \"t\"}", &other, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "nmae",
        commbox_inbox_create_contact_from_json(inbox, "{\"nmae\": \"J\"}", &other, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "source_id",
        commbox_inbox_update_contact_from_json(inbox, "json-1", "{\"source_id\": \"x\"}", &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "contact_json",
        commbox_inbox_create_contact_from_json(inbox, NULL, &other, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "attachments[0]", commbox_inbox_message_from_json("{\"attachments\": [3]}", &none, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "message", commbox_inbox_message_from_json("[]", &none, ERR));
    CHECK(mock_request_count() == before);
    CHECK(other == NULL && json == NULL && none == NULL);

    commbox_string_free(sid);
    commbox_inbox_message_free(m);
    commbox_inbox_free(inbox);
}

int main(void) {
    base_url = getenv("COMMBOX_BASE_URL");
    api_key = getenv("COMMBOX_API_KEY");
    if (!base_url || !api_key) {
        fprintf(stderr, "run me through tests/with-mock.sh\n");
        return 2;
    }
    char dir[] = "/tmp/commbox-cw-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    inspector = new_client(api_key, base_url);
    fprintf(stderr, "-- chatwoot lifecycle\n");
    test_lifecycle(dir);
    fprintf(stderr, "-- chatwoot errors\n");
    test_errors();
    fprintf(stderr, "-- chatwoot bad input\n");
    test_bad_input();
    fprintf(stderr, "-- chatwoot JSON forms\n");
    test_json_forms();
    commbox_client_free(inspector);
    rmdir(dir);
    return finish();
}
