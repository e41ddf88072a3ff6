/*
 * The fault matrix (docs/reliability.md), C face, under valgrind: a runner over
 * tests/cases/faults.json, which tests/c/cases_to_c.py writes as build/cases/fault_cases.h.
 * Every case runs against the table's five creates (commbox_create_conversation,
 * commbox_create_message, commbox_inbox_create_contact, commbox_inbox_create_conversation,
 * commbox_inbox_create_message) with the default retry policy; the status, the error and what
 * the server saw and stored are compared with the case's expectations, and every failing
 * case is reported by id.
 *
 * Runs through tests/with-mock.sh (one mock for the suite); the "tls" site is one HTTPS mock
 * of its own (commbox-mock --tls-self-signed DIR, $COMMBOX_MOCK_BIN), started when a case
 * first needs it. What only this face does: "unreachable" is a port nobody listens on, the
 * other host of a redirect a listening socket that must have no pending connection, memory
 * the growth of peak RSS (384 MiB under valgrind); attempts are not observable here.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdarg.h>
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

#include "case_table.h"

#include "fault_cases.h"

#define STREAM "fault-stream"
#define PHONE "972544444444"
#define INBOX "mock-inbox"
/* The answer cap is 32 MiB; reading up to it may double a buffer once, and valgrind adds
 * its own bookkeeping. A client that held a whole 1 GiB answer would be far above. */
#define FLAT_BYTES (384L << 20)

/* A server with a CommBox conversation and a Chatwoot contact with a conversation in it. */
struct site {
    const char *url;
    commbox_client *inspect; /* NULL: nobody listens there */
    const char *ca_file;     /* the CA file that server's certificate needs, if any */
    int64_t object;
    char *contact;
    int64_t conversation;
};

static const char *case_id = "";
static int case_failed, cases_failed;
static char failed_ids[512];

static void problem(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", case_id);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    case_failed = 1;
}

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

/* GET `path` on the site's inspection routes, malloc'd: a plain HTTP read for the plain mock
 * (cheap under valgrind), the library's raw request for the HTTPS one. */
static char *site_get(const struct site *s, const char *path) {
    if (strncmp(s->url, "http://", 7) == 0) return http_get(s->url, path);
    commbox_client *saved = inspector;
    inspector = s->inspect;
    char *json = mock_get(path), *copy = json ? strdup(json) : NULL;
    commbox_string_free(json);
    inspector = saved;
    return copy;
}

/* Requests the server saw and records it stored, through the inspection routes. */
static void site_counts(const struct site *s, int *requests, int *stored) {
    *requests = *stored = 0;
    if (!s->inspect) return;
    char *recorded = site_get(s, "/__mock/requests");
    char *objects = site_get(s, "/__mock/objects");
    char *chatwoot = site_get(s, "/__mock/chatwoot");
    *requests = recorded ? count(recorded, "\"seq\":") : -1;
    /* Conversations and messages each carry their own "Message"; contacts, conversations
     * and messages of Chatwoot each have a key no other record has. */
    *stored = count(objects ? objects : "", "\"Message\":") + count(chatwoot ? chatwoot : "", "\"pubsub_token\":") +
              count(chatwoot ? chatwoot : "", "\"contact_source_id\":") +
              count(chatwoot ? chatwoot : "", "\"message_type\":");
    free(recorded);
    free(objects);
    free(chatwoot);
}

static void site_push_faults(const struct site *s, const char *faults) {
    commbox_client *saved = inspector;
    inspector = s->inspect;
    mock_post("/__mock/faults", faults);
    inspector = saved;
}

/* One of the table's creates through this face; COMMBOX_STATUS_PANIC for a name it does
 * not know. */
