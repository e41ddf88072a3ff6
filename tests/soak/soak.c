/*
 * Soak of the C face: SOAK_THREADS threads share one commbox_client (and one Chatwoot inbox
 * handle made from it, so one connection pool) and each makes SOAK_WARMUP and then
 * SOAK_CALLS mixed calls against a mock in chaos mode. tests/soak/run.py starts the mock,
 * runs this program and checks what it wrote against what the mock stored.
 *
 * Output in $SOAK_OUT: calls-<thread>.tsv, one line per call (the columns of
 * tests/soak/accounting.py), and samples.tsv, the process's open descriptors and RSS at the
 * start of the measured phase, every SOAK_SAMPLE_MS during it and at its end.
 *
 * Memory stays flat by construction on this side: per thread a fixed ring of recent ids and
 * a stdio stream with a fixed buffer, so any growth the samples show is the library's.
 */
#define _POSIX_C_SOURCE 200809L

#include <commbox.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RING 32
#define MAX_THREADS 64
#define FIELD 160

static const char *const STREAMS[] = {"soak-stream-a", "soak-stream-b", "hNyRN_fLUy7rrOrN9jLpipA=="};
#define STREAM_COUNT (sizeof STREAMS / sizeof STREAMS[0])
/* ObjectStatusType values the API accepts. */
static const int64_t STATUSES[] = {1, 2, 3, 4, 5};

typedef struct {
  int64_t id;
  int stream;
} conv_ref;

typedef struct {
  char source_id[FIELD];
  int64_t id;
} cw_conv_ref;

typedef struct {
  int index;
  uint64_t rng;
  FILE *out;
  char outbuf[1 << 16];
  conv_ref convs[RING];
  long nconvs;
  char contacts[RING][FIELD];
  long ncontacts;
  cw_conv_ref cwconvs[RING];
  long ncwconvs;
  long ok, failed, wrong;
} worker;

static const commbox_client *g_client;
static const commbox_inbox *g_inbox;
static const char *g_face = "c";
static long g_calls, g_warmup;
static pthread_barrier_t g_warm, g_go;
static long g_threads, g_finished;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;

static void die(const char *what) {
  fprintf(stderr, "soak: %s\n", what);
  exit(2);
}

static long env_long(const char *name, long fallback) {
  const char *value = getenv(name);
  return value && *value ? strtol(value, NULL, 10) : fallback;
}

/* xorshift64*: each thread's own mix, reproducible from its index. */
static uint64_t next_random(worker *w) {
  w->rng ^= w->rng >> 12;
  w->rng ^= w->rng << 25;
  w->rng ^= w->rng >> 27;
  return w->rng * 2685821657736338717ULL;
}

static long pick(worker *w, long n) { return (long)(next_random(w) % (uint64_t)n); }

/* The fields of a call's line; see tests/soak/accounting.py for their meaning. */
typedef struct {
  char phase;
  long seq;
  const char *op;
  char marker[FIELD];
  char result[FIELD];
  char parent[2 * FIELD];
} call;

