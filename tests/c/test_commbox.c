/*
 * The C suite for libcommbox, run against the mock server (tests/with-mock.sh sets
 * COMMBOX_BASE_URL and COMMBOX_API_KEY) under valgrind memcheck.
 *
 * What the mock received is read back through the library's own raw request on the
 * mock's inspection routes (/__mock/requests, /__mock/objects): the JSON there is
 * serde_json's compact output with sorted keys, so substring checks are exact.
 */
#define _POSIX_C_SOURCE 200809L
#include "commbox.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "harness.h"

/* --- tests ------------------------------------------------------------------------------ */

static void test_version(void) {
    CHECK(strcmp(commbox_version(), COMMBOX_VERSION_STRING) == 0);
    CHECK(COMMBOX_VERSION_NUMBER ==
          COMMBOX_VERSION_MAJOR * 10000 + COMMBOX_VERSION_MINOR * 100 + COMMBOX_VERSION_PATCH);
    CHECK(strcmp(commbox_status_name(COMMBOX_STATUS_RATE_LIMITED), "rate_limited") == 0);
}

static void test_channels(commbox_client *client) {
    mock_reset();
    commbox_conversation *c = NULL;
    int64_t ids[5] = {0};

    OK(commbox_conversation_new_email("john@example.com", "Invoice", "Attached.", &c, E));
    OK(commbox_conversation_add_recipient(c, "john@example.com", "John Doe", E));
    OK(commbox_conversation_add_cc(c, "team@example.com", NULL, E));
    OK(commbox_conversation_add_bcc(c, "audit@example.com", "Audit", E));
    OK(commbox_conversation_set_status(c, 13, E));
    OK(commbox_conversation_set_manager_id(c, 28361974, E));
    OK(commbox_conversation_set_user(c, "CUST-1", "John", "Doe", "1234567890", "john@example.com", NULL, E));
    OK(commbox_create_conversation(client, "mail==", c, &ids[0], E));
    commbox_conversation_free(c);

    OK(commbox_conversation_new_sms("+972544444444", "code 1234", &c, E));
    OK(commbox_conversation_set_stream_provider_id(c, "972544444444", E));
    OK(commbox_create_conversation(client, "sms", c, &ids[1], E));
    commbox_conversation_free(c);

    OK(commbox_conversation_new_bulk_sms("972544444444", "closing at 6", &c, E));
    OK(commbox_conversation_add_recipient(c, "972522222222", NULL, E));
    OK(commbox_conversation_add_recipient(c, "+972533333333", NULL, E));
    OK(commbox_create_conversation(client, "sms", c, &ids[2], E));
    commbox_conversation_free(c);

    OK(commbox_conversation_new_whatsapp_template("972544444444", "order_ready", "ready", &c, E));
    OK(commbox_conversation_add_template_param(c, "A-1001", E));
    OK(commbox_conversation_set_template_language(c, "en", E));
    OK(commbox_create_conversation(client, "wa", c, &ids[3], E));
    commbox_conversation_free(c);

    OK(commbox_conversation_new_chat("972544444444", "hello", &c, E));
    OK(commbox_conversation_set_user_identity(c, 100000000419660LL, E));
    OK(commbox_conversation_set_field_json(c, "Priority", "3", E));
    OK(commbox_create_conversation(client, "chat", c, &ids[4], E));
    commbox_conversation_free(c);

    for (int i = 1; i < 5; i++) CHECK(ids[i] > ids[i - 1] && ids[i - 1] > 0);
    CHECK(mock_request_count() == 5);
    CHECK(mock_requests_contain("\"path\":\"/streams/mail%3D%3D/objects\""));
    CHECK(mock_requests_contain(
        "\"Content\":{\"bcc\":[{\"address\":\"audit@example.com\",\"name\":\"Audit\"}],"
        "\"cc\":[{\"address\":\"team@example.com\"}],\"subject\":\"Invoice\","
        "\"to\":[{\"address\":\"john@example.com\",\"name\":\"John Doe\"}]}"));
    CHECK(mock_requests_contain("\"StatusId\":13"));
    CHECK(mock_requests_contain("\"User\":{\"Email\":\"john@example.com\",\"FirstName\":\"John\""));
    CHECK(mock_requests_contain("\"UserStreamProviderId\":\"972544444444\",\"UserStreamProviderType\":5"));
    CHECK(mock_requests_contain("\"Content\":{\"to\":[\"972522222222\",\"972533333333\"]}"));
    CHECK(mock_requests_contain("\"sendToClient\":true"));
    CHECK(mock_requests_contain("\"whatsapp_hsm_name\":\"order_ready\""));
    CHECK(mock_requests_contain("\"whatsapp_localizable_params\":[\"A-1001\"]"));
    CHECK(mock_requests_contain("\"Priority\":3"));
    CHECK(mock_requests_contain("\"createChildObject\":true"));

    /* JSON the caller already holds. */
    int64_t id = 0;
    OK(commbox_create_conversation_json(client, "legacy",
                                        "{\"data\":{\"Type\":4,\"Message\":\"legacy\"}}", &id, E));
    CHECK(id > ids[4]);
}

