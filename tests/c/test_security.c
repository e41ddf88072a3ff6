/*
 * Security through the C ABI, against the mock under valgrind (make test-c-security, which
 * gives the mock a distinctive key containing "SECRET"):
 *
 *  - the key in no C error field: every kind of error is provoked (every status but PANIC),
 *    and every string of every error object (message, field, description, body, request
 *    id) is searched for it. The C ABI has no logging of its own to turn on: the library
 *    logs through Rust's `log` facade, which has no logger in a C program.
 *  - http:// refused for non-loopback hosts unless allowed, for clients and inboxes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static commbox_client *client;
static commbox_error *err;
/* Which statuses the key checks met, to prove that every kind was provoked. */
static int seen[COMMBOX_STATUS_PANIC + 1];

/* Fails if `text` (may be NULL) shows any of the keys this suite uses. */
static void no_key(int line, const char *what, const char *text) {
    if (text && (strstr(text, api_key) || strstr(text, "SECRET"))) {
        failed++;
        fprintf(stderr, "line %d: the key is in the %s: %s\n", line, what, text);
    }
}

/* The call failed with `want`, and no string of its error shows a key. */
static void leaks_nothing_(int line, const char *call, commbox_status got, commbox_status want) {
    if (got != want || !err || commbox_error_status(err) != want) {
        failed++;
        fprintf(stderr, "line %d: %s: got %s (%s), want %s\n", line, call, commbox_status_name(got),
                err ? commbox_error_message(err) : "no error", commbox_status_name(want));
    } else {
        passed++;
        seen[want] = 1;
    }
    if (err) {
        no_key(line, "message", commbox_error_message(err));
        no_key(line, "field", commbox_error_field(err));
        no_key(line, "description", commbox_error_description(err));
        no_key(line, "body", commbox_error_body(err));
        no_key(line, "request id", commbox_error_request_id(err));
        (void)commbox_error_http_status(err);
        (void)commbox_error_retry_after(err);
    }
    commbox_error_free(err);
    err = NULL;
}
#define LEAKS_NOTHING(want, call) leaks_nothing_(__LINE__, #call, (call), (want))

static commbox_client_config *config(const char *key, const char *url, long timeout_ms) {
    commbox_client_config *cfg = commbox_client_config_new();
    OK(commbox_client_config_set_api_key(cfg, key, E));
    OK(commbox_client_config_set_base_url(cfg, url, E));
    OK(commbox_client_config_set_max_retries(cfg, 0, E));
    if (timeout_ms) OK(commbox_client_config_set_timeout_ms(cfg, (uint64_t)timeout_ms, E));
    return cfg;
}

/* Builds a client from `cfg` (then freed); NULL on failure, which `err` then holds. */
static commbox_status build(commbox_client_config *cfg, commbox_client **out) {
    *out = NULL;
    commbox_status s = commbox_client_new(cfg, out, &err);
    commbox_client_config_free(cfg);
    return s;
}

static commbox_status managers_via(commbox_client *c) {
    char *json = NULL;
    commbox_status s = commbox_list_managers(c, &json, &err);
    commbox_string_free(json);
    return s;
}

static commbox_status managers(void) { return managers_via(client); }

/* A client that makes one call and is freed. */
static commbox_status managers_with(commbox_client_config *cfg) {
    commbox_client *c = NULL;
    commbox_status s = build(cfg, &c);
    if (s == COMMBOX_STATUS_OK) s = managers_via(c);
    commbox_client_free(c);
    return s;
}

