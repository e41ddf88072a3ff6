/* C clients for bench/run.py, each in its own process.
 *
 *   c_bench seq commbox|curl|raw N PORT BODYFILE   -> {"cpu_us":..,"wall_us":..}  per request
 *   c_bench upload FILE PORT                       -> {"baseline_kib":..,"peak_kib":..}
 *
 * Every request is the same create-conversation POST on one keep-alive connection; the
 * answer is read whole and the id taken from it. commbox goes through its public C ABI with
 * one prebuilt commbox_conversation.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <commbox.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STREAM "bench-stream"
#define KEY "bench-key"

static double cpu_s(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static double wall_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "c_bench: %s\n", what);
    exit(1);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open body file");
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(*len + 1);
    if (fread(buf, 1, *len, f) != *len) die("short read");
    buf[*len] = 0;
    fclose(f);
    return buf;
}

/* The id in {"data":{"id":N}}: the same work a peer does with a minimal parser. */
static long long parse_id(const char *body, size_t len) {
    const char *p = memmem(body, len, "\"id\":", 5);
    return p ? strtoll(p + 5, NULL, 10) : -1;
}

/* ---- commbox ---- */
static commbox_client *cb_client(int port, unsigned timeout_ms) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *client = NULL;
    commbox_error *err = NULL;
    if (commbox_client_config_set_api_key(cfg, KEY, &err) || commbox_client_config_set_base_url(cfg, url, &err) ||
        commbox_client_config_set_max_retries(cfg, 0, &err) ||
        commbox_client_config_set_timeout_ms(cfg, timeout_ms, &err) || commbox_client_new(cfg, &client, &err))
        die(commbox_error_message(err));
    commbox_client_config_free(cfg);
    return client;
}

typedef struct {
    commbox_client *client;
    commbox_conversation *conv;
    CURL *curl;
    struct curl_slist *headers;
    char *resp;
    size_t resp_len, resp_cap;
    int fd;
    char *req;
    size_t req_len;
} state;

static long long send_commbox(state *s) {
    int64_t id = 0;
    commbox_error *err = NULL;
    if (commbox_create_conversation(s->client, STREAM, s->conv, &id, &err)) die(commbox_error_message(err));
    return id;
}

/* ---- libcurl ---- */
static size_t on_data(char *p, size_t size, size_t n, void *ud) {
    state *s = ud;
    size_t len = size * n;
    if (s->resp_len + len + 1 > s->resp_cap) {
        s->resp_cap = (s->resp_len + len + 1) * 2;
        s->resp = realloc(s->resp, s->resp_cap);
    }
    memcpy(s->resp + s->resp_len, p, len);
    s->resp_len += len;
    return len;
}

static long long send_curl(state *s) {
    s->resp_len = 0;
    if (curl_easy_perform(s->curl) != CURLE_OK) die("curl_easy_perform");
    long code = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) die("curl: HTTP status");
    return parse_id(s->resp, s->resp_len);
}

/* ---- raw socket: the floor ---- */
static long long send_raw(state *s) {
    size_t off = 0;
    while (off < s->req_len) {
        ssize_t w = write(s->fd, s->req + off, s->req_len - off);
        if (w <= 0) die("write");
        off += (size_t)w;
    }
    s->resp_len = 0;
    size_t need = 0; /* header length + Content-Length, once known */
    for (;;) {
        if (s->resp_cap - s->resp_len < 4096) {
            s->resp_cap = s->resp_cap * 2 + 4096;
            s->resp = realloc(s->resp, s->resp_cap);
        }
        ssize_t r = read(s->fd, s->resp + s->resp_len, s->resp_cap - s->resp_len - 1);
        if (r <= 0) die("read");
        s->resp_len += (size_t)r;
        s->resp[s->resp_len] = 0;
        if (!need) {
            char *end = strstr(s->resp, "\r\n\r\n");
            if (!end) continue;
            char *cl = strcasestr(s->resp, "\r\ncontent-length:");
            if (!cl || cl > end) die("no content-length");
            need = (size_t)(end + 4 - s->resp) + strtoul(cl + 17, NULL, 10);
            if (strncmp(s->resp, "HTTP/1.1 200", 12)) die("raw: HTTP status");
        }
        if (s->resp_len >= need) break;
    }
    return parse_id(s->resp, s->resp_len);
}

