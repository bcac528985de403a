/* trafficctl-history.c: "trafficctl history": the tests the service keeps
 * (a table, or trends with --trends), and "show ID --samples". */
#include "config.h"

#include <glib/gi18n.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "tc-history.h"
#include "tr-format.h"
#include "trafficctl-history.h"
#include "trafficctl-link.h"
#include "trafficctl-print.h"

/* ---- filters ---- */

void
trafficctl_history_filter_init (TrafficctlHistoryFilter *f)
{
  memset (f, 0, sizeof *f);
  f->limit = -1;
  f->offset = -1;
}

void
trafficctl_history_filter_clear (TrafficctlHistoryFilter *f)
{
  g_free (f->since);
  g_free (f->until);
  g_free (f->host);
  g_free (f->protocol);
  g_free (f->state);
  g_free (f->owner);
  g_free (f->label);
  g_free (f->role);
}

GOptionEntry *
trafficctl_history_filter_entries (TrafficctlHistoryFilter *f, gboolean paging)
{
  GOptionEntry entries[] = {
    { "since", 0, 0, G_OPTION_ARG_STRING, &f->since,
      N_("Tests started at or after TIME (2024-05-01, 2024-05-01T12:00, today, 7d for 7 days ago)"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &f->until, N_("Tests started before TIME"), N_("TIME") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &f->host, N_("Tests against HOST (as given)"), N_("HOST") },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &f->protocol, N_("tcp or udp"), N_("PROTOCOL") },
    { "state", 0, 0, G_OPTION_ARG_STRING, &f->state,
      N_("finished, failed, stopped, interrupted, running, …"), N_("STATE") },
    { "owner", 0, 0, G_OPTION_ARG_STRING, &f->owner, N_("Tests of USER (name or uid)"), N_("USER") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &f->label, N_("Tests with this label"), N_("LABEL") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &f->role, N_("client or server"), N_("ROLE") },
    G_OPTION_ENTRY_NULL,
    { "limit", 'n', 0, G_OPTION_ARG_INT, &f->limit, N_("At most N tests (default 100 for the table)"), N_("N") },
    { "offset", 0, 0, G_OPTION_ARG_INT, &f->offset, N_("Skip the first N tests"), N_("N") },
    { "oldest", 0, 0, G_OPTION_ARG_NONE, &f->oldest, N_("Oldest first (default: newest first)"), NULL },
    G_OPTION_ENTRY_NULL
  };

  if (paging)
    {
      /* drop the terminator in the middle */
      GOptionEntry *all = g_new0 (GOptionEntry, G_N_ELEMENTS (entries) - 1);

      memcpy (all, entries, 8 * sizeof (GOptionEntry));
      memcpy (all + 8, entries + 9, 4 * sizeof (GOptionEntry));
      return all;
    }
  return g_memdup2 (entries, 9 * sizeof (GOptionEntry));
}

static gboolean
add_time (GVariantDict *d, const char *key, const char *text, GError **error)
{
  gint64 usec;

  if (text == NULL)
    return TRUE;
  if (!tc_history_parse_time (text, &usec, error))
    {
      g_prefix_error (error, "--%s: ", key);
      return FALSE;
    }
  g_variant_dict_insert (d, key, "t", (guint64) MAX (usec, 0));
  return TRUE;
}

static gboolean
add_owner (GVariantDict *d, const char *text, GError **error)
{
  char *end = NULL;
  guint64 uid;

  if (text == NULL)
    return TRUE;
  uid = g_ascii_strtoull (text, &end, 10);
  if (end == text || *end != '\0')
    {
      struct passwd *pw = getpwnam (text);

      if (pw == NULL)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "--owner: no user “%s”", text);
          return FALSE;
        }
      uid = pw->pw_uid;
    }
  if (uid > G_MAXUINT32)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "--owner: %s is not a uid", text);
      return FALSE;
    }
  g_variant_dict_insert (d, "owner", "u", (guint32) uid);
  return TRUE;
}

