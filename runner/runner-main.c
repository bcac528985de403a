/* trafficd-runner: runs ONE iperf3 client test, or one iperf3 server, with
 * libiperf and reports to trafficd on a pipe (see common/tr-proto.h).
 *
 * Why a process of its own: libiperf 3.12 keeps global state, calls exit()
 * on some errors and has no live-results callback. So the service never runs
 * iperf code; it starts this helper per test or server, in its own process
 * group.
 *
 * File descriptors and threads:
 *   fd 0   one config record from the service; EOF afterwards means the
 *          service closed it or died, and becomes SIGTERM;
 *   fd 1,2 redirected into a pipe read by the output thread (runner-output.c);
 *   proto  a dup of the original stdout: protocol records to the service.
 * Only the main thread runs libiperf and takes SIGINT/SIGTERM/SIGHUP; on them
 * libiperf prints its partial summary, tells the peer and exits, and the
 * atexit handler drains the output and sends the last records. */
#include "config.h"

#include "runner.h"
#include "runner-emit.h"
#include "runner-output.h"
#include "tr-error.h"
#include "tr-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>   /* before iperf_api.h, which needs it */
#include <iperf_api.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define RUNNER_MAX_CONFIG (64 * 1024)

volatile sig_atomic_t runner_stop_signal;
static sigjmp_buf *stop_jmp;

void
runner_block_stop_signals (int how)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGHUP);
  pthread_sigmask (how, &set, NULL);
}

static void
on_stop_signal (int sig)
{
  runner_stop_signal = sig;
  alarm (5);   /* if telling the peer hangs, SIGALRM ends us */
  siglongjmp (*stop_jmp, 1);
}

void
runner_arm_stop (sigjmp_buf *jmp)
{
  stop_jmp = jmp;
  iperf_catch_sigend (on_stop_signal);
  runner_block_stop_signals (SIG_UNBLOCK);
}

/* libiperf exits by itself on some errors and after an interrupt. */
static void
at_exit (void)
{
  int saved_errno = errno;

  runner_block_stop_signals (SIG_BLOCK);
  runner_output_drain ();
  if (runner_emit_end_done ())
    return;
  if (runner_stop_signal != 0)
    {
      runner_emit_end ("stopped");
      return;
    }
  errno = saved_errno;   /* iperf_strerror() appends strerror(errno) */
  if (i_errno != IENONE)
    runner_emit_error ("iperf", i_errno, saved_errno, iperf_strerror (i_errno));
  else
    runner_emit_error ("internal", 0, 0, "libiperf exited without reporting an error");
  runner_emit_end ("failed");
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

static GVariant *
read_config (GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *kind = NULL;
  GVariant *record = NULL;
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
      g_variant_unref (record);
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "expected a config record, got \"%s\"", kind);
      return NULL;
    }
  return record;
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

#ifdef TRAFFICD_TEST_HOOKS
/* Test-only (meson -Dtest_hooks=true): leave a child in our process group
 * that ignores SIGTERM, as a misbehaving helper would. */
static void
maybe_escape_child (void)
{
  if (g_strcmp0 (g_getenv ("TRAFFICD_RUNNER_TEST_ESCAPE"), "1") != 0)
    return;
  if (fork () == 0)
    {
      signal (SIGTERM, SIG_IGN);
      for (int i = 0; i < 3600; i++)
        sleep (1);
      _exit (0);
    }
}
#endif

static int
fail (const char *message)
{
  runner_emit_error ("internal", 0, 0, message);
  runner_emit_end ("failed");
  return 2;
}

/* What the service does not do for its helper (it spawns without a
 * child_setup, so that GLib can use posix_spawn):
 * - its own process group, so a stop reaches everything it starts;
 * - death with the service;
 * - a test is a batch load: SCHED_BATCH keeps its fair share of the CPUs
 *   (the same weight as a plain iperf3) but it does not preempt others
 *   when it wakes, so the service and its callers stay responsive while
 *   tests saturate the machine (bench-concurrency: Manager call p99 about
 *   halved); and nice 0 if the service runs at a raised priority. */
static void
become_helper (void)
{
  struct sched_param param = { 0 };

  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (sched_setscheduler (0, SCHED_BATCH, &param) != 0)
    g_debug ("SCHED_BATCH refused: %s", g_strerror (errno));
  errno = 0;
  if (getpriority (PRIO_PROCESS, 0) < 0 && errno == 0)
    setpriority (PRIO_PROCESS, 0, 0);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) config = NULL;
  g_autoptr(GVariant) options = NULL;
  const char *role = NULL;
  int proto_fd;

  become_helper ();
  setlocale (LC_ALL, "C");
  if (argc == 2 && strcmp (argv[1], "--iperf-version") == 0)
    {
      printf ("%s\n", iperf_get_iperf_version ());
      return 0;
    }
  runner_block_stop_signals (SIG_BLOCK);

  proto_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (proto_fd < 0)
    return 2;
  runner_emit_init (proto_fd);
  emit_hello ();

  config = read_config (&error);
  if (config == NULL)
    return fail (error->message);
  options = g_variant_lookup_value (config, "options", G_VARIANT_TYPE_VARDICT);
  if (!g_variant_lookup (config, "role", "&s", &role) || options == NULL)
    return fail ("the config record lacks role or options");

#ifdef TRAFFICD_TEST_HOOKS
  maybe_escape_child ();
#endif

  /* the threads inherit the blocked stop signals */
  g_thread_unref (g_thread_new ("stdin-watch", stdin_watch_main, NULL));
  atexit (at_exit);

  if (strcmp (role, "client") == 0)
    {
      g_autoptr(TrTestOptions) o = tr_test_options_new_from_variant (options, &error);

      if (o == NULL)
        return fail (error->message);
      runner_output_start (TR_IPERF_ROLE_CLIENT, o->direction == TR_DIRECTION_REVERSE,
                           o->direction == TR_DIRECTION_BIDIRECTIONAL, o->parallel);
      return runner_client_run (o);
    }
  if (strcmp (role, "server") == 0)
    {
      g_autoptr(TrServerOptions) o = tr_server_options_new_from_variant (options, &error);

      if (o == NULL)
        return fail (error->message);
      runner_output_start (TR_IPERF_ROLE_SERVER, FALSE, FALSE, 0);
      return runner_server_run (o);
    }
  return fail ("unknown role in the config record");
}
