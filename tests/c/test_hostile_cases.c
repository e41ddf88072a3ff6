/*
 * Hostile and bad input (docs/reliability.md), C face, under valgrind: a runner over
 * tests/cases/hostile.json, which tests/c/cases_to_c.py writes as build/cases/hostile_cases.h.
 * One mock for the suite (tests/with-mock.sh), emptied before each case; the fixture a case
 * uses (a CommBox conversation, the Chatwoot contact with a conversation) is made after that.
 * A refused case returns the status the table names with an error naming the field, and
 * sends nothing; a sent case is read back from the mock's inspection routes. A received
 * webhook delivery is rejected (the status named, the message starting with the part at
 * fault) or parsed (checks on the event's JSON form). Every failing case is reported by id.
 *
 * H52 (NULL for a required argument) is this face's own case, at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#include "case_table.h"
#include "hmac_sha256.h"

#include "hostile_cases.h"

static commbox_client *client;
static commbox_inbox *inbox;
static char dir[] = "/tmp/commbox-hostile-XXXXXX";
static struct places pl;
static commbox_error *err;
/* The case running, and whether it has failed. */
static const char *case_id = "";
static int case_failed, cases_failed, cases_run;
static char failed_ids[1024];

static void problem(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", case_id);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    case_failed = 1;
}

/* --- arguments -------------------------------------------------------------------------------- */

/* The arguments of the call being made, and those the face has used. */
static const struct c_call *cur;
static unsigned long long used;

static int given(enum arg a) { return cur->args[a].kind != CV_NONE; }

/* A text argument (malloc'd; NULL when not given). */
static char *arg(enum arg a) {
    used |= 1ULL << a;
    return cv_text(&cur->args[a], &pl, NULL);
}

/* An id argument: a number, or the fixture's object / conversation. */
static int64_t id_arg(enum arg a) {
    const struct cv *v = &cur->args[a];
    used |= 1ULL << a;
    if (v->kind == CV_INT) return v->i;
    if (v->kind == CV_TEXT && strcmp(v->s, "{object}") == 0) return pl.object;
    if (v->kind == CV_TEXT && strcmp(v->s, "{conversation}") == 0) return pl.conversation;
    problem("argument %s is not an id", ARG_NAMES[a]);
    return 0;
}

/* Adds the call's attachments through `add_path` / `add_bytes` of the object being built. */
typedef commbox_status (*add_path_fn)(void *, const char *, commbox_error **);
typedef commbox_status (*add_bytes_fn)(void *, const uint8_t *, size_t, const char *, commbox_error **);

static commbox_status add_attachments(void *obj, add_path_fn add_path, add_bytes_fn add_bytes) {
    commbox_status s = COMMBOX_STATUS_OK;
    for (int i = 0; i < cur->n_attachments && s == COMMBOX_STATUS_OK; i++) {
        const struct c_attachment *a = &cur->attachments[i];
        if (a->path.kind != CV_NONE) {
            char *path = cv_text(&a->path, &pl, NULL);
            s = add_path(obj, path, &err);
            free(path);
        } else {
            size_t n;
            char *name = cv_text(&a->name, &pl, NULL), *content = cv_text(&a->content, &pl, &n);
            s = add_bytes(obj, (const uint8_t *)content, n, name, &err);
            free(name);
            free(content);
        }
    }
    return s;
}

static commbox_status conv_add_path(void *c, const char *p, commbox_error **e) {
    return commbox_conversation_add_attachment_path(c, p, e);
}
static commbox_status conv_add_bytes(void *c, const uint8_t *d, size_t n, const char *name, commbox_error **e) {
    return commbox_conversation_add_attachment_bytes(c, d, n, name, e);
}
static commbox_status msg_add_path(void *m, const char *p, commbox_error **e) {
    return commbox_message_add_attachment_path(m, p, e);
}
static commbox_status msg_add_bytes(void *m, const uint8_t *d, size_t n, const char *name, commbox_error **e) {
    return commbox_message_add_attachment_bytes(m, d, n, name, e);
}
static commbox_status inbox_add_path(void *m, const char *p, commbox_error **e) {
    return commbox_inbox_message_add_attachment_path(m, p, e);
}
static commbox_status inbox_add_bytes(void *m, const uint8_t *d, size_t n, const char *name, commbox_error **e) {
    return commbox_inbox_message_add_attachment_bytes(m, d, n, name, e);
}

