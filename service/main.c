/* trafficd: the iperf3 test service. This file only parses the command
 * line; the service lives in the trafficd library (td-daemon.c and below). */
#include "config.h"

#include "td-config.h"
#include "td-daemon.h"

#include <locale.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  g_autoptr(TdConfig) config = td_config_new ();
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(TdDaemon) daemon = NULL;
  g_autoptr(GError) error = NULL;
  gboolean verbose = FALSE, version = FALSE;
  int max_running = 32, keep_ended = 600;
  GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, &config->session_bus, "Use the session bus (development, demos)", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
    { "max-running-tests", 0, 0, G_OPTION_ARG_INT, &max_running, "Limit on tests running at once (default 32)", "N" },
    { "keep-ended", 0, 0, G_OPTION_ARG_INT, &keep_ended, "Seconds an ended test stays on the bus (default 600)", "SECONDS" },
    { "state-directory", 0, 0, G_OPTION_ARG_FILENAME, &config->state_dir, "State directory (default: $STATE_DIRECTORY)", "DIR" },
    { "runtime-directory", 0, 0, G_OPTION_ARG_FILENAME, &config->runtime_dir, "Runtime directory (default: $RUNTIME_DIRECTORY)", "DIR" },
    { "runner", 0, 0, G_OPTION_ARG_FILENAME, &config->runner_path, "Test helper (default: $TRAFFICD_RUNNER or the installed one)", "PATH" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- run and supervise iperf3 tests for D-Bus callers");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("trafficd: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("trafficd %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (verbose)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  if (max_running < 1 || keep_ended < 0)
    {
      g_printerr ("trafficd: --max-running-tests must be at least 1 and --keep-ended at least 0\n");
      return 2;
    }
  config->max_running = (guint) max_running;
  config->keep_ended_seconds = (guint) keep_ended;
  if (!td_config_resolve (config, &error))
    {
      g_printerr ("trafficd: %s\n", error->message);
      return 2;
    }

  daemon = td_daemon_new (g_steal_pointer (&config));
  return td_daemon_run (daemon);
}
