/*
 * The case table (tests/cases/faults.json and hostile.json, format in tests/cases/README.md) as
 * the C runners read it: the types of the data tests/c/cases_to_c.py generates into build/cases/,
 * and the helpers that turn a table value into the bytes a call takes and into the text the
 * mock's records hold. Included once by each runner, after harness.h.
 *
 * The mock's records are read through commbox_raw_request, which gives serde_json's compact
 * text with sorted keys; a checked value is found there as `"key":<value as JSON>`.
 */
#ifndef COMMBOX_TEST_CASE_TABLE_H
#define COMMBOX_TEST_CASE_TABLE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 40

/* A value of the table. */
enum cv_kind {
    CV_NONE,   /* not given */
    CV_TEXT,   /* s, len bytes (no NUL; maybe not UTF-8), placeholders filled at run time */
    CV_REPEAT, /* s (len bytes) `times` times, then `then` */
    CV_INT,    /* i */
    CV_JSON    /* s is a JSON text (number, true/false, null, object), compared as is */
};

struct cv {
    int kind;
    const char *s;
    size_t len;
    long long times;
    const char *then;
    long long i;
};

struct c_attachment {
    struct cv name, content, path; /* name + content from memory, or path from disk */
};

struct c_recipient {
    struct cv address, name;
};

struct c_env {
    const char *name;
    struct cv value;
};

struct c_call {
    const char *op;
    struct cv args[MAX_ARGS]; /* by enum arg (generated) */
    const struct c_attachment *attachments;
    int n_attachments;
    const struct c_recipient *to;
    int n_to;
    const struct c_env *env;
    int n_env;
};

struct c_file {
    struct cv name, content;
    int fifo;
    int mode; /* -1: as created */
};

/* A check of a sent case: each value must appear as `"key":<value>` in the record `root`
 * gives (absent: `"key":` must not). */
struct c_check {
    const char *root;
    const char *key;
    int absent;
    const struct cv *values;
    int n_values;
};

struct hostile_case {
    const char *id, *what;
    struct c_call call;
    const struct c_call *setup;
    int n_setup;
    const struct c_file *files;
    int n_files;
    int as_nobody;
    int need_object, need_chatwoot; /* the fixture the case uses */
    /* refused; rejected: received data (a webhook delivery) refused, the message starting
     * with the part at fault (`field`), which the error does not carry as a field */
    int refused, rejected;
    const char *status; /* the kind: "validation", "io", or C's "invalid_utf8" */
    struct cv field;
    const struct cv *message_has;
    int n_has;
    const struct cv *message_lacks;
    int n_lacks;
    /* sent; parsed: received data read into an event (`result`), nothing sent */
    int parsed;
    const char *answer; /* "ok" or the kind of the server's answer */
    const struct c_check *checks;
    int n_checks;
};

enum retry_after_check { RA_UNCHECKED, RA_NONE, RA_RANGE };

struct fault_case {
    const char *id, *what;
    const char *site;   /* "mock", "tls", "unreachable" */
    const char *faults; /* a JSON array with placeholders, or NULL */
    int uses_other_host;
    long timeout_ms; /* 0: the default */
    int ca_file_site;
    const char *outcome; /* "ok" or an error kind */
    const char *const *says;
    int n_says;
    int retry_safety; /* enum commbox_retry_safety; -1 for "ok" */
    int maybe_processed;
    int requests, stored; /* -1: not checked */
    int retry_after;      /* enum retry_after_check */
    double retry_after_min, retry_after_max;
    int http_status; /* 0: not checked */
    int description_none;
    const char *body; /* NULL: not checked */
    int body_length;  /* -1: not checked */
    int memory_flat, other_host_untouched;
};