static void clean(char *dst, size_t size, const char *src) {
  size_t n = 0;
  for (; src && src[n] && n + 1 < size; n++) {
    char c = src[n];
    dst[n] = (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  }
  dst[n] = '\0';
  if (n == 0 && size > 1) strcpy(dst, "-");
}

static void report(worker *w, const call *c, commbox_status status, commbox_error *err, int wrong) {
  char message[400];
  const char *request_id = "-";
  unsigned http = 0;
  const char *outcome = "ok";
  if (status != COMMBOX_STATUS_OK) {
    outcome = "err";
    w->failed++;
    if (err) {
      clean(message, sizeof message, commbox_error_message(err));
      if (commbox_error_request_id(err)) request_id = commbox_error_request_id(err);
      http = commbox_error_http_status(err);
    } else {
      strcpy(message, "no error object");
    }
  } else if (wrong) {
    outcome = "wrong";
    w->wrong++;
    strcpy(message, "answer does not match the request");
  } else {
    w->ok++;
    strcpy(message, "-");
  }
  fprintf(w->out, "%c\t%d\t%ld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%u\t%s\n", c->phase, w->index, c->seq,
          c->op, c->marker[0] ? c->marker : "-", outcome,
          status == COMMBOX_STATUS_OK && c->result[0] ? c->result : "-", c->parent[0] ? c->parent : "-",
          status == COMMBOX_STATUS_OK ? "-" : commbox_status_name(status), request_id, http, message);
  commbox_error_free(err);
}

static void create_conversation(worker *w, call *c) {
  static const char *const ops[] = {"conv_email", "conv_sms", "conv_whatsapp", "conv_chat"};
  int channel = (int)(c->seq % 4);
  int stream = (int)pick(w, STREAM_COUNT);
  commbox_conversation *conv = NULL;
  commbox_error *err = NULL;
  commbox_status status;
  c->op = ops[channel];
  switch (channel) {
  case 0:
    status = commbox_conversation_new_email("soak@example.com", "soak", c->marker, &conv, &err);
    break;
  case 1:
    status = commbox_conversation_new_sms("972544444444", c->marker, &conv, &err);
    break;
  case 2:
    status = commbox_conversation_new_whatsapp_template("972544444444", "soak_template", c->marker, &conv, &err);
    break;
  default:
    status = commbox_conversation_new_chat("972544444444", c->marker, &conv, &err);
    break;
  }
  if (status != COMMBOX_STATUS_OK) die("building a conversation failed");
  snprintf(c->parent, sizeof c->parent, "%s", STREAMS[stream]);
  int64_t id = 0;
  status = commbox_create_conversation(g_client, STREAMS[stream], conv, &id, &err);
  commbox_conversation_free(conv);
  if (status == COMMBOX_STATUS_OK) {
    snprintf(c->result, sizeof c->result, "%" PRId64, id);
    w->convs[w->nconvs % RING] = (conv_ref){id, stream};
    w->nconvs++;
  }
  report(w, c, status, err, 0);
}

static const conv_ref *some_conversation(worker *w) {
  long n = w->nconvs < RING ? w->nconvs : RING;
  return &w->convs[pick(w, n)];
}

static void create_message(worker *w, call *c) {
  const conv_ref *conv = some_conversation(w);
  commbox_message *message = NULL;
  commbox_error *err = NULL;
  commbox_status status;
  if (c->seq % 2) {
    c->op = "msg_customer";
    status = commbox_message_new_customer("soak@example.com", c->marker, &message, &err);
  } else {
    c->op = "msg_agent";
    status = commbox_message_new_agent(7, "agent@example.com", c->marker, &message, &err);
  }
  if (status != COMMBOX_STATUS_OK) die("building a message failed");
  snprintf(c->parent, sizeof c->parent, "%" PRId64, conv->id);
  int64_t id = 0;
  status = commbox_create_message(g_client, STREAMS[conv->stream], conv->id, message, &id, &err);
  commbox_message_free(message);
  if (status == COMMBOX_STATUS_OK) snprintf(c->result, sizeof c->result, "%" PRId64, id);
  report(w, c, status, err, 0);
}

static void get_conversation(worker *w, call *c) {
  const conv_ref *conv = some_conversation(w);
  commbox_error *err = NULL;
  char *json = NULL;
  c->op = "get";
  snprintf(c->parent, sizeof c->parent, "%" PRId64, conv->id);
  commbox_status status = commbox_get_conversation(g_client, STREAMS[conv->stream], conv->id, &json, &err);
  int wrong = 0;
  if (status == COMMBOX_STATUS_OK) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"objectId\":%" PRId64, conv->id);
    wrong = strstr(json, needle) == NULL;
    snprintf(c->result, sizeof c->result, "%" PRId64, conv->id);
    commbox_string_free(json);
  }
  report(w, c, status, err, wrong);
}

static void set_status(worker *w, call *c) {
  const conv_ref *conv = some_conversation(w);
  commbox_error *err = NULL;
  int64_t value = STATUSES[pick(w, (long)(sizeof STATUSES / sizeof STATUSES[0]))];
  c->op = "status";
  snprintf(c->parent, sizeof c->parent, "%" PRId64, conv->id);
  snprintf(c->result, sizeof c->result, "%" PRId64, value);
  commbox_status status = commbox_set_conversation_status(g_client, conv->id, value, &err);
  report(w, c, status, err, 0);
}