/* --- the calls --------------------------------------------------------------------------------- */

static commbox_status conversation(void) {
    char *channel = arg(ARG_CHANNEL), *stream = arg(ARG_STREAM), *identity = arg(ARG_IDENTITY);
    char *message = arg(ARG_MESSAGE), *subject = arg(ARG_SUBJECT); /* subject: a default of all */
    commbox_conversation *c = NULL;
    commbox_status s;
    if (strcmp(channel, "sms") == 0) {
        s = commbox_conversation_new_sms(identity, message, &c, &err);
    } else if (strcmp(channel, "chat") == 0) {
        s = commbox_conversation_new_chat(identity, message, &c, &err);
    } else if (strcmp(channel, "whatsapp_template") == 0) {
        char *template = arg(ARG_TEMPLATE);
        s = commbox_conversation_new_whatsapp_template(identity, template, message, &c, &err);
        free(template);
    } else if (strcmp(channel, "email") == 0) {
        s = commbox_conversation_new_email(identity, subject, message, &c, &err);
        for (int i = 0; i < cur->n_to && s == COMMBOX_STATUS_OK; i++) {
            char *address = cv_text(&cur->to[i].address, &pl, NULL), *name = cv_text(&cur->to[i].name, &pl, NULL);
            s = commbox_conversation_add_recipient(c, address, name, &err);
            free(address);
            free(name);
        }
    } else {
        problem("channel %s", channel);
        s = COMMBOX_STATUS_PANIC;
    }
    if (s == COMMBOX_STATUS_OK && given(ARG_USER_REMARKS)) {
        char *remarks = arg(ARG_USER_REMARKS);
        s = commbox_conversation_set_user(c, NULL, NULL, NULL, NULL, NULL, remarks, &err);
        free(remarks);
    }
    if (s == COMMBOX_STATUS_OK) s = add_attachments(c, conv_add_path, conv_add_bytes);
    int64_t id = 0;
    if (s == COMMBOX_STATUS_OK) s = commbox_create_conversation(client, stream, c, &id, &err);
    commbox_conversation_free(c);
    free(channel), free(stream), free(identity), free(message), free(subject);
    return s;
}

static commbox_status message(void) {
    char *from = arg(ARG_FROM), *stream = arg(ARG_STREAM), *identity = arg(ARG_IDENTITY), *text = arg(ARG_MESSAGE);
    commbox_message *m = NULL;
    commbox_status s;
    if (strcmp(from, "agent") == 0) {
        used |= 1ULL << ARG_AGENT_ID;
        s = commbox_message_new_agent(cur->args[ARG_AGENT_ID].i, identity, text, &m, &err);
    } else {
        s = commbox_message_new_customer(identity, text, &m, &err);
    }
    if (s == COMMBOX_STATUS_OK) s = add_attachments(m, msg_add_path, msg_add_bytes);
    used |= 1ULL << ARG_BASE64;
    if (s == COMMBOX_STATUS_OK && cur->args[ARG_BASE64].i)
        s = commbox_message_set_attachments_base64(m, true, &err);
    int64_t object = id_arg(ARG_OBJECT), id = 0;
    if (s == COMMBOX_STATUS_OK) s = commbox_create_message(client, stream, object, m, &id, &err);
    commbox_message_free(m);
    free(from), free(stream), free(identity), free(text);
    return s;
}

static commbox_status client_with(void) {
    char *key = arg(ARG_API_KEY), *url = arg(ARG_BASE_URL), *suffix = arg(ARG_USER_AGENT_SUFFIX);
    char *proxy = arg(ARG_PROXY);
    commbox_client_config *cfg = commbox_client_config_new();
    commbox_client *made = NULL;
    commbox_status s = commbox_client_config_set_api_key(cfg, key ? key : api_key, &err);
    if (s == COMMBOX_STATUS_OK) s = commbox_client_config_set_base_url(cfg, url ? url : base_url, &err);
    if (s == COMMBOX_STATUS_OK && suffix) s = commbox_client_config_set_user_agent_suffix(cfg, suffix, &err);
    if (s == COMMBOX_STATUS_OK && proxy) s = commbox_client_config_set_proxy(cfg, proxy, &err);
    if (s == COMMBOX_STATUS_OK) s = commbox_client_new(cfg, &made, &err);
    commbox_client_free(made);
    commbox_client_config_free(cfg);
    free(key), free(url), free(suffix), free(proxy);
    return s;
}