static void key_in_no_error_field(void) {
    char key[256];
    commbox_client *c = NULL;

    /* Refused before any I/O, including keys that are no valid header value or UTF-8. */
    snprintf(key, sizeof key, "%s\r\nX-Evil: 1", api_key);
    LEAKS_NOTHING(COMMBOX_STATUS_VALIDATION, build(config(key, base_url, 0), &c));
    snprintf(key, sizeof key, "%s\001", api_key);
    LEAKS_NOTHING(COMMBOX_STATUS_VALIDATION, build(config(key, base_url, 0), &c));
    snprintf(key, sizeof key, "\xff%s", api_key);
    commbox_client_config *cfg = commbox_client_config_new();
    LEAKS_NOTHING(COMMBOX_STATUS_INVALID_UTF8, commbox_client_config_set_api_key(cfg, key, &err));
    LEAKS_NOTHING(COMMBOX_STATUS_NULL_ARGUMENT, commbox_client_config_set_api_key(cfg, NULL, &err));
    OK(commbox_client_config_set_api_key(cfg, api_key, E));
    OK(commbox_client_config_set_base_url(cfg, base_url, E));
    OK(commbox_client_config_set_ca_file(cfg, "/no/such/ca.pem", E));
    LEAKS_NOTHING(COMMBOX_STATUS_IO, build(cfg, &c));
    commbox_conversation *sms = NULL;
    OK(commbox_conversation_new_sms("", "hi", &sms, E));
    int64_t id = 0;
    LEAKS_NOTHING(COMMBOX_STATUS_VALIDATION, commbox_create_conversation(client, "s", sms, &id, &err));
    commbox_conversation_free(sms);

    /* Answers of every class. */
    LEAKS_NOTHING(COMMBOX_STATUS_AUTHENTICATION, managers_with(config("c-OTHER-SECRET-key", base_url, 0)));
    mock_post("/__mock/faults", "{\"status\":401}");
    LEAKS_NOTHING(COMMBOX_STATUS_AUTHENTICATION, managers());
    char *json = NULL;
    LEAKS_NOTHING(COMMBOX_STATUS_NOT_FOUND, commbox_get_conversation(client, "s", 999999, &json, &err));
    LEAKS_NOTHING(COMMBOX_STATUS_BAD_REQUEST,
                  commbox_raw_request(client, "POST", "/streams/s/objects", "{\"data\":{\"Type\":4}}", &json, &err));
    mock_post("/__mock/faults", "{\"status\":429,\"retry_after\":\"7\"}");
    LEAKS_NOTHING(COMMBOX_STATUS_RATE_LIMITED, managers());
    mock_post("/__mock/faults", "{\"status\":500}");
    LEAKS_NOTHING(COMMBOX_STATUS_SERVER, managers());
    mock_post("/__mock/faults", "{\"status\":200,\"body\":\"<html>not JSON</html>\"}");
    LEAKS_NOTHING(COMMBOX_STATUS_DECODE, managers());
    commbox_inbox *inbox = NULL;
    OK(commbox_client_inbox(client, base_url, "mock-inbox", &inbox, E));
    LEAKS_NOTHING(COMMBOX_STATUS_NOT_FOUND, commbox_inbox_get_contact(inbox, "no-such-contact", &json, &err));
    commbox_inbox_free(inbox);

    /* No answer at all. */
    mock_post("/__mock/faults", "{\"delay_ms\":5000}");
    LEAKS_NOTHING(COMMBOX_STATUS_TIMEOUT, managers_with(config(api_key, base_url, 500)));
    char closed[64];
    snprintf(closed, sizeof closed, "http://127.0.0.1:%d", closed_port());
    LEAKS_NOTHING(COMMBOX_STATUS_CONNECTION, managers_with(config(api_key, closed, 0)));
    /* The mock speaks plain HTTP: a TLS client gets no handshake from it. */
    char https[256];
    snprintf(https, sizeof https, "https%s", strchr(base_url, ':'));
    LEAKS_NOTHING(COMMBOX_STATUS_TLS, managers_with(config(api_key, https, 0)));

    for (int s = COMMBOX_STATUS_VALIDATION; s <= COMMBOX_STATUS_IO; s++) {
        if (!seen[s]) {
            failed++;
            fprintf(stderr, "no error of status %s was provoked\n", commbox_status_name((commbox_status)s));
        }
    }
    CHECK(seen[COMMBOX_STATUS_NULL_ARGUMENT] && seen[COMMBOX_STATUS_INVALID_UTF8]);
    /* The key did go to the server, which only ever records it masked. */
    CHECK(mock_requests_contain("\"authorization\":\"Bearer ***\""));
}