static void write_file(const char *path, size_t size) {
    FILE *f = fopen(path, "wb");
    static unsigned char chunk[65536];
    unsigned int state = 2463534242u;
    while (size > 0) {
        size_t n = size < sizeof chunk ? size : sizeof chunk;
        for (size_t i = 0; i < n; i++) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            chunk[i] = (unsigned char)state;
        }
        fwrite(chunk, 1, n, f);
        size -= n;
    }
    fclose(f);
}

/* The file's SHA-256 in hex, from coreutils (the library has no hashing to lend). */
static void sha256_file(const char *path, char out[65]) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    out[0] = '\0';
    if (p) {
        if (fscanf(p, "%64s", out) != 1) out[0] = '\0';
        pclose(p);
    }
}

static void test_messages(commbox_client *client, const char *dir) {
    mock_reset();
    int64_t object = 0, customer = 0, agent = 0, b64 = 0;
    commbox_conversation *c = NULL;
    OK(commbox_conversation_new_chat("MrDoe@gmail.com", "hello", &c, E));
    OK(commbox_create_conversation(client, "chat", c, &object, E));
    commbox_conversation_free(c);

    char path[512];
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("hello notes", f);
    fclose(f);

    commbox_message *m = NULL;
    OK(commbox_message_new_customer("MrDoe@gmail.com", "Where is my order?", &m, E));
    OK(commbox_message_add_attachment_path(m, path, E));
    OK(commbox_create_message(client, "chat", object, m, &customer, E));
    commbox_message_free(m);

    const uint8_t bytes[] = {'p', 'n', 'g', 0, 1, 2};
    OK(commbox_message_new_agent(36574658, "best.agent@commbox.com", "It ships today.", &m, E));
    OK(commbox_message_add_attachment_bytes(m, bytes, sizeof bytes, "label.png", E));
    OK(commbox_create_message(client, "chat", object, m, &agent, E));
    commbox_message_free(m);

    OK(commbox_message_new_customer("972544444444", "", &m, E));
    OK(commbox_message_add_attachment_path(m, path, E));
    OK(commbox_message_set_attachments_base64(m, true, E));
    OK(commbox_create_message(client, "chat", object, m, &b64, E));
    commbox_message_free(m);

    OK(commbox_create_message_json(client, "chat", object,
                                   "{\"Type\":4,\"UserStreamProviderId\":\"a@b.co\","
                                   "\"UserStreamProviderType\":4,\"Message\":\"json\"}",
                                   &b64, E));

    CHECK(customer > 0 && agent > customer && b64 > agent);
    CHECK(mock_requests_contain("\"IsManager\":true"));
    CHECK(mock_requests_contain("\"UserIdentity\":36574658"));
    CHECK(mock_requests_contain("{\"content_type\":\"text/plain\",\"filename\":\"notes.txt\",\"name\":\"file\""));
    CHECK(mock_requests_contain("{\"content_type\":\"image/png\",\"filename\":\"label.png\",\"name\":\"file\""));
    /* base64 form: a text `file` field, decoded by the mock to the same 11 bytes. */
    CHECK(mock_requests_contain("{\"content_type\":null,\"filename\":null,\"name\":\"file\""));
    CHECK(mock_objects_contain("{\"content_type\":\"text/plain\",\"name\":\"notes.txt\""));

    char *json = NULL;
    OK(commbox_get_conversation(client, "chat", object, &json, E));
    char needle[64];
    /* The record's JSON form: typed keys first, what the server sent in `raw`. */
    snprintf(needle, sizeof needle, "{\"id\":%lld,\"object_id\":%lld,", (long long)agent, (long long)object);
    CHECK(json && strstr(json, needle) != NULL);
    snprintf(needle, sizeof needle, "{\"id\":%lld,\"stream_id\":\"chat\",", (long long)object);
    CHECK(json && strstr(json, needle) == json);
    CHECK(json && strstr(json, "\"messages\":[{") && strstr(json, "\"raw\":{") && strstr(json, "\"childs\":["));
    commbox_string_free(json);

    OK(commbox_set_conversation_status(client, object, 2, E));
    CHECK(mock_objects_contain("\"status_id\":2"));
    OK(commbox_list_managers(client, &json, E));
    CHECK(json && strstr(json, "{\"id\":36574658,\"identity_id\":") != NULL);
    commbox_string_free(json);
    OK(commbox_system_status(client, &json, E));
    CHECK(json && strstr(json, "{\"http_status\":200,\"description\":\"System is operational\"") == json);
    CHECK(json && strstr(json, "\"raw\":{"));
    commbox_string_free(json);
}

