/*
 * Upload progress in C (commbox_client_config_set_upload_progress): a 5 MiB attachment is
 * reported chunk by chunk on the calling thread, only growing, ending at its size, while the
 * mock stores the same bytes; NULL removes the callback; a NULL config is refused.
 * Run through tests/with-mock.sh (make test-c runs it under valgrind).
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, popen */
#include "harness.h"

#include <pthread.h>

#define SIZE (5u * 1024u * 1024u)

struct seen {
    pthread_t thread;
    unsigned calls;
    int ok;                 /* every call so far was consistent */
    uint64_t last, total;
    char request_id[64];
};

static void on_progress(const commbox_upload_progress *p, void *user_data) {
    struct seen *s = user_data;
    int first = s->calls++ == 0;
    int ok = pthread_equal(pthread_self(), s->thread) && p->attempt == 1 && p->index == 0 &&
             p->count == 1 && strcmp(p->attachment, "five.bin") == 0 && p->total_bytes == SIZE &&
             p->bytes_sent <= p->total_bytes && p->request_id != NULL &&
             (first ? p->bytes_sent == 0 : p->bytes_sent > s->last) &&
             (first || strcmp(p->request_id, s->request_id) == 0);
    if (!ok) {
        fprintf(stderr, "  unexpected progress: call %u, %llu of %llu bytes after %llu\n", s->calls,
                (unsigned long long)p->bytes_sent, (unsigned long long)p->total_bytes,
                (unsigned long long)s->last);
        s->ok = 0;
    }
    if (first) snprintf(s->request_id, sizeof s->request_id, "%s", p->request_id);
    s->last = p->bytes_sent;
    s->total = p->total_bytes;
}

/* A file of `size` pseudo-random bytes at `path`. */
static void make_file(const char *path, size_t size) {
    FILE *f = fopen(path, "wb");
    uint32_t x = 2463534242u;
    for (size_t i = 0; f && i < size; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        fputc((int)(x & 0xff), f);
    }
    if (f) fclose(f);
}

static int upload(commbox_client *client, const char *path) {
    commbox_conversation *c = NULL;
    int64_t id = 0;
    OK(commbox_conversation_new_email("a@b.co", "five", "see attached", &c, E));
    OK(commbox_conversation_add_attachment_path(c, path, E));
    commbox_status s = commbox_create_conversation(client, "progress", c, &id, NULL);
    commbox_conversation_free(c);
    return s == COMMBOX_STATUS_OK;
}

int main(void) {
    read_mock_env();
    inspector = new_client(api_key, base_url);
    char dir[] = "/tmp/commbox-progress-XXXXXX", path[512], cmd[600], sha[65] = "", needle[200];
    if (!mkdtemp(dir)) return 2;
    snprintf(path, sizeof path, "%s/five.bin", dir);
    make_file(path, SIZE);
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    CHECK(p && fscanf(p, "%64s", sha) == 1);
    if (p) pclose(p);

    struct seen seen = {.thread = pthread_self(), .ok = 1};
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *client = NULL;
    OK(commbox_client_config_set_api_key(cfg, api_key, E));
    OK(commbox_client_config_set_base_url(cfg, base_url, E));
    OK(commbox_client_config_set_upload_progress(cfg, on_progress, &seen, E));
    OK(commbox_client_new(cfg, &client, E));

    fprintf(stderr, "-- reported chunk by chunk\n");
    mock_reset();
    CHECK(upload(client, path));
    CHECK(seen.ok);
    CHECK(seen.calls > SIZE / (64u * 1024u)); /* a 0, then one per 64 KiB chunk */
    CHECK(seen.last == SIZE && seen.total == SIZE);
    CHECK(strlen(seen.request_id) == 36);
    CHECK(mock_requests_contain(seen.request_id));
    snprintf(needle, sizeof needle, "\"name\":\"five.bin\",\"sha256\":\"%s\",\"size\":%u", sha, SIZE);
    CHECK(mock_objects_contain(needle));

    fprintf(stderr, "-- a call without attachments reports nothing\n");
    unsigned before = seen.calls;
    char *status = NULL;
    OK(commbox_system_status(client, &status, E));
    commbox_string_free(status);
    CHECK(seen.calls == before);
    commbox_client_free(client);

    fprintf(stderr, "-- NULL removes the callback\n");
    OK(commbox_client_config_set_upload_progress(cfg, NULL, NULL, E));
    OK(commbox_client_new(cfg, &client, E));
    CHECK(upload(client, path));
    CHECK(seen.calls == before);
    commbox_client_free(client);
    commbox_client_config_free(cfg);

    BAD(COMMBOX_STATUS_NULL_ARGUMENT, "config",
        commbox_client_config_set_upload_progress(NULL, on_progress, NULL, ERR));

    commbox_client_free(inspector);
    unlink(path);
    rmdir(dir);
    return finish();
}
