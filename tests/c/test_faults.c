/*
 * The fault matrix (issue 7, docs/reliability.md), C face, under valgrind: every case
 * F01..F23 against the five creates (commbox_create_conversation, commbox_create_message,
 * commbox_inbox_create_contact, commbox_inbox_create_conversation,
 * commbox_inbox_create_message). For each: the status, what the error message says, how
 * many requests the server saw and how many records it stored. Clients use the default retry
 * policy (2 retries). Same case ids as crates/commbox/tests/fault_matrix.rs.
 *
 * Runs through tests/with-mock.sh (the plain mock); F22/F23 start their own mock in HTTPS
 * mode (commbox-mock --tls-self-signed DIR, $COMMBOX_MOCK_BIN), F01 uses a port nobody
 * listens on and F21 a listening socket that stands for another host.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define STREAM "fault-stream"
#define PHONE "972544444444"
#define INBOX "mock-inbox"
#define GIB "1073741824"
#define HTML_PAGE                                                                              \
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>" \
    "</center><hr><center>nginx</center></body></html>"
/* The answer cap is 32 MiB; reading up to it may double a buffer once, and valgrind adds
 * its own bookkeeping. A client that held a whole 1 GiB answer would be far above. */
#define FLAT_BYTES (384L << 20)

enum op { CB_CONVERSATION, CB_MESSAGE, CW_CONTACT, CW_CONVERSATION, CW_MESSAGE, N_OPS };
static const char *const OP_NAMES[N_OPS] = {"commbox create conversation", "commbox create message",
                                            "chatwoot create contact", "chatwoot create conversation",
                                            "chatwoot create message"};

/* A server with a CommBox conversation and a Chatwoot contact with a conversation in it. */
struct site {
    const char *url;
    commbox_client *inspect; /* NULL: nobody listens there */
    const char *ca_file;     /* the CA file that server's certificate needs, if any */
    int64_t object;
    char *contact;
    int64_t conversation;
};

static commbox_client *make_client(const char *url, long timeout_ms, const char *ca_file) {
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *client = NULL;
    OK(commbox_client_config_set_api_key(cfg, api_key, E));
    OK(commbox_client_config_set_base_url(cfg, url, E));
    if (timeout_ms > 0) OK(commbox_client_config_set_timeout_ms(cfg, (uint64_t)timeout_ms, E));
    if (ca_file) OK(commbox_client_config_set_ca_file(cfg, ca_file, E));
    OK(commbox_client_new(cfg, &client, E));
    commbox_client_config_free(cfg);
    return client;
}

static void site_prepare(struct site *s) {
    commbox_client *saved = inspector;
    inspector = s->inspect;
    /* A fresh start keeps the inspection answers small: valgrind makes each byte dear. */
    mock_reset();
    inspector = saved;
    commbox_string_free(s->contact);
    s->contact = NULL;
    const commbox_client *client = s->inspect;
    commbox_inbox *inbox = NULL;
    commbox_conversation *conv = NULL;
    OK(commbox_conversation_new_sms(PHONE, "set-up", &conv, E));
    OK(commbox_create_conversation(client, STREAM, conv, &s->object, E));
    commbox_conversation_free(conv);
    OK(commbox_client_inbox(client, s->url, INBOX, &inbox, E));
    OK(commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, "Set-up", NULL, NULL, NULL, &s->contact, NULL,
                                    E));
    OK(commbox_inbox_create_conversation(inbox, s->contact, NULL, &s->conversation, NULL, E));
    commbox_inbox_free(inbox);
}

/* Requests the server saw and records it stored, through the inspection routes. */
static void site_counts(const struct site *s, int *requests, int *stored) {
    *requests = *stored = 0;
    if (!s->inspect) return;
    commbox_client *saved = inspector;
    inspector = s->inspect;
    *requests = mock_request_count();
    char *objects = mock_get("/__mock/objects");
    char *chatwoot = mock_get("/__mock/chatwoot");
    /* Conversations and messages each carry their own "Message"; contacts, conversations
     * and messages of Chatwoot each have a key no other record has. */
    *stored = count(objects ? objects : "", "\"Message\":") + count(chatwoot ? chatwoot : "", "\"pubsub_token\":") +
              count(chatwoot ? chatwoot : "", "\"contact_source_id\":") +
              count(chatwoot ? chatwoot : "", "\"message_type\":");
    commbox_string_free(objects);
    commbox_string_free(chatwoot);
    inspector = saved;
}

static void site_push_faults(const struct site *s, const char *faults) {
    commbox_client *saved = inspector;
    inspector = s->inspect;
    mock_post("/__mock/faults", faults);
    inspector = saved;
}

