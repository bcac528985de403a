/* trafficctl-export.c: "trafficctl export --csv|--json [-o FILE]": the
 * history's tests, or one test's samples, as the service writes them into a
 * file descriptor this process opens (the service never opens a path). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "tc-history.h"
#include "trafficctl-history.h"
#include "trafficctl-print.h"

int
trafficctl_export (TrafficctlGlobals *globals, int argc, char **argv)
{
  TrafficctlHistoryFilter f;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *filter_entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GVariant) options = NULL;
  g_autofree char *output = NULL;
  gboolean csv = FALSE, samples = FALSE, streams = FALSE;
  int exit_code = TRAFFICCTL_EXIT_OK;
  guint64 rows = 0;
  int fd = STDOUT_FILENO;
  GOptionGroup *group;
  GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("CSV (RFC 4180), units in the column names"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (default: standard output)"), N_("FILE") },
    { "samples", 0, 0, G_OPTION_ARG_NONE, &samples, N_("The samples of test ID instead of the list of tests"), NULL },
    { "streams", 0, 0, G_OPTION_ARG_NONE, &streams, N_("With --samples: each stream's samples too"), NULL },
    G_OPTION_ENTRY_NULL
  };

  trafficctl_history_filter_init (&f);
  context = trafficctl_option_context_new (globals, _("[ID --samples]"),
                                           _("Export the history as CSV (--csv) or JSON (--json): the tests\n"
                                             "the filters select, oldest first unless limited, or with\n"
                                             "--samples every sample of test ID. Rates are bits per second,\n"
                                             "amounts bytes, times µs since the epoch or seconds, as the\n"
                                             "column names say."),
                                           entries);
  filter_entries = trafficctl_history_filter_entries (&f, TRUE);
  group = g_option_group_new ("filters", _("Filters (without --samples):"), _("Select the tests"), NULL, NULL);
  g_option_group_add_entries (group, filter_entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, group);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    goto out;

  /* --json is the global option: here it chooses the format */
  if (csv == globals->json)
    {
      exit_code = trafficctl_usage_error ("export", _("Choose one format: --csv or --json"));
      goto out;
    }
  if (samples)
    {
      g_autofree char *path = NULL;
      GVariantDict d;

      if (argc != 2)
        {
          exit_code = trafficctl_usage_error ("export", argc < 2 ? _("--samples needs a test ID")
                                                                 : _("Only one ID, please"));
          goto out;
        }
      if (f.since || f.until || f.host || f.protocol || f.state || f.owner || f.label || f.role ||
          f.limit >= 0 || f.offset >= 0 || f.oldest)
        {
          exit_code = trafficctl_usage_error ("export", _("Filters select tests; with --samples give only an ID"));
          goto out;
        }
      path = tc_client_test_path_from_string (argv[1], &error);
      if (path == NULL)
        {
          exit_code = trafficctl_usage_error ("export", "%s", error->message);
          goto out;
        }
      g_variant_dict_init (&d, NULL);
      g_variant_dict_insert (&d, "test", "u", tc_client_test_id_from_path (path));
      if (streams)
        g_variant_dict_insert (&d, "streams", "b", TRUE);
      options = g_variant_ref_sink (g_variant_dict_end (&d));
    }
  else
    {
      if (argc > 1)
        {
          exit_code = trafficctl_usage_error ("export", _("An ID goes with --samples"));
          goto out;
        }
      if (streams)
        {
          exit_code = trafficctl_usage_error ("export", _("--streams goes with --samples"));
          goto out;
        }
      if (!f.oldest && f.limit < 0)
        f.oldest = TRUE;   /* a whole export reads best in time order */
      options = trafficctl_history_filter_build (&f, "export", &exit_code);
      if (options == NULL)
        goto out;
    }

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    goto out;
  if (output != NULL)
    {
      /* our own file, opened by us; the service only gets the descriptor */
      fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0)
        {
          int saved = errno;
          g_autofree char *what = g_strdup_printf (_("opening %s"), output);

          trafficctl_print_error_line (what, g_strerror (saved));
          exit_code = TRAFFICCTL_EXIT_ERROR;
          goto out;
        }
    }
  else
    fflush (stdout);
  if (!tc_history_export_sync (client, fd, csv ? "csv" : "json", options, &rows, NULL, &error))
    exit_code = trafficctl_print_error (_("exporting"), error);
  else if (output != NULL)
    fprintf (stderr, _("%" G_GUINT64_FORMAT " rows written to %s\n"), rows, output);
  if (output != NULL && close (fd) < 0 && exit_code == TRAFFICCTL_EXIT_OK)
    {
      trafficctl_print_error_line (output, g_strerror (errno));
      exit_code = TRAFFICCTL_EXIT_ERROR;
    }
out:
  trafficctl_history_filter_clear (&f);
  return exit_code;
}