static void test_large_attachment(commbox_client *client, const char *dir) {
    mock_reset();
    char path[512], sha[65], needle[160];
    snprintf(path, sizeof path, "%s/large.bin", dir);
    const size_t size = 52u * 1024u * 1024u;
    write_file(path, size);
    sha256_file(path, sha);
    CHECK(strlen(sha) == 64);

    commbox_conversation *c = NULL;
    int64_t id = 0;
    OK(commbox_conversation_new_email("a@b.co", "large", "see attached", &c, E));
    OK(commbox_conversation_add_attachment_path(c, path, E));
    OK(commbox_create_conversation(client, "big", c, &id, E));
    commbox_conversation_free(c);
    snprintf(needle, sizeof needle, "\"name\":\"large.bin\",\"sha256\":\"%s\",\"size\":%zu", sha, size);
    CHECK(mock_objects_contain(needle));
    unlink(path);
}

static void test_error_kinds(commbox_client *client) {
    mock_reset();
    commbox_conversation *c = NULL;
    OK(commbox_conversation_new_sms("972544444444", "hi", &c, E));
    int64_t id = -7;

    /* 401 with every field. */
    commbox_client *wrong = new_client("wrong-key", base_url);
    BAD(COMMBOX_STATUS_AUTHENTICATION, NULL, commbox_create_conversation(wrong, "s", c, &id, ERR));
    commbox_error *e = NULL;
    CHECK(commbox_create_conversation(wrong, "s", c, &id, &e) == COMMBOX_STATUS_AUTHENTICATION);
    CHECK(commbox_error_http_status(e) == 401);
    CHECK(commbox_error_description(e) && strcmp(commbox_error_description(e), "Unauthorized access") == 0);
    CHECK(commbox_error_body(e) && strstr(commbox_error_body(e), "\"status\":401"));
    CHECK(commbox_error_request_id(e) && strlen(commbox_error_request_id(e)) == 36);
    CHECK(strstr(commbox_error_message(e), "wrong-key") == NULL);
    CHECK(commbox_error_retry_after(e) < 0);
    CHECK(commbox_error_retry_safety(e) == COMMBOX_RETRY_SAFETY_SAFE); /* refused: not processed */
    CHECK(commbox_error_field(e) == NULL);
    commbox_error_free(e);
    commbox_client_free(wrong);
    CHECK(id == -7); /* out-parameters are written only on success */

    BAD(COMMBOX_STATUS_NOT_FOUND, NULL, commbox_create_message_json(client, "s", 999999, "{\"Message\":\"x\"}", &id, ERR));

    mock_post("/__mock/faults", "{\"status\":400,\"body\":{\"status\":400,\"description\":\"StreamProviderType is invalid\"}}");
    CHECK(commbox_create_conversation(client, "s", c, &id, &e) == COMMBOX_STATUS_BAD_REQUEST);
    CHECK(e && commbox_error_description(e) && strcmp(commbox_error_description(e), "StreamProviderType is invalid") == 0);
    commbox_error_free(e);

    mock_post("/__mock/faults", "{\"status\":429,\"retry_after\":\"120\"}");
    CHECK(commbox_create_conversation(client, "s", c, &id, &e) == COMMBOX_STATUS_RATE_LIMITED);
    CHECK(e && commbox_error_retry_after(e) == 120.0 && commbox_error_http_status(e) == 429);
    CHECK(e && commbox_error_retry_safety(e) == COMMBOX_RETRY_SAFETY_SAFE);
    commbox_error_free(e);

    mock_post("/__mock/faults", "{\"status\":500}");
    BAD(COMMBOX_STATUS_SERVER, NULL, commbox_create_conversation(client, "s", c, &id, ERR));

    mock_post("/__mock/faults", "{\"status\":200,\"body\":{\"status\":200,\"data\":null}}");
    BAD(COMMBOX_STATUS_DECODE, NULL, commbox_create_conversation(client, "s", c, &id, ERR));

    mock_post("/__mock/faults", "{\"drop\":true}");
    BAD(COMMBOX_STATUS_CONNECTION, NULL, commbox_create_conversation(client, "s", c, &id, ERR));

    /* Timeout: a client allowing 300 ms against a 3 s delay. */
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *slow = NULL;
    OK(commbox_client_config_set_api_key(cfg, api_key, E));
    OK(commbox_client_config_set_base_url(cfg, base_url, E));
    OK(commbox_client_config_set_timeout_ms(cfg, 300, E));
    OK(commbox_client_new(cfg, &slow, E));
    mock_post("/__mock/faults", "{\"delay_ms\":3000}");
    BAD(COMMBOX_STATUS_TIMEOUT, NULL, commbox_create_conversation(slow, "s", c, &id, ERR));
    commbox_client_free(slow);

    /* Connection refused. */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
    commbox_client *nowhere = new_client("k", url);
    BAD(COMMBOX_STATUS_CONNECTION, NULL, commbox_system_status(nowhere, (char *[]){NULL}, ERR));
    commbox_client_free(nowhere);

    /* TLS: https to a plain-HTTP port fails the handshake. */
    snprintf(url, sizeof url, "https://%s", strstr(base_url, "://") + 3);
    commbox_client *tls = new_client("k", url);
    BAD(COMMBOX_STATUS_TLS, NULL, commbox_system_status(tls, (char *[]){NULL}, ERR));
    commbox_client_free(tls);

    /* I/O: an unreadable CA file. */
    OK(commbox_client_config_set_ca_file(cfg, "/no/such/ca.pem", E));
    commbox_client *none = NULL;
    BAD(COMMBOX_STATUS_IO, NULL, commbox_client_new(cfg, &none, ERR));
    CHECK(none == NULL);
    commbox_client_config_free(cfg);

    /* Accessors with NULL. */
    CHECK(commbox_error_status(NULL) == COMMBOX_STATUS_NULL_ARGUMENT);
    CHECK(commbox_error_message(NULL) == NULL && commbox_error_http_status(NULL) == 0);
    CHECK(commbox_error_retry_after(NULL) < 0);
    CHECK(commbox_error_retry_safety(NULL) == COMMBOX_RETRY_SAFETY_MAY_DUPLICATE);
    commbox_error_free(NULL);
    commbox_string_free(NULL);
    commbox_conversation_free(c);
}

