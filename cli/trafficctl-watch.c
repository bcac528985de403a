/* trafficctl-watch.c: "trafficctl watch ID": follow a test someone started. */
#include "config.h"

#include <glib/gi18n.h>

#include "trafficctl.h"
#include "trafficctl-follow.h"
#include "trafficctl-print.h"

int
trafficctl_watch (TrafficctlGlobals  *globals,
                  int                 argc,
                  char              **argv)
{
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Also show the test's informational log lines"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(TcTestWatch) watch = NULL;
  g_autoptr(TrafficctlFollow) follow = NULL;
  g_autofree char *path = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, _("ID"),
                                           _("Follow a running test until it ends, then show its result;\n"
                                             "for an ended test, show the result. Ctrl-C stops following,\n"
                                             "the test goes on. ID is the test's number or object path."),
                                           entries);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return trafficctl_usage_error ("watch", argc < 2 ? _("ID is missing") : _("Only one ID, please"));

  path = tc_client_test_path_from_string (argv[1], &error);
  if (path == NULL)
    return trafficctl_usage_error ("watch", "%s", error->message);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  watch = tc_test_watch_new (client, &error);
  if (watch == NULL)
    return trafficctl_print_error (_("connecting to the service"), error);

  follow = trafficctl_follow_new (globals, client, watch,
                                  verbose ? TRAFFICCTL_FOLLOW_VERBOSE : TRAFFICCTL_FOLLOW_NONE);
  trafficctl_follow_set_path (follow, path);
  return trafficctl_follow_run (follow);
}