static commbox_status client_from_env(void) {
    for (int i = 0; i < cur->n_env; i++) {
        char *value = cv_text(&cur->env[i].value, &pl, NULL);
        setenv(cur->env[i].name, value, 1);
        free(value);
    }
    commbox_client_config *cfg = commbox_client_config_from_env();
    commbox_client *made = NULL;
    commbox_status s = commbox_client_new(cfg, &made, &err);
    commbox_client_free(made);
    commbox_client_config_free(cfg);
    for (int i = 0; i < cur->n_env; i++) unsetenv(cur->env[i].name);
    return s;
}

static commbox_status chatwoot_message(char **out) {
    char *contact = arg(ARG_CONTACT), *content = arg(ARG_MESSAGE), *echo = arg(ARG_ECHO_ID);
    int64_t conversation = id_arg(ARG_CONVERSATION), id = 0;
    commbox_inbox_message *m = NULL;
    commbox_status s = commbox_inbox_message_new(content, &m, &err);
    if (s == COMMBOX_STATUS_OK && echo) s = commbox_inbox_message_set_echo_id(m, echo, &err);
    if (s == COMMBOX_STATUS_OK) s = add_attachments(m, inbox_add_path, inbox_add_bytes);
    if (s == COMMBOX_STATUS_OK) s = commbox_inbox_create_message(inbox, contact, conversation, m, &id, out, &err);
    commbox_inbox_message_free(m);
    free(contact), free(content), free(echo);
    return s;
}

/* A received CommBox delivery: its body as bytes with their length. */
static commbox_status commbox_delivery(char **out) {
    size_t n = 0;
    used |= 1ULL << ARG_BODY;
    char *body = cv_text(&cur->args[ARG_BODY], &pl, &n), *content_type = arg(ARG_CONTENT_TYPE);
    commbox_status s = commbox_commbox_event_parse((const uint8_t *)body, n, content_type, out, &err);
    free(body), free(content_type);
    return s;
}

/* A received Chatwoot delivery, signed with `signed_with` (not given: unsigned) `signed_ago`
 * seconds ago, carrying `delivery` as X-Chatwoot-Delivery. */
static commbox_status chatwoot_webhook(char **out) {
    size_t n = 0;
    used |= 1ULL << ARG_BODY | 1ULL << ARG_SIGNED_AGO;
    char *body = cv_text(&cur->args[ARG_BODY], &pl, &n), *secret = arg(ARG_SECRET);
    char *signer = arg(ARG_SIGNED_WITH), *delivery = arg(ARG_DELIVERY);
    const char *names[3], *values[3];
    char ts[32], sig[72];
    size_t count = 0;
    if (signer) {
        snprintf(ts, sizeof ts, "%lld", (long long)time(NULL) - (long long)cur->args[ARG_SIGNED_AGO].i);
        chatwoot_sign(signer, ts, body, n, sig);
        names[count] = "X-Chatwoot-Signature", values[count++] = sig;
        names[count] = "X-Chatwoot-Timestamp", values[count++] = ts;
    }
    if (delivery) names[count] = "X-Chatwoot-Delivery", values[count++] = delivery;
    commbox_status s =
        commbox_chatwoot_webhook_verify(secret, names, values, count, (const uint8_t *)body, n, out, &err);
    free(body), free(secret), free(signer), free(delivery);
    return s;
}