static long rss_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') v = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}

int main(int argc, char **argv) {
    if (argc == 4 && !strcmp(argv[1], "upload")) {
        commbox_client *client = cb_client(atoi(argv[3]), 600000);
        commbox_conversation *conv = NULL;
        commbox_error *err = NULL;
        if (commbox_conversation_new_email("customer@example.com", "file", "attached", &conv, &err) ||
            commbox_conversation_add_attachment_path(conv, argv[2], &err))
            die(commbox_error_message(err));
        FILE *f = fopen("/proc/self/clear_refs", "w");
        fputs("5", f);
        fclose(f);
        long base = rss_kib("VmRSS");
        int64_t id = 0;
        if (commbox_create_conversation(client, "upload", conv, &id, &err)) die(commbox_error_message(err));
        if (id != 67890) die("wrong id");
        printf("{\"baseline_kib\": %ld, \"peak_kib\": %ld}\n", base, rss_kib("VmHWM"));
        commbox_conversation_free(conv);
        commbox_client_free(client);
        return 0;
    }
    if (argc != 6 || strcmp(argv[1], "seq")) die("usage: c_bench seq commbox|curl|raw N PORT BODYFILE | upload FILE PORT");
    const char *which = argv[2];
    long n = atol(argv[3]);
    int port = atoi(argv[4]);
    size_t body_len;
    char *body = read_file(argv[5], &body_len);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/streams/" STREAM "/objects", port);

    state s = {0};
    long long (*send)(state *);
    if (!strcmp(which, "commbox")) {
        commbox_error *err = NULL;
        s.client = cb_client(port, 30000);
        if (commbox_conversation_new_sms("+972544444444", "Your code is 1234", &s.conv, &err))
            die(commbox_error_message(err));
        send = send_commbox;
    } else if (!strcmp(which, "curl")) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        s.curl = curl_easy_init();
        s.headers = curl_slist_append(s.headers, "Authorization: Bearer " KEY);
        s.headers = curl_slist_append(s.headers, "Content-Type: application/json");
        s.headers = curl_slist_append(s.headers, "Accept: application/json");
        curl_easy_setopt(s.curl, CURLOPT_URL, url);
        curl_easy_setopt(s.curl, CURLOPT_HTTPHEADER, s.headers);
        curl_easy_setopt(s.curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(s.curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
        curl_easy_setopt(s.curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(s.curl, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(s.curl, CURLOPT_TCP_NODELAY, 1L);
        send = send_curl;
    } else if (!strcmp(which, "raw")) {
        s.fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(s.fd, (struct sockaddr *)&a, sizeof a)) die("connect");
        int one = 1;
        setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        s.req = malloc(body_len + 512);
        s.req_len = (size_t)sprintf(s.req,
                                    "POST /streams/" STREAM "/objects HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                    "Authorization: Bearer " KEY "\r\nContent-Type: application/json\r\n"
                                    "Accept: application/json\r\nContent-Length: %zu\r\n\r\n",
                                    port, body_len);
        memcpy(s.req + s.req_len, body, body_len);
        s.req_len += body_len;
        send = send_raw;
    } else {
        die("unknown client");
    }
    long warm = n / 10 < 1000 ? n / 10 : 1000;
    for (long i = 0; i < warm; i++) send(&s);
    double c0 = cpu_s(), w0 = wall_s();
    for (long i = 0; i < n; i++)
        if (send(&s) != 12345) die("wrong id");
    double c1 = cpu_s(), w1 = wall_s();
    printf("{\"cpu_us\": %.2f, \"wall_us\": %.2f, \"n\": %ld}\n", (c1 - c0) / n * 1e6, (w1 - w0) / n * 1e6, n);
    return 0;
}
