/*
 * Receiving webhooks through the C API, under valgrind: each CommBox payload shape (JSON
 * with an Event wrapper, JSON with a payload wrapper, XML), a valid, a forged and a stale
 * Chatwoot signature, an XML bomb and an external entity (refused, never expanded), an
 * oversized body, a body that is not NUL-terminated, and a duplicate delivery showing the
 * same delivery id. No server: the functions parse what they are given.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "hmac_sha256.h"

#define SECRET "whsec_test"

/* Checks that `json` (a library string, then freed) contains each of the NULL-ended
 * fragments. */
static void expect_json(int line, char *json, ...) {
    va_list ap;
    va_start(ap, json);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *)) {
        if (json && strstr(json, want)) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "line %d: %s lacks %s\n", line, json ? json : "(NULL)", want);
        }
    }
    va_end(ap);
    commbox_string_free(json);
}
#define HAS(json, ...)                                                    \
    do {                                                                  \
        expect_json(__LINE__, (json), __VA_ARGS__, (const char *)NULL);   \
        (json) = NULL;                                                    \
    } while (0)

/* Expects a failure with `want` whose message starts with `prefix`. */
static void expect_refused(int line, commbox_status got, commbox_status want, const char *prefix) {
    const char *m = bad_err ? commbox_error_message(bad_err) : NULL;
    if (got == want && m && strncmp(m, prefix, strlen(prefix)) == 0) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "line %d: got %s (%s), want %s starting %s\n", line, commbox_status_name(got),
                m ? m : "no error", commbox_status_name(want), prefix);
    }
    commbox_error_free(bad_err);
    bad_err = NULL;
}
#define REFUSED(want, prefix, call) expect_refused(__LINE__, (call), (want), (prefix))

static commbox_status parse_commbox(const char *body, const char *content_type, char **out, commbox_error **err) {
    return commbox_commbox_event_parse((const uint8_t *)body, strlen(body), content_type, out, err);
}

static void test_commbox_shapes(void) {
    char *json = NULL;
    const char *event_json = "{\"Event\": {\"Subscription\": \"Tag\", \"Name\": \"OnAdd\", \"Brand\": \"acme\","
                             " \"Tag\": {\"tagId\": \"40\", \"name\": \"VIP\"}}}";
    OK(parse_commbox(event_json, "application/json", &json, E));
    HAS(json, "\"kind\":\"tag_changed\"", "\"format\":\"event_json\"", "\"brand\":\"acme\"", "\"name\":\"VIP\"");

    const char *payload_json = "{\"payload\": {\"Message\": \"Hello\", \"ManagerId\": \"0\", \"Snippet\": \"Hel\","
                               " \"Content\": {\"k\": 1}, \"User\": {\"Id\": \"77\", \"Phone1\": \"972501234567\","
                               " \"Identity\": {\"Id\": \"88\", \"StreamProviderId\": \"972501234567\","
                               " \"StreamProviderType\": \"6\"}}}}";
    OK(parse_commbox(payload_json, NULL, &json, E));
    HAS(json, "\"kind\":\"new_conversation\"", "\"format\":\"payload_json\"", "\"message\":\"Hello\"",
        "\"phone1\":\"972501234567\"", "\"stream_provider_type\":6");

    const char *xml = "<Event Subscription=\"Object\" Name=\"OnNewChild\" Brand=\"acme\">"
                      "<Object Id=\"5001\" StreamId=\"100\"><Children><Child Id=\"7001\" CreateDate=\"26-03-2017 "
                      "06:36:15\" Type=\"4\"><Message>Hi there</Message><ManagerId>12</ManagerId>"
                      "<Content>{\"k\": 1}</Content></Child></Children></Object></Event>";
    OK(parse_commbox(xml, "text/xml; charset=utf-8", &json, E));
    HAS(json, "\"kind\":\"new_message\"", "\"format\":\"xml\"", "\"id\":7001", "\"object_id\":5001",
        "\"message\":\"Hi there\"", "\"manager_id\":12", "\"content\":{\"k\":1}");

    /* A status change is OnNewActivity with activity type 2. */
    const char *status = "<Event Subscription=\"Object\" Name=\"OnNewActivity\"><Object Id=\"5001\">"
                         "<Activity><ActivityType>2</ActivityType><Data>{\"statusId\": 3}</Data></Activity>"
                         "</Object></Event>";
    OK(parse_commbox(status, NULL, &json, E));
    HAS(json, "\"kind\":\"status_changed\"", "\"activity_type\":2", "\"status\":3");

    /* An event this version does not know: kind other, its payload kept, no error. */
    OK(parse_commbox("{\"Event\": {\"Subscription\": \"Robot\", \"Name\": \"OnBeep\", \"Robot\": {\"x\": 1}}}",
                     NULL, &json, E));
    HAS(json, "\"kind\":\"other\"", "\"entity\":\"Robot\"", "\"data\":{\"x\":1}");

    /* The body is its length, not a C string: what follows it is not read. */
    const char *tail = "{\"Event\": {\"Subscription\": \"Chat\", \"Name\": \"OnUserExit\"}}GARBAGE";
    OK(commbox_commbox_event_parse((const uint8_t *)tail, strlen(tail) - strlen("GARBAGE"), NULL, &json, E));
    HAS(json, "\"kind\":\"chat_user_exited\"");
}

