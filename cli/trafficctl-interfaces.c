/* trafficctl-interfaces.c: "trafficctl interfaces [--watch]" and
 * "trafficctl interfaces history IFACE --since 1h". */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "tc-history.h"
#include "tc-interfaces.h"
#include "tr-format.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

static char *
format_util (GVariant *sample)
{
  double util;

  if (!g_variant_lookup (sample, "utilisation", "d", &util))
    return g_strdup ("-");
  return g_strdup_printf ("%.1f%%", util * 100);
}

static int
list_interfaces (TrafficctlGlobals *globals, TcClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) list = tc_interfaces_list_sync (client, NULL, &error);
  g_autoptr(TrafficctlTable) table = NULL;
  GVariantIter iter;
  GVariant *item;

  if (list == NULL)
    return trafficctl_print_error (_("listing the interfaces"), error);
  if (globals->json)
    {
      g_autoptr(JsonNode) node = json_gvariant_serialize (list);

      trafficctl_print_json (node, FALSE);
      return TRAFFICCTL_EXIT_OK;
    }
  table = trafficctl_table_new ("lllrrrll", _("NAME"), _("TYPE"), _("STATE"), _("RX"), _("TX"), _("UTIL"),
                                _("ADDRESSES"), _("SOURCE"), NULL);
  g_variant_iter_init (&iter, list);
  while ((item = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autofree char *rx = tr_format_rate (trafficctl_props_get_double (item, "rx_bits_per_second", 0));
      g_autofree char *tx = tr_format_rate (trafficctl_props_get_double (item, "tx_bits_per_second", 0));
      g_autofree char *util = format_util (item);
      g_autofree const char **addresses = NULL;
      g_autofree char *joined = NULL;

      g_variant_lookup (item, "addresses", "^a&s", &addresses);
      joined = addresses ? g_strjoinv (",", (char **) addresses) : g_strdup ("");
      trafficctl_table_add_row (table, trafficctl_props_get_string (item, "name"),
                                trafficctl_props_get_string (item, "type"),
                                trafficctl_props_get_string (item, "state"), rx, tx, util, joined,
                                trafficctl_props_get_string (item, "source"));
      g_variant_unref (item);
    }
  trafficctl_table_print (table, stdout, "");
  return TRAFFICCTL_EXIT_OK;
}

typedef struct {
  TrafficctlGlobals *globals;
  GMainLoop         *loop;
  gboolean           all;
} WatchState;

static void
on_sampled (guint64 timestamp_us, double seconds, GVariant *total, GVariant *interfaces, gpointer user_data)
{
  WatchState *w = user_data;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (timestamp_us / G_USEC_PER_SEC);
  g_autofree char *when = g_date_time_format (dt, "%H:%M:%S");
  g_autofree char *trx = tr_format_rate (trafficctl_props_get_double (total, "rx_bits_per_second", 0));
  g_autofree char *ttx = tr_format_rate (trafficctl_props_get_double (total, "tx_bits_per_second", 0));
  GVariantIter iter;
  const char *path;
  GVariant *sample;

  if (w->globals->json)
    {
      g_autoptr(GVariant) all = g_variant_ref_sink (g_variant_new ("(td@a{sv}@a{oa{sv}})", timestamp_us, seconds,
                                                                   total, interfaces));
      g_autoptr(JsonNode) node = json_gvariant_serialize (all);

      trafficctl_print_json (node, FALSE);
      fflush (stdout);
      return;
    }
  g_print ("%s  %-16s rx %12s  tx %12s\n", when, _("total"), trx, ttx);
  g_variant_iter_init (&iter, interfaces);
  while (g_variant_iter_next (&iter, "{&o@a{sv}}", &path, &sample))
    {
      double rx = trafficctl_props_get_double (sample, "rx_bits_per_second", 0);
      double tx = trafficctl_props_get_double (sample, "tx_bits_per_second", 0);

      if (w->all || rx > 0 || tx > 0)
        {
          g_autofree char *r = tr_format_rate (rx);
          g_autofree char *t = tr_format_rate (tx);
          g_autofree char *util = format_util (sample);

          g_print ("%s  %-16s rx %12s  tx %12s  %s\n", when, trafficctl_props_get_string (sample, "name"), r, t, util);
        }
      g_variant_unref (sample);
    }
  fflush (stdout);
}

static gboolean
on_interrupt (gpointer user_data)
{
  g_main_loop_quit (((WatchState *) user_data)->loop);
  return G_SOURCE_CONTINUE;
}

