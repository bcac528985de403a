/* trafficd-runner: runs ONE iperf3 client test with libiperf and reports it
 * to trafficd on a pipe (see common/tr-proto.h).
 *
 * Why a process of its own: libiperf 3.12 keeps global state, calls exit()
 * on some errors and has no live-results callback. So the service never runs
 * iperf code; it starts this helper per test, in its own process group.
 *
 * Threads and file descriptors:
 *   fd 0   config record from the service; EOF means "stop" (the service
 *          closed it or died) and is turned into SIGTERM;
 *   fd 1,2 redirected into a pipe read by the reader thread, which feeds
 *          iperf's text output (line buffered) to the parser;
 *   proto  a dup of the original stdout: protocol records to the service.
 * Only the main thread runs libiperf and takes SIGINT/SIGTERM/SIGHUP; on
 * them libiperf prints its partial summary, tells the server and exits, and
 * the atexit handler drains the output and sends the last records. */
#include "config.h"

#include "runner-client.h"
#include "runner-emit.h"
#include "tr-iperf-parser.h"
#include "tr-options.h"
#include "tr-error.h"
#include "tr-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>   /* before iperf_api.h, which needs it */
#include <iperf_api.h>
#include <locale.h>
#include <netdb.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define RUNNER_MAX_CONFIG (64 * 1024)

static struct iperf_test *test;
static TrTestOptions *options;
static GThread *reader_thread;
static int output_read_fd = -1;
static gboolean output_drained;
static gboolean end_emitted;
static volatile sig_atomic_t stop_signal;
static sigjmp_buf sigend_jmp;
static char *address;   /* static: it lives across sigsetjmp() */

static void
emit_end (const char *status)
{
  GVariantDict d;

  if (end_emitted)
    return;
  end_emitted = TRUE;
  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "status", "s", status);
  runner_emit ("end", g_variant_dict_end (&d));
}

static void
on_parser_record (const char *kind, GVariant *record, gpointer user_data)
{
  runner_emit (kind, record);
}

/* Reads iperf's text output line by line; lines longer than the parser's
 * limit are cut, never buffered without bound. */
static gpointer
reader_main (gpointer data)
{
  g_autoptr(TrIperfParser) parser = tr_iperf_parser_new (TR_IPERF_ROLE_CLIENT, on_parser_record, NULL);
  char buf[8192];
  GString *line = g_string_sized_new (256);
  gboolean overlong = FALSE;

  tr_iperf_parser_set_mode (parser, options->direction == TR_DIRECTION_REVERSE,
                            options->direction == TR_DIRECTION_BIDIRECTIONAL, options->parallel);
  for (;;)
    {
      ssize_t n = read (output_read_fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      for (ssize_t i = 0; i < n; i++)
        {
          if (buf[i] != '\n')
            {
              if (line->len < TR_IPERF_PARSER_MAX_LINE)
                g_string_append_c (line, buf[i]);
              else
                overlong = TRUE;
              continue;
            }
          if (line->len > 0 || !overlong)
            {
              g_autofree char *valid = g_utf8_make_valid (line->str, line->len);
              if (valid[0] != '\0')
                runner_emit_log (6, "%s", valid);
              tr_iperf_parser_feed_line (parser, valid);
            }
          g_string_truncate (line, 0);
          overlong = FALSE;
        }
    }
  if (line->len > 0)
    tr_iperf_parser_feed_line (parser, line->str);
  tr_iperf_parser_finish (parser);
  g_string_free (line, TRUE);
  return NULL;
}

/* Closes iperf's end of the output pipe and waits until the reader has
 * parsed everything, so records reach the service before "end". */
static void
drain_output (void)
{
  int devnull;

  if (output_drained || reader_thread == NULL)
    return;
  output_drained = TRUE;
  fflush (stdout);
  fflush (stderr);
  devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  dup2 (devnull, STDOUT_FILENO);
  dup2 (devnull, STDERR_FILENO);
  close (devnull);
  g_thread_join (reader_thread);
  reader_thread = NULL;
}

static void
block_stop_signals (int how)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGHUP);
  pthread_sigmask (how, &set, NULL);
}

/* libiperf exits by itself on some errors and after an interrupt. */
static void
at_exit (void)
{
  int saved_errno = errno;

  block_stop_signals (SIG_BLOCK);
  drain_output ();
  if (end_emitted)
    return;
  if (stop_signal != 0)
    emit_end ("stopped");
  else
    {
      errno = saved_errno;   /* iperf_strerror() appends strerror(errno) */
      if (i_errno != IENONE)
        runner_emit_error (runner_classify_error (i_errno, saved_errno), i_errno, saved_errno,
                           iperf_strerror (i_errno));
      else
        runner_emit_error ("internal", 0, 0, "libiperf exited without reporting an error");
      emit_end ("failed");
    }
}

