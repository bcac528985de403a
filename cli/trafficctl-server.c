/* trafficctl-server.c: "trafficctl server SUBCOMMAND": managed iperf3
 * servers. Dispatches to trafficctl-server-{start,list,show,stop}.c. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "trafficctl.h"
#include "trafficctl-print.h"

typedef struct {
  const char           *name;
  const char           *parameters;
  const char           *summary;
  TrafficctlCommandFunc func;
} ServerCommand;

static const ServerCommand server_commands[] = {
  { "start", "",       N_("Start a server (prints its id, port and path)"), trafficctl_server_start },
  { "list",  "",       N_("List the managed servers"),                       trafficctl_server_list },
  { "show",  N_("ID"), N_("Show all properties and the last result of a server"), trafficctl_server_show },
  { "stop",  N_("ID"), N_("Stop a server"),                                  trafficctl_server_stop },
};

static char *
server_commands_summary (void)
{
  GString *s = g_string_new (_("Managed iperf3 servers: the service runs them, each on its own\n"
                               "port, and every test they serve becomes a test object with\n"
                               "the role “server”.\n\nSubcommands:"));

  for (guint i = 0; i < G_N_ELEMENTS (server_commands); i++)
    {
      g_autofree char *call = g_strdup_printf ("%s %s", server_commands[i].name,
                                               server_commands[i].parameters[0] != '\0'
                                               ? _(server_commands[i].parameters) : "");

      g_string_append_printf (s, "\n  %-10s %s", call, _(server_commands[i].summary));
    }
  g_string_append (s, "\n\n");
  g_string_append (s, _("Run “trafficctl server SUBCOMMAND --help” for its options."));
  return g_string_free (s, FALSE);
}

int
trafficctl_server (TrafficctlGlobals  *globals,
                   int                 argc,
                   char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *summary = server_commands_summary ();
  g_autofree char *prgname = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, _("SUBCOMMAND [OPTION…]"), summary, NULL);
  /* Stop at the subcommand: what follows is its own. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fputs (help, stderr);
      return TRAFFICCTL_EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (server_commands); i++)
    if (strcmp (server_commands[i].name, argv[1]) == 0)
      {
        prgname = g_strdup_printf ("trafficctl server %s", server_commands[i].name);
        g_set_prgname (prgname);
        return server_commands[i].func (globals, argc - 1, argv + 1);
      }

  return trafficctl_usage_error ("server",
                                 _("Unknown subcommand “%s” (see “trafficctl server --help”)"),
                                 argv[1]);
}