/* The kind of a status, as the table names kinds (commbox::ErrorKind::as_str). */
static inline const char *kind_of(commbox_status s) {
    switch (s) {
    case COMMBOX_STATUS_OK: return "ok";
    case COMMBOX_STATUS_VALIDATION: return "validation";
    case COMMBOX_STATUS_AUTHENTICATION: return "authentication";
    case COMMBOX_STATUS_NOT_FOUND: return "not_found";
    case COMMBOX_STATUS_RATE_LIMITED: return "rate_limited";
    case COMMBOX_STATUS_BAD_REQUEST: return "bad_request";
    case COMMBOX_STATUS_SERVER: return "server";
    case COMMBOX_STATUS_TIMEOUT: return "timeout";
    case COMMBOX_STATUS_CONNECTION: return "connection";
    case COMMBOX_STATUS_TLS: return "tls";
    case COMMBOX_STATUS_DECODE: return "decode";
    case COMMBOX_STATUS_IO: return "io";
    case COMMBOX_STATUS_NULL_ARGUMENT: return "null_argument";
    case COMMBOX_STATUS_INVALID_UTF8: return "invalid_utf8";
    default: return commbox_status_name(s);
    }
}

/* --- building texts ------------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
};

static inline void buf_add(struct buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void buf_str(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* What the placeholders of a case stand for. */
struct places {
    const char *dir;
    int mock_port;
    int64_t object;
    const char *contact;
    int64_t conversation;
};

/* `s` (n bytes) with {dir}, {mock_port}, {object}, {contact}, {conversation} filled;
 * malloc'd, NUL-terminated, its length in *out_len if given. Runs between placeholders are
 * copied whole: valgrind makes every byte-sized step dear, and values reach 1 MiB. */
static inline char *fill(const char *s, size_t n, const struct places *pl, size_t *out_len) {
    struct buf b = {NULL, 0, 0};
    buf_add(&b, "", 0);
    size_t i = 0;
    while (i < n) {
        const char *brace = memchr(s + i, '{', n - i);
        size_t run = brace ? (size_t)(brace - (s + i)) : n - i;
        buf_add(&b, s + i, run);
        i += run;
        if (i == n) break;
        char num[32];
        const char *with = NULL;
        size_t skip = 0;
#define PLACE(name, value)                                                        \
    if (!with && n - i >= strlen(name) && memcmp(s + i, name, strlen(name)) == 0) \
        with = (value), skip = strlen(name);
        PLACE("{dir}", pl->dir)
        if (!with) {
            snprintf(num, sizeof num, "%d", pl->mock_port);
            PLACE("{mock_port}", num)
        }
        if (!with) {
            snprintf(num, sizeof num, "%lld", (long long)pl->object);
            PLACE("{object}", num)
        }
        PLACE("{contact}", pl->contact)
        if (!with) {
            snprintf(num, sizeof num, "%lld", (long long)pl->conversation);
            PLACE("{conversation}", num)
        }
#undef PLACE
        if (with) {
            buf_str(&b, with);
            i += skip;
        } else {
            buf_add(&b, s + i, 1);
            i++;
        }
    }
    if (out_len) *out_len = b.len;
    return b.p;
}

/* The bytes of a text value (CV_TEXT, CV_REPEAT), malloc'd; NULL for CV_NONE. */
static inline char *cv_text(const struct cv *v, const struct places *pl, size_t *out_len) {
    if (v->kind == CV_TEXT || v->kind == CV_JSON) return fill(v->s, v->len, pl, out_len);
    if (v->kind == CV_REPEAT) {
        /* The unit once, then the text so far doubled until it is long enough. */
        size_t whole = v->len * (size_t)v->times, then = strlen(v->then), have = 0;
        char *p = malloc(whole + then + 1);
        if (!p) abort();
        if (whole) memcpy(p, v->s, v->len), have = v->len;
        while (have < whole) {
            size_t more = have < whole - have ? have : whole - have;
            memcpy(p + have, p, more);
            have += more;
        }
        memcpy(p + whole, v->then, then + 1);
        if (out_len) *out_len = whole + then;
        return p;
    }
    if (v->kind == CV_NONE) return NULL;
    fprintf(stderr, "not a text value (kind %d)\n", v->kind);
    abort();
}