static void
on_stop_signal (int sig)
{
  stop_signal = sig;
  alarm (5);   /* if telling the server hangs, SIGALRM ends us */
  siglongjmp (sigend_jmp, 1);
}

static gpointer
stdin_watch_main (gpointer data)
{
  char buf[256];

  while (read (STDIN_FILENO, buf, sizeof buf) > 0 || errno == EINTR)
    ;
  kill (getpid (), SIGTERM);
  return NULL;
}

static TrTestOptions *
read_config (GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *kind = NULL;
  g_autoptr(GVariant) record = NULL;
  gint64 ts;
  char c;

  /* byte by byte: nothing after the first line may be consumed here */
  while (text->len < RUNNER_MAX_CONFIG)
    {
      ssize_t n = read (STDIN_FILENO, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      g_string_append_c (text, c);
    }
  if (!tr_proto_parse_line (text->str, &kind, &ts, &record, error))
    return NULL;
  if (g_strcmp0 (kind, "config") != 0)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "expected a config record, got \"%s\"", kind);
      return NULL;
    }
  return tr_test_options_new_from_variant (record, error);
}

static void
emit_hello (void)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "pid", "u", (guint32) getpid ());
  g_variant_dict_insert (&d, "iperf_version", "s", iperf_get_iperf_version ());
  g_variant_dict_insert (&d, "runner_version", "s", PACKAGE_VERSION);
  runner_emit ("hello", g_variant_dict_end (&d));
}

static void
emit_resolved (const char *numeric)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "host", "s", options->host);
  g_variant_dict_insert (&d, "address", "s", numeric);
  runner_emit ("resolved", g_variant_dict_end (&d));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int proto_fd, pipe_fds[2], gai_error, rc;

  setlocale (LC_ALL, "C");
  if (argc == 2 && strcmp (argv[1], "--iperf-version") == 0)
    {
      printf ("%s\n", iperf_get_iperf_version ());
      return 0;
    }
  block_stop_signals (SIG_BLOCK);
  prctl (PR_SET_PDEATHSIG, SIGTERM);

  proto_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (proto_fd < 0)
    return 2;
  runner_emit_init (proto_fd);
  emit_hello ();

  options = read_config (&error);
  if (options == NULL)
    {
      runner_emit_error ("internal", 0, 0, error->message);
      emit_end ("failed");
      return 2;
    }

  if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
    return 2;
  dup2 (pipe_fds[1], STDOUT_FILENO);
  dup2 (pipe_fds[1], STDERR_FILENO);
  close (pipe_fds[1]);
  output_read_fd = pipe_fds[0];
  setvbuf (stdout, NULL, _IOLBF, 0);

  /* the threads inherit the blocked stop signals */
  reader_thread = g_thread_new ("iperf-output", reader_main, NULL);
  g_thread_unref (g_thread_new ("stdin-watch", stdin_watch_main, NULL));
  atexit (at_exit);

  address = runner_resolve_host (options->host, &gai_error);
  if (address == NULL)
    {
      g_autofree char *message = g_strdup_printf ("cannot resolve host \"%s\": %s",
                                                  options->host, gai_strerror (gai_error));
      runner_emit_error ("host-not-found", 0, 0, message);
      emit_end ("failed");
      return 1;
    }
  emit_resolved (address);

  test = runner_client_new (options, address);
  if (test == NULL)
    {
      runner_emit_error ("internal", 0, 0, "libiperf could not create a test");
      emit_end ("failed");
      return 2;
    }

  if (sigsetjmp (sigend_jmp, 1) != 0)
    iperf_got_sigend (test);   /* prints the partial summary, exits */
  iperf_catch_sigend (on_stop_signal);
  block_stop_signals (SIG_UNBLOCK);

  rc = iperf_run_client (test);
  {
    int saved_errno = errno;
    int saved_ierrno = i_errno;
    g_autoptr(GVariant) result = NULL;

    block_stop_signals (SIG_BLOCK);
    drain_output ();
    if (rc < 0)
      {
        errno = saved_errno;
        runner_emit_error (runner_classify_error (saved_ierrno, saved_errno), saved_ierrno, saved_errno,
                           iperf_strerror (saved_ierrno));
        emit_end ("failed");
        return 1;
      }
    result = runner_client_exact_result (test, options);
    if (result != NULL)
      runner_emit ("result", g_steal_pointer (&result));
    else
      runner_emit_log (4, "exact counters unavailable; the summary comes from iperf's text output");
    emit_end ("finished");
  }
  iperf_free_test (test);
  return 0;
}
