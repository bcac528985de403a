/* trafficctl.c: the command table, global options and main(). */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "trafficctl.h"
#include "trafficctl-polkit.h"
#include "trafficctl-print.h"

typedef struct {
  const char           *name;
  const char           *parameters;
  const char           *summary;
  TrafficctlCommandFunc func;
} TrafficctlCommand;

static const TrafficctlCommand commands[] = {
  { "run",    N_("[HOST]"), N_("Run a test against an iperf3 server and show its progress"), trafficctl_run },
  { "list",   "",         N_("List the tests the service holds"),                       trafficctl_list },
  { "show",   N_("ID"),   N_("Show all properties and the result of a test"),            trafficctl_show },
  { "stop",   N_("ID"),   N_("Stop a running test"),                                     trafficctl_stop },
  { "watch",  N_("ID"),   N_("Follow a running test until it ends, then show its result"), trafficctl_watch },
  { "status", "",         N_("Show the service's version, limits and running tests"),     trafficctl_status },
  { "ps",     "",         N_("List the helper processes: running tests and servers"),     trafficctl_ps },
  { "queue",  "",         N_("Show the tests waiting in the queue, in order"),            trafficctl_queue },
  { "server", N_("SUBCOMMAND"), N_("Managed iperf3 servers: start, list, show, stop"), trafficctl_server },
  { "history", "",        N_("List the tests kept in the history, or their trends"),      trafficctl_history },
  { "export", N_("--csv|--json"), N_("Export the history, or a test's samples, as CSV or JSON"), trafficctl_export },
  { "interfaces", N_("[--watch|history IFACE]"), N_("Network interfaces and their rates: live, or their history"), trafficctl_interfaces },
};

const char *
trafficctl_exit_codes_help (void)
{
  return _("Exit status:\n"
           "  0  success\n"
           "  1  the test failed or was stopped (not when a “run -t 0” test\n"
           "     is stopped with Ctrl-C by this trafficctl: that is success)\n"
           "  2  usage error, also an option the service rejects\n"
           "  3  the service cannot be reached (no bus, not running, timeout)\n"
           "  4  access denied\n"
           "  5  no such test or server\n"
           "  6  any other error (e.g. TooManyTests, PortInUse, LimitExceeded)");
}

static GOptionEntry *
global_entries (TrafficctlGlobals *globals)
{
  GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, &globals->session,
      N_("Talk to a service on the session bus (trafficd --session)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &globals->json,
      N_("Print JSON instead of text"), NULL },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

GOptionContext *
trafficctl_option_context_new (TrafficctlGlobals  *globals,
                               const char         *parameter_string,
                               const char         *summary,
                               const GOptionEntry *entries)
{
  g_autofree GOptionEntry *globals_entries = global_entries (globals);
  GOptionContext *context;

  context = g_option_context_new (parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* The global options work after the command too: "trafficctl list --json". */
  g_option_context_add_main_entries (context, globals_entries, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, trafficctl_exit_codes_help ());
  return context;
}

int
trafficctl_usage_error (const char *command,
                        const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  trafficctl_print_error_line (command, message);
  return TRAFFICCTL_EXIT_USAGE;
}

gboolean
trafficctl_parse_options (GOptionContext   *context,
                          int              *argc,
                          char           ***argv,
                          int              *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      const char *command = g_get_prgname ();

      /* prgname is "trafficctl COMMAND"; the prefix is printed anyway. */
      if (g_str_has_prefix (command, "trafficctl "))
        command += strlen ("trafficctl ");
      *exit_code = trafficctl_usage_error (command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
trafficctl_dict_add_uint (GVariantDict  *dict,
                          const char    *key,
                          const char    *text,
                          const char    *option,
                          guint          base,
                          guint32        max,
                          GError       **error)
{
  g_autofree char *stripped = NULL;
  guint64 value;

  if (text == NULL)
    return TRUE;
  stripped = g_strstrip (g_strdup (text));
  if (!g_ascii_string_to_unsigned (stripped, base, 0, max, &value, NULL))
    {
      if (max == G_MAXUINT32)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("Invalid value “%s” for %s: expected a whole number"), text, option);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("Invalid value “%s” for %s: expected a whole number from 0 to %u"),
                     text, option, max);
      return FALSE;
    }
  g_variant_dict_insert (dict, key, "u", (guint32) value);
  return TRUE;
}

gboolean
trafficctl_dict_add_seconds (GVariantDict  *dict,
                             const char    *key,
                             const char    *text,
                             const char    *option,
                             GError       **error)
{
  char *end = NULL;
  double value;

  if (text == NULL)
    return TRUE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(value >= 0) || value > 1e9)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected a number of seconds"), text, option);
      return FALSE;
    }
  g_variant_dict_insert (dict, key, "d", value);
  return TRUE;
}

