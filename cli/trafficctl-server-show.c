/* trafficctl-server-show.c: "trafficctl server show ID": every property of
 * a managed server and the result of the last test it served. */
#include "config.h"

#include <glib/gi18n.h>

#include "tc-server.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

int
trafficctl_server_show (TrafficctlGlobals  *globals,
                        int                 argc,
                        char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(TrDBusServer) server = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, _("ID"),
                                           _("Show all properties of a managed server, its options and the\n"
                                             "result of the last test it served. ID is the server's number\n"
                                             "or its object path."),
                                           NULL);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return trafficctl_usage_error ("server show", argc < 2 ? _("ID is missing") : _("Only one ID, please"));

  path = tc_client_server_path_from_string (argv[1], &error);
  if (path == NULL)
    return trafficctl_usage_error ("server show", "%s", error->message);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  what = g_strdup_printf (_("showing server %u"), tc_client_server_id_from_path (path));
  server = tc_client_get_server_sync (client, path, NULL, &error);
  if (server == NULL)
    return trafficctl_print_error (what, error);

  props = tc_client_dup_server_properties (server);
  if (globals->json)
    {
      g_autoptr(JsonNode) node = trafficctl_object_to_json (props, path);
      trafficctl_print_json (node, TRUE);
    }
  else
    trafficctl_print_server_details (props, path);

  return TRAFFICCTL_EXIT_OK;
}
