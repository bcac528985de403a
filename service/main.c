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
  /* -1: not given; the configuration file or the default decides */
  int max_running = -1, max_per_user = -1, max_queue = -1, max_servers = -1, keep_ended = 600;
  g_autofree char *server_ports = NULL;
  int retention_samples_days = 30, retention_tests_days = 0;
  double iface_interval = 1.0;
  int iface_samples_hours = 24;
  GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, &config->session_bus, "Use the session bus (development, demos)", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
    { "max-running-tests", 0, 0, G_OPTION_ARG_INT, &max_running, "Limit on tests running at once (default 32)", "N" },
    { "max-running-tests-per-user", 0, 0, G_OPTION_ARG_INT, &max_per_user, "Limit on one user's running tests (default: the global limit)", "N" },
    { "max-queued-tests", 0, 0, G_OPTION_ARG_INT, &max_queue, "Limit on queued tests (default 1024)", "N" },
    { "max-servers", 0, 0, G_OPTION_ARG_INT, &max_servers, "Limit on managed servers (default 32)", "N" },
    { "server-ports", 0, 0, G_OPTION_ARG_STRING, &server_ports, "Port range for managed servers (default 5201-5299)", "MIN-MAX" },
    { "keep-ended", 0, 0, G_OPTION_ARG_INT, &keep_ended, "Seconds an ended test stays on the bus (default 600)", "SECONDS" },
    { "retention-samples-days", 0, 0, G_OPTION_ARG_INT, &retention_samples_days, "Days the history keeps samples and log lines (default 30, 0 forever)", "DAYS" },
    { "retention-tests-days", 0, 0, G_OPTION_ARG_INT, &retention_tests_days, "Days the history keeps test results (default 0: forever)", "DAYS" },
    { "state-directory", 0, 0, G_OPTION_ARG_FILENAME, &config->state_dir, "State directory (default: $STATE_DIRECTORY)", "DIR" },
    { "runtime-directory", 0, 0, G_OPTION_ARG_FILENAME, &config->runtime_dir, "Runtime directory (default: $RUNTIME_DIRECTORY)", "DIR" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config->config_file, "Configuration file (default: $CONFIGURATION_DIRECTORY/trafficd.conf, or " SYSCONFDIR "/trafficd/trafficd.conf on the system bus; none on the session bus); command-line options win over it", "FILE" },
    { "runner", 0, 0, G_OPTION_ARG_FILENAME, &config->runner_path, "Test helper (default: $TRAFFICD_RUNNER or the installed one)", "PATH" },
    { "interface-interval", 0, 0, G_OPTION_ARG_DOUBLE, &iface_interval, "Seconds between interface counter readings, 0.1 to 60 (default 1)", "SECONDS" },
    { "interface-total-loopback", 0, 0, G_OPTION_ARG_NONE, &config->iface_include_loopback, "Count loopback in the interface total", NULL },
    { "interface-samples-hours", 0, 0, G_OPTION_ARG_INT, &iface_samples_hours, "Hours the 1 s interface samples are kept (default 24)", "HOURS" },
    { "no-network-manager", 0, 0, G_OPTION_ARG_NONE, &config->iface_no_network_manager, "Take the interface inventory from the kernel only", NULL },
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
  if (max_running == 0 || max_running < -1 || max_per_user < -1 || max_queue < -1 || max_servers < -1 || keep_ended < 0)
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
  td_config_set_from_command_line (config, max_running, max_per_user, max_queue, max_servers);
  config->keep_ended_seconds = (guint) keep_ended;
  if (retention_samples_days < 0 || retention_samples_days > 36500 ||
      retention_tests_days < 0 || retention_tests_days > 36500)
    {
      g_printerr ("trafficd: --retention-samples-days and --retention-tests-days must be from 0 (forever) to 36500\n");
      return 2;
    }
  config->retention_samples_days = (guint) retention_samples_days;
  if (!(iface_interval >= 0.1 && iface_interval <= 60) || iface_samples_hours < 1 || iface_samples_hours > 8760)
    {
      g_printerr ("trafficd: --interface-interval must be from 0.1 to 60 seconds, --interface-samples-hours from 1 to 8760\n");
      return 2;
    }
  config->iface_interval_seconds = iface_interval;
  config->iface_samples_hours = (guint) iface_samples_hours;
  config->retention_tests_days = (guint) retention_tests_days;
  if (!td_config_resolve (config, &error))
    {
      g_printerr ("trafficd: %s\n", error->message);
      return 2;
    }

  daemon = td_daemon_new (g_steal_pointer (&config));
  return td_daemon_run (daemon);
}
