/* trafficctl-stop.c: "trafficctl stop ID". */
#include "config.h"

#include <glib/gi18n.h>

#include "trafficctl.h"
#include "trafficctl-print.h"

int
trafficctl_stop (TrafficctlGlobals  *globals,
                 int                 argc,
                 char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, _("ID"),
                                           _("Stop a running test; it ends in the state “stopped”\n"
                                             "with a partial result. Stopping an ended test does nothing.\n"
                                             "ID is the test's number or its object path."),
                                           NULL);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return trafficctl_usage_error ("stop", argc < 2 ? _("ID is missing") : _("Only one ID, please"));

  path = tc_client_test_path_from_string (argv[1], &error);
  if (path == NULL)
    return trafficctl_usage_error ("stop", "%s", error->message);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  what = g_strdup_printf (_("stopping test %u"), tc_client_test_id_from_path (path));
  if (!tc_client_stop_test_sync (client, path, NULL, &error))
    return trafficctl_print_error (what, error);

  return TRAFFICCTL_EXIT_OK;
}
