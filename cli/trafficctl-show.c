/* trafficctl-show.c: "trafficctl show ID": every property and the result. */
#include "config.h"

#include <glib/gi18n.h>

#include "trafficctl.h"
#include "trafficctl-history.h"
#include "trafficctl-print.h"

int
trafficctl_show (TrafficctlGlobals  *globals,
                 int                 argc,
                 char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(TrDBusTest) test = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;
  gboolean samples = FALSE, streams = FALSE;
  int max_points = 1000;
  GOptionEntry entries[] = {
    { "samples", 0, 0, G_OPTION_ARG_NONE, &samples,
      N_("Show the test's samples from the history (also for tests no longer on the bus)"), NULL },
    { "max-points", 0, 0, G_OPTION_ARG_INT, &max_points,
      N_("With --samples: merge into at most N points per direction, keeping peaks (default 1000; 0 every sample)"),
      N_("N") },
    { "streams", 0, 0, G_OPTION_ARG_NONE, &streams, N_("With --samples --max-points 0: each stream too"), NULL },
    G_OPTION_ENTRY_NULL
  };

  context = trafficctl_option_context_new (globals, _("ID"),
                                           _("Show all properties and the result of a test. ID is the\n"
                                             "test's number or its object path."),
                                           entries);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return trafficctl_usage_error ("show", argc < 2 ? _("ID is missing") : _("Only one ID, please"));
  if (samples)
    return trafficctl_history_show_samples (globals, argv[1], max_points, streams);

  path = tc_client_test_path_from_string (argv[1], &error);
  if (path == NULL)
    return trafficctl_usage_error ("show", "%s", error->message);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  what = g_strdup_printf (_("showing test %u"), tc_client_test_id_from_path (path));
  test = tc_client_get_test_sync (client, path, NULL, &error);
  if (test == NULL)
    return trafficctl_print_error (what, error);

  props = tc_client_dup_test_properties (test);
  if (globals->json)
    {
      g_autoptr(JsonNode) node = trafficctl_test_to_json (props, path);
      trafficctl_print_json (node, TRUE);
    }
  else
    trafficctl_print_details (props, path);

  return TRAFFICCTL_EXIT_OK;
}
