/*
 * Live replies in C, against the mock (tests/with-mock.sh), under valgrind: the agent's reply
 * arrives, a message's echo_id comes back, the subscription comes back after the mock drops
 * every socket (a "reconnected" event, then the next reply), commbox_live_close from another
 * thread ends a commbox_live_next blocked in this one, and a rejected token ends the
 * subscription with COMMBOX_STATUS_AUTHENTICATION once.
 * The mock's control routes: POST /__mock/chatwoot/agent_reply {"conversation_id", "content"}
 * and POST /__mock/cable/drop.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define WAIT_MS 10000u

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static commbox_inbox *open_inbox(void) {
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_inbox *inbox = NULL;
    OK(commbox_client_config_set_base_url(cfg, base_url, E));
    OK(commbox_inbox_new(cfg, "mock-inbox", &inbox, E));
    commbox_client_config_free(cfg);
    return inbox;
}

/* The string value of "key" in a JSON document the library wrote (no escapes expected),
 * copied into out. */
static int json_string(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *p = json ? strstr(json, pattern) : NULL;
    if (!p) return 0;
    p += strlen(pattern);
    const char *end = strchr(p, '"');
    if (!end || (size_t)(end - p) >= size) return 0;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 1;
}

static void send_message(commbox_inbox *inbox, const char *contact, int64_t conv, const char *text, const char *echo) {
    commbox_inbox_message *m = NULL;
    int64_t id = 0;
    OK(commbox_inbox_message_new(text, &m, E));
    OK(commbox_inbox_message_set_echo_id(m, echo, E));
    OK(commbox_inbox_create_message(inbox, contact, conv, m, &id, NULL, E));
    commbox_inbox_message_free(m);
}

static void agent_reply(int64_t conv, const char *content) {
    char body[256];
    snprintf(body, sizeof body, "{\"conversation_id\":%lld,\"content\":\"%s\"}", (long long)conv, content);
    mock_post("/__mock/chatwoot/agent_reply", body);
}

/* Reads events until one contains every needle (or WAIT_MS passes); returns it or NULL. */
static char *next_with(commbox_live *live, const char *needle, const char *needle2) {
    double deadline = now_s() + WAIT_MS / 1000.0;
    while (now_s() < deadline) {
        char *event = NULL;
        commbox_error *err = NULL;
        commbox_status s = commbox_live_next(live, 1000, &event, &err);
        if (s != COMMBOX_STATUS_OK) {
            fprintf(stderr, "  commbox_live_next: %s: %s\n", commbox_status_name(s),
                    err ? commbox_error_message(err) : "?");
            commbox_error_free(err);
            return NULL;
        }
        if (event && strstr(event, needle) && (!needle2 || strstr(event, needle2))) return event;
        commbox_string_free(event);
    }
    fprintf(stderr, "  no event with %s within %u ms\n", needle, WAIT_MS);
    return NULL;
}

/* Sends messages with echo ids until one comes back: the mock does not replay what was
 * broadcast before the socket was subscribed. */
static int subscribe(commbox_inbox *inbox, commbox_live *live, const char *contact, int64_t conv) {
    for (int n = 0; n < 40; n++) {
        char echo[32];
        snprintf(echo, sizeof echo, "c-%d", n);
        send_message(inbox, contact, conv, "ping", echo);
        char *event = NULL;
        commbox_error *err = NULL;
        if (commbox_live_wait_for_echo(live, echo, 500, &event, &err) == COMMBOX_STATUS_OK) {
            int ok = strstr(event, "\"kind\":\"message_created\"") && strstr(event, echo) &&
                     strstr(event, "\"message_type\":0");
            commbox_string_free(event);
            return ok;
        }
        CHECK(commbox_error_status(err) == COMMBOX_STATUS_TIMEOUT);
        commbox_error_free(err);
    }
    return 0;
}

static void *close_later(void *live) {
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    commbox_live_close(live);
    return NULL;
}

