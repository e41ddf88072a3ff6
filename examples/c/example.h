/* Shared by the C examples: a client from the environment, and failing loudly.
 * COMMBOX_API_KEY and COMMBOX_BASE_URL configure the client (tests/with-mock.sh sets them
 * for the mock); COMMBOX_STREAM names the stream (default "demo-stream"). */
#ifndef COMMBOX_EXAMPLE_H
#define COMMBOX_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include "commbox.h"

/* Exits with the error's message when `status` is a failure; frees the error. */
static inline void check(commbox_status status, commbox_error *err) {
    if (status == COMMBOX_STATUS_OK) return;
    fprintf(stderr, "commbox: %s: %s\n", commbox_status_name(status),
            err ? commbox_error_message(err) : "(no details)");
    commbox_error_free(err);
    exit(1);
}

static inline commbox_client *client_from_env(void) {
    commbox_client_config *config = commbox_client_config_from_env();
    commbox_client *client = NULL;
    commbox_error *err = NULL;
    check(commbox_client_new(config, &client, &err), err);
    commbox_client_config_free(config);
    return client;
}

static inline const char *stream_id(void) {
    const char *s = getenv("COMMBOX_STREAM");
    return s ? s : "demo-stream";
}

#endif
