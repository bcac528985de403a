/* trafficctl-status.c: "trafficctl status": the service at a glance. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tc-server.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

int
trafficctl_status (TrafficctlGlobals  *globals,
                   int                 argc,
                   char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) servers = NULL;
  guint running_servers = 0;
  const char *bus;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, NULL,
                                           _("Show the service's version, the iperf version it uses,\n"
                                             "its running and queued tests, its running servers and its\n"
                                             "limits."),
                                           NULL);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return trafficctl_usage_error ("status", _("Unexpected argument “%s”"), argv[1]);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  props = tc_client_dup_manager_properties_sync (client, NULL, &error);
  if (props == NULL)
    return trafficctl_print_error (_("reading the service's status"), error);
  if (!tc_client_dup_objects_sync (client, NULL, &servers, NULL, &error))
    return trafficctl_print_error (_("reading the service's status"), error);
  {
    GVariantIter iter;
    const char *path;
    GVariant *server;

    g_variant_iter_init (&iter, servers);
    while (g_variant_iter_next (&iter, "{&o@a{sv}}", &path, &server))
      {
        if (!tc_client_server_state_is_final (trafficctl_props_get_string (server, "State")))
          running_servers++;
        g_variant_unref (server);
      }
  }

  bus = globals->session ? "session" : "system";
  if (globals->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, trafficctl_props_get_string (props, "Version"));
      json_builder_set_member_name (builder, "iperf_version");
      json_builder_add_string_value (builder, trafficctl_props_get_string (props, "IperfVersion"));
      json_builder_set_member_name (builder, "running_tests");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "RunningTests"));
      json_builder_set_member_name (builder, "max_running_tests");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "MaxRunningTests"));
      json_builder_set_member_name (builder, "max_running_tests_per_user");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "MaxRunningTestsPerUser"));
      json_builder_set_member_name (builder, "queued_tests");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "QueuedTests"));
      json_builder_set_member_name (builder, "running_servers");
      json_builder_add_int_value (builder, running_servers);
      json_builder_set_member_name (builder, "max_servers");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "MaxServers"));
      json_builder_set_member_name (builder, "server_port_min");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "ServerPortMin"));
      json_builder_set_member_name (builder, "server_port_max");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "ServerPortMax"));
      json_builder_set_member_name (builder, "keep_ended_seconds");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (props, "KeepEndedSeconds"));
      json_builder_set_member_name (builder, "bus");
      json_builder_add_string_value (builder, bus);
      json_builder_set_member_name (builder, "name_owner");
      json_builder_add_string_value (builder, tc_client_get_name_owner (client));
      json_builder_set_member_name (builder, "client_version");
      json_builder_add_string_value (builder, PACKAGE_VERSION);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      trafficctl_print_json (node, TRUE);
      return TRAFFICCTL_EXIT_OK;
    }

  printf (_("Service:          trafficd %s (%s on the %s bus, %s)\n"),
          trafficctl_props_get_string (props, "Version"), TC_BUS_NAME,
          globals->session ? _("session") : _("system"),
          tc_client_get_name_owner (client));
  printf (_("iperf:            %s\n"), trafficctl_props_get_string (props, "IperfVersion"));
  printf (_("Running tests:    %u of at most %u (at most %u per user)\n"),
          (guint) trafficctl_props_get_uint (props, "RunningTests"),
          (guint) trafficctl_props_get_uint (props, "MaxRunningTests"),
          (guint) trafficctl_props_get_uint (props, "MaxRunningTestsPerUser"));
  printf (_("Queued tests:     %u\n"),
          (guint) trafficctl_props_get_uint (props, "QueuedTests"));
  printf (_("Servers:          %u running of at most %u, ports %u-%u\n"),
          running_servers,
          (guint) trafficctl_props_get_uint (props, "MaxServers"),
          (guint) trafficctl_props_get_uint (props, "ServerPortMin"),
          (guint) trafficctl_props_get_uint (props, "ServerPortMax"));
  printf (_("Ended tests kept: %u s\n"),
          (guint) trafficctl_props_get_uint (props, "KeepEndedSeconds"));
  printf (_("trafficctl:       %s\n"), PACKAGE_VERSION);
  return TRAFFICCTL_EXIT_OK;
}