/* Makes `call` through this face; *out is the record it returns (JSON), if any. */
static commbox_status make_call(const struct c_call *call, char **out) {
    cur = call;
    used = 0;
    commbox_status s = COMMBOX_STATUS_PANIC;
    const char *op = call->op;
    if (strcmp(op, "conversation") == 0) {
        s = conversation();
    } else if (strcmp(op, "message") == 0) {
        s = message();
    } else if (strcmp(op, "get_conversation") == 0) {
        char *stream = arg(ARG_STREAM);
        s = commbox_get_conversation(client, stream, id_arg(ARG_OBJECT), out, &err);
        free(stream);
    } else if (strcmp(op, "raw_request") == 0) {
        char *method = arg(ARG_METHOD), *path = arg(ARG_PATH);
        s = commbox_raw_request(client, method, path, NULL, out, &err);
        free(method), free(path);
    } else if (strcmp(op, "client") == 0) {
        s = client_with();
    } else if (strcmp(op, "client_from_env") == 0) {
        s = client_from_env();
    } else if (strcmp(op, "inbox") == 0) {
        char *identifier = arg(ARG_INBOX);
        commbox_inbox *other = NULL;
        s = commbox_client_inbox(client, base_url, identifier, &other, &err);
        if (s == COMMBOX_STATUS_OK) s = commbox_inbox_get(other, out, &err);
        commbox_inbox_free(other);
        free(identifier);
    } else if (strcmp(op, "get_contact") == 0) {
        char *contact = arg(ARG_CONTACT), *identifier = arg(ARG_IDENTIFIER), *hash = arg(ARG_IDENTIFIER_HASH);
        if (identifier || hash) s = commbox_inbox_get_verified_contact(inbox, contact, identifier, hash, out, &err);
        else s = commbox_inbox_get_contact(inbox, contact, out, &err);
        free(contact), free(identifier), free(hash);
    } else if (strcmp(op, "create_contact") == 0) {
        char *source = arg(ARG_SOURCE_ID), *email = arg(ARG_EMAIL), *name = arg(ARG_NAME), *sid = NULL;
        s = commbox_inbox_create_contact(inbox, source, NULL, NULL, email, name, NULL, NULL, NULL, &sid, out, &err);
        commbox_string_free(sid);
        free(source), free(email), free(name);
    } else if (strcmp(op, "chatwoot_message") == 0) {
        s = chatwoot_message(out);
    } else if (strcmp(op, "commbox_delivery") == 0) {
        s = commbox_delivery(out);
    } else if (strcmp(op, "chatwoot_webhook") == 0) {
        s = chatwoot_webhook(out);
    } else {
        problem("no such call in this face: %s", op);
        return s;
    }
    for (int a = 0; a < N_ARGS; a++)
        if (given((enum arg)a) && !(used & (1ULL << a))) problem("an argument this face does not use: %s", ARG_NAMES[a]);
    if (call->n_to && strcmp(op, "conversation") != 0) problem("recipients this call does not use");
    if (call->n_env && strcmp(op, "client_from_env") != 0) problem("variables this call does not use");
    return s;
}

/* --- a case ------------------------------------------------------------------------------------ */

/* The fixture: a CommBox conversation, the Chatwoot contact with a conversation. */
static void make_fixture(const struct hostile_case *c) {
    if (c->need_object) {
        commbox_conversation *conv = NULL;
        OK(commbox_conversation_new_sms(FIXTURE_PHONE, FIXTURE_MESSAGE, &conv, E));
        OK(commbox_create_conversation(client, FIXTURE_STREAM, conv, &pl.object, E));
        commbox_conversation_free(conv);
    }
    if (c->need_chatwoot) {
        char *sid = NULL;
        OK(commbox_inbox_create_contact(inbox, FIXTURE_CONTACT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &sid, NULL, E));
        OK(commbox_inbox_create_conversation(inbox, FIXTURE_CONTACT, NULL, &pl.conversation, NULL, E));
        commbox_string_free(sid);
    }
}

static void make_files(const struct hostile_case *c) {
    for (int i = 0; i < c->n_files; i++) {
        const struct c_file *f = &c->files[i];
        char *name = cv_text(&f->name, &pl, NULL);
        char *path = malloc(strlen(dir) + strlen(name) + 2);
        sprintf(path, "%s/%s", dir, name);
        remove(path);
        if (f->fifo) {
            if (mkfifo(path, 0600) != 0) problem("mkfifo %s", path);
        } else {
            size_t n;
            char *content = cv_text(&f->content, &pl, &n);
            FILE *out = fopen(path, "wb");
            if (!out || fwrite(content, 1, n, out) != n) problem("writing %s", path);
            if (out) fclose(out);
            free(content);
        }
        if (f->mode >= 0) chmod(path, (mode_t)f->mode);
        free(path);
        free(name);
    }
}

/* The records a check reads: the requests since `before`, the stored objects, Chatwoot's
 * state, the call's result. */
static char *requests_json, *objects_json, *chatwoot_json;

