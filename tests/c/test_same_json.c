/*
 * One JSON form for every face: for the same call against the mock, the string the C library
 * returns and what `commbox` (the CLI) prints are the same document, key for key and in the
 * same order (the CLI pretty-prints it; whitespace outside strings is all that differs).
 * Both are the core record's serialisation (docs/json-forms.md).
 *
 * Needs COMMBOX_CLI_BIN (the `commbox` binary) and the variables tests/with-mock.sh sets.
 */
#define _POSIX_C_SOURCE 200809L
#include "commbox.h"

#include "harness.h"

static const char *cli;

/* `text` without the whitespace outside JSON strings, in place. */
static void squeeze(char *text) {
    char *out = text;
    int in_string = 0;
    for (char *p = text; *p; p++) {
        if (in_string) {
            *out++ = *p;
            if (*p == '\\' && p[1]) {
                *out++ = *++p;
            } else if (*p == '"') {
                in_string = 0;
            }
        } else if (*p == '"') {
            in_string = 1;
            *out++ = *p;
        } else if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
            *out++ = *p;
        }
    }
    *out = '\0';
}

/* What `commbox ARGS` prints on stdout (malloc'd, squeezed), or NULL if it failed. */
static char *cli_output(const char *args) {
    char command[1024];
    snprintf(command, sizeof command, "'%s' %s", cli, args);
    FILE *p = popen(command, "r");
    if (!p) return NULL;
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    size_t n;
    while (text && (n = fread(text + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *bigger = realloc(text, cap *= 2);
            if (!bigger) free(text);
            text = bigger;
        }
    }
    int status = pclose(p);
    if (!text || status != 0) {
        fprintf(stderr, "  `commbox %s` failed (status %d)\n", args, status);
        free(text);
        return NULL;
    }
    text[len] = '\0';
    squeeze(text);
    return text;
}

/* The C result `c_json` (freed here) and the CLI's output for `args` are the same document. */
static void same(const char *what, char *c_json, const char *args) {
    char *printed = cli_output(args);
    int equal = c_json && printed && strcmp(c_json, printed) == 0;
    CHECK(equal);
    if (!equal) {
        fprintf(stderr, "  %s differs:\n  C:   %.400s\n  CLI: %.400s\n", what, c_json ? c_json : "(none)",
                printed ? printed : "(none)");
    }
    free(printed);
    commbox_string_free(c_json);
}

static void test_commbox(commbox_client *client) {
    commbox_conversation *c = NULL;
    commbox_message *m = NULL;
    int64_t object = 0, message = 0;
    OK(commbox_conversation_new_chat("john@example.com", "Hello \"there\"\n\tsecond line", &c, E));
    OK(commbox_create_conversation(client, "same", c, &object, E));
    OK(commbox_message_new_agent(36574658, "agent@example.com", "On it: é ✓", &m, E));
    OK(commbox_create_message(client, "same", object, m, &message, E));
    commbox_message_free(m);
    commbox_conversation_free(c);

    char *json = NULL, args[256];
    OK(commbox_get_conversation(client, "same", object, &json, E));
    snprintf(args, sizeof args, "get --stream same --object %lld", (long long)object);
    same("get conversation", json, args);

    json = NULL;
    OK(commbox_list_managers(client, &json, E));
    same("managers", json, "managers");
}

static void test_chatwoot(commbox_client *client) {
    const char *url = getenv("CHATWOOT_BASE_URL"), *id = getenv("CHATWOOT_INBOX_IDENTIFIER");
    commbox_inbox *inbox = NULL;
    OK(commbox_client_inbox(client, url, id, &inbox, E));
    char *json = NULL, *sid = NULL, args[256];

    OK(commbox_inbox_get(inbox, &json, E));
    same("inbox", json, "chatwoot inbox");

    OK(commbox_inbox_create_contact(inbox, "same-1", NULL, NULL, "ada@example.com", "Ada", NULL, NULL, NULL, &sid,
                                    NULL, E));
    json = NULL;
    OK(commbox_inbox_get_contact(inbox, sid, &json, E));
    same("contact", json, "chatwoot contact-get --contact same-1");

    int64_t conv = 0, msg = 0;
    OK(commbox_inbox_create_conversation(inbox, sid, NULL, &conv, NULL, E));
    commbox_inbox_message *m = NULL;
    OK(commbox_inbox_message_new("a file", &m, E));
    OK(commbox_inbox_message_add_attachment_bytes(m, (const uint8_t *)"paid", 4, "receipt.txt", E));
    OK(commbox_inbox_create_message(inbox, sid, conv, m, &msg, NULL, E));
    commbox_inbox_message_free(m);

    json = NULL;
    OK(commbox_inbox_list_messages(inbox, sid, conv, 0, &json, E));
    snprintf(args, sizeof args, "chatwoot message-list --contact same-1 --conversation %lld", (long long)conv);
    same("messages", json, args);

    json = NULL;
    OK(commbox_inbox_get_conversation(inbox, sid, conv, &json, E));
    snprintf(args, sizeof args, "chatwoot conversation-get --contact same-1 --conversation %lld", (long long)conv);
    same("chatwoot conversation", json, args);

    json = NULL;
    OK(commbox_inbox_list_conversations(inbox, sid, &json, E));
    same("chatwoot conversations", json, "chatwoot conversation-list --contact same-1");

    json = NULL;
    OK(commbox_chatwoot_identifier_hash("user-42", "secret", &json, E));
    /* The C call returns the hash itself; its JSON form is the quoted string. */
    char quoted[80];
    snprintf(quoted, sizeof quoted, "\"%s\"", json ? json : "");
    commbox_string_free(json);
    char *printed = cli_output("chatwoot hmac --identifier user-42 --hmac-token secret");
    CHECK(printed && strcmp(printed, quoted) == 0);
    free(printed);

    commbox_string_free(sid);
    commbox_inbox_free(inbox);
}

int main(void) {
    read_mock_env();
    cli = getenv("COMMBOX_CLI_BIN");
    if (!cli) {
        fprintf(stderr, "set COMMBOX_CLI_BIN to the commbox binary\n");
        return 2;
    }
    commbox_client *client = new_client(api_key, base_url);
    fprintf(stderr, "-- CommBox records\n");
    test_commbox(client);
    fprintf(stderr, "-- Chatwoot records\n");
    test_chatwoot(client);
    commbox_client_free(client);
    return finish();
}