GVariant *
trafficctl_history_filter_build (TrafficctlHistoryFilter *f, const char *command, int *exit_code)
{
  g_autoptr(GError) error = NULL;
  GVariantDict d;
  const struct { const char *key; const char *value; } strings[] = {
    { "host", f->host }, { "protocol", f->protocol }, { "state", f->state }, { "label", f->label },
    { "role", f->role },
  };

  g_variant_dict_init (&d, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i].value != NULL)
      g_variant_dict_insert (&d, strings[i].key, "s", strings[i].value);
  if (!add_time (&d, "since", f->since, &error) || !add_time (&d, "until", f->until, &error) ||
      !add_owner (&d, f->owner, &error))
    {
      g_variant_dict_clear (&d);
      *exit_code = trafficctl_usage_error (command, "%s", error->message);
      return NULL;
    }
  if (f->limit == 0 || f->limit < -1 || f->offset < -1)
    {
      g_variant_dict_clear (&d);
      *exit_code = trafficctl_usage_error (command, _("--limit must be at least 1 and --offset at least 0"));
      return NULL;
    }
  if (f->limit > 0)
    g_variant_dict_insert (&d, "limit", "u", (guint32) f->limit);
  if (f->offset > 0)
    g_variant_dict_insert (&d, "offset", "u", (guint32) f->offset);
  if (f->oldest)
    g_variant_dict_insert (&d, "order", "s", "oldest");
  return g_variant_ref_sink (g_variant_dict_end (&d));
}

/* ---- printing ---- */

static const char *
row_string (GVariant *row, const char *key)
{
  const char *s = NULL;

  return g_variant_lookup (row, key, "&s", &s) ? s : "";
}

static double
row_double (GVariant *row, const char *key)
{
  double d = -1;

  return g_variant_lookup (row, key, "d", &d) ? d : -1;
}

static guint64
row_u64 (GVariant *row, const char *key)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (row, key, NULL);

  if (v == NULL)
    return 0;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    return g_variant_get_uint64 (v);
  return 0;
}

/* A direction's received rate (or sent, when nothing was received). */
static char *
direction_rate (GVariant *row, const char *direction)
{
  g_autofree char *receiver = g_strdup_printf ("%s_receiver_bits_per_second", direction);
  g_autofree char *sender = g_strdup_printf ("%s_sender_bits_per_second", direction);
  double rate = row_double (row, receiver);

  if (rate < 0)
    rate = row_double (row, sender);
  return rate < 0 ? NULL : tr_format_rate (rate);
}

static char *
rate_column (GVariant *row)
{
  g_autofree char *forward = direction_rate (row, "forward");
  g_autofree char *reverse = direction_rate (row, "reverse");

  if (forward != NULL && reverse != NULL)
    return g_strdup_printf ("%s / %s", forward, reverse);
  if (forward != NULL || reverse != NULL)
    return g_strdup (forward ? forward : reverse);
  return g_strdup ("-");
}

static void
print_json (GVariant *value)
{
  g_autoptr(JsonNode) node = json_gvariant_serialize (value);

  trafficctl_print_json (node, TRUE);
}

static void
print_tests (GVariant *rows, guint total, guint offset)
{
  g_autoptr(TrafficctlTable) table = trafficctl_table_new ("rlllllrrl", _("ID"), _("STARTED"), _("STATE"),
                                                           _("HOST"), _("PROTO"), _("DIR"), _("STREAMS"),
                                                           _("RATE"), _("LABEL"), NULL);
  gsize n = g_variant_n_children (rows);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) row = g_variant_get_child_value (rows, i);
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, row_u64 (row, "id"));
      g_autofree char *started = trafficctl_format_time (row_u64 (row, "start_time_us"), TRUE);
      g_autofree char *streams = g_strdup_printf ("%" G_GUINT64_FORMAT, row_u64 (row, "streams"));
      g_autofree char *rate = rate_column (row);

      trafficctl_table_add_row (table, id, started, row_string (row, "state"), row_string (row, "host"),
                                row_string (row, "protocol"),
                                trafficctl_direction_short (row_string (row, "direction")), streams, rate,
                                row_string (row, "label"));
    }
  trafficctl_table_print (table, stdout, "");
  if (n == 0)
    printf (_("No test in the history matches.\n"));
  else if (n < total)
    printf (_("%u–%u of %u tests (see --limit and --offset)\n"), offset + 1, offset + (guint) n, total);
}

