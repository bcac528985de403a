/* trafficctl-ps.c: "trafficctl ps": every helper process the service runs:
 * the tests (client and served) and the servers that have not ended. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tc-server.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

/* A test has (or is about to have) a helper unless it ended or waits in the
 * queue (see "trafficctl queue" for those). */
static gboolean
test_is_shown (GVariant *props)
{
  const char *state = trafficctl_props_get_string (props, "State");

  return !tc_client_state_is_final (state) && g_strcmp0 (state, "queued") != 0;
}

static JsonNode *
row_to_json (const char *kind,
             const char *path,
             GVariant   *props,
             const char *role,
             const char *address_key,
             const char *address,
             guint       port)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "Id"));
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "role");
  if (role != NULL)
    json_builder_add_string_value (builder, role);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, trafficctl_props_get_string (props, "State"));
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "HelperPid"));
  json_builder_set_member_name (builder, "cpu_percent");
  json_builder_add_double_value (builder, trafficctl_props_get_double (props, "HelperCpuPercent", 0));
  json_builder_set_member_name (builder, "rss_bytes");
  json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "HelperRssBytes"));
  json_builder_set_member_name (builder, address_key);
  json_builder_add_string_value (builder, address);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, port);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

int
trafficctl_ps (TrafficctlGlobals  *globals,
               int                 argc,
               char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GVariant) tests = NULL;
  g_autoptr(GVariant) servers = NULL;
  g_autoptr(TrafficctlTable) table = NULL;
  g_autoptr(JsonArray) array = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *props;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, NULL,
                                           _("List every helper process the service runs: the tests that\n"
                                             "have not ended (those it started for callers, role “client”,\n"
                                             "and those its servers serve, role “server”, which share their\n"
                                             "server's helper) and the managed servers that have not ended,\n"
                                             "with their process id, CPU use (percent of one core) and\n"
                                             "resident memory. Queued tests have no helper yet: see\n"
                                             "“trafficctl queue”."),
                                           NULL);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return trafficctl_usage_error ("ps", _("Unexpected argument “%s”"), argv[1]);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  if (!tc_client_dup_objects_sync (client, &tests, &servers, NULL, &error))
    return trafficctl_print_error (_("listing the helpers"), error);

  array = json_array_new ();
  table = trafficctl_table_new ("lrllrrrlr",
                                _("KIND"), _("ID"), _("ROLE"), _("STATE"), _("PID"),
                                _("CPU%"), _("RSS"), _("HOST/PEER"), _("PORT"), NULL);

  g_variant_iter_init (&iter, tests);
  while (g_variant_iter_next (&iter, "{&o@a{sv}}", &path, &props))
    {
      g_autoptr(GVariant) owned = props;
      g_autoptr(GVariant) options = trafficctl_props_dup_dict (props, "Options");
      const char *role = trafficctl_props_get_string (props, "Role");
      const char *host = trafficctl_props_get_string (options, "host");
      guint port = (guint) trafficctl_props_get_uint (options, "port");

      if (!test_is_shown (props))
        continue;
      if (globals->json)
        {
          json_array_add_element (array, row_to_json ("test", path, props, role, "host", host, port));
        }
      else
        {
          g_autofree char *id = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "Id"));
          g_autofree char *pid = trafficctl_format_pid (trafficctl_props_get_uint (props, "HelperPid"));
          g_autofree char *cpu = trafficctl_format_cpu (props);
          g_autofree char *rss = trafficctl_format_rss (props);
          g_autofree char *port_text = port > 0 ? g_strdup_printf ("%u", port) : g_strdup ("-");

          trafficctl_table_add_row (table, _("test"), id, *role != '\0' ? role : "-",
                                    trafficctl_props_get_string (props, "State"),
                                    pid, cpu, rss, *host != '\0' ? host : "-", port_text);
        }
    }

  g_variant_iter_init (&iter, servers);
  while (g_variant_iter_next (&iter, "{&o@a{sv}}", &path, &props))
    {
      g_autoptr(GVariant) owned = props;
      const char *peer = trafficctl_props_get_string (props, "Peer");
      guint port = (guint) trafficctl_props_get_uint (props, "Port");

      if (tc_client_server_state_is_final (trafficctl_props_get_string (props, "State")))
        continue;
      if (globals->json)
        {
          json_array_add_element (array, row_to_json ("server", path, props, NULL, "peer", peer, port));
        }
      else
        {
          g_autofree char *id = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "Id"));
          g_autofree char *pid = trafficctl_format_pid (trafficctl_props_get_uint (props, "HelperPid"));
          g_autofree char *cpu = trafficctl_format_cpu (props);
          g_autofree char *rss = trafficctl_format_rss (props);
          g_autofree char *port_text = g_strdup_printf ("%u", port);

          trafficctl_table_add_row (table, _("server"), id, "-",
                                    trafficctl_props_get_string (props, "State"),
                                    pid, cpu, rss, *peer != '\0' ? peer : "-", port_text);
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