TcClient *
trafficctl_connect (TrafficctlGlobals *globals,
                    int               *exit_code)
{
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GError) error = NULL;

  client = tc_client_new_sync (globals->session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM,
                               NULL, &error);
  if (client == NULL || !tc_client_check_service (client, &error))
    {
      *exit_code = trafficctl_print_error (_("connecting to the service"), error);
      return NULL;
    }
  trafficctl_polkit_agent_setup (tc_client_get_connection (client), globals->session);
  return g_steal_pointer (&client);
}

static char *
commands_summary (void)
{
  GString *s = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *call = g_strdup_printf ("%s %s", commands[i].name,
                                               commands[i].parameters[0] != '\0'
                                               ? _(commands[i].parameters) : "");

      g_string_append_printf (s, "\n  %-18s %s", call, _(commands[i].summary));
    }
  g_string_append_printf (s, "\n  %-18s %s", _("help COMMAND"), _("Show the options of a command"));
  g_string_append (s, "\n\n");
  g_string_append (s, _("Run “trafficctl COMMAND --help” for the options of a command."));
  return g_string_free (s, FALSE);
}

static const TrafficctlCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  TrafficctlGlobals globals = { FALSE, FALSE };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *prgname = NULL;
  g_autoptr(GError) error = NULL;
  const TrafficctlCommand *command;
  gboolean help_requested = FALSE;

  setlocale (LC_ALL, "");
  textdomain (GETTEXT_PACKAGE);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_set_prgname ("trafficctl");

  entries = global_entries (&globals);
  summary = commands_summary ();
  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Stop at the command: what follows is the command's. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, trafficctl_exit_codes_help ());

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return trafficctl_usage_error (NULL, "%s", error->message);

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fputs (help, stderr);
      return TRAFFICCTL_EXIT_USAGE;
    }

  /* "trafficctl help [COMMAND]" */
  if (strcmp (argv[1], "help") == 0)
    {
      if (argc < 3)
        {
          g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

          fputs (help, stdout);
          return TRAFFICCTL_EXIT_OK;
        }
      /* "help server start" is "server start --help". */
      help_requested = TRUE;
      argv++;
      argc--;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    return trafficctl_usage_error (NULL,
                                   _("Unknown command “%s” (see “trafficctl --help”)"),
                                   argv[1]);

  prgname = g_strdup_printf ("trafficctl %s", command->name);
  g_set_prgname (prgname);

  if (help_requested)
    {
      /* The command and its subcommands (no options), then --help. */
      g_autoptr(GPtrArray) help_argv = g_ptr_array_new ();

      for (int i = 1; i < argc && (i == 1 || argv[i][0] != '-'); i++)
        g_ptr_array_add (help_argv, argv[i]);
      g_ptr_array_add (help_argv, (char *) "--help");
      g_ptr_array_add (help_argv, NULL);
      return command->func (&globals, (int) help_argv->len - 1, (char **) help_argv->pdata);
    }

  return command->func (&globals, argc - 1, argv + 1);
}