/* The records of the requests after the first `before`: from `{"seq":<before + 1>,`. */
static const char *requests_since(int before) {
    char start[32];
    snprintf(start, sizeof start, "{\"seq\":%d,", before + 1);
    const char *p = requests_json ? strstr(requests_json, start) : NULL;
    if (!p) problem("no request %d in /__mock/requests", before + 1);
    return p ? p : "";
}

/* Requests the mock saw since the last reset. */
static int request_count(void) {
    char *json = http_get(base_url, "/__mock/requests");
    int n = json ? count(json, "\"seq\":") : -1;
    free(json);
    return n;
}

static const char *record(const char *root, int before, const char *result) {
    if (strcmp(root, "request") == 0) return requests_since(before);
    if (strcmp(root, "object") == 0 || strcmp(root, "message") == 0) {
        if (!objects_json) objects_json = http_get(base_url, "/__mock/objects");
        return objects_json ? objects_json : "";
    }
    if (strcmp(root, "chatwoot_message") == 0 || strcmp(root, "contact") == 0) {
        if (!chatwoot_json) chatwoot_json = http_get(base_url, "/__mock/chatwoot");
        return chatwoot_json ? chatwoot_json : "";
    }
    if (strcmp(root, "result") == 0) return result ? result : "";
    problem("no such record: %s", root);
    return "";
}

static void refused(const struct hostile_case *c, commbox_status s, int sent) {
    const char *kind = kind_of(s);
    const char *f = err ? commbox_error_field(err) : NULL;
    const char *msg = err ? commbox_error_message(err) : "(no error)";
    char *field = cv_text(&c->field, &pl, NULL);
    size_t n = strlen(field);
    if (strcmp(kind, c->status) != 0) problem("%s, want %s: %s", kind, c->status, msg);
    /* Received data names the part at fault in the message only, never as a field. */
    if (c->rejected && f) problem("field %s, want none", f);
    if (!c->rejected && (!f || strcmp(f, field) != 0)) problem("field %s, want %s", f ? f : "(none)", field);
    /* A refusal of the core starts with the field; one at the C boundary (invalid_utf8) names
     * the function instead. */
    int core = c->rejected || strcmp(c->status, "validation") == 0 || strcmp(c->status, "io") == 0;
    if (core && (strncmp(msg, field, n) != 0 || strncmp(msg + n, ": ", 2) != 0))
        problem("the message does not start with the field: %s", msg);
    for (int i = 0; i < c->n_has; i++) {
        char *has = cv_text(&c->message_has[i], &pl, NULL);
        if (!strstr(msg, has)) problem("the message lacks \"%s\": %s", has, msg);
        free(has);
    }
    for (int i = 0; i < c->n_lacks; i++) {
        char *lacks = cv_text(&c->message_lacks[i], &pl, NULL);
        if (strstr(msg, lacks)) problem("the message shows \"%s\"", lacks);
        free(lacks);
    }
    if (sent) problem("%d requests were sent", sent);
    free(field);
}

static void sent_as_said(const struct hostile_case *c, commbox_status s, int before, int after, const char *result) {
    if (strcmp(kind_of(s), c->answer) != 0) {
        problem("%s, want %s: %s", kind_of(s), c->answer, err ? commbox_error_message(err) : "-");
        return;
    }
    if (c->parsed && after != before) problem("%d requests were sent", after - before);
    if (!c->parsed && after <= before) {
        problem("nothing was sent");
        return;
    }
    for (int i = 0; i < c->n_checks; i++) {
        const struct c_check *k = &c->checks[i];
        if (strcmp(k->root, "request") == 0 && after - before != 1)
            problem("%d requests were sent, want 1", after - before);
        const char *text = record(k->root, before, result);
        if (k->absent) {
            char *n = needle(k->key, NULL, &pl);
            if (strstr(text, n)) problem("%s/%s: present, must be absent", k->root, k->key);
            free(n);
        }
        for (int v = 0; v < k->n_values; v++) {
            char *n = needle(k->key, &k->values[v], &pl);
            if (!strstr(text, n)) problem("%s: %.200s not found", k->root, n);
            free(n);
        }
    }
}