static void
print_trends (GVariant *buckets, gboolean by_label)
{
  g_autoptr(TrafficctlTable) table = trafficctl_table_new ("llrrrrr", by_label ? _("LABEL") : _("HOST"),
                                                           _("FROM"), _("TESTS"), _("MEDIAN"), _("P95"),
                                                           _("MIN"), _("MAX"), NULL);

  for (gsize i = 0; i < g_variant_n_children (buckets); i++)
    {
      g_autoptr(GVariant) b = g_variant_get_child_value (buckets, i);
      g_autofree char *from = trafficctl_format_time (row_u64 (b, "bucket_start_us"), FALSE);
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, row_u64 (b, "count"));
      g_autofree char *median = tr_format_rate (row_double (b, "median_bits_per_second"));
      g_autofree char *p95 = tr_format_rate (row_double (b, "p95_bits_per_second"));
      g_autofree char *min = tr_format_rate (row_double (b, "min_bits_per_second"));
      g_autofree char *max = tr_format_rate (row_double (b, "max_bits_per_second"));

      trafficctl_table_add_row (table, row_string (b, by_label ? "label" : "host"), from, count, median, p95,
                                min, max);
    }
  trafficctl_table_print (table, stdout, "");
  if (g_variant_n_children (buckets) == 0)
    printf (_("No finished test matches.\n"));
}

/* "90s", "30m", "2h", "1d", "1w" in seconds. */
static gboolean
parse_bucket (const char *text, guint *seconds)
{
  static const struct { char unit; guint s; } units[] = {
    { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
  };
  char *end = NULL;
  guint64 n = g_ascii_strtoull (text, &end, 10);

  if (end == text || end[0] == '\0' || end[1] != '\0' || n == 0 || n > 1000000)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (units[i].unit == end[0] && n * units[i].s <= G_MAXUINT32)
      {
        *seconds = (guint) (n * units[i].s);
        return TRUE;
      }
  return FALSE;
}

int
trafficctl_history (TrafficctlGlobals *globals, int argc, char **argv)
{
  TrafficctlHistoryFilter f;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GVariant) filter = NULL;
  g_autoptr(GVariant) rows = NULL;
  g_autofree char *by = NULL;
  g_autofree char *bucket = NULL;
  gboolean trends = FALSE;
  int exit_code = TRAFFICCTL_EXIT_OK;
  guint total = 0;
  GOptionGroup *trend_group;
  GOptionEntry trend_entries[] = {
    { "trends", 0, 0, G_OPTION_ARG_NONE, &trends,
      N_("Median, 95th percentile, min and max rate per host (or label) and period, of finished tests"), NULL },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("With --trends: group by host (default) or label"), N_("host|label") },
    { "period", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("With --trends: period length (default 1d; 1h, 30m, 1w)"),
      N_("LENGTH") },
    G_OPTION_ENTRY_NULL
  };

  trafficctl_history_filter_init (&f);
  entries = trafficctl_history_filter_entries (&f, TRUE);
  context = trafficctl_option_context_new (globals, NULL,
                                           _("List the tests the service keeps in its history, newest\n"
                                             "first: every test ever run, ended or not, with its result.\n"
                                             "Filters combine; TIME is a date, a date and time, “today”\n"
                                             "or a duration ago (7d)."),
                                           entries);
  trend_group = g_option_group_new ("trends", _("Trends:"), _("Show trends instead of tests"), NULL, NULL);
  g_option_group_add_entries (trend_group, trend_entries);
  g_option_group_set_translation_domain (trend_group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, trend_group);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    {
      trafficctl_history_filter_clear (&f);
      return exit_code;
    }
  if (argc > 1)
    {
      trafficctl_history_filter_clear (&f);
      return trafficctl_usage_error ("history", _("Unexpected argument “%s”"), argv[1]);
    }
  filter = trafficctl_history_filter_build (&f, "history", &exit_code);
  if (filter != NULL && trends)
    {
      GVariantDict d;
      guint seconds = 86400;

      if (f.limit >= 0 || f.offset >= 0 || f.oldest)
        exit_code = trafficctl_usage_error ("history", _("--trends takes no --limit, --offset or --oldest"));
      else if (by != NULL && g_strcmp0 (by, "host") != 0 && g_strcmp0 (by, "label") != 0)
        exit_code = trafficctl_usage_error ("history", _("--by is host or label, not “%s”"), by);
      else if (bucket != NULL && (!parse_bucket (bucket, &seconds) || seconds < 60))
        exit_code = trafficctl_usage_error ("history", _("--period is a length of at least 1m such as 1h or 1d, "
                                                         "not “%s”"), bucket);
      if (exit_code != TRAFFICCTL_EXIT_OK)
        g_clear_pointer (&filter, g_variant_unref);
      else
        {
          g_variant_dict_init (&d, filter);
          g_variant_dict_insert (&d, "group_by", "s", by ? by : "host");
          g_variant_dict_insert (&d, "bucket_seconds", "u", seconds);
          g_variant_unref (filter);
          filter = g_variant_ref_sink (g_variant_dict_end (&d));
        }
    }
  trafficctl_history_filter_clear (&f);
  if (filter == NULL)
    return exit_code;

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  if (trends)
    {
      g_autoptr(GVariant) buckets = tc_history_get_trends_sync (client, filter, NULL, &error);

      if (buckets == NULL)
        return trafficctl_print_error (_("reading trends"), error);
      if (globals->json)
        print_json (buckets);
      else
        print_trends (buckets, g_strcmp0 (by, "label") == 0);
      return TRAFFICCTL_EXIT_OK;
    }

  rows = tc_history_list_tests_sync (client, filter, &total, NULL, &error);
  if (rows == NULL)
    return trafficctl_print_error (_("reading the history"), error);
  if (globals->json)
    {
      GVariantDict d;

      g_variant_dict_init (&d, NULL);
      g_variant_dict_insert_value (&d, "tests", rows);
      g_variant_dict_insert (&d, "total", "u", total);
      print_json (g_variant_dict_end (&d));
    }
  else
    {
      guint32 offset = 0;

      g_variant_lookup (filter, "offset", "u", &offset);
      print_tests (rows, total, offset);
    }
  return TRAFFICCTL_EXIT_OK;
}