/* Every pointer argument NULL, invalid UTF-8, empty strings, bad files, zero ids:
 * each returns the right status with a message, and nothing reaches the server.
 * Hostile values (huge, control characters, CR/LF, odd ids and names) are in the shared case table (tests/cases/hostile.json, run by test_hostile_cases.c). */
static void test_bad_input(commbox_client *client) {
    mock_reset();
    const char *bad = "\xff\xfe";
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *cl = NULL;
    commbox_conversation *c = NULL, *out_c = NULL;
    commbox_message *m = NULL, *out_m = NULL;
    int64_t id = 0;
    char *json = NULL;
    const uint8_t byte = 1;
    OK(commbox_conversation_new_email("a@b.co", "s", "m", &c, E));
    OK(commbox_message_new_customer("a@b.co", "m", &m, E));

    /* config and client */
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_client_config_set_api_key(NULL, "k", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "api_key", commbox_client_config_set_api_key(cfg, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "base_url", commbox_client_config_set_base_url(cfg, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_client_config_set_base_url(NULL, "x", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_client_config_set_timeout_ms(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_client_config_set_connect_timeout_ms(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_client_config_set_max_retries(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "suffix", commbox_client_config_set_user_agent_suffix(cfg, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "path", commbox_client_config_set_ca_file(cfg, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "proxy_url", commbox_client_config_set_proxy(cfg, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_client_config_set_allow_insecure_http(NULL, true, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config", commbox_client_new(NULL, &cl, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_client_new(cfg, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "api_key", commbox_client_new(cfg, &cl, ERR)); /* no key set */
    OK(commbox_client_config_set_api_key(cfg, "k", E));
    OK(commbox_client_config_set_base_url(cfg, "http://commbox.example.com", E));
    BAD(COMMBOX_STATUS_VALIDATION, "base_url", commbox_client_new(cfg, &cl, ERR));
    OK(commbox_client_config_set_base_url(cfg, base_url, E));
    OK(commbox_client_config_set_timeout_ms(cfg, 0, E));
    BAD(COMMBOX_STATUS_VALIDATION, "timeout", commbox_client_new(cfg, &cl, ERR));
    CHECK(cl == NULL);

    /* options in their JSON form: errors name the member by its JSON path */
    char options[512];
    snprintf(options, sizeof options, "{\"api_key\": \"%s\", \"base_url\": \"%s\", \"timeout\": 2.5}", api_key,
             base_url);
    OK(commbox_client_new_from_json(options, &cl, E));
    CHECK(cl != NULL);
    commbox_client_free(cl);
    cl = NULL;
    BAD(COMMBOX_STATUS_VALIDATION, "timeout", commbox_client_new_from_json("{\"api_key\": \"k\", \"timeout\": 0}", &cl, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "timeout", commbox_client_new_from_json("{\"timeout\": \"soon\"}", &cl, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "timeout_ms", commbox_client_new_from_json("{\"timeout_ms\": 5}", &cl, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "options", commbox_client_new_from_json("[1]", &cl, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "options", commbox_client_new_from_json("{", &cl, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "api_key", commbox_client_new_from_json("{}", &cl, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "options_json", commbox_client_new_from_json(NULL, &cl, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_client_new_from_json("{}", NULL, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "options_json", commbox_client_new_from_json(bad, &cl, ERR));
    CHECK(cl == NULL);

    /* constructors */
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "identity", commbox_conversation_new_email(NULL, "s", "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "subject", commbox_conversation_new_email("a@b.co", NULL, "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_conversation_new_email("a@b.co", "s", NULL, &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_conversation_new_email("a@b.co", "s", "m", NULL, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "subject", commbox_conversation_new_email("a@b.co", bad, "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "phone", commbox_conversation_new_sms(NULL, "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_conversation_new_sms("1", NULL, &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_conversation_new_sms("1", "m", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "phone", commbox_conversation_new_bulk_sms(NULL, "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_conversation_new_bulk_sms("1", "m", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "template_name", commbox_conversation_new_whatsapp_template("1", NULL, "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "phone", commbox_conversation_new_whatsapp_template(bad, "t", "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "identity", commbox_conversation_new_chat(NULL, "m", &out_c, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "message", commbox_conversation_new_chat("1", bad, &out_c, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "identity", commbox_message_new_customer(NULL, "m", &out_m, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out", commbox_message_new_customer("a@b.co", "m", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_message_new_agent(1, "a@b.co", NULL, &out_m, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "identity", commbox_message_new_agent(1, bad, "m", &out_m, ERR));
    CHECK(out_c == NULL && out_m == NULL);

    /* setters */
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_status(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_manager_id(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_user_identity(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_sub_stream_id(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_object_type(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_stream_provider_type(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_identity_type(NULL, 1, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "stream_provider_id", commbox_conversation_set_stream_provider_id(c, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_user(NULL, NULL, NULL, NULL, NULL, NULL, NULL, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "remarks", commbox_conversation_set_user(c, NULL, NULL, NULL, NULL, NULL, bad, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "path", commbox_conversation_add_attachment_path(c, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "data", commbox_conversation_add_attachment_bytes(c, NULL, 5, "n.txt", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "name", commbox_conversation_add_attachment_bytes(c, &byte, 1, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "name", commbox_conversation_set_field_json(c, NULL, "1", ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "X", commbox_conversation_set_field_json(c, "X", "{not json", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "address", commbox_conversation_add_recipient(c, NULL, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_add_cc(NULL, "a@b.co", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "address", commbox_conversation_add_bcc(c, NULL, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "url", commbox_conversation_add_attachment_url(c, NULL, "n", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "value", commbox_conversation_add_template_param(c, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "language_code", commbox_conversation_set_template_language(c, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_send_to_client(NULL, true, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "conversation", commbox_conversation_set_create_child_object(NULL, true, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_json", commbox_conversation_to_json(c, NULL, ERR));
    /* channel-specific setters on the wrong channel */
    BAD(COMMBOX_STATUS_VALIDATION, "params", commbox_conversation_add_template_param(c, "x", ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "send_to_client", commbox_conversation_set_send_to_client(c, false, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "create_child_object", commbox_conversation_set_create_child_object(c, false, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_message_set_identity_type(NULL, 4, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_message_set_object_type(NULL, 4, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "path", commbox_message_add_attachment_path(m, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "data", commbox_message_add_attachment_bytes(m, NULL, 2, "n", ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_message_set_attachments_base64(NULL, true, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "json", commbox_message_set_field_json(m, "X", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_json", commbox_message_to_json(m, NULL, ERR));

    /* calls */
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "client", commbox_create_conversation(NULL, "s", c, &id, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_id", commbox_create_conversation(client, "s", c, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "json", commbox_create_conversation_json(client, "s", NULL, &id, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "json", commbox_create_conversation_json(client, "s", "[1,", &id, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "Message", commbox_create_conversation_json(client, "s", "{\"Type\":4}", &id, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_id", commbox_create_conversation_json(client, "s", "{}", NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "client", commbox_create_message(NULL, "s", 1, m, &id, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "stream_id", commbox_create_message(client, NULL, 1, m, &id, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "message", commbox_create_message(client, "s", 1, NULL, &id, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_id", commbox_create_message(client, "s", 1, m, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "object_id", commbox_create_message(client, "s", -4, m, &id, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "json", commbox_create_message_json(client, "s", 1, NULL, &id, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "object_id", commbox_create_message_json(client, "s", 0, "{\"Message\":\"m\"}", &id, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_json", commbox_get_conversation(client, "s", 1, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "stream_id", commbox_get_conversation(client, NULL, 1, &json, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "object_id", commbox_get_conversation(client, "s", 0, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "client", commbox_set_conversation_status(NULL, 1, 2, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "object_id", commbox_set_conversation_status(client, 0, 2, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_json", commbox_list_managers(client, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "client", commbox_system_status(NULL, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "method", commbox_raw_request(client, NULL, "/x", NULL, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "path", commbox_raw_request(client, "GET", NULL, NULL, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "out_json", commbox_raw_request(client, "GET", "/x", NULL, NULL, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "method", commbox_raw_request(client, "BREW", "/x", NULL, &json, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "path", commbox_raw_request(client, "GET", "https://evil.example/", NULL, &json, ERR));
    BAD(COMMBOX_STATUS_VALIDATION, "json_body", commbox_raw_request(client, "POST", "/x", "nope", &json, ERR));
    CHECK(id == 0 && json == NULL);

    /* field-level validation by the core */
    commbox_conversation *v = NULL;
    OK(commbox_conversation_new_sms("054-444", "m", &v, E));
    BAD(COMMBOX_STATUS_VALIDATION, "UserStreamProviderId", commbox_create_conversation(client, "s", v, &id, ERR));
    commbox_conversation_free(v);
    OK(commbox_conversation_new_bulk_sms("972544444444", "m", &v, E));
    BAD(COMMBOX_STATUS_VALIDATION, "Content.to", commbox_create_conversation(client, "s", v, &id, ERR));
    commbox_conversation_free(v);
    OK(commbox_conversation_new_email("a@b.co", "s", "m", &v, E));
    OK(commbox_conversation_add_recipient(v, "not-an-address", NULL, E));
    BAD(COMMBOX_STATUS_VALIDATION, "Content.to[0]", commbox_create_conversation(client, "s", v, &id, ERR));
    commbox_conversation_free(v);
    OK(commbox_conversation_new_whatsapp_template("972544444444", "", "m", &v, E));
    BAD(COMMBOX_STATUS_VALIDATION, "Content.whatsapp_hsm_name", commbox_create_conversation(client, "s", v, &id, ERR));
    commbox_conversation_free(v);

    /* attachments that cannot be sent */
    commbox_message *am = NULL;
    OK(commbox_message_new_agent(0, "a@b.co", "m", &am, E));
    BAD(COMMBOX_STATUS_VALIDATION, "UserIdentity", commbox_create_message(client, "s", 1, am, &id, ERR));
    commbox_message_free(am);
    /* a zero-length buffer with a NULL pointer is an empty file, not an error */
    OK(commbox_message_new_customer("a@b.co", "m", &am, E));
    OK(commbox_message_add_attachment_bytes(am, NULL, 0, "empty.txt", E));
    commbox_message_free(am);

    CHECK(mock_request_count() == 0);
    commbox_conversation_free(c);
    commbox_message_free(m);
    commbox_client_config_free(cfg);
}

/* A client made before fork() works in the child, and freeing it there does not hang (its
 * I/O thread exists only in the parent: the library rebuilds its pool in the child). */
static void test_fork(commbox_client *client) {
    mock_reset();
    char *json = NULL;
    OK(commbox_system_status(client, &json, E)); /* the parent's pool is live */
    commbox_string_free(json);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        char *out = NULL;
        commbox_status s = commbox_system_status(client, &out, NULL);
        commbox_string_free(out);
        commbox_client_free(client);
        _exit(s == COMMBOX_STATUS_OK ? 0 : 3);
    }
    int status = -1, done = 0;
    for (int i = 0; i < 600 && !done; i++) { /* at most 30 s, even under valgrind */
        done = waitpid(child, &status, WNOHANG) == child;
        if (!done) nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 50000000}, NULL);
    }
    if (!done) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        fprintf(stderr, "  the forked child hung\n");
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "  the forked child ended with status 0x%x\n", (unsigned)status);
    }
    CHECK(done && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(mock_request_count() == 2);
    OK(commbox_system_status(client, &json, E)); /* and the parent's client still works */
    commbox_string_free(json);
}

#define THREADS 8
#define PER_THREAD 250

struct worker {
    const commbox_client *client;
    int failures;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    commbox_conversation *c = NULL;
    if (commbox_conversation_new_sms("972544444444", "from a thread", &c, NULL) != COMMBOX_STATUS_OK) {
        w->failures = PER_THREAD;
        return NULL;
    }
    for (int i = 0; i < PER_THREAD; i++) {
        int64_t id = 0;
        commbox_error *e = NULL;
        if (commbox_create_conversation(w->client, "threads", c, &id, &e) != COMMBOX_STATUS_OK || id <= 0) {
            if (w->failures++ == 0) fprintf(stderr, "thread create failed: %s\n", e ? commbox_error_message(e) : "?");
        }
        commbox_error_free(e);
    }
    commbox_conversation_free(c);
    return NULL;
}

static void test_threads(commbox_client *client) {
    mock_reset();
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].client = client;
        workers[i].failures = 0;
        pthread_create(&threads[i], NULL, worker_main, &workers[i]);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        failures += workers[i].failures;
    }
    CHECK(failures == 0);
    char *objects = mock_get("/__mock/objects");
    int stored = objects ? count(objects, "\"stream_id\":\"threads\"") : -1;
    commbox_string_free(objects);
    if (stored != THREADS * PER_THREAD) fprintf(stderr, "  stored %d\n", stored);
    CHECK(stored == THREADS * PER_THREAD);
}

int main(void) {
    base_url = getenv("COMMBOX_BASE_URL");
    api_key = getenv("COMMBOX_API_KEY");
    if (!base_url || !api_key) {
        fprintf(stderr, "run me through tests/with-mock.sh\n");
        return 2;
    }
    char dir[] = "/tmp/commbox-c-XXXXXX";
    if (!mkdtemp(dir)) return 2;

    inspector = new_client(api_key, base_url);
    commbox_client *client = new_client(api_key, base_url);
    /* COMMBOX_TEST_ONLY runs one test; COMMBOX_TEST_EXCLUDE leaves one out (the fork test
     * runs outside valgrind, which exits a forked child with its own status). */
    const char *only = getenv("COMMBOX_TEST_ONLY");
    const char *exclude = getenv("COMMBOX_TEST_EXCLUDE");
#define RUN(name, call)                                                           \
    if ((!only || strcmp(only, name) == 0) && (!exclude || strcmp(exclude, name) != 0)) { \
        fprintf(stderr, "-- %s\n", name);                                         \
        call;                                                                     \
    }
    RUN("version", test_version());
    RUN("channels", test_channels(client));
    RUN("messages", test_messages(client, dir));
    RUN("errors", test_error_kinds(client));
    RUN("bad_input", test_bad_input(client));
    RUN("large_attachment", test_large_attachment(client, dir));
    RUN("threads", test_threads(client));
    RUN("fork", test_fork(client));

    commbox_client_free(client);
    commbox_client_free(inspector);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return finish();
}
