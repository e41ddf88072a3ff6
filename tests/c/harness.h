/*
 * The harness shared by the C suites: pass/fail counting, checks that print the library's
 * error, and the mock's inspection routes read through the library's own raw request.
 * Each suite includes it once (it defines its static state).
 */
#ifndef COMMBOX_TEST_HARNESS_H
#define COMMBOX_TEST_HARNESS_H

#include "commbox.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int passed, failed;
static const char *base_url, *api_key;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            passed++;                                                                 \
        } else {                                                                      \
            failed++;                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

/* A call that must succeed; on failure prints the error and counts it. */
#define OK(call)                                                                        \
    do {                                                                                \
        commbox_error *ok_err_ = NULL;                                                  \
        commbox_status ok_s_ = (call);                                                  \
        if (ok_s_ == COMMBOX_STATUS_OK) {                                               \
            passed++;                                                                   \
        } else {                                                                        \
            failed++;                                                                   \
            fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, __LINE__, #call,   \
                    commbox_status_name(ok_s_),                                         \
                    ok_err_ ? commbox_error_message(ok_err_) : "(no error object)");  \
        }                                                                               \
        commbox_error_free(ok_err_);                                                    \
    } while (0)
/* Inside OK(...), pass E as the error out-parameter. */
#define E (&ok_err_)

/* Expects `call` (which passes &bad_err) to fail with `status`, a message and, if given,
 * the field. */
static commbox_error *bad_err;
static inline void expect_failure(int line, const char *what, commbox_status got, commbox_status want,
                           const char *field) {
    int ok = got == want && bad_err != NULL && commbox_error_status(bad_err) == want &&
             commbox_error_message(bad_err) != NULL && commbox_error_message(bad_err)[0] != '\0';
    if (ok && field) {
        const char *f = commbox_error_field(bad_err);
        ok = f != NULL && strcmp(f, field) == 0;
    }
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "line %d: %s: got %s (%s), want %s field %s\n", line, what,
                commbox_status_name(got), bad_err ? commbox_error_message(bad_err) : "no error",
                commbox_status_name(want), field ? field : "-");
    }
    commbox_error_free(bad_err);
    bad_err = NULL;
}
#define BAD(want, field, call) expect_failure(__LINE__, #call, (call), (want), (field))
#define ERR (&bad_err)

static inline commbox_client *new_client(const char *key, const char *url) {
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *client = NULL;
    OK(commbox_client_config_set_api_key(cfg, key, E));
    OK(commbox_client_config_set_base_url(cfg, url, E));
    OK(commbox_client_config_set_max_retries(cfg, 0, E));
    OK(commbox_client_new(cfg, &client, E));
    commbox_client_config_free(cfg);
    return client;
}

/* --- the mock's inspection routes, through the library itself ------------------------ */

static commbox_client *inspector;

/* Past the JSON value that starts at `p` (the library wrote it: no validation). */
static inline char *json_skip(char *p) {
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1]) p++;
        return *p ? p + 1 : p;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; *p; p++) {
            if (*p == '"') {
                p = json_skip(p) - 1;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if ((*p == '}' || *p == ']') && --depth == 0) {
                return p + 1;
            }
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']') p++;
    return p;
}

/* commbox_raw_request writes the envelope's JSON form {"http_status",…,"data":D,…,"raw":R};
 * the inspection routes answer bare JSON, so D and R are the same document. Blanks all but D
 * with spaces (the length stays, as commbox_string_free needs), so that counts see each
 * stored record once. */
static inline void keep_data_only(char *json) {
    char *p = json + 1;
    while (*p == '"') {
        char *key = p, *value = json_skip(p) + 1, *end = json_skip(value);
        if (strncmp(key, "\"data\":", 7) == 0) {
            memset(json, ' ', (size_t)(value - json));
            memset(end, ' ', strlen(end));
            return;
        }
        p = *end == ',' ? end + 1 : end;
    }
}

/* What the mock's inspection route `path` answers (JSON, padded with spaces). */
static inline char *mock_get(const char *path) {
    char *out = NULL;
    OK(commbox_raw_request(inspector, "GET", path, NULL, &out, E));
    if (out) keep_data_only(out);
    return out;
}

static inline void mock_post(const char *path, const char *json) {
    char *out = NULL;
    OK(commbox_raw_request(inspector, "POST", path, json, &out, E));
    commbox_string_free(out);
}

static inline void mock_reset(void) { mock_post("/__mock/reset", NULL); }

static inline int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* Requests the mock saw since the last reset. */
static inline int mock_request_count(void) {
    char *json = mock_get("/__mock/requests");
    int n = json ? count(json, "\"seq\":") : -1;
    commbox_string_free(json);
    return n;
}

/* Whether the recorded requests contain `needle`. */
static inline int mock_requests_contain(const char *needle) {
    char *json = mock_get("/__mock/requests");
    int found = json && strstr(json, needle) != NULL;
    if (!found) fprintf(stderr, "  not in /__mock/requests: %s\n", needle);
    commbox_string_free(json);
    return found;
}

static inline int mock_objects_contain(const char *needle) {
    char *json = mock_get("/__mock/objects");
    int found = json && strstr(json, needle) != NULL;
    if (!found) fprintf(stderr, "  not in /__mock/objects: %s\n", needle);
    commbox_string_free(json);
    return found;
}


/* The mock's URL and key, from the variables tests/with-mock.sh sets; exits 2 without them. */
static inline void read_mock_env(void) {
    base_url = getenv("COMMBOX_BASE_URL");
    api_key = getenv("COMMBOX_API_KEY");
    if (!base_url || !api_key) {
        fprintf(stderr, "run me through tests/with-mock.sh\n");
        exit(2);
    }
}

/* A socket listening on 127.0.0.1 on a free port, written to *port; exits 2 if none. */
static inline int loopback_listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("listening on 127.0.0.1");
        exit(2);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* A loopback port nobody listens on: connecting to it is refused. */
static inline int closed_port(void) {
    int port;
    close(loopback_listener(&port));
    return port;
}

/* Prints the closing line CI reads and returns the exit status. */
static inline int finish(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