/* Appends `s` (n bytes) as a JSON string the way serde_json writes it: quotes, \" \\ \b \f
 * \n \r \t, other control characters as \u00XX, everything else as is. */
static inline void json_string(struct buf *b, const char *s, size_t n) {
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        size_t run = 0;
        while (i + run < n && (unsigned char)s[i + run] >= 0x20 && s[i + run] != '"' && s[i + run] != '\\') run++;
        buf_add(b, s + i, run);
        i += run;
        if (i == n) break;
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '"': buf_add(b, "\\\"", 2); break;
        case '\\': buf_add(b, "\\\\", 2); break;
        case '\b': buf_add(b, "\\b", 2); break;
        case '\f': buf_add(b, "\\f", 2); break;
        case '\n': buf_add(b, "\\n", 2); break;
        case '\r': buf_add(b, "\\r", 2); break;
        case '\t': buf_add(b, "\\t", 2); break;
        default:
            if (c < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                buf_add(b, esc, 6);
            } else {
                buf_add(b, (const char *)&s[i], 1);
            }
        }
    }
    buf_add(b, "\"", 1);
}

/* `"key":<value>`, as the value appears in the mock's records; malloc'd. */
static inline char *needle(const char *key, const struct cv *v, const struct places *pl) {
    struct buf b = {NULL, 0, 0};
    json_string(&b, key, strlen(key));
    buf_add(&b, ":", 1);
    if (v) {
        size_t n;
        char *text = cv_text(v, pl, &n);
        if (v->kind == CV_JSON) buf_add(&b, text, n);
        else json_string(&b, text, n);
        free(text);
    }
    return b.p;
}

/* --- reading the mock's records -------------------------------------------------------------- */

/* The body of GET `path` on the plain-HTTP mock at `url` (http://127.0.0.1:PORT), malloc'd;
 * NULL on failure. The mock's own compact JSON, read without parsing it: through
 * commbox_raw_request a 1 MiB record costs seconds under valgrind. Its records keep their
 * fields in declaration order (a request's record starts with "seq"). */
static inline char *http_get(const char *url, const char *path) {
    const char *colon = strrchr(url, ':');
    if (strncmp(url, "http://127.0.0.1:", 17) != 0 || !colon) return NULL;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(colon + 1));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    char request[256];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write(fd, request, (size_t)n) != n) {
        close(fd);
        return NULL;
    }
    struct buf b = {NULL, 0, 0};
    char chunk[65536];
    ssize_t got;
    buf_add(&b, "", 0);
    while ((got = read(fd, chunk, sizeof chunk)) > 0) buf_add(&b, chunk, (size_t)got);
    close(fd);
    char *body = strstr(b.p, "\r\n\r\n");
    if (strncmp(b.p, "HTTP/1.", 7) != 0 || strncmp(b.p + 8, " 200", 4) != 0 || !body) {
        fprintf(stderr, "GET %s: %.100s\n", path, b.p);
        free(b.p);
        return NULL;
    }
    body += 4;
    memmove(b.p, body, strlen(body) + 1);
    return b.p;
}

/* --- the fault matrix's placeholders -------------------------------------------------------- */

/* `s` with {http_date_in:N} (an HTTP date N seconds from now) and {other_host} filled. */
static inline char *fill_fault(const char *s, const char *other_host) {
    struct buf b = {NULL, 0, 0};
    buf_add(&b, "", 0);
    while (*s) {
        if (strncmp(s, "{other_host}", 12) == 0) {
            buf_str(&b, other_host);
            s += 12;
        } else if (strncmp(s, "{http_date_in:", 14) == 0) {
            char *end;
            long secs = strtol(s + 14, &end, 10);
            time_t t = time(NULL) + secs;
            struct tm tm;
            char date[64];
            gmtime_r(&t, &tm);
            strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
            buf_str(&b, date);
            s = end + 1; /* past the } */
        } else {
            buf_add(&b, s, 1);
            s++;
        }
    }
    return b.p;
}

#endif