static void cw_contact(worker *w, call *c) {
  commbox_error *err = NULL;
  char *source_id = NULL;
  c->op = "cw_contact";
  commbox_status status = commbox_inbox_create_contact(g_inbox, NULL, NULL, NULL, NULL, c->marker, NULL, NULL,
                                                       NULL, &source_id, NULL, &err);
  if (status == COMMBOX_STATUS_OK) {
    snprintf(c->result, sizeof c->result, "%s", source_id);
    snprintf(w->contacts[w->ncontacts % RING], FIELD, "%s", source_id);
    w->ncontacts++;
    commbox_string_free(source_id);
  }
  report(w, c, status, err, 0);
}

static void cw_conversation(worker *w, call *c) {
  long n = w->ncontacts < RING ? w->ncontacts : RING;
  const char *contact = w->contacts[pick(w, n)];
  char attributes[FIELD + 16];
  commbox_error *err = NULL;
  int64_t id = 0;
  c->op = "cw_conversation";
  snprintf(c->parent, sizeof c->parent, "%s", contact);
  snprintf(attributes, sizeof attributes, "{\"soak\":\"%s\"}", c->marker);
  commbox_status status = commbox_inbox_create_conversation(g_inbox, contact, attributes, &id, NULL, &err);
  if (status == COMMBOX_STATUS_OK) {
    snprintf(c->result, sizeof c->result, "%" PRId64, id);
    cw_conv_ref *slot = &w->cwconvs[w->ncwconvs % RING];
    snprintf(slot->source_id, FIELD, "%s", contact);
    slot->id = id;
    w->ncwconvs++;
  }
  report(w, c, status, err, 0);
}

static void cw_message(worker *w, call *c) {
  long n = w->ncwconvs < RING ? w->ncwconvs : RING;
  const cw_conv_ref *conv = &w->cwconvs[pick(w, n)];
  commbox_inbox_message *message = NULL;
  commbox_error *err = NULL;
  int64_t id = 0;
  c->op = "cw_message";
  if (commbox_inbox_message_new(c->marker, &message, &err) != COMMBOX_STATUS_OK)
    die("building a Chatwoot message failed");
  snprintf(c->parent, sizeof c->parent, "%s/%" PRId64, conv->source_id, conv->id);
  commbox_status status = commbox_inbox_create_message(g_inbox, conv->source_id, conv->id, message, &id, NULL, &err);
  commbox_inbox_message_free(message);
  if (status == COMMBOX_STATUS_OK) snprintf(c->result, sizeof c->result, "%" PRId64, id);
  report(w, c, status, err, 0);
}

/* One call of the mix; an operation that needs an earlier object falls back to creating it. */
static void one_call(worker *w, char phase, long seq) {
  call c;
  memset(&c, 0, sizeof c);
  c.phase = phase;
  c.seq = seq;
  snprintf(c.marker, sizeof c.marker, "soak-%s-%c%02d-%06ld", g_face, phase, w->index, seq);
  long roll = pick(w, 100);
  if (roll < 18 || (roll < 62 && w->nconvs == 0)) {
    create_conversation(w, &c);
  } else if (roll < 38) {
    create_message(w, &c);
  } else if (roll < 52) {
    c.marker[0] = '\0';
    get_conversation(w, &c);
  } else if (roll < 62) {
    c.marker[0] = '\0';
    set_status(w, &c);
  } else if (roll < 70 || w->ncontacts == 0) {
    cw_contact(w, &c);
  } else if (roll < 80 || w->ncwconvs == 0) {
    cw_conversation(w, &c);
  } else {
    cw_message(w, &c);
  }
}

static void *run_worker(void *arg) {
  worker *w = arg;
  for (long i = 0; i < g_warmup; i++) one_call(w, 'w', i);
  fflush(w->out);
  pthread_barrier_wait(&g_warm);
  pthread_barrier_wait(&g_go);
  for (long i = 0; i < g_calls; i++) one_call(w, 'm', i);
  fflush(w->out);
  pthread_mutex_lock(&g_lock);
  if (++g_finished == g_threads) pthread_cond_signal(&g_cond);
  pthread_mutex_unlock(&g_lock);
  return NULL;
}