static void test_reply_echo_reconnect_close(void) {
    commbox_inbox *inbox = open_inbox();
    char *sid = NULL, *contact = NULL, token[128] = "";
    OK(commbox_inbox_create_contact(inbox, "live-c", NULL, NULL, NULL, "Dana", NULL, NULL, NULL, &sid, &contact, E));
    CHECK(json_string(contact, "pubsub_token", token, sizeof token));
    commbox_string_free(contact);
    int64_t conv = 0;
    OK(commbox_inbox_create_conversation(inbox, sid, NULL, &conv, NULL, E));

    commbox_live *live = NULL;
    OK(commbox_live_open(inbox, token, &live, E));
    CHECK(subscribe(inbox, live, sid, conv));

    agent_reply(conv, "Yes, this morning.");
    char *reply = next_with(live, "Yes, this morning.", "\"message_type\":1");
    CHECK(reply != NULL);
    CHECK(reply && strstr(reply, "\"kind\":\"message_created\"") && strstr(reply, "\"event\":\"message.created\""));
    commbox_string_free(reply);

    /* The mock drops every socket: the subscription comes back and says so. */
    mock_post("/__mock/cable/drop", "{}");
    char *back = next_with(live, "\"kind\":\"reconnected\"", NULL);
    CHECK(back && strstr(back, "\"message\":null"));
    commbox_string_free(back);
    agent_reply(conv, "After the drop.");
    char *after = next_with(live, "After the drop.", "\"message_type\":1");
    CHECK(after != NULL);
    commbox_string_free(after);

    /* Nothing within the timeout: OK with no event. */
    char *none = (char *)"untouched";
    OK(commbox_live_next(live, 200, &none, E));
    CHECK(none == NULL);

    /* Closed from another thread while this one waits: the wait ends early. */
    pthread_t t;
    double started = now_s();
    CHECK(pthread_create(&t, NULL, close_later, live) == 0);
    char *event = NULL;
    BAD(COMMBOX_STATUS_CONNECTION, NULL, commbox_live_next(live, WAIT_MS, &event, ERR));
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(now_s() - started < 5.0);
    CHECK(event == NULL);
    BAD(COMMBOX_STATUS_CONNECTION, NULL, commbox_live_next(live, 100, &event, ERR));
    commbox_live_close(live); /* twice: nothing */
    commbox_live_free(live);

    commbox_string_free(sid);
    commbox_inbox_free(inbox);
}

static void test_rejected_token_and_bad_arguments(void) {
    commbox_inbox *inbox = open_inbox();
    commbox_live *live = NULL;
    char *event = NULL;
    OK(commbox_live_open(inbox, "not-a-token", &live, E));
    /* The inbox handle may go first. */
    commbox_inbox_free(inbox);
    BAD(COMMBOX_STATUS_AUTHENTICATION, NULL, commbox_live_next(live, WAIT_MS, &event, ERR));
    /* The final error comes once; then the subscription is over. */
    BAD(COMMBOX_STATUS_CONNECTION, NULL, commbox_live_next(live, 100, &event, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, NULL, commbox_live_next(live, 100, NULL, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, NULL, commbox_live_wait_for_echo(live, NULL, 100, &event, ERR));
    CHECK(event == NULL);
    commbox_live_free(live);

    inbox = open_inbox();
    commbox_live *none = NULL;
    BAD(COMMBOX_STATUS_VALIDATION, "pubsub_token", commbox_live_open(inbox, " ", &none, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, NULL, commbox_live_open(inbox, NULL, &none, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, NULL, commbox_live_open(NULL, "token", &none, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, NULL, commbox_live_next(NULL, 0, &event, ERR));
    CHECK(none == NULL);
    commbox_live_close(NULL);
    commbox_live_free(NULL);
    commbox_inbox_free(inbox);
}

int main(void) {
    read_mock_env();
    inspector = new_client(api_key, base_url);
    fprintf(stderr, "-- live: reply, echo, reconnect, close from another thread\n");
    test_reply_echo_reconnect_close();
    fprintf(stderr, "-- live: a rejected token, bad arguments\n");
    test_rejected_token_and_bad_arguments();
    commbox_client_free(inspector);
    return finish();
}