static int
watch_interfaces (TrafficctlGlobals *globals, TcClient *client, gboolean all)
{
  WatchState w = { globals, g_main_loop_new (NULL, FALSE), all };
  guint id = tc_interfaces_watch (client, on_sampled, &w);
  guint sigint = g_unix_signal_add (SIGINT, on_interrupt, &w);
  guint sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &w);

  g_main_loop_run (w.loop);
  tc_interfaces_unwatch (client, id);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_main_loop_unref (w.loop);
  return TRAFFICCTL_EXIT_OK;
}

static int
show_history (TrafficctlGlobals *globals, TcClient *client, const char *name, const char *since_text,
              const char *until_text, int points)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) list = NULL;
  g_autoptr(TrafficctlTable) table = NULL;
  gint64 since = 0, until = 0;
  guint resolution = 0;
  GVariantIter iter;
  GVariant *p;

  if (!tc_history_parse_time (since_text ? since_text : "1h", &since, &error) ||
      (until_text != NULL && !tc_history_parse_time (until_text, &until, &error)))
    return trafficctl_usage_error ("interfaces history", "%s", error->message);
  if (points < 1 || points > 100000)
    return trafficctl_usage_error ("interfaces history", _("--points must be from 1 to 100000"));
  list = tc_interfaces_get_history_sync (client, name, (guint64) MAX (since, 0), (guint64) MAX (until, 0),
                                        (guint) points, &resolution, NULL, &error);
  if (list == NULL)
    return trafficctl_print_error (_("reading the interface history"), error);
  if (globals->json)
    {
      g_autoptr(JsonNode) node = json_gvariant_serialize (list);

      trafficctl_print_json (node, FALSE);
      return TRAFFICCTL_EXIT_OK;
    }
  if (g_variant_n_children (list) == 0)
    {
      g_print (_("No samples of %s in that time.\n"), name);
      return TRAFFICCTL_EXIT_OK;
    }
  table = trafficctl_table_new ("lrrrrrrr", _("TIME"), _("SECONDS"), _("RX AVG"), _("RX MAX"), _("RX P95"),
                                _("TX AVG"), _("TX MAX"), _("TX P95"), NULL);
  g_variant_iter_init (&iter, list);
  while ((p = g_variant_iter_next_value (&iter)) != NULL)
    {
      guint64 ts;
      double seconds, r[8];
      guint32 samples;

      g_variant_get (p, "(tdudddddddd)", &ts, &seconds, &samples, &r[0], &r[1], &r[2], &r[3], &r[4], &r[5],
                     &r[6], &r[7]);
      {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local ((gint64) (ts / G_USEC_PER_SEC));
        g_autofree char *when = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
        g_autofree char *secs = g_strdup_printf ("%.0f", seconds);
        g_autofree char *ra = tr_format_rate (r[0]);
        g_autofree char *rm = tr_format_rate (r[2]);
        g_autofree char *rp = tr_format_rate (r[3]);
        g_autofree char *ta = tr_format_rate (r[4]);
        g_autofree char *tm = tr_format_rate (r[6]);
        g_autofree char *tp = tr_format_rate (r[7]);

        trafficctl_table_add_row (table, when, secs, ra, rm, rp, ta, tm, tp);
      }
      g_variant_unref (p);
    }
  g_print (_("%s: %zu points from %u s buckets\n"), name, g_variant_n_children (list), resolution);
  trafficctl_table_print (table, stdout, "");
  return TRAFFICCTL_EXIT_OK;
}

int
trafficctl_interfaces (TrafficctlGlobals *globals, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  gboolean watch = FALSE, all = FALSE;
  int points = 60, exit_code = TRAFFICCTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "watch", 'w', 0, G_OPTION_ARG_NONE, &watch, N_("Print every interface's rates every tick until interrupted"), NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("With --watch: idle interfaces too"), NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("history: start (\"1h\", \"7d\", a date; default 1h)"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("history: end (default now)"), N_("TIME") },
    { "points", 0, 0, G_OPTION_ARG_INT, &points, N_("history: at most this many points (default 60)"), "N" },
    { NULL }
  };

  context = trafficctl_option_context_new (globals, N_("[history IFACE]"),
                                           _("Every network interface with its current rates; with --watch,\n"
                                             "live rates every tick; \"history IFACE\" its past rates with\n"
                                             "their peaks (max, p95)."),
                                           entries);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1 && strcmp (argv[1], "history") != 0)
    return trafficctl_usage_error ("interfaces", _("Unexpected argument “%s”"), argv[1]);
  if (argc > 1 && argc != 3)
    return trafficctl_usage_error ("interfaces", _("history needs one interface name"));

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;
  if (argc == 3)
    return show_history (globals, client, argv[2], since, until, points);
  if (watch)
    return watch_interfaces (globals, client, all);
  return list_interfaces (globals, client);
}