static long open_fds(void) {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  long n = 0;
  for (struct dirent *e; (e = readdir(dir)) != NULL;)
    if (e->d_name[0] != '.') n++;
  closedir(dir);
  return n - 1; /* the directory stream's own descriptor */
}

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sample(FILE *samples, const char *label, double start) {
  fprintf(samples, "%.3f\t%s\t%ld\t%ld\n", now_s() - start, label, open_fds(), rss_kib());
  fflush(samples);
}


int main(void) {
  long threads = env_long("SOAK_THREADS", 16);
  g_calls = env_long("SOAK_CALLS", 10000);
  g_warmup = env_long("SOAK_WARMUP", 200);
  long sample_ms = env_long("SOAK_SAMPLE_MS", 1000);
  const char *dir = getenv("SOAK_OUT");
  const char *cw_url = getenv("CHATWOOT_BASE_URL");
  const char *cw_inbox = getenv("CHATWOOT_INBOX_IDENTIFIER");
  if (!dir || !cw_url || !cw_inbox) die("SOAK_OUT, CHATWOOT_BASE_URL and CHATWOOT_INBOX_IDENTIFIER are required");
  if (threads < 1 || threads > MAX_THREADS) die("SOAK_THREADS out of range");

  commbox_client_config *config = commbox_client_config_from_env();
  commbox_client *client = NULL;
  commbox_inbox *inbox = NULL;
  commbox_error *err = NULL;
  if (commbox_client_new(config, &client, &err) != COMMBOX_STATUS_OK) die(commbox_error_message(err));
  commbox_client_config_free(config);
  if (commbox_client_inbox(client, cw_url, cw_inbox, &inbox, &err) != COMMBOX_STATUS_OK)
    die(commbox_error_message(err));
  g_client = client;
  g_inbox = inbox;

  worker *workers = calloc((size_t)threads, sizeof *workers);
  pthread_t ids[MAX_THREADS];
  char path[4096];
  if (!workers) die("out of memory");
  g_threads = threads;
  pthread_barrier_init(&g_warm, NULL, (unsigned)threads + 1);
  pthread_barrier_init(&g_go, NULL, (unsigned)threads + 1);
  for (long i = 0; i < threads; i++) {
    worker *w = &workers[i];
    w->index = (int)i;
    w->rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
    snprintf(path, sizeof path, "%s/calls-%02ld.tsv", dir, i);
    w->out = fopen(path, "w");
    if (!w->out) die("cannot open a calls file");
    setvbuf(w->out, w->outbuf, _IOFBF, sizeof w->outbuf);
    if (pthread_create(&ids[i], NULL, run_worker, w) != 0) die("pthread_create failed");
  }
  snprintf(path, sizeof path, "%s/samples.tsv", dir);
  FILE *samples = fopen(path, "w");
  if (!samples) die("cannot open samples.tsv");

  pthread_barrier_wait(&g_warm);
  double start = now_s();
  sample(samples, "start", start);
  pthread_barrier_wait(&g_go);

  /* The main thread samples until the last worker signals that it is done. */
  for (;;) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += sample_ms / 1000;
    deadline.tv_nsec += (sample_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g_lock);
    int rc = 0;
    while (g_finished < g_threads && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&g_cond, &g_lock, &deadline);
    int done = g_finished == g_threads;
    pthread_mutex_unlock(&g_lock);
    if (done) break;
    sample(samples, "run", start);
  }
  for (long i = 0; i < threads; i++) pthread_join(ids[i], NULL);
  sample(samples, "end", start);

  long ok = 0, failed = 0, wrong = 0;
  for (long i = 0; i < threads; i++) {
    ok += workers[i].ok;
    failed += workers[i].failed;
    wrong += workers[i].wrong;
    fclose(workers[i].out);
  }
  fclose(samples);
  printf("c face: %ld threads, %ld calls: %ld ok, %ld failed, %ld wrong answers, %.1f s\n", threads,
         threads * (g_calls + g_warmup), ok, failed, wrong, now_s() - start);
  commbox_inbox_free(inbox);
  commbox_client_free(client);
  free(workers);
  pthread_barrier_destroy(&g_warm);
  pthread_barrier_destroy(&g_go);
  return 0;
}