/* ---- show ID --samples ---- */

/* The LINK cell of sample @s: the rate of the test's interface over the
 * same time, in the direction the data took through this host. */
static char *
link_cell (const TrafficctlLink *link, GVariant *test, GVariant *s)
{
  gint64 end = (gint64) row_u64 (s, "timestamp_us");
  double span = row_double (s, "end_seconds") - row_double (s, "start_seconds");
  gboolean forward = g_strcmp0 (row_string (s, "direction"), "reverse") != 0;
  gboolean server = g_strcmp0 (row_string (test, "role"), "server") == 0;
  char *rate;

  if (end <= 0 || span <= 0)
    return g_strdup ("-");
  /* a client sends its forward data, a server receives it */
  rate = trafficctl_link_format_rate (link, end - (gint64) (span * G_USEC_PER_SEC), end, forward != server);
  return rate != NULL ? rate : g_strdup ("-");
}

static void
print_samples (GVariant *test, GVariant *samples, gboolean merged, const TrafficctlLink *link)
{
  g_autoptr(TrafficctlTable) table = NULL;
  g_autofree char *started = trafficctl_format_time (row_u64 (test, "start_time_us"), FALSE);
  gboolean udp = g_strcmp0 (row_string (test, "protocol"), "udp") == 0;

  printf (_("Test %" G_GUINT64_FORMAT ": %s, %s %s to %s port %" G_GUINT64_FORMAT ", started %s%s%s\n"),
          row_u64 (test, "id"), row_string (test, "state"), row_string (test, "protocol"),
          row_string (test, "direction"), row_string (test, "host"), row_u64 (test, "port"), started,
          *row_string (test, "label") ? _(", label ") : "", row_string (test, "label"));
  if (link != NULL)
    printf (_("LINK: %s, the interface the test used, over the same time (tx for data sent, rx for received)\n"),
            link->name);
  /* the LINK column is the last: without a link the tables have one column
   * less, and the extra header and cell passed are not read */
  if (merged)
    table = trafficctl_table_new (link ? "rllrrrrrr" : "rllrrrrr", _("SAMPLES"), _("INTERVAL"), _("DIR"),
                                  _("RATE"), _("MIN"), _("MAX"), _("BYTES"), udp ? _("LOST") : _("RETR"),
                                  _("LINK"), NULL);
  else
    table = trafficctl_table_new (link ? "rllrrrr" : "rllrrr", _("STREAM"), _("INTERVAL"), _("DIR"), _("RATE"),
                                  _("BYTES"), udp ? _("LOST") : _("RETR"), _("LINK"), NULL);
  for (gsize i = 0; i < g_variant_n_children (samples); i++)
    {
      g_autoptr(GVariant) s = g_variant_get_child_value (samples, i);
      g_autofree char *interval = g_strdup_printf ("%.2f-%.2f s", row_double (s, "start_seconds"),
                                                   row_double (s, "end_seconds"));
      g_autofree char *rate = tr_format_rate (row_double (s, "bits_per_second"));
      g_autofree char *bytes = tr_format_bytes (row_u64 (s, "bytes"));
      g_autofree char *extra = NULL;
      g_autofree char *on_link = NULL;
      gint64 retransmits;
      gint32 stream = -1;
      guint64 lost = row_u64 (s, "lost_packets");

      if (udp)
        extra = g_variant_lookup_value (s, "lost_packets", NULL) ? g_strdup_printf ("%" G_GUINT64_FORMAT, lost)
                                                                 : g_strdup ("-");
      else
        extra = g_variant_lookup (s, "retransmits", "x", &retransmits)
                  ? g_strdup_printf ("%" G_GINT64_FORMAT, retransmits) : g_strdup ("-");
      g_variant_lookup (s, "stream", "i", &stream);
      /* per stream, the link's rate would be compared with a part */
      if (link != NULL && stream < 0)
        on_link = link_cell (link, test, s);
      if (merged)
        {
          g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, row_u64 (s, "samples"));
          g_autofree char *min = tr_format_rate (row_double (s, "min_bits_per_second"));
          g_autofree char *max = tr_format_rate (row_double (s, "max_bits_per_second"));

          trafficctl_table_add_row (table, count, interval, trafficctl_direction_short (row_string (s, "direction")),
                                    rate, min, max, bytes, extra, on_link);
        }
      else
        {
          g_autofree char *which = stream < 0 ? g_strdup (_("all")) : g_strdup_printf ("%d", stream);

          trafficctl_table_add_row (table, which, interval, trafficctl_direction_short (row_string (s, "direction")),
                                    rate, bytes, extra, on_link);
        }
    }
  trafficctl_table_print (table, stdout, "");
  if (g_variant_n_children (samples) == 0)
    printf (_("No sample stored (the test sent no interval, or retention removed them).\n"));
}