static void run_case(const struct hostile_case *c) {
    case_id = c->id;
    case_failed = 0;
    mock_reset();
    make_fixture(c);
    make_files(c);
    for (int i = 0; i < c->n_setup; i++) {
        char *out = NULL;
        if (make_call(&c->setup[i], &out) != COMMBOX_STATUS_OK)
            problem("set-up failed: %s", err ? commbox_error_message(err) : "-");
        commbox_string_free(out);
        commbox_error_free(err);
        err = NULL;
    }
    int before = request_count();
    /* Root reads any file whatever its mode: such a case runs as uid 65534 (nobody). */
    int dropped = c->as_nobody && geteuid() == 0 && seteuid(65534) == 0;
    char *result = NULL;
    commbox_status s = make_call(&c->call, &result);
    if (dropped && seteuid(0) != 0) abort();
    requests_json = http_get(base_url, "/__mock/requests");
    int after = requests_json ? count(requests_json, "\"seq\":") : -1;
    if (c->refused) refused(c, s, after - before);
    else sent_as_said(c, s, before, after, result);
    commbox_string_free(result);
    commbox_error_free(err);
    err = NULL;
    free(requests_json), free(objects_json), free(chatwoot_json);
    requests_json = objects_json = chatwoot_json = NULL;
    cases_run++;
    if (case_failed) {
        failed++;
        cases_failed++;
        if (strlen(failed_ids) + strlen(c->id) + 3 < sizeof failed_ids) {
            if (failed_ids[0]) strcat(failed_ids, ", ");
            strcat(failed_ids, c->id);
        }
    } else {
        passed++;
    }
}

/* H52, this face's own case: NULL for a required argument is NULL_ARGUMENT naming it. */
static void null_arguments(void) {
    case_id = "H52";
    case_failed = 0;
    mock_reset();
    commbox_conversation *c = NULL;
    commbox_message *m = NULL;
    char *json = NULL;
    int64_t id = 0;
    struct {
        commbox_status got;
        const char *field;
    } calls[4];
    OK(commbox_conversation_new_sms("972544444444", "m", &c, E));
    OK(commbox_message_new_customer("a@b.co", "m", &m, E));
    const char *fields[4] = {"stream_id", "conversation", "name", "contact_identifier"};
    for (int i = 0; i < 4; i++) {
        switch (i) {
        case 0: calls[i].got = commbox_create_conversation(client, NULL, c, &id, &err); break;
        case 1: calls[i].got = commbox_create_conversation(client, "s", NULL, &id, &err); break;
        case 2: calls[i].got = commbox_message_add_attachment_bytes(m, (const uint8_t *)"x", 1, NULL, &err); break;
        default: calls[i].got = commbox_inbox_get_contact(inbox, NULL, &json, &err); break;
        }
        calls[i].field = err ? commbox_error_field(err) : NULL;
        if (calls[i].got != COMMBOX_STATUS_NULL_ARGUMENT || !calls[i].field || strcmp(calls[i].field, fields[i]) != 0)
            problem("%s, field %s; want NULL_ARGUMENT naming %s", commbox_status_name(calls[i].got),
                    calls[i].field ? calls[i].field : "-", fields[i]);
        commbox_error_free(err);
        err = NULL;
    }
    if (id != 0 || json != NULL) problem("an out-parameter was written");
    if (request_count() != 0) problem("something was sent");
    commbox_conversation_free(c);
    commbox_message_free(m);
    cases_run++;
    if (case_failed) failed++, cases_failed++, strcat(failed_ids, failed_ids[0] ? ", H52" : "H52");
    else passed++;
}

int main(void) {
    read_mock_env();
    /* Searchable by the unprivileged user of H76, so that only the file itself is not. */
    if (!mkdtemp(dir) || chmod(dir, 0755) != 0) return 2;
    inspector = new_client(api_key, base_url);
    client = new_client(api_key, base_url);
    OK(commbox_client_inbox(client, base_url, FIXTURE_INBOX, &inbox, E));
    const char *port = strrchr(base_url, ':');
    pl = (struct places){dir, port ? atoi(port + 1) : 0, 0, FIXTURE_CONTACT, 0};

    for (int i = 0; i < N_HOSTILE_CASES; i++) run_case(&HOSTILE_CASES[i]);
    null_arguments();

    if (cases_failed) fprintf(stderr, "hostile input (C): %d of %d cases failed: %s\n", cases_failed, cases_run, failed_ids);
    else fprintf(stderr, "hostile input (C): %d cases passed\n", cases_run);
    commbox_inbox_free(inbox);
    commbox_client_free(client);
    commbox_client_free(inspector);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return finish();
}
