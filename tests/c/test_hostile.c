/*
 * Hostile and bad input through the C ABI, run against the mock under valgrind.
 *
 * The case ids (H01...H89) are those of the Rust, Python and CLI suites and of
 * docs/reliability.md; ids another face cannot express are absent here, and the C-only
 * ones (NULL pointers, invalid UTF-8) are here. Each case starts on an emptied mock. A
 * refused case returns its status (VALIDATION, or NULL_ARGUMENT / INVALID_UTF8) with an
 * error whose field names the argument, and the mock records no request. A sent case is
 * read back from the mock's inspection routes: the JSON there is serde_json's compact
 * output, so a value is found as it is escaped in JSON (a tab as \t, U+0001 as \u0001).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define MB (1024u * 1024u)

static commbox_client *client;
static char dir[] = "/tmp/commbox-hostile-XXXXXX";
static const char *case_id = "";
static int requests_before;
static commbox_error *err;
/* /__mock/requests as read by the last SENT check: the 1 MB cases read it once. */
static char *requests_json;

/* --- bookkeeping ------------------------------------------------------------------------- */

/* Starts a case on an emptied mock. */
static void begin(const char *id) {
    case_id = id;
    commbox_string_free(requests_json);
    requests_json = NULL;
    mock_reset();
    requests_before = 0;
}

/* After a case's own set-up requests: what the case sends is counted from here. */
static void mark(void) { requests_before = mock_request_count(); }

static void fail(int line, const char *what) {
    failed++;
    fprintf(stderr, "%s (line %d): %s\n", case_id, line, what);
}

/* Refused: status `want`, an error naming `field` (for validation, its message starts
 * with "field: "), and nothing on the wire. */
static void refused_(int line, commbox_status got, commbox_status want, const char *field) {
    const char *f = err ? commbox_error_field(err) : NULL;
    const char *msg = err ? commbox_error_message(err) : NULL;
    size_t n = strlen(field);
    int ok = got == want && err && commbox_error_status(err) == want && f && strcmp(f, field) == 0 && msg;
    if (ok && want == COMMBOX_STATUS_VALIDATION) ok = strncmp(msg, field, n) == 0 && strncmp(msg + n, ": ", 2) == 0;
    if (ok) {
        passed++;
    } else {
        fprintf(stderr, "  got %s, field %s: %s\n", commbox_status_name(got), f ? f : "-", msg ? msg : "-");
        fail(line, "not refused as expected");
    }
    commbox_error_free(err);
    err = NULL;
    if (mock_request_count() != requests_before) fail(line, "something was sent");
}
#define REFUSED(want, field, call) refused_(__LINE__, (call), (want), (field))
#define INVALID(field, call) REFUSED(COMMBOX_STATUS_VALIDATION, field, call)

/* Sent: status `want` (OK, or the server's answer to an unknown id) after at least one
 * request. */
static void sent_(int line, commbox_status got, commbox_status want) {
    if (got == want) {
        passed++;
    } else {
        fprintf(stderr, "  got %s: %s\n", commbox_status_name(got), err ? commbox_error_message(err) : "-");
        fail(line, "not sent as expected");
    }
    commbox_error_free(err);
    err = NULL;
    commbox_string_free(requests_json);
    requests_json = mock_get("/__mock/requests");
    if (!requests_json || count(requests_json, "\"seq\":") <= requests_before) fail(line, "nothing was sent");
}
#define SENT(call) sent_(__LINE__, (call), COMMBOX_STATUS_OK)
#define SENT_THEN(want, call) sent_(__LINE__, (call), (want))

/* Whether the requests the last SENT check read contain `needle`. */
static int sent_contains(const char *needle) {
    int found = requests_json && strstr(requests_json, needle) != NULL;
    if (!found) fprintf(stderr, "  not in /__mock/requests: %.200s\n", needle);
    return found;
}

static int chatwoot_contains(const char *needle) {
    char *json = mock_get("/__mock/chatwoot");
    int found = json && strstr(json, needle) != NULL;
    if (!found) fprintf(stderr, "  not in /__mock/chatwoot: %.200s\n", needle);
    commbox_string_free(json);
    return found;
}

