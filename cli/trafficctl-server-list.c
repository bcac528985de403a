/* trafficctl-server-list.c: "trafficctl server list": a table of the
 * managed servers. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tc-server.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

int
trafficctl_server_list (TrafficctlGlobals  *globals,
                        int                 argc,
                        char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_auto(GStrv) paths = NULL;
  g_autoptr(TrafficctlTable) table = NULL;
  g_autoptr(JsonArray) array = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, NULL,
                                           _("List the managed servers: running ones and recently ended\n"
                                             "ones, oldest first. BIND “*” is all addresses; SERVED counts\n"
                                             "the tests served; PID, CPU and RSS are those of its helper."),
                                           NULL);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return trafficctl_usage_error ("server list", _("Unexpected argument “%s”"), argv[1]);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  paths = tc_client_list_servers_sync (client, NULL, &error);
  if (paths == NULL)
    return trafficctl_print_error (_("listing servers"), error);

  array = json_array_new ();
  table = trafficctl_table_new ("rlrllrrrrr",
                                _("ID"), _("STATE"), _("PORT"), _("BIND"), _("PEER"),
                                _("SERVED"), _("RESTARTS"), _("PID"), _("CPU%"), _("RSS"), NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(TrDBusServer) server = NULL;
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GError) server_error = NULL;

      server = tc_client_get_server_sync (client, paths[i], NULL, &server_error);
      if (server == NULL)
        {
          /* Removed since ListServers: not an error. */
          if (g_error_matches (server_error, TR_ERROR, TR_ERROR_NOT_FOUND))
            continue;
          return trafficctl_print_error (_("listing servers"), server_error);
        }
      props = tc_client_dup_server_properties (server);

      if (globals->json)
        json_array_add_element (array, trafficctl_object_to_json (props, paths[i]));
      else
        {
          const char *bind = trafficctl_props_get_string (props, "BindAddress");
          const char *peer = trafficctl_props_get_string (props, "Peer");
          g_autofree char *id = g_strdup_printf ("%u", tc_client_server_id_from_path (paths[i]));
          g_autofree char *port = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "Port"));
          g_autofree char *served = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "TestsServed"));
          g_autofree char *restarts = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "Restarts"));
          g_autofree char *pid = trafficctl_format_pid (trafficctl_props_get_uint (props, "HelperPid"));
          g_autofree char *cpu = trafficctl_format_cpu (props);
          g_autofree char *rss = trafficctl_format_rss (props);

          trafficctl_table_add_row (table, id,
                                    trafficctl_props_get_string (props, "State"),
                                    port,
                                    *bind != '\0' ? bind : "*",
                                    *peer != '\0' ? peer : "-",
                                    served, restarts, pid, cpu, rss);
        }
    }

  if (globals->json)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (node, array);
      trafficctl_print_json (node, TRUE);
    }
  else
    trafficctl_table_print (table, stdout, "");

  return TRAFFICCTL_EXIT_OK;
}
