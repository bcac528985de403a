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
  int max_running = 32, max_per_user = 0, max_queue = 1024, max_servers = 32, keep_ended = 600;
  g_autofree char *server_ports = NULL;
  GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, &config->session_bus, "Use the session bus (development, demos)", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
    { "max-running-tests", 0, 0, G_OPTION_ARG_INT, &max_running, "Limit on tests running at once (default 32)", "N" },
    { "max-running-tests-per-user", 0, 0, G_OPTION_ARG_INT, &max_per_user, "Limit on one user's running tests (default: the global limit)", "N" },
    { "max-queued-tests", 0, 0, G_OPTION_ARG_INT, &max_queue, "Limit on queued tests (default 1024)", "N" },
    { "max-servers", 0, 0, G_OPTION_ARG_INT, &max_servers, "Limit on managed servers (default 32)", "N" },
    { "server-ports", 0, 0, G_OPTION_ARG_STRING, &server_ports, "Port range for managed servers (default 5201-5299)", "MIN-MAX" },
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
  if (max_running < 1 || max_per_user < 0 || max_queue < 0 || max_servers < 0 || keep_ended < 0)
    {
      g_printerr ("trafficd: --max-running-tests must be at least 1; --max-running-tests-per-user, "
                  "--max-queued-tests, --max-servers and --keep-ended at least 0\n");
      return 2;
    }
  if (server_ports != NULL)
    {
      guint64 min = 0, max = 0;
      char *end = NULL;

      min = g_ascii_strtoull (server_ports, &end, 10);
      if (end != NULL && *end == '-')
        max = g_ascii_strtoull (end + 1, &end, 10);
      if (end == NULL || *end != '\0' || min == 0 || max > 65535 || min > max)
        {
          g_printerr ("trafficd: --server-ports must be MIN-MAX within 1-65535, got \"%s\"\n", server_ports);
          return 2;
        }
      config->server_port_min = (guint) min;
      config->server_port_max = (guint) max;
    }
  config->max_running = (guint) max_running;
  config->max_running_per_user = (guint) max_per_user;
  config->max_queue = (guint) max_queue;
  config->max_servers = (guint) max_servers;
  config->keep_ended_seconds = (guint) keep_ended;
  if (!td_config_resolve (config, &error))
    {
      g_printerr ("trafficd: %s\n", error->message);
      return 2;
    }

  daemon = td_daemon_new (g_steal_pointer (&config));
  return td_daemon_run (daemon);
}