/* `unit` repeated to `bytes` bytes (whole units), between `before` and `after`. */
static char *repeat(const char *before, const char *unit, size_t bytes, const char *after) {
    size_t u = strlen(unit), count = bytes / u, a = strlen(before), b = strlen(after);
    char *s = malloc(a + count * u + b + 1);
    memcpy(s, before, a);
    for (size_t i = 0; i < count; i++) memcpy(s + a + i * u, unit, u);
    memcpy(s + a + count * u, after, b + 1);
    return s;
}

static char *path_in_dir(const char *name) {
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static char *write_file(const char *name, const char *content) {
    char *p = path_in_dir(name);
    FILE *f = fopen(p, "wb");
    fputs(content, f);
    fclose(f);
    return p;
}

/* `attachment "<path>"`, the field of an attachment that cannot be sent. */
static char *attachment_field(const char *path) {
    char *f = malloc(strlen(path) + 16);
    sprintf(f, "attachment \"%s\"", path);
    return f;
}

/* --- what the cases send ------------------------------------------------------------------ */

static commbox_status sms_in(const char *stream, const char *message) {
    commbox_conversation *c = NULL;
    int64_t id = 0;
    commbox_status s = commbox_conversation_new_sms("972544444444", message, &c, &err);
    if (s == COMMBOX_STATUS_OK) s = commbox_create_conversation(client, stream, c, &id, &err);
    commbox_conversation_free(c);
    return s;
}

static commbox_status sms(const char *message) { return sms_in("s", message); }

/* An SMS conversation with the file `name` holding `content` attached from memory. */
static commbox_status sms_with_bytes(const char *name, const char *content) {
    commbox_conversation *c = NULL;
    int64_t id = 0;
    OK(commbox_conversation_new_sms("972544444444", "see file", &c, E));
    commbox_status s = commbox_conversation_add_attachment_bytes(c, (const uint8_t *)content, strlen(content), name, &err);
    if (s == COMMBOX_STATUS_OK) s = commbox_create_conversation(client, "s", c, &id, &err);
    commbox_conversation_free(c);
    return s;
}

static commbox_status sms_with_path(const char *path) {
    commbox_conversation *c = NULL;
    int64_t id = 0;
    OK(commbox_conversation_new_sms("972544444444", "see file", &c, E));
    OK(commbox_conversation_add_attachment_path(c, path, E));
    commbox_status s = commbox_create_conversation(client, "s", c, &id, &err);
    commbox_conversation_free(c);
    return s;
}

static commbox_status email(const char *identity, const char *subject, const char *to_name) {
    commbox_conversation *c = NULL;
    int64_t id = 0;
    OK(commbox_conversation_new_email(identity, subject, "m", &c, E));
    if (to_name) OK(commbox_conversation_add_recipient(c, "a@b.co", to_name, E));
    commbox_status s = commbox_create_conversation(client, "s", c, &id, &err);
    commbox_conversation_free(c);
    return s;
}

/* A conversation to post messages into, made before the case's request count. */
static int64_t new_object(void) {
    commbox_conversation *c = NULL;
    int64_t id = 0;
    OK(commbox_conversation_new_sms("972544444444", "start", &c, E));
    OK(commbox_create_conversation(client, "s", c, &id, E));
    commbox_conversation_free(c);
    mark();
    return id;
}

/* A customer message in a new conversation: text, an optional file from disk or memory,
 * optionally in the base64 form. */
static commbox_status customer_message(const char *text, const char *path, const char *name, const char *bytes,
                                       bool base64) {
    int64_t object = new_object(), id = 0;
    commbox_message *m = NULL;
    OK(commbox_message_new_customer("a@b.co", text, &m, E));
    if (path) OK(commbox_message_add_attachment_path(m, path, E));
    if (name) OK(commbox_message_add_attachment_bytes(m, (const uint8_t *)bytes, strlen(bytes), name, E));
    if (base64) OK(commbox_message_set_attachments_base64(m, true, E));
    commbox_status s = commbox_create_message(client, "s", object, m, &id, &err);
    commbox_message_free(m);
    return s;
}

static commbox_status client_with(const char *key, const char *url, const char *suffix, const char *proxy) {
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *made = NULL;
    OK(commbox_client_config_set_api_key(cfg, key, E));
    OK(commbox_client_config_set_base_url(cfg, url, E));
    if (suffix) OK(commbox_client_config_set_user_agent_suffix(cfg, suffix, E));
    if (proxy) OK(commbox_client_config_set_proxy(cfg, proxy, E));
    commbox_status s = commbox_client_new(cfg, &made, &err);
    commbox_client_free(made);
    commbox_client_config_free(cfg);
    return s;
}

static commbox_inbox *open_inbox(const char *identifier) {
    commbox_inbox *inbox = NULL;
    OK(commbox_client_inbox(client, base_url, identifier, &inbox, E));
    return inbox;
}

/* The Chatwoot contact "hostile-contact" with a conversation, made before the count. */
static int64_t new_chatwoot_conversation(commbox_inbox *inbox) {
    char *sid = NULL;
    int64_t conv = 0;
    OK(commbox_inbox_create_contact(inbox, "hostile-contact", NULL, NULL, NULL, NULL, NULL, NULL, NULL, &sid, NULL, E));
    OK(commbox_inbox_create_conversation(inbox, "hostile-contact", NULL, &conv, NULL, E));
    commbox_string_free(sid);
    mark();
    return conv;
}

/* A message from the contact: content, an optional echo id, files from disk or memory. */
static commbox_status chatwoot_message(const char *content, const char *echo_id, const char *path,
                                       const char *const *names, int n_names) {
    commbox_inbox *inbox = open_inbox("mock-inbox");
    int64_t conv = new_chatwoot_conversation(inbox), id = 0;
    commbox_inbox_message *m = NULL;
    OK(commbox_inbox_message_new(content, &m, E));
    if (echo_id) OK(commbox_inbox_message_set_echo_id(m, echo_id, E));
    if (path) OK(commbox_inbox_message_add_attachment_path(m, path, E));
    for (int i = 0; i < n_names; i++)
        OK(commbox_inbox_message_add_attachment_bytes(m, (const uint8_t *)names[i], strlen(names[i]), names[i], E));
    commbox_status s = commbox_inbox_create_message(inbox, "hostile-contact", conv, m, &id, NULL, &err);
    commbox_inbox_message_free(m);
    commbox_inbox_free(inbox);
    return s;
}

static commbox_status get_contact(const char *identifier) {
    commbox_inbox *inbox = open_inbox("mock-inbox");
    char *json = NULL;
    commbox_status s = commbox_inbox_get_contact(inbox, identifier, &json, &err);
    commbox_string_free(json);
    commbox_inbox_free(inbox);
    return s;
}

static commbox_status create_contact(const char *email_address, const char *name) {
    commbox_inbox *inbox = open_inbox("mock-inbox");
    char *sid = NULL;
    commbox_status s =
        commbox_inbox_create_contact(inbox, NULL, NULL, NULL, email_address, name, NULL, NULL, NULL, &sid, NULL, &err);
    commbox_string_free(sid);
    commbox_inbox_free(inbox);
    return s;
}

static commbox_status raw_get(const char *path) {
    char *json = NULL;
    commbox_status s = commbox_raw_request(client, "GET", path, NULL, &json, &err);
    commbox_string_free(json);
    return s;
}

/* A conversation in stream `given`: the path on the wire and the stream id stored. */
static void stream_case(const char *id, const char *given, const char *path, const char *stored) {
    char needle[256];
    begin(id);
    SENT(sms_in(given, "m"));
    snprintf(needle, sizeof needle, "\"path\":\"%s\"", path);
    CHECK(sent_contains(needle));
    snprintf(needle, sizeof needle, "\"stream_id\":\"%s\"", stored);
    CHECK(mock_objects_contain(needle));
}

/* A conversation with an in-memory file `name` (`json_name` as JSON writes it): its part's
 * file name and the name stored. */
static void name_case(const char *id, const char *name, const char *json_name) {
    char needle[512];
    begin(id);
    SENT(sms_with_bytes(name, "named"));
    snprintf(needle, sizeof needle, "\"filename\":\"%s\"", json_name);
    CHECK(sent_contains(needle));
    snprintf(needle, sizeof needle, "\"name\":\"%s\"", json_name);
    CHECK(mock_objects_contain(needle));
}

/* --- the cases ------------------------------------------------------------------------------ */

static void empty_and_blank(void) {
    commbox_conversation *c = NULL;
    int64_t id = 0;

    begin("H01");
    INVALID("Message", sms(""));
    begin("H02");
    OK(commbox_conversation_new_chat("a@b.co", " \t\n ", &c, E));
    INVALID("Message", commbox_create_conversation(client, "s", c, &id, &err));
    commbox_conversation_free(c);
    begin("H03");
    INVALID("Message", customer_message("   ", NULL, NULL, NULL, false));
    begin("H04");
    INVALID("stream_id", sms_in("", "m"));
    begin("H05");
    INVALID("stream_id", sms_in("   ", "m"));
    begin("H06");
    OK(commbox_conversation_new_sms("", "m", &c, E));
    INVALID("UserStreamProviderId", commbox_create_conversation(client, "s", c, &id, &err));
    commbox_conversation_free(c);
    begin("H07");
    OK(commbox_conversation_new_whatsapp_template("972544444444", " \t", "m", &c, E));
    INVALID("Content.whatsapp_hsm_name", commbox_create_conversation(client, "s", c, &id, &err));
    commbox_conversation_free(c);
    begin("H08");
    INVALID("api_key", client_with("", base_url, NULL, NULL));
    begin("H09");
    INVALID("api_key", client_with(" \t ", base_url, NULL, NULL));
    begin("H10");
    commbox_inbox *none = NULL;
    INVALID("inbox_identifier", commbox_client_inbox(client, base_url, "", &none, &err));
    CHECK(none == NULL);
    begin("H11");
    INVALID("contact_identifier", get_contact("  "));
    begin("H12");
    INVALID("name", create_contact(NULL, " \n "));
    begin("H13");
    INVALID("echo_id", chatwoot_message("hi", "  ", NULL, NULL, 0));
    begin("H14");
    SENT(chatwoot_message("", NULL, NULL, NULL, 0));
    CHECK(sent_contains("\"json\":{\"content\":\"\"}"));
    CHECK(chatwoot_contains("\"content\":\"\""));
    begin("H15");
    INVALID("attachment \"  \"", customer_message("m", NULL, "  ", "x", false));
}

/* The body the mock recorded is checked; the Rust suite also reads back what it stored. */
static void one_megabyte(void) {
    char *big = repeat("", "x", MB, "");
    char *hebrew = repeat("", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x98\x80 ", MB, "");
    char *needle;

    begin("H16");
    SENT(sms(big));
    needle = repeat("\"Message\":\"", "x", MB, "\"");
    CHECK(sent_contains(needle));
    free(needle);

    begin("H17");
    int64_t object = new_object(), id = 0;
    commbox_message *m = NULL;
    OK(commbox_message_new_agent(36574658, "agent@commbox.com", hebrew, &m, E));
    SENT(commbox_create_message(client, "s", object, m, &id, &err));
    commbox_message_free(m);
    needle = malloc(strlen(hebrew) + 16);
    sprintf(needle, "\"Message\":\"%s\"", hebrew);
    CHECK(sent_contains(needle));
    free(needle);

    begin("H18");
    INVALID("content", chatwoot_message(big, NULL, NULL, NULL, 0));

    begin("H19");
    char *limit = repeat("", "\xc3\xa9", 300000, ""); /* 150 000 characters, each 2 bytes */
    SENT(chatwoot_message(limit, NULL, NULL, NULL, 0));
    needle = malloc(strlen(limit) + 16);
    sprintf(needle, "\"content\":\"%s\"", limit);
    CHECK(chatwoot_contains(needle));
    free(needle);
    free(limit);

    begin("H20");
    INVALID("stream_id", sms_in(big, "m"));
    begin("H21");
    INVALID("contact_identifier", get_contact(big));
    begin("H22");
    INVALID("api_key", client_with(big, base_url, NULL, NULL));

    begin("H23");
    commbox_conversation *c = NULL;
    OK(commbox_conversation_new_sms("972544444444", "m", &c, E));
    OK(commbox_conversation_set_user(c, NULL, NULL, NULL, NULL, NULL, hebrew, E));
    SENT(commbox_create_conversation(client, "s", c, &id, &err));
    commbox_conversation_free(c);
    needle = malloc(strlen(hebrew) + 16);
    sprintf(needle, "\"Remarks\":\"%s\"", hebrew);
    CHECK(sent_contains(needle));
    free(needle);

    begin("H24");
    char *name = repeat("", "n", MB, ".txt");
    SENT(sms_with_bytes(name, "x"));
    needle = repeat("\"filename\":\"", "n", MB, ".txt\"");
    CHECK(sent_contains(needle));
    free(needle);
    needle = repeat("\"name\":\"", "n", MB, ".txt\"");
    CHECK(mock_objects_contain(needle));
    free(needle);
    free(name);

    free(big);
    free(hebrew);
}

static void control_characters(void) {
    begin("H25");
    SENT(sms("a\x01\x1b[31mc\x7f")); /* a C string cannot hold NUL */
    CHECK(sent_contains("\"Message\":\"a\\u0001\\u001b[31mc\x7f\""));
    CHECK(mock_objects_contain("\"Message\":\"a\\u0001\\u001b[31mc\x7f\""));
    begin("H26");
    INVALID("stream_id", sms_in("s\x01", "m"));
    begin("H27");
    INVALID("stream_id", sms_in("s\tt", "m"));
    begin("H28");
    INVALID("contact_identifier", get_contact("c\x1b[0m"));
    begin("H29");
    INVALID("attachment \"a\\u{1}b.txt\"", sms_with_bytes("a\x01" "b.txt", "x"));
    begin("H30");
    const char *del[] = {"a\x7f" "b.txt"};
    INVALID("attachment \"a\\u{7f}b.txt\"", chatwoot_message("m", NULL, NULL, del, 1));
    name_case("H31", "tab\there.txt", "tab\\there.txt");
    begin("H32");
    INVALID("api_key", client_with("k\x01" "ey", base_url, NULL, NULL));
    begin("H33");
    INVALID("user_agent_suffix", client_with(api_key, base_url, "app/1\x01", NULL));
    begin("H34");
    char url[128];
    const char *port = strrchr(base_url, ':');
    snprintf(url, sizeof url, "%.*s:1\n%s", (int)(port - base_url), base_url, port + 1);
    INVALID("base_url", client_with(api_key, url, NULL, NULL));
}

static void crlf_bound_for_a_header(void) {
    begin("H36");
    commbox_status s = client_with("secret\r\nX-Evil: 1", base_url, NULL, NULL);
    CHECK(err && strstr(commbox_error_message(err), "secret") == NULL); /* never echoed */
    INVALID("api_key", s);
    begin("H37");
    INVALID("api_key", client_with("key-from-a-file\n", base_url, NULL, NULL));
    begin("H38");
    INVALID("user_agent_suffix", client_with(api_key, base_url, "app/1\r\nX-Evil: 1", NULL));
    begin("H39");
    INVALID("attachment \"a\\r\\nX-Evil: 1.txt\"", customer_message("m", NULL, "a\r\nX-Evil: 1.txt", "x", false));
    begin("H41");
    INVALID("Content.subject", email("a@b.co", "Hi\r\nBcc: x@evil.example", NULL));
    begin("H42");
    INVALID("Content.to[0].name", email("a@b.co", "Hi", "A\r\nBcc: x@evil.example"));
    begin("H43");
    INVALID("UserStreamProviderId", email("a@b.co\r\nBcc: x@evil.example", "Hi", NULL));
    begin("H44");
    INVALID("proxy", client_with(api_key, base_url, NULL, "http://proxy:3128\r\nX: 1"));

    begin("H45");
    commbox_inbox *inbox = open_inbox("mock-inbox");
    new_chatwoot_conversation(inbox);
    char *hash = NULL, *json = NULL, needle[256];
    OK(commbox_chatwoot_identifier_hash("id\r\nX-Evil: 1", "mock-hmac-token", &hash, E));
    SENT(commbox_inbox_get_verified_contact(inbox, "hostile-contact", "id\r\nX-Evil: 1", hash, &json, &err));
    snprintf(needle, sizeof needle, "\"query\":\"identifier=id%%0D%%0AX-Evil%%3A+1&identifier_hash=%s\"", hash);
    CHECK(sent_contains(needle));
    CHECK(requests_json && strstr(requests_json, "\"x-evil\":") == NULL); /* no header was added */
    CHECK(chatwoot_contains("\"hmac_verified\":true")); /* the identifier arrived intact */
    commbox_string_free(hash);
    commbox_string_free(json);
    commbox_inbox_free(inbox);

    begin("H46");
    INVALID("email", create_contact("a@b.co\r\nBcc: x@evil.example", NULL));
    begin("H47");
    SENT(chatwoot_message("line 1\r\nline 2\n", NULL, NULL, NULL, 0));
    CHECK(chatwoot_contains("\"content\":\"line 1\\r\\nline 2\\n\""));
}

static void invalid_utf8_and_null(void) {
    const char *bad = "s\xff\xfe";
    commbox_conversation *c = NULL;
    commbox_message *m = NULL;
    int64_t id = 0;
    begin("H48");
    REFUSED(COMMBOX_STATUS_INVALID_UTF8, "stream_id", sms_in(bad, "m"));
    begin("H49");
    REFUSED(COMMBOX_STATUS_INVALID_UTF8, "message", commbox_conversation_new_sms("972544444444", "caf\xe9", &c, &err));
    CHECK(c == NULL);
    begin("H50");
    commbox_client_config *cfg = commbox_client_config_new();
    REFUSED(COMMBOX_STATUS_INVALID_UTF8, "api_key", commbox_client_config_set_api_key(cfg, "k\xff", &err));
    commbox_client_config_free(cfg);
    begin("H51");
    OK(commbox_message_new_customer("a@b.co", "m", &m, E));
    REFUSED(COMMBOX_STATUS_INVALID_UTF8, "path", commbox_message_add_attachment_path(m, "/tmp/bad\xff" "name.txt", &err));
    begin("H52");
    OK(commbox_conversation_new_sms("972544444444", "m", &c, E));
    REFUSED(COMMBOX_STATUS_NULL_ARGUMENT, "stream_id", commbox_create_conversation(client, NULL, c, &id, &err));
    REFUSED(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_create_conversation(client, "s", NULL, &id, &err));
    REFUSED(COMMBOX_STATUS_NULL_ARGUMENT, "name", commbox_message_add_attachment_bytes(m, (const uint8_t *)"x", 1, NULL, &err));
    REFUSED(COMMBOX_STATUS_NULL_ARGUMENT, "contact_identifier", get_contact(NULL));
    CHECK(id == 0);
    commbox_conversation_free(c);
    commbox_message_free(m);
}

static void ids(void) {
    stream_case("H54", "a/b", "/streams/a%2Fb/objects", "a/b");
    begin("H55");
    INVALID("stream_id", sms_in("..", "m"));
    begin("H56");
    INVALID("stream_id", sms_in("%2e%2E", "m"));
    stream_case("H57", "x?y#z", "/streams/x%3Fy%23z/objects", "x?y#z");
    stream_case("H58", "50%off", "/streams/50%25off/objects", "50%off");
    stream_case("H59", "a b=", "/streams/a%20b%3D/objects", "a b=");
    stream_case("H60", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x98\x80",
                "/streams/%D7%A9%D7%9C%D7%95%D7%9D%20%F0%9F%98%80/objects",
                "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x98\x80");
    stream_case("H61", "hNyRN_fLUy7rrOrN9jLpipA%3d%3d", "/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects",
                "hNyRN_fLUy7rrOrN9jLpipA==");

    commbox_message *m = NULL;
    int64_t id = 0;
    char *json = NULL;
    begin("H63");
    OK(commbox_message_new_customer("a@b.co", "m", &m, E));
    INVALID("object_id", commbox_create_message(client, "s", 0, m, &id, &err));
    commbox_message_free(m);
    begin("H64");
    INVALID("object_id", commbox_get_conversation(client, "s", -1, &json, &err));
    CHECK(json == NULL);
    begin("H67");
    INVALID("path", raw_get("/streams/%2e%2e/managers"));
    begin("H68");
    INVALID("path", raw_get("//evil.example/x"));

    begin("H69");
    commbox_inbox *odd = open_inbox("a/b?c");
    SENT_THEN(COMMBOX_STATUS_NOT_FOUND, commbox_inbox_get(odd, &json, &err));
    CHECK(sent_contains("\"path\":\"/public/api/v1/inboxes/a%2Fb%3Fc\""));
    commbox_inbox_free(odd);

    begin("H70");
    const char *source = "a/b ?#%25 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x98\x80";
    commbox_inbox *inbox = open_inbox("mock-inbox");
    char *sid = NULL;
    OK(commbox_inbox_create_contact(inbox, source, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &sid, NULL, E));
    mark();
    SENT(commbox_inbox_get_contact(inbox, source, &json, &err));
    CHECK(sid && strcmp(sid, source) == 0);
    CHECK(json && strstr(json, "\"source_id\":\"a/b ?#%25 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x98\x80\""));
    CHECK(sent_contains("\"path\":\"/public/api/v1/inboxes/mock-inbox/contacts/"
                                "a%2Fb%20%3F%23%2525%20%D7%A9%D7%9C%D7%95%D7%9D%20%F0%9F%98%80\""));
    commbox_string_free(sid);
    commbox_string_free(json);
    json = NULL;

    begin("H71");
    INVALID("contact_identifier", get_contact(".."));
    begin("H72");
    SENT_THEN(COMMBOX_STATUS_NOT_FOUND, get_contact("0"));
    CHECK(sent_contains("\"path\":\"/public/api/v1/inboxes/mock-inbox/contacts/0\""));
    begin("H73");
    commbox_inbox_message *cm = NULL;
    OK(commbox_inbox_message_new("m", &cm, E));
    INVALID("conversation_id", commbox_inbox_create_message(inbox, "hostile-contact", 0, cm, &id, NULL, &err));
    commbox_inbox_message_free(cm);
    commbox_inbox_free(inbox);
}

static void attachment_paths(void) {
    char *missing = path_in_dir("missing.pdf"), *field = attachment_field(missing);
    begin("H74");
    INVALID(field, sms_with_path(missing));
    free(field);

    begin("H75");
    field = attachment_field(dir);
    INVALID(field, chatwoot_message("m", NULL, dir, NULL, 0));
    free(field);

    /* Root reads any file whatever its mode: the check runs as uid 65534 (nobody). */
    begin("H76");
    char *secret = write_file("secret.txt", "secret");
    chmod(secret, 0);
    field = attachment_field(secret);
    int dropped = geteuid() == 0 && seteuid(65534) == 0;
    commbox_status s = sms_with_path(secret);
    if (dropped && seteuid(0) != 0) abort();
    CHECK(err && strstr(commbox_error_message(err), "Permission denied"));
    INVALID(field, s);
    free(field);
    free(secret);

    begin("H77");
    char *fifo = path_in_dir("pipe");
    CHECK(mkfifo(fifo, 0600) == 0);
    field = attachment_field(fifo);
    INVALID(field, customer_message("m", fifo, NULL, NULL, false));
    free(field);
    free(fifo);

    char *empty = write_file("empty.txt", "");
    begin("H78");
    SENT(sms_with_path(empty));
    CHECK(sent_contains("\"filename\":\"empty.txt\",\"name\":\"file\",\"sha256\":"
                                "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0}"));
    CHECK(mock_objects_contain("\"name\":\"empty.txt\",\"sha256\":"
                               "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0}"));
    begin("H79");
    SENT(customer_message("", empty, NULL, NULL, true));
    CHECK(sent_contains("{\"content_type\":null,\"filename\":null,\"name\":\"file\""));
    CHECK(mock_objects_contain("\"name\":\"empty.txt\",\"sha256\":"
                               "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0}"));
    begin("H80");
    SENT(chatwoot_message("", NULL, empty, NULL, 0));
    CHECK(chatwoot_contains("\"name\":\"empty.txt\""));
    CHECK(chatwoot_contains("\"size\":0"));
    free(empty);
    free(missing);
}

#define HEBREW "\xd7\x97\xd7\xa9\xd7\x91\xd7\x95\xd7\xa0\xd7\x99\xd7\xaa \xd7\x9e\xd7\xa1.pdf"
#define EMOJI "\xf0\x9f\x93\x8e report \xf0\x9f\x98\x80.txt"
#define MIXED "\xd7\x94\xd7\xa6\xd7\xa2\xd7\x94 \"\xd7\xa1\xd7\x95\xd7\xa4\xd7\x99\xd7\xaa\"; v2 \xf0\x9f\x98\x80.txt"
#define MIXED_JSON "\xd7\x94\xd7\xa6\xd7\xa2\xd7\x94 \\\"\xd7\xa1\xd7\x95\xd7\xa4\xd7\x99\xd7\xaa\\\"; v2 \xf0\x9f\x98\x80.txt"

static void file_names(void) {
    name_case("H81", "say \"hi\".txt", "say \\\"hi\\\".txt");
    name_case("H82", "a;b=c; filename=x.txt", "a;b=c; filename=x.txt");
    name_case("H83", HEBREW, HEBREW);
    name_case("H84", EMOJI, EMOJI);
    name_case("H85", "C:\\temp\\end\\", "C:\\\\temp\\\\end\\\\");
    name_case("H86", "100%25 sure.txt", "100%25 sure.txt");

    begin("H87");
    const char *names[] = {"say \"hi\".txt", "a;b=c; filename=x.txt", HEBREW, EMOJI, MIXED};
    SENT(chatwoot_message("files", NULL, NULL, names, 5));
    CHECK(sent_contains("\"filename\":\"say \\\"hi\\\".txt\",\"name\":\"attachments[]\""));
    CHECK(sent_contains("\"filename\":\"" MIXED_JSON "\",\"name\":\"attachments[]\""));
    CHECK(chatwoot_contains("\"name\":\"say \\\"hi\\\".txt\""));
    CHECK(chatwoot_contains("\"name\":\"a;b=c; filename=x.txt\""));
    CHECK(chatwoot_contains("\"name\":\"" HEBREW "\""));
    CHECK(chatwoot_contains("\"name\":\"" EMOJI "\""));
    CHECK(chatwoot_contains("\"name\":\"" MIXED_JSON "\""));

    begin("H88");
    SENT(customer_message("", NULL, MIXED, "base64 me", true));
    CHECK(mock_objects_contain("\"name\":\"" MIXED_JSON "\""));
}

static void environment(void) {
    /* H89: a variable that is not UTF-8 is reported by name, not taken as unset. */
    begin("H89");
    setenv("COMMBOX_PROXY", "http://proxy\xff:3128", 1);
    commbox_client_config *cfg = commbox_client_config_from_env();
    commbox_client *made = NULL;
    INVALID("proxy (COMMBOX_PROXY)", commbox_client_new(cfg, &made, &err));
    CHECK(made == NULL);
    commbox_client_config_free(cfg);
    unsetenv("COMMBOX_PROXY");
}

int main(void) {
    base_url = getenv("COMMBOX_BASE_URL");
    api_key = getenv("COMMBOX_API_KEY");
    if (!base_url || !api_key) {
        fprintf(stderr, "run me through tests/with-mock.sh\n");
        return 2;
    }
    /* Searchable by the unprivileged user of H76, so that only the file itself is not. */
    if (!mkdtemp(dir) || chmod(dir, 0755) != 0) return 2;
    inspector = new_client(api_key, base_url);
    client = new_client(api_key, base_url);

    empty_and_blank();
    one_megabyte();
    control_characters();
    crlf_bound_for_a_header();
    invalid_utf8_and_null();
    ids();
    attachment_paths();
    file_names();
    environment();

    commbox_string_free(requests_json);
    commbox_client_free(client);
    commbox_client_free(inspector);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return finish();
}
