/* trafficctl-server-start.c: "trafficctl server start": start a managed
 * iperf3 server and wait until it listens. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tc-server.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

/* How long a server may take to listen: spawning the helper and binding
 * take well under a second normally. */
#define LISTEN_TIMEOUT_MS 15000

static void
print_started (TrafficctlGlobals *globals,
               GVariant          *props,
               const char        *path)
{
  guint id = tc_client_server_id_from_path (path);
  guint port = (guint) trafficctl_props_get_uint (props, "Port");
  const char *bind = trafficctl_props_get_string (props, "BindAddress");
  const char *state = trafficctl_props_get_string (props, "State");

  if (globals->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "server");
      json_builder_add_int_value (builder, id);
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, port);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "bind_address");
      json_builder_add_string_value (builder, bind);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, state);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      trafficctl_print_json (node, FALSE);
      return;
    }

  if (tc_client_server_state_is_listening (state))
    /* TRANSLATORS: "Server 3 listening on port 5201 (/org/trafficd/Traffic1/servers/3)" */
    printf (_("Server %u listening on port %u (%s)\n"), id, port, path);
  else
    printf (_("Server %u starting on port %u (%s)\n"), id, port, path);
  fflush (stdout);
}

int
trafficctl_server_start (TrafficctlGlobals  *globals,
                         int                 argc,
                         char              **argv)
{
  g_autofree char *port = NULL;
  g_autofree char *bind_address = NULL;
  g_autofree char *idle_timeout = NULL;
  g_autofree char *interval = NULL;
  g_autofree char *label = NULL;
  gboolean one_off = FALSE;
  gboolean no_wait = FALSE;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port, N_("Port to listen on (default 0: a free one of the service's range)"), N_("PORT") },
    { "bind", 'B', 0, G_OPTION_ARG_STRING, &bind_address, N_("Local address to listen on (default: all)"), N_("ADDR") },
    { "one-off", '1', 0, G_OPTION_ARG_NONE, &one_off, N_("Serve one test, then stop"), NULL },
    { "idle-timeout", 0, 0, G_OPTION_ARG_STRING, &idle_timeout, N_("End a served test whose peer is silent this long (2-3600, default 30)"), N_("SEC") },
    { "interval", 'i', 0, G_OPTION_ARG_STRING, &interval, N_("Seconds between reports of served tests (default 1)"), N_("SEC") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, N_("Free text kept with the server"), N_("TEXT") },
    { "no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, N_("Do not wait until the server listens"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GVariant) options = NULL;
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, NULL,
                                           _("Start a managed iperf3 server, wait until it listens and print\n"
                                             "its id, port and object path. Clients (trafficctl run, iperf3 -c)\n"
                                             "can then test against it; each test it serves is listed with\n"
                                             "the role “server”. It runs until “trafficctl server stop ID”\n"
                                             "(or, with --one-off, until it served one test)."),
                                           entries);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return trafficctl_usage_error ("server start", _("Unexpected argument “%s”"), argv[1]);

  if (!trafficctl_dict_add_uint (&dict, "port", port, "-p", 10, 65535, &error) ||
      !trafficctl_dict_add_uint (&dict, "idle_timeout", idle_timeout, "--idle-timeout", 10, G_MAXUINT32, &error) ||
      !trafficctl_dict_add_seconds (&dict, "interval", interval, "-i", &error))
    return trafficctl_usage_error ("server start", "%s", error->message);
  if (bind_address != NULL)
    g_variant_dict_insert (&dict, "bind_address", "s", bind_address);
  if (one_off)
    g_variant_dict_insert (&dict, "one_off", "b", TRUE);
  if (label != NULL)
    g_variant_dict_insert (&dict, "label", "s", label);
  options = g_variant_ref_sink (g_variant_dict_end (&dict));

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  path = tc_client_start_server_sync (client, options, NULL, &error);
  if (path == NULL)
    return trafficctl_print_error (_("starting the server"), error);

  what = g_strdup_printf (_("starting server %u"), tc_client_server_id_from_path (path));
  if (no_wait)
    {
      g_autoptr(TrDBusServer) server = tc_client_get_server_sync (client, path, NULL, &error);
      g_autoptr(GVariant) props = NULL;

      if (server == NULL)
        return trafficctl_print_error (what, error);
      props = tc_client_dup_server_properties (server);
      print_started (globals, props, path);
      return TRAFFICCTL_EXIT_OK;
    }

  {
    g_autoptr(GVariant) props = tc_client_wait_server_sync (client, path, TC_SERVER_WAIT_LISTENING,
                                                            LISTEN_TIMEOUT_MS, NULL, &error);

    if (props == NULL)
      return trafficctl_print_error (what, error);
    print_started (globals, props, path);
  }
  return TRAFFICCTL_EXIT_OK;
}