static commbox_status run_op(enum op op, const commbox_client *client, const commbox_inbox *inbox,
                             const struct site *s, commbox_error **err) {
    int64_t id = 0;
    char *sid = NULL;
    commbox_status st = COMMBOX_STATUS_OK;
    switch (op) {
    case CB_CONVERSATION: {
        commbox_conversation *conv = NULL;
        OK(commbox_conversation_new_sms(PHONE, "fault", &conv, E));
        st = commbox_create_conversation(client, STREAM, conv, &id, err);
        commbox_conversation_free(conv);
        break;
    }
    case CB_MESSAGE: {
        commbox_message *msg = NULL;
        OK(commbox_message_new_customer(PHONE, "fault", &msg, E));
        st = commbox_create_message(client, STREAM, s->object, msg, &id, err);
        commbox_message_free(msg);
        break;
    }
    case CW_CONTACT:
        st = commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, "Fault", NULL, NULL, NULL, &sid, NULL, err);
        commbox_string_free(sid);
        break;
    case CW_CONVERSATION:
        st = commbox_inbox_create_conversation(inbox, s->contact, NULL, &id, NULL, err);
        break;
    case CW_MESSAGE: {
        commbox_inbox_message *msg = NULL;
        OK(commbox_inbox_message_new("fault", &msg, E));
        st = commbox_inbox_create_message(inbox, s->contact, s->conversation, msg, &id, NULL, err);
        commbox_inbox_message_free(msg);
        break;
    }
    default:
        break;
    }
    return st;
}

/* This process's peak resident memory since the last reset, in bytes (Linux). */
static long peak_rss(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kib) == 1) break;
    if (f) fclose(f);
    return kib * 1024;
}

static void reset_peak_rss(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* What every create must give in one case. */
struct expect {
    commbox_status status; /* COMMBOX_STATUS_OK: success */
    const char *says;      /* in the error message */
    int seen;              /* requests the server saw */
    double retry_after;    /* -2: not checked; -1: none; else seconds (F08: at least) */
    int body_len;          /* -1: not checked; else the error body's length */
    const char *body;      /* NULL: not checked */
    int huge;              /* check that memory stayed flat */
    int stored_unknown;    /* the server may or may not have stored it (F04) */
    const char *also;      /* NULL: not checked; else also in the error message */
};

static const struct expect FAIL = {COMMBOX_STATUS_OK, "", 0, -2, -1, NULL, 0, 0, NULL};

/* What the message of a create that failed after it was sent adds (F02-F04), before the
 * request id that commbox_error_message appends. */
#define MAYBE_PROCESSED \
    "(the request was sent, so the server may have processed it; it was not sent again) (request id "


/* Runs the five creates through `client` (made for site `s`), with `faults` queued before
 * each, and checks each against `want`. */
static void run_case(const char *id, struct site *s, const char *faults, const commbox_client *client,
                     struct expect want) {
    fprintf(stderr, "-- %s\n", id);
    if (s->inspect) site_prepare(s);
    commbox_inbox *inbox = NULL;
    OK(commbox_client_inbox(client, s->url, INBOX, &inbox, E));
    int requests, stored, requests_after, stored_after;
    site_counts(s, &requests, &stored);
    for (int op = 0; op < N_OPS; op++) {
        if (faults) site_push_faults(s, faults);
        commbox_error *err = NULL;
        long before = peak_rss();
        reset_peak_rss();
        commbox_status st = run_op((enum op)op, client, inbox, s, &err);
        long grown = peak_rss() - before;
        site_counts(s, &requests_after, &stored_after);
        int seen = requests_after - requests, made = stored_after - stored;
        const char *msg = err ? commbox_error_message(err) : "(no error)";
        int ok = st == want.status && seen == want.seen;
        if (want.status == COMMBOX_STATUS_OK) {
            ok = ok && made == 1;
        } else {
            double ra = err ? commbox_error_retry_after(err) : -3;
            const char *body = err ? commbox_error_body(err) : NULL;
            ok = ok && err && commbox_error_status(err) == want.status && strstr(msg, want.says) &&
                 commbox_error_request_id(err) && (want.stored_unknown || made == 0);
            if (want.retry_after == -1) ok = ok && ra == -1;
            if (want.retry_after >= 100) ok = ok && ra >= want.retry_after && ra <= 120;
            else if (want.retry_after >= 0) ok = ok && ra == want.retry_after;
            if (want.body_len >= 0) ok = ok && body && (int)strlen(body) == want.body_len;
            if (want.body) ok = ok && body && strcmp(body, want.body) == 0;
            if (want.also) ok = ok && strstr(msg, want.also);
        }
        if (want.huge) ok = ok && grown < FLAT_BYTES;
        if (ok) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "%s %s: got %s, %d requests, %d stored, grew %ld MiB: %s\n", id, OP_NAMES[op],
                    commbox_status_name(st), seen, made, grown >> 20, msg);
        }
        commbox_error_free(err);
        requests = requests_after, stored = stored_after;
    }
    commbox_inbox_free(inbox);
}

