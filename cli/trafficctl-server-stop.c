/* trafficctl-server-stop.c: "trafficctl server stop ID". */
#include "config.h"

#include <glib/gi18n.h>

#include "tc-server.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

/* The service gives its helper 2 s to stop, then kills it. */
#define STOP_TIMEOUT_MS 10000

int
trafficctl_server_stop (TrafficctlGlobals  *globals,
                        int                 argc,
                        char              **argv)
{
  gboolean no_wait = FALSE;
  const GOptionEntry entries[] = {
    { "no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, N_("Do not wait until the server has ended"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, _("ID"),
                                           _("Stop a managed server and wait until it has ended (its port\n"
                                             "is then free again). A test it is serving ends as “stopped”.\n"
                                             "Stopping an ended server does nothing. Only its owner may stop\n"
                                             "it, or a user the service lets manage others' servers. ID is\n"
                                             "the server's number or its object path."),
                                           entries);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return trafficctl_usage_error ("server stop", argc < 2 ? _("ID is missing") : _("Only one ID, please"));

  path = tc_client_server_path_from_string (argv[1], &error);
  if (path == NULL)
    return trafficctl_usage_error ("server stop", "%s", error->message);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  what = g_strdup_printf (_("stopping server %u"), tc_client_server_id_from_path (path));
  if (!tc_client_stop_server_sync (client, path, NULL, &error))
    return trafficctl_print_error (what, error);
  if (no_wait)
    return TRAFFICCTL_EXIT_OK;

  {
    g_autoptr(GVariant) props = tc_client_wait_server_sync (client, path, TC_SERVER_WAIT_ENDED,
                                                            STOP_TIMEOUT_MS, NULL, &error);

    /* Not found: removed after lingering, so it has ended. */
    if (props == NULL && !g_error_matches (error, TR_ERROR, TR_ERROR_NOT_FOUND))
      return trafficctl_print_error (what, error);
  }
  return TRAFFICCTL_EXIT_OK;
}