static void test_commbox_hostile(void) {
    char *json = NULL;
    /* Billion laughs: refused at the DOCTYPE, nothing expanded (valgrind would see the
     * memory otherwise). */
    const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                       "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                       "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
                       "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
                       "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
                       "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
                       "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
                       "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
                       "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">"
                       "]><Event Subscription=\"Object\" Name=\"OnNew\">&lol9;</Event>";
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", parse_commbox(bomb, "application/xml", &json, ERR));
    const char *xxe = "<!DOCTYPE e [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                      "<Event Subscription=\"Object\" Name=\"OnNew\"><Object Id=\"1\"><Message>&xxe;</Message>"
                      "</Object></Event>";
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", parse_commbox(xxe, NULL, &json, ERR));
    /* An entity with no DOCTYPE at all. */
    REFUSED(COMMBOX_STATUS_DECODE, "body: ",
            parse_commbox("<Event Subscription=\"Object\" Name=\"OnNew\">&xxe;</Event>", NULL, &json, ERR));
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", parse_commbox("{\"Event\": {\"Subscription\": \"Ta", NULL, &json, ERR));
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", parse_commbox("", NULL, &json, ERR));
    const uint8_t not_utf8[] = {'{', '"', 'a', '"', ':', '"', 0xff, 0xfe, '"', '}'};
    REFUSED(COMMBOX_STATUS_DECODE, "body: ",
            commbox_commbox_event_parse(not_utf8, sizeof not_utf8, NULL, &json, ERR));
    /* 1 MiB + 1 byte: refused before it is parsed. */
    size_t big = 1024 * 1024 + 1;
    uint8_t *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", commbox_commbox_event_parse(huge, big, NULL, &json, ERR));
    /* Exactly 1 MiB is read. */
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", commbox_commbox_event_parse(huge, big - 1, NULL, &json, ERR));
    huge[big - 2] = '}';
    OK(commbox_commbox_event_parse(huge, big - 1, NULL, &json, E));
    HAS(json, "\"kind\":\"other\"");
    free(huge);

    /* Bad arguments, with a status and the argument named. */
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "body", commbox_commbox_event_parse(NULL, 3, NULL, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "event_json",
        commbox_commbox_event_parse((const uint8_t *)"{}", 2, NULL, NULL, ERR));
    BAD(COMMBOX_STATUS_INVALID_UTF8, "content_type",
        commbox_commbox_event_parse((const uint8_t *)"{}", 2, "text/\xff", &json, ERR));
}