static void http_date_in(int seconds, char *out, size_t n) {
    time_t t = time(NULL) + seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Whether a connection is waiting on listening socket `fd` (without blocking). */
static int has_pending_connection(int fd) {
    struct timeval none = {0, 0};
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    return select(fd + 1, &set, NULL, NULL, &none) > 0;
}

/* --- an HTTPS mock of its own: commbox-mock --tls-self-signed DIR ---------------------- */

static pid_t tls_pid;

static char *start_tls_mock(const char *dir) {
    const char *bin = getenv("COMMBOX_MOCK_BIN");
    if (!bin) bin = "target/debug/commbox-mock";
    int out[2];
    if (pipe(out) != 0) exit(2);
    tls_pid = fork();
    if (tls_pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execl(bin, bin, "--port", "0", "--api-key", api_key, "--tls-self-signed", dir, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    static char url[128];
    FILE *f = fdopen(out[0], "r");
    if (!f || !fgets(url, sizeof url, f)) {
        fprintf(stderr, "the HTTPS mock (%s) did not start\n", bin);
        exit(2);
    }
    fclose(f);
    url[strcspn(url, "\n")] = '\0';
    return url;
}

static void stop_tls_mock(void) {
    kill(tls_pid, SIGTERM);
    waitpid(tls_pid, NULL, 0);
}

int main(void) {
    read_mock_env();
    inspector = new_client(api_key, base_url);
    struct site mock = {base_url, inspector, NULL, 0, NULL, 0};
    /* Clients are dear to build under valgrind (root certificates): one for most cases. */
    commbox_client *plain = make_client(base_url, 0, NULL);

    char faults[512], date[64];
    struct expect e;

    /* F01: a port nobody listens on. */
    char nowhere[64];
    snprintf(nowhere, sizeof nowhere, "http://127.0.0.1:%d", closed_port());
    char nobody[] = "nobody";
    struct site unreachable = {nowhere, NULL, NULL, 1, nobody, 1};
    e = FAIL, e.status = COMMBOX_STATUS_CONNECTION, e.says = "cannot connect to http://127.0.0.1:", e.seen = 0;
    commbox_client *refused = make_client(nowhere, 0, NULL);
    run_case("F01 connection refused", &unreachable, NULL, refused, e);
    commbox_client_free(refused);

    e = FAIL, e.status = COMMBOX_STATUS_CONNECTION, e.says = "connection failed before an answer", e.seen = 1;
    e.also = MAYBE_PROCESSED;
    run_case("F02 reset before the response", &mock, "{\"drop\":true}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_CONNECTION, e.seen = 1;
    e.says = "reading the HTTP 200 answer failed: Connection reset by peer", e.also = MAYBE_PROCESSED;
    run_case("F03 reset mid-body", &mock,
             "{\"status\":200,\"content_type\":\"application/json\",\"reset_after_bytes\":20,"
             "\"body\":\"{\\\"status\\\":200,\\\"description\\\":\\\"OK\\\",\\\"data\\\":{\\\"id\\\":1}}\"}",
             plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_TIMEOUT, e.says = "timed out waiting for the server", e.seen = 1;
    e.stored_unknown = 1, e.also = MAYBE_PROCESSED;
    commbox_client *impatient = make_client(base_url, 500, NULL);
    run_case("F04 slower than the timeout", &mock, "{\"delay_ms\":2000}", impatient, e);
    commbox_client_free(impatient);

    e = FAIL, e.status = COMMBOX_STATUS_OK, e.seen = 2;
    run_case("F05 429 Retry-After seconds, then OK", &mock, "{\"status\":429,\"retry_after\":\"1\"}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_RATE_LIMITED, e.says = "HTTP 429", e.seen = 1, e.retry_after = 120;
    run_case("F06 429 Retry-After 120 s (over the cap)", &mock, "{\"status\":429,\"retry_after\":\"120\"}", plain, e);

    http_date_in(1, date, sizeof date);
    snprintf(faults, sizeof faults, "{\"status\":429,\"retry_after\":\"%s\"}", date);
    e = FAIL, e.status = COMMBOX_STATUS_OK, e.seen = 2;
    run_case("F07 429 Retry-After HTTP date, then OK", &mock, faults, plain, e);

    http_date_in(120, date, sizeof date);
    snprintf(faults, sizeof faults, "{\"status\":429,\"retry_after\":\"%s\"}", date);
    e = FAIL, e.status = COMMBOX_STATUS_RATE_LIMITED, e.says = "HTTP 429", e.seen = 1, e.retry_after = 100;
    run_case("F08 429 Retry-After distant HTTP date", &mock, faults, plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_RATE_LIMITED, e.says = "HTTP 429", e.seen = 3, e.retry_after = -1;
    run_case("F09 429 without Retry-After", &mock, "{\"status\":429,\"count\":3}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_SERVER, e.says = "HTTP 500", e.seen = 1;
    run_case("F10 500", &mock, "{\"status\":500}", plain, e);
    e.says = "HTTP 502";
    run_case("F11 502", &mock, "{\"status\":502}", plain, e);
    e.says = "HTTP 503", e.seen = 3;
    run_case("F12 503", &mock, "{\"status\":503,\"count\":3}", plain, e);
    e.says = "HTTP 504", e.seen = 1;
    run_case("F13 504", &mock, "{\"status\":504}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_DECODE, e.says = "not JSON", e.seen = 1;
    e.body = "{\"status\":200,\"data\":{\"id\":4";
    run_case("F14 truncated JSON", &mock,
             "{\"status\":200,\"content_type\":\"application/json\","
             "\"body\":\"{\\\"status\\\":200,\\\"data\\\":{\\\"id\\\":4\"}",
             plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_SERVER, e.says = "HTTP 502 Bad Gateway", e.seen = 1, e.body = HTML_PAGE;
    run_case("F15 HTML error page", &mock,
             "{\"status\":502,\"content_type\":\"text/html\",\"body\":\"" HTML_PAGE "\"}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_DECODE, e.says = "not JSON", e.seen = 1;
    run_case("F16 HTML page with 200", &mock,
             "{\"status\":200,\"content_type\":\"text/html\",\"body\":\"" HTML_PAGE "\"}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_DECODE, e.says = "the answer is empty", e.seen = 1;
    run_case("F17 empty 200", &mock, "{\"status\":200,\"content_type\":\"application/json\",\"body\":\"\"}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_DECODE, e.says = "larger than 33554432 bytes", e.seen = 1, e.huge = 1;
    run_case("F18 1 GiB answer", &mock, "{\"status\":200,\"body_bytes\":" GIB "}", plain, e);
    run_case("F19 1 GiB chunked answer", &mock, "{\"status\":200,\"body_bytes\":" GIB ",\"chunked\":true}", plain, e);

    e = FAIL, e.status = COMMBOX_STATUS_SERVER, e.says = "HTTP 500", e.seen = 1, e.huge = 1, e.body_len = 65536;
    run_case("F20 1 GiB error answer", &mock, "{\"status\":500,\"body_bytes\":" GIB "}", plain, e);

    int port, other = loopback_listener(&port);
    snprintf(faults, sizeof faults,
             "{\"status\":307,\"body\":\"\",\"headers\":{\"location\":\"http://localhost:%d/moved\"}}", port);
    char says[96];
    snprintf(says, sizeof says, "redirect to http://localhost:%d/moved", port);
    e = FAIL, e.status = COMMBOX_STATUS_BAD_REQUEST, e.says = says, e.seen = 1;
    run_case("F21 redirect to another host", &mock, faults, plain, e);
    CHECK(!has_pending_connection(other)); /* the other host was never contacted */
    close(other);

    char dir[] = "/tmp/commbox-tls-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    char ca[64];
    snprintf(ca, sizeof ca, "%s/cert.pem", dir);
    const char *tls_url = start_tls_mock(dir);
    commbox_client *tls_inspect = make_client(tls_url, 0, ca);
    struct site tls = {tls_url, tls_inspect, ca, 0, NULL, 0};
    e = FAIL, e.status = COMMBOX_STATUS_TLS, e.says = "TLS handshake failed", e.seen = 0;
    commbox_client *untrusting = make_client(tls_url, 0, NULL);
    run_case("F22 self-signed certificate", &tls, NULL, untrusting, e);
    commbox_client_free(untrusting);
    e = FAIL, e.status = COMMBOX_STATUS_OK, e.seen = 1;
    run_case("F23 self-signed certificate, CA file", &tls, NULL, tls_inspect, e);
    commbox_client_free(tls_inspect);
    commbox_string_free(tls.contact);
    stop_tls_mock();
    char key[64];
    snprintf(key, sizeof key, "%s/key.pem", dir);
    remove(ca);
    remove(key);
    rmdir(dir);

    commbox_string_free(mock.contact);
    commbox_client_free(plain);
    commbox_client_free(inspector);
    return finish();
}