static commbox_status create(const char *op, const commbox_client *client, const commbox_inbox *inbox,
                             const struct site *s, commbox_error **err) {
    int64_t id = 0;
    char *sid = NULL;
    commbox_status st = COMMBOX_STATUS_PANIC;
    if (strcmp(op, "commbox_conversation") == 0) {
        commbox_conversation *conv = NULL;
        OK(commbox_conversation_new_sms(PHONE, "fault", &conv, E));
        st = commbox_create_conversation(client, STREAM, conv, &id, err);
        commbox_conversation_free(conv);
    } else if (strcmp(op, "commbox_message") == 0) {
        commbox_message *msg = NULL;
        OK(commbox_message_new_customer(PHONE, "fault", &msg, E));
        st = commbox_create_message(client, STREAM, s->object, msg, &id, err);
        commbox_message_free(msg);
    } else if (strcmp(op, "chatwoot_contact") == 0) {
        st = commbox_inbox_create_contact(inbox, NULL, NULL, NULL, NULL, "Fault", NULL, NULL, NULL, &sid, NULL, err);
        commbox_string_free(sid);
    } else if (strcmp(op, "chatwoot_conversation") == 0) {
        st = commbox_inbox_create_conversation(inbox, s->contact, NULL, &id, NULL, err);
    } else if (strcmp(op, "chatwoot_message") == 0) {
        commbox_inbox_message *msg = NULL;
        OK(commbox_inbox_message_new("fault", &msg, E));
        st = commbox_inbox_create_message(inbox, s->contact, s->conversation, msg, &id, NULL, err);
        commbox_inbox_message_free(msg);
    } else {
        problem("no such create in this face: %s", op);
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

/* Whether a connection is waiting on listening socket `fd` (without blocking). */
static int has_pending_connection(int fd) {
    struct timeval none = {0, 0};
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    return select(fd + 1, &set, NULL, NULL, &none) > 0;
}

/* Compares what one create gave with the case's expectations. */
static void judge(const struct fault_case *c, const char *op, commbox_status st, const commbox_error *err,
                  int seen, int made, long grown, const char *other_host) {
    const char *kind = kind_of(st);
    const char *msg = err ? commbox_error_message(err) : "(no error)";
    if (strcmp(kind, c->outcome) != 0) {
        problem("%s: outcome %s (%s), want %s", op, kind, msg, c->outcome);
        return;
    }
    if (c->requests >= 0 && seen != c->requests) problem("%s: the server saw %d requests, want %d", op, seen, c->requests);
    if (c->stored >= 0 && made != c->stored) problem("%s: the server stored %d records, want %d", op, made, c->stored);
    if (c->memory_flat && grown >= FLAT_BYTES) problem("%s: peak RSS grew by %ld MiB", op, grown >> 20);
    if (st == COMMBOX_STATUS_OK) return;
    if (!err || commbox_error_status(err) != st) problem("%s: no error object with the status", op);
    if (!err) return;
    if (!commbox_error_request_id(err)) problem("%s: the error carries no request id", op);
    if ((int)commbox_error_retry_safety(err) != c->retry_safety)
        problem("%s: retry safety %d, want %d (0 safe, 1 may_duplicate)", op, (int)commbox_error_retry_safety(err),
                c->retry_safety);
    for (int i = 0; i < c->n_says; i++) {
        char *says = fill_fault(c->says[i], other_host);
        if (!strstr(msg, says)) problem("%s: message \"%s\" lacks \"%s\"", op, msg, says);
        free(says);
    }
    if (c->maybe_processed) {
        /* The message ends with the note, then the request id commbox_error_message appends. */
        const char *note = strstr(msg, FAULT_MAYBE_PROCESSED);
        if (!note || strncmp(note + strlen(FAULT_MAYBE_PROCESSED), " (request id ", 13) != 0)
            problem("%s: message \"%s\" does not end with the note", op, msg);
    }
    double ra = commbox_error_retry_after(err);
    if (c->retry_after == RA_NONE && ra != -1) problem("%s: retry-after %g, want none", op, ra);
    if (c->retry_after == RA_RANGE && !(ra >= c->retry_after_min && ra <= c->retry_after_max))
        problem("%s: retry-after %g, want %g..%g", op, ra, c->retry_after_min, c->retry_after_max);
    if (c->http_status && commbox_error_http_status(err) != c->http_status)
        problem("%s: http status %d, want %d", op, commbox_error_http_status(err), c->http_status);
    if (c->description_none && commbox_error_description(err))
        problem("%s: description \"%s\", want none", op, commbox_error_description(err));
    const char *body = commbox_error_body(err);
    if (c->body && (!body || strcmp(body, c->body) != 0)) problem("%s: body \"%.200s\", want \"%.200s\"", op, body ? body : "(none)", c->body);
    if (c->body_length >= 0 && (!body || (int)strlen(body) != c->body_length))
        problem("%s: body of %d bytes, want %d", op, body ? (int)strlen(body) : -1, c->body_length);
}

/* Runs the creates through `client` (made for site `s`) and checks each. */
static void run_case(const struct fault_case *c, struct site *s, const commbox_client *client) {
    case_id = c->id;
    case_failed = 0;
    fprintf(stderr, "-- %s %s\n", c->id, c->what);
    int port = 0, other = c->uses_other_host ? loopback_listener(&port) : -1;
    char other_host[64];
    snprintf(other_host, sizeof other_host, "http://localhost:%d", port);
    if (s->inspect) site_prepare(s);
    commbox_inbox *inbox = NULL;
    OK(commbox_client_inbox(client, s->url, INBOX, &inbox, E));
    int requests, stored, requests_after, stored_after;
    site_counts(s, &requests, &stored);
    for (int op = 0; op < N_FAULT_CREATES; op++) {
        if (c->faults) {
            /* Filled now: an HTTP date is seconds from the moment the create is made. */
            char *faults = fill_fault(c->faults, other_host);
            site_push_faults(s, faults);
            free(faults);
        }
        commbox_error *err = NULL;
        long before = peak_rss();
        reset_peak_rss();
        commbox_status st = create(FAULT_CREATES[op], client, inbox, s, &err);
        long grown = peak_rss() - before;
        site_counts(s, &requests_after, &stored_after);
        judge(c, FAULT_CREATES[op], st, err, requests_after - requests, stored_after - stored, grown, other_host);
        commbox_error_free(err);
        requests = requests_after, stored = stored_after;
    }
    commbox_inbox_free(inbox);
    if (other >= 0) {
        if (c->other_host_untouched && has_pending_connection(other)) problem("the other host was contacted");
        close(other);
    }
    if (case_failed) {
        failed++;
        cases_failed++;
        if (failed_ids[0]) strcat(failed_ids, ", ");
        strcat(failed_ids, c->id);
    } else {
        passed++;
    }
}

/* --- an HTTPS mock of its own: commbox-mock --tls-self-signed DIR ---------------------- */

static pid_t tls_pid;
static char tls_dir[] = "/tmp/commbox-tls-XXXXXX";
static char tls_ca[64];

static char *start_tls_mock(void) {
    const char *bin = getenv("COMMBOX_MOCK_BIN");
    if (!bin) bin = "target/debug/commbox-mock";
    if (!mkdtemp(tls_dir)) exit(2);
    snprintf(tls_ca, sizeof tls_ca, "%s/cert.pem", tls_dir);
    int out[2];
    if (pipe(out) != 0) exit(2);
    tls_pid = fork();
    if (tls_pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execl(bin, bin, "--port", "0", "--api-key", api_key, "--tls-self-signed", tls_dir, (char *)NULL);
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
    char key[64];
    snprintf(key, sizeof key, "%s/key.pem", tls_dir);
    remove(tls_ca);
    remove(key);
    rmdir(tls_dir);
}

int main(void) {
    read_mock_env();
    inspector = new_client(api_key, base_url);
    struct site mock = {base_url, inspector, NULL, 0, NULL, 0};
    struct site tls = {NULL, NULL, NULL, 0, NULL, 0};
    /* Clients are dear to build under valgrind (root certificates): one for most cases. */
    commbox_client *plain = make_client(base_url, 0, NULL);
    char nowhere[64], nobody[] = "nobody";
    snprintf(nowhere, sizeof nowhere, "http://127.0.0.1:%d", closed_port());
    struct site unreachable = {nowhere, NULL, NULL, 1, nobody, 1};

    for (int i = 0; i < N_FAULT_CASES; i++) {
        const struct fault_case *c = &FAULT_CASES[i];
        struct site *s = &mock;
        if (strcmp(c->site, "unreachable") == 0) {
            s = &unreachable;
        } else if (strcmp(c->site, "tls") == 0) {
            if (!tls.url) {
                tls.url = start_tls_mock();
                tls.ca_file = tls_ca;
                tls.inspect = make_client(tls.url, 0, tls_ca);
            }
            s = &tls;
        } else if (strcmp(c->site, "mock") != 0) {
            case_id = c->id;
            problem("no such site: %s", c->site);
            continue;
        }
        if (s == &mock && c->timeout_ms == 0 && !c->ca_file_site) {
            run_case(c, s, plain);
        } else {
            commbox_client *client = make_client(s->url, c->timeout_ms, c->ca_file_site ? s->ca_file : NULL);
            run_case(c, s, client);
            commbox_client_free(client);
        }
    }

    if (cases_failed) fprintf(stderr, "fault matrix (C): %d of %d cases failed: %s\n", cases_failed, N_FAULT_CASES, failed_ids);
    else fprintf(stderr, "fault matrix (C): %d cases passed\n", N_FAULT_CASES);
    if (tls.url) {
        commbox_client_free(tls.inspect);
        commbox_string_free(tls.contact);
        stop_tls_mock();
    }
    commbox_string_free(mock.contact);
    commbox_client_free(plain);
    commbox_client_free(inspector);
    return finish();
}