/* --- Chatwoot -------------------------------------------------------------------------- */

static const char *MESSAGE_CREATED =
    "{\"event\": \"message_created\", \"id\": 9, \"content\": \"We shipped it\", \"message_type\": \"outgoing\","
    " \"private\": false, \"sender\": {\"id\": 1, \"name\": \"Agent Smith\", \"type\": \"user\"},"
    " \"conversation\": {\"id\": 3, \"inbox_id\": 1, \"status\": \"open\"},"
    " \"account\": {\"id\": 1, \"name\": \"Acme\"}, \"inbox\": {\"id\": 1, \"name\": \"API\"}}";

/* Verifies `body` signed with `signer` at now - age seconds, with the delivery id given. */
static commbox_status verify_signed(const char *body, const char *signer, long age, const char *delivery,
                                    char **out, commbox_error **err) {
    char ts[32], sig[72];
    snprintf(ts, sizeof ts, "%ld", (long)time(NULL) - age);
    chatwoot_sign(signer, ts, body, strlen(body), sig);
    const char *names[] = {"x-chatwoot-signature", "X-CHATWOOT-TIMESTAMP", "Content-Type", "X-Chatwoot-Delivery"};
    const char *values[] = {sig, ts, "application/json", delivery};
    return commbox_chatwoot_webhook_verify(SECRET, names, values, 4, (const uint8_t *)body, strlen(body), out, err);
}

static void test_chatwoot_signatures(void) {
    char *json = NULL;
    OK(verify_signed(MESSAGE_CREATED, SECRET, 0, "5b8c0d1e-delivery", &json, E));
    HAS(json, "\"delivery_id\":\"5b8c0d1e-delivery\"", "\"verified\":true", "\"kind\":\"message_created\"",
        "\"message_type\":\"outgoing\"", "\"sender_type\":\"user\"", "\"content\":\"We shipped it\"");

    /* Forged: signed with another secret. */
    REFUSED(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Signature: ",
            verify_signed(MESSAGE_CREATED, "not-the-secret", 0, "d", &json, ERR));
    /* Stale: signed 10 minutes ago (the default tolerance is 300 s)... */
    REFUSED(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Timestamp: ",
            verify_signed(MESSAGE_CREATED, SECRET, 600, "d", &json, ERR));
    /* ...from the future as well. */
    REFUSED(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Timestamp: ",
            verify_signed(MESSAGE_CREATED, SECRET, -600, "d", &json, ERR));
    CHECK(json == NULL);

    /* ...accepted with a tolerance of 15 minutes. */
    char ts[32], sig[72];
    snprintf(ts, sizeof ts, "%ld", (long)time(NULL) - 600);
    chatwoot_sign(SECRET, ts, MESSAGE_CREATED, strlen(MESSAGE_CREATED), sig);
    const char *names[] = {"X-Chatwoot-Signature", "X-Chatwoot-Timestamp"};
    const char *values[] = {sig, ts};
    OK(commbox_chatwoot_webhook_verify_with_tolerance(SECRET, names, values, 2, (const uint8_t *)MESSAGE_CREATED,
                                                      strlen(MESSAGE_CREATED), 900, &json, E));
    HAS(json, "\"delivery_id\":null", "\"verified\":true");
    REFUSED(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Timestamp: ",
            commbox_chatwoot_webhook_verify_with_tolerance(SECRET, names, values, 2,
                                                           (const uint8_t *)MESSAGE_CREATED,
                                                           strlen(MESSAGE_CREATED), 60, &json, ERR));

    /* The body changed after signing (one byte). */
    char *changed = strdup(MESSAGE_CREATED);
    changed[strlen(changed) - 2] = ' ';
    REFUSED(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Signature: ",
            commbox_chatwoot_webhook_verify(SECRET, names, values, 2, (const uint8_t *)changed, strlen(changed),
                                            &json, ERR));
    free(changed);

    /* Missing signature: no headers at all, and arrays may be NULL when n is 0. */
    REFUSED(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Signature: ",
            commbox_chatwoot_webhook_verify(SECRET, NULL, NULL, 0, (const uint8_t *)MESSAGE_CREATED,
                                            strlen(MESSAGE_CREATED), &json, ERR));
    /* Signed, but the body is not JSON: Decode, after the signature matched. */
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", verify_signed("{\"event\": ", SECRET, 0, "d", &json, ERR));
    /* Over 1 MiB: Decode before anything is hashed. */
    size_t big = 1024 * 1024 + 1;
    uint8_t *huge = calloc(big, 1);
    REFUSED(COMMBOX_STATUS_DECODE, "body: ",
            commbox_chatwoot_webhook_verify(SECRET, names, values, 2, huge, big, &json, ERR));
    free(huge);

    BAD(COMMBOX_STATUS_VALIDATION, "secret",
        commbox_chatwoot_webhook_verify("", names, values, 2, (const uint8_t *)"{}", 2, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "secret",
        commbox_chatwoot_webhook_verify(NULL, names, values, 2, (const uint8_t *)"{}", 2, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "header_names",
        commbox_chatwoot_webhook_verify(SECRET, NULL, values, 2, (const uint8_t *)"{}", 2, &json, ERR));
    const char *with_null[] = {"X-Chatwoot-Signature", NULL};
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "header_values",
        commbox_chatwoot_webhook_verify(SECRET, names, with_null, 2, (const uint8_t *)"{}", 2, &json, ERR));
    CHECK(json == NULL);
}