int
trafficctl_history_show_samples (TrafficctlGlobals *globals, const char *id_text, int max_points, gboolean streams)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GVariant) test = NULL;
  g_autoptr(GVariant) samples = NULL;
  g_autofree char *path = tc_client_test_path_from_string (id_text, &error);
  g_autofree char *what = NULL;
  g_autoptr(TrafficctlLink) link = NULL;
  int exit_code = TRAFFICCTL_EXIT_OK;
  GVariantDict options;
  guint id;

  if (path == NULL)
    return trafficctl_usage_error ("show", "%s", error->message);
  if (max_points < 0 || max_points > 100000)
    return trafficctl_usage_error ("show", _("--max-points must be from 0 (every sample) to 100000"));
  if (streams && max_points != 0)
    return trafficctl_usage_error ("show", _("--streams shows every sample: use it with --max-points 0"));
  id = tc_client_test_id_from_path (path);
  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "max_points", "u", (guint32) max_points);
  if (streams)
    g_variant_dict_insert (&options, "streams", "b", TRUE);
  what = g_strdup_printf (_("reading test %u from the history"), id);
  if (!tc_history_get_test_sync (client, id, g_variant_dict_end (&options), &test, &samples, NULL, &error))
    return trafficctl_print_error (what, error);
  link = trafficctl_link_fetch (client, id);
  if (globals->json)
    {
      GVariantDict d;

      g_variant_dict_init (&d, NULL);
      g_variant_dict_insert_value (&d, "test", test);
      g_variant_dict_insert_value (&d, "samples", samples);
      if (link != NULL)
        g_variant_dict_insert_value (&d, "interface", trafficctl_link_to_variant (link));
      print_json (g_variant_dict_end (&d));
    }
  else
    print_samples (test, samples, max_points > 0, link);
  return TRAFFICCTL_EXIT_OK;
}
