/* trafficctl-list.c: "trafficctl list": a table of the service's tests. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tr-format.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

/* The RATE column: the current rate while running, the received rate of
 * the result once ended; both directions for a bidirectional test. */
static char *
format_rate_column (GVariant *props)
{
  g_autoptr(GVariant) options = trafficctl_props_dup_dict (props, "Options");
  g_autoptr(GVariant) result = trafficctl_props_dup_dict (props, "Result");
  const char *direction = trafficctl_props_get_string (options, "direction");
  const char *dirs[2] = { NULL, NULL };
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  gboolean ended = tc_client_state_is_final (trafficctl_props_get_string (props, "State"));

  if (g_strcmp0 (direction, "reverse") == 0)
    dirs[0] = "reverse";
  else if (g_strcmp0 (direction, "bidirectional") == 0)
    {
      dirs[0] = "forward";
      dirs[1] = "reverse";
    }
  else
    dirs[0] = "forward";

  for (guint i = 0; i < G_N_ELEMENTS (dirs) && dirs[i] != NULL; i++)
    {
      double rate;

      if (ended)
        {
          g_autoptr(GVariant) d = g_variant_lookup_value (result, dirs[i], G_VARIANT_TYPE_VARDICT);

          if (d == NULL)
            {
              g_ptr_array_add (parts, g_strdup ("-"));
              continue;
            }
          rate = trafficctl_props_get_double (d, "receiver_bits_per_second", 0);
          /* A stopped test may have only the sender's side. */
          if (rate <= 0)
            rate = trafficctl_props_get_double (d, "sender_bits_per_second", 0);
        }
      else
        rate = trafficctl_props_get_double (props, i == 0 && dirs[i][0] == 'f' ? "RateForward"
                                                                              : "RateReverse", 0);
      g_ptr_array_add (parts, tr_format_rate (rate));
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" / ", (char **) parts->pdata);
}

int
trafficctl_list (TrafficctlGlobals  *globals,
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
                                           _("List the tests the service holds: running ones and\n"
                                             "recently ended ones, oldest first. ROLE is “client” for a\n"
                                             "test started by a caller and “server” for one a managed\n"
                                             "server served (HOST is then the client's address)."),
                                           NULL);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return trafficctl_usage_error ("list", _("Unexpected argument “%s”"), argv[1]);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  paths = tc_client_list_tests_sync (client, NULL, &error);
  if (paths == NULL)
    return trafficctl_print_error (_("listing tests"), error);

  array = json_array_new ();
  table = trafficctl_table_new ("rlllllllr",
                                _("ID"), _("STATE"), _("ROLE"), _("OWNER"), _("HOST"), _("PROTO"),
                                _("DIR"), _("RATE"), _("STARTED"), NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(TrDBusTest) test = NULL;
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariant) options = NULL;
      g_autoptr(GError) test_error = NULL;

      test = tc_client_get_test_sync (client, paths[i], NULL, &test_error);
      if (test == NULL)
        {
          /* Removed since ListTests: not an error. */
          if (g_error_matches (test_error, TR_ERROR, TR_ERROR_NOT_FOUND))
            continue;
          return trafficctl_print_error (_("listing tests"), test_error);
        }
      props = tc_client_dup_test_properties (test);

      if (globals->json)
        {
          json_array_add_element (array, trafficctl_test_to_json (props, paths[i]));
        }
      else
        {
          g_autofree char *id = g_strdup_printf ("%u", tc_client_test_id_from_path (paths[i]));
          g_autofree char *owner = trafficctl_format_owner ((guint32) trafficctl_props_get_uint (props, "Owner"));
          g_autofree char *rate = format_rate_column (props);
          g_autofree char *started = trafficctl_format_time (trafficctl_props_get_uint (props, "StartTime"), TRUE);
          const char *role = trafficctl_props_get_string (props, "Role");

          options = trafficctl_props_dup_dict (props, "Options");
          trafficctl_table_add_row (table, id,
                                    trafficctl_props_get_string (props, "State"),
                                    *role != '\0' ? role : "-",
                                    owner,
                                    trafficctl_props_get_string (options, "host"),
                                    trafficctl_props_get_string (options, "protocol"),
                                    trafficctl_direction_short (trafficctl_props_get_string (options, "direction")),
                                    rate, started);
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