/* A receiver drops a delivery whose id it has seen: a retry carries the same id. */
static void test_duplicate_delivery(void) {
    char *first = NULL, *again = NULL;
    OK(verify_signed(MESSAGE_CREATED, SECRET, 0, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", &first, E));
    OK(verify_signed(MESSAGE_CREATED, SECRET, 2, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", &again, E));
    const char *key = "\"delivery_id\":\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"";
    CHECK(first && again && strstr(first, key) && strstr(again, key));
    /* The same delivery id, the same event; only the timestamp of the retry differs. */
    const char *e1 = first ? strstr(first, "\"event\":") : NULL, *e2 = again ? strstr(again, "\"event\":") : NULL;
    CHECK(e1 && e2 && strcmp(e1, e2) == 0);
    commbox_string_free(first);
    commbox_string_free(again);
}

static void test_chatwoot_parse(void) {
    char *json = NULL;
    const char *status = "{\"event\": \"conversation_status_changed\", \"id\": 3, \"status\": \"resolved\","
                         " \"changed_attributes\": [{\"status\": {\"current_value\": \"resolved\"}}]}";
    OK(commbox_chatwoot_event_parse((const uint8_t *)status, strlen(status), &json, E));
    HAS(json, "\"kind\":\"conversation_status_changed\"", "\"status\":\"resolved\"", "\"current_value\":\"resolved\"");
    const char *unknown = "{\"event\": \"captain_thought_about_it\", \"id\": 1}";
    OK(commbox_chatwoot_event_parse((const uint8_t *)unknown, strlen(unknown), &json, E));
    HAS(json, "\"kind\":\"other\"", "\"event\":\"captain_thought_about_it\"");
    REFUSED(COMMBOX_STATUS_DECODE, "body: ", commbox_chatwoot_event_parse((const uint8_t *)"[1,", 3, &json, ERR));
    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "event_json",
        commbox_chatwoot_event_parse((const uint8_t *)"{}", 2, NULL, ERR));
}

int main(void) {
    test_commbox_shapes();
    test_commbox_hostile();
    test_chatwoot_signatures();
    test_duplicate_delivery();
    test_chatwoot_parse();
    return finish();
}
