/* runner-output.c: the reader thread. */
#include "runner-output.h"
#include "runner-emit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A line no iperf output can contain: it marks a point in the stream. */
#define SYNC_MARKER "\001trafficd-sync"
#define SYNC_TIMEOUT_US (3 * G_USEC_PER_SEC)
#define LISTENING_PREFIX "Server listening on "

static GThread *reader_thread;
static int read_fd = -1;
static gboolean drained;
static TrIperfRole parser_role;
static gboolean mode_reverse, mode_bidir;
static guint mode_parallel;

static GMutex sync_lock;
static GCond sync_cond;
static guint sync_requested, sync_seen;

static void
on_record (const char *kind, GVariant *record, gpointer user_data)
{
  runner_emit (kind, record);
}

static TrIperfParser *
new_parser (void)
{
  TrIperfParser *parser = tr_iperf_parser_new (parser_role, on_record, NULL);

  if (parser_role == TR_IPERF_ROLE_CLIENT)
    tr_iperf_parser_set_mode (parser, mode_reverse, mode_bidir, mode_parallel);
  return parser;
}

/* iperf prints this line right after listen(): from then on the port
 * accepts connections, so this line, not the call to iperf_run_server(),
 * is when a server is "listening" {port}. */
static void
maybe_emit_listening (const char *line)
{
  guint64 port;
  GVariantDict d;

  if (parser_role != TR_IPERF_ROLE_SERVER || !g_str_has_prefix (line, LISTENING_PREFIX))
    return;
  port = g_ascii_strtoull (line + strlen (LISTENING_PREFIX), NULL, 10);
  g_variant_dict_init (&d, NULL);
  if (port > 0 && port <= G_MAXUINT16)
    g_variant_dict_insert (&d, "port", "u", (guint32) port);
  runner_emit ("listening", g_variant_dict_end (&d));
}

static void
handle_line (TrIperfParser **parser, GString *line)
{
  g_autofree char *valid = NULL;

  if (strcmp (line->str, SYNC_MARKER) == 0)
    {
      tr_iperf_parser_finish (*parser);
      tr_iperf_parser_free (*parser);
      *parser = new_parser ();
      g_mutex_lock (&sync_lock);
      sync_seen++;
      g_cond_broadcast (&sync_cond);
      g_mutex_unlock (&sync_lock);
      return;
    }
  valid = g_utf8_make_valid (line->str, line->len);
  if (valid[0] != '\0')
    runner_emit_log (6, "%s", valid);
  tr_iperf_parser_feed_line (*parser, valid);
  maybe_emit_listening (valid);
}

static gpointer
reader_main (gpointer data)
{
  TrIperfParser *parser = new_parser ();
  GString *line = g_string_sized_new (256);
  char buf[8192];

  for (;;)
    {
      ssize_t n = read (read_fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      for (ssize_t i = 0; i < n; i++)
        {
          if (buf[i] == '\n')
            {
              handle_line (&parser, line);
              g_string_truncate (line, 0);
            }
          else if (line->len < TR_IPERF_PARSER_MAX_LINE)
            g_string_append_c (line, buf[i]);   /* the rest of an overlong line is dropped */
        }
    }
  if (line->len > 0)
    handle_line (&parser, line);
  tr_iperf_parser_finish (parser);
  tr_iperf_parser_free (parser);
  g_string_free (line, TRUE);
  /* wake a waiter whose marker will never come */
  g_mutex_lock (&sync_lock);
  sync_seen = G_MAXUINT;
  g_cond_broadcast (&sync_cond);
  g_mutex_unlock (&sync_lock);
  return NULL;
}

void
runner_output_start (TrIperfRole role, gboolean reverse, gboolean bidirectional, guint parallel)
{
  int fds[2];

  parser_role = role;
  mode_reverse = reverse;
  mode_bidir = bidirectional;
  mode_parallel = parallel;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    g_error ("cannot create the output pipe: %s", g_strerror (errno));
  dup2 (fds[1], STDOUT_FILENO);
  dup2 (fds[1], STDERR_FILENO);
  close (fds[1]);
  read_fd = fds[0];
  setvbuf (stdout, NULL, _IOLBF, 0);
  reader_thread = g_thread_new ("iperf-output", reader_main, NULL);
}

void
runner_output_sync (void)
{
  gint64 deadline = g_get_monotonic_time () + SYNC_TIMEOUT_US;
  guint ticket;

  if (reader_thread == NULL || drained)
    return;
  fflush (stderr);
  g_mutex_lock (&sync_lock);
  ticket = ++sync_requested;
  g_mutex_unlock (&sync_lock);
  fputs (SYNC_MARKER "\n", stdout);
  fflush (stdout);
  g_mutex_lock (&sync_lock);
  while (sync_seen < ticket)
    if (!g_cond_wait_until (&sync_cond, &sync_lock, deadline))
      break;
  g_mutex_unlock (&sync_lock);
}

void
runner_output_drain (void)
{
  int devnull;

  if (drained || reader_thread == NULL)
    return;
  drained = TRUE;
  fflush (stdout);
  fflush (stderr);
  devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  dup2 (devnull, STDOUT_FILENO);
  dup2 (devnull, STDERR_FILENO);
  close (devnull);
  g_thread_join (reader_thread);
  reader_thread = NULL;
}