/* The outcome of building a client for `url`: OK, or VALIDATION naming base_url. */
static void base_url_(int line, const char *url, int allow_insecure, commbox_status want) {
    commbox_client_config *cfg = commbox_client_config_new();
    OK(commbox_client_config_set_api_key(cfg, api_key, E));
    OK(commbox_client_config_set_base_url(cfg, url, E));
    if (allow_insecure) OK(commbox_client_config_set_allow_insecure_http(cfg, true, E));
    commbox_client *c = NULL;
    commbox_status got = commbox_client_new(cfg, &c, &err);
    const char *field = err ? commbox_error_field(err) : NULL;
    if (got == want && (want == COMMBOX_STATUS_OK || (field && strcmp(field, "base_url") == 0))) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "line %d: %s (allow_insecure_http %d): got %s (%s)\n", line, url, allow_insecure,
                commbox_status_name(got), err ? commbox_error_message(err) : "-");
    }
    commbox_error_free(err);
    err = NULL;
    commbox_client_free(c);
    commbox_client_config_free(cfg);
}
#define BASE_URL(want, allow, url) base_url_(__LINE__, (url), (allow), (want))

static void http_only_to_loopback(void) {
    /* Building a client does no I/O, so none of these hosts is contacted. */
    BASE_URL(COMMBOX_STATUS_VALIDATION, 0, "http://api.commbox.io");
    BASE_URL(COMMBOX_STATUS_VALIDATION, 0, "http://10.0.0.1:8080");
    BASE_URL(COMMBOX_STATUS_VALIDATION, 0, "http://localhost.example.com");
    BASE_URL(COMMBOX_STATUS_VALIDATION, 0, "http://127.0.0.1.example.com");
    BASE_URL(COMMBOX_STATUS_VALIDATION, 0, "http://[::ffff:7f00:1]:80");
    BASE_URL(COMMBOX_STATUS_VALIDATION, 0, "http://127.0.0.1@api.commbox.io");
    BASE_URL(COMMBOX_STATUS_OK, 0, "http://127.0.0.1:1");
    BASE_URL(COMMBOX_STATUS_OK, 0, "http://127.8.9.10:1");
    BASE_URL(COMMBOX_STATUS_OK, 0, "http://localhost:1");
    BASE_URL(COMMBOX_STATUS_OK, 0, "http://[::1]:1");
    BASE_URL(COMMBOX_STATUS_OK, 0, "https://api.commbox.io");
    BASE_URL(COMMBOX_STATUS_OK, 1, "http://api.commbox.io");

    /* Inboxes: from a config, and from a client (whose setting they share). */
    commbox_client_config *cfg = commbox_client_config_new();
    OK(commbox_client_config_set_base_url(cfg, "http://chatwoot.example.com", E));
    commbox_inbox *inbox = NULL;
    BAD(COMMBOX_STATUS_VALIDATION, "base_url", commbox_inbox_new(cfg, "inbox", &inbox, ERR));
    OK(commbox_client_config_set_allow_insecure_http(cfg, true, E));
    OK(commbox_inbox_new(cfg, "inbox", &inbox, E));
    commbox_inbox_free(inbox);
    inbox = NULL;
    commbox_client_config_free(cfg);
    BAD(COMMBOX_STATUS_VALIDATION, "base_url",
        commbox_client_inbox(client, "http://chatwoot.example.com", "inbox", &inbox, ERR));
    OK(commbox_client_inbox(client, "https://chatwoot.example.com", "inbox", &inbox, E));
    commbox_inbox_free(inbox);
}

int main(void) {
    read_mock_env();
    if (!strstr(api_key, "SECRET")) {
        fprintf(stderr, "run me through make test-c-security (a mock whose key contains SECRET)\n");
        return 2;
    }
    inspector = new_client(api_key, base_url);
    client = new_client(api_key, base_url);
    mock_reset();

    key_in_no_error_field();
    http_only_to_loopback();

    commbox_client_free(client);
    commbox_client_free(inspector);
    return finish();
}
