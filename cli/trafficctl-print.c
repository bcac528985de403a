/* trafficctl-print.c: error lines, tables, intervals, summaries and JSON. */
#include "config.h"

#include "trafficctl-print.h"

#include <glib/gi18n.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "tc-client.h"
#include "tr-error.h"
#include "tr-format.h"
#include "trafficctl.h"
#include "trafficctl-polkit.h"

/* --- errors ----------------------------------------------------------------- */

void
trafficctl_print_error_line (const char *what,
                             const char *message)
{
  fflush (stdout);
  if (what != NULL)
    fprintf (stderr, "trafficctl: %s: %s\n", what, message);
  else
    fprintf (stderr, "trafficctl: %s\n", message);
}

int
trafficctl_exit_code_for_error (const GError *error)
{
  if (error == NULL)
    return TRAFFICCTL_EXIT_OK;

  if (error->domain == TR_ERROR)
    {
      switch (error->code)
        {
        case TR_ERROR_INVALID_ARGUMENT:
          return TRAFFICCTL_EXIT_USAGE;
        case TR_ERROR_ACCESS_DENIED:
          return TRAFFICCTL_EXIT_ACCESS_DENIED;
        case TR_ERROR_NOT_FOUND:
          return TRAFFICCTL_EXIT_NOT_FOUND;
        case TR_ERROR_STOPPED:
          return TRAFFICCTL_EXIT_TEST_FAILED;
        default:
          return TRAFFICCTL_EXIT_ERROR;
        }
    }
  if (error->domain == TC_CLIENT_ERROR)
    return TRAFFICCTL_EXIT_UNAVAILABLE;
  if (error->domain == G_OPTION_ERROR)
    return TRAFFICCTL_EXIT_USAGE;
  return TRAFFICCTL_EXIT_ERROR;
}

/* The bus daemon's refusals read: Rejected send message, ... interface="X"
 * member="Y" ...: pull out which call it was. */
static char *
refused_action (const char *message)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *interface = NULL;
  g_autofree char *member = NULL;
  const char *short_interface;

  regex = g_regex_new ("interface=\"([^\"]*)\" member=\"([^\"]*)\"", 0, 0, NULL);
  if (regex == NULL || !g_regex_match (regex, message, 0, &match))
    return NULL;

  interface = g_match_info_fetch (match, 1);
  member = g_match_info_fetch (match, 2);
  short_interface = strrchr (interface, '.');
  short_interface = short_interface != NULL ? short_interface + 1 : interface;
  if (*member == '\0' || strcmp (member, "(unset)") == 0)
    return NULL;
  return g_strdup_printf ("%s.%s", short_interface, member);
}

int
trafficctl_print_error (const char   *what,
                        const GError *error)
{
  if (g_error_matches (error, TR_ERROR, TR_ERROR_ACCESS_DENIED))
    {
      g_autofree char *action = refused_action (error->message);

      if (action != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("access to %s was refused: %s"), action, error->message);
          trafficctl_print_error_line (what, message);
          return TRAFFICCTL_EXIT_ACCESS_DENIED;
        }
      g_clear_pointer (&action, g_free);
      /* the service's refusals name the polkit action that was missing */
      action = trafficctl_polkit_refused_action (error->message);
      if (action != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("polkit action %s was refused: %s"), action, error->message);
          trafficctl_print_error_line (what, message);
          return TRAFFICCTL_EXIT_ACCESS_DENIED;
        }
    }

  trafficctl_print_error_line (what, error->message);
  return trafficctl_exit_code_for_error (error);
}

/* --- tables ----------------------------------------------------------------- */

struct _TrafficctlTable {
  guint      n_columns;
  char      *align;
  GPtrArray *rows;   /* GStrv, the first is the header */
};

TrafficctlTable *
trafficctl_table_new (const char *align,
                      ...)
{
  TrafficctlTable *table = g_new0 (TrafficctlTable, 1);
  va_list args;

  table->n_columns = strlen (align);
  table->align = g_strdup (align);
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  va_start (args, align);
  {
    char **header = g_new0 (char *, table->n_columns + 1);

    for (guint i = 0; i < table->n_columns; i++)
      header[i] = g_strdup (va_arg (args, const char *));
    g_ptr_array_add (table->rows, header);
  }
  va_end (args);
  return table;
}

void
trafficctl_table_add_row (TrafficctlTable *table,
                          ...)
{
  char **row = g_new0 (char *, table->n_columns + 1);
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    {
      const char *cell = va_arg (args, const char *);
      row[i] = g_strdup (cell != NULL ? cell : "");
    }
  va_end (args);
  g_ptr_array_add (table->rows, row);
}

void
trafficctl_table_print (TrafficctlTable *table,
                        FILE            *stream,
                        const char      *indent)
{
  g_autofree glong *widths = g_new0 (glong, table->n_columns);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (row[c], -1));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);
      g_autoptr(GString) line = g_string_new (indent);

      for (guint c = 0; c < table->n_columns; c++)
        {
          glong pad = widths[c] - g_utf8_strlen (row[c], -1);

          if (c > 0)
            g_string_append (line, "  ");
          if (table->align[c] == 'r')
            {
              for (glong i = 0; i < pad; i++)
                g_string_append_c (line, ' ');
              g_string_append (line, row[c]);
            }
          else
            {
              g_string_append (line, row[c]);
              for (glong i = 0; i < pad; i++)
                g_string_append_c (line, ' ');
            }
        }
      while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      fprintf (stream, "%s\n", line->str);
    }
}

void
trafficctl_table_free (TrafficctlTable *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table->align);
  g_free (table);
}

/* --- snapshot look-ups ------------------------------------------------------ */

const char *
trafficctl_props_get_string (GVariant   *props,
                             const char *name)
{
  g_autoptr(GVariant) value = NULL;

  if (props == NULL)
    return "";
  /* A GVariant built in memory drops its children when it is serialised,
   * which any later look-up of a fixed-size value ("b", "u") does. Serialise
   * it now, so that the string returned stays in @props' data for as long
   * as @props lives. */
  (void) g_variant_get_data (props);
  value = g_variant_lookup_value (props, name, NULL);
  if (value == NULL ||
      !(g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
        g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH) ||
        g_variant_is_of_type (value, G_VARIANT_TYPE_SIGNATURE)))
    return "";
  /* The string lives in @props' serialised data, which outlives @value. */
  return g_variant_get_string (value, NULL);
}

/* Any integer type as an unsigned number, negative ones as 0. */
static guint64
variant_get_uint (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return g_variant_get_uint64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return MAX (g_variant_get_int64 (value), 0);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    return MAX (g_variant_get_int32 (value), 0);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT16))
    return g_variant_get_uint16 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT16))
    return MAX (g_variant_get_int16 (value), 0);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTE))
    return g_variant_get_byte (value);
  return 0;
}

guint64
trafficctl_props_get_uint (GVariant   *props,
                           const char *name)
{
  g_autoptr(GVariant) value = NULL;

  if (props == NULL)
    return 0;
  value = g_variant_lookup_value (props, name, NULL);
  return value != NULL ? variant_get_uint (value) : 0;
}

double
trafficctl_props_get_double (GVariant   *props,
                             const char *name,
                             double      fallback)
{
  g_autoptr(GVariant) value = NULL;

  if (props == NULL)
    return fallback;
  value = g_variant_lookup_value (props, name, NULL);
  if (value == NULL)
    return fallback;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return g_variant_get_double (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return (double) g_variant_get_int64 (value);
  return (double) trafficctl_props_get_uint (props, name);
}

GVariant *
trafficctl_props_dup_dict (GVariant   *props,
                           const char *name)
{
  GVariant *value = NULL;

  if (props != NULL)
    value = g_variant_lookup_value (props, name, G_VARIANT_TYPE_VARDICT);
  if (value == NULL)
    value = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  return value;
}

static gboolean
props_has (GVariant   *props,
           const char *name)
{
  g_autoptr(GVariant) value = NULL;

  if (props == NULL)
    return FALSE;
  value = g_variant_lookup_value (props, name, NULL);
  return value != NULL;
}

/* --- small formatters ------------------------------------------------------- */

const char *
trafficctl_direction_short (const char *direction)
{
  if (g_strcmp0 (direction, "forward") == 0)
    return "fwd";
  if (g_strcmp0 (direction, "reverse") == 0)
    return "rev";
  if (g_strcmp0 (direction, "bidirectional") == 0)
    return "bidir";
  return direction != NULL && *direction != '\0' ? direction : "-";
}

char *
trafficctl_format_owner (guint32 uid)
{
  struct passwd pwd, *found = NULL;
  char buffer[4096];

  if (getpwuid_r (uid, &pwd, buffer, sizeof buffer, &found) == 0 && found != NULL)
    return g_strdup (found->pw_name);
  return g_strdup_printf ("%u", uid);
}

char *
trafficctl_format_time (guint64  usec,
                        gboolean compact)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (usec == 0)
    return g_strdup ("-");
  when = g_date_time_new_from_unix_local ((gint64) (usec / G_USEC_PER_SEC));
  if (when == NULL)
    return g_strdup ("?");
  if (!compact)
    return g_date_time_format (when, "%Y-%m-%d %H:%M:%S");

  now = g_date_time_new_now_local ();
  if (g_date_time_get_year (now) == g_date_time_get_year (when) &&
      g_date_time_get_day_of_year (now) == g_date_time_get_day_of_year (when))
    return g_date_time_format (when, "%H:%M:%S");
  return g_date_time_format (when, "%Y-%m-%d %H:%M");
}

char *
trafficctl_format_pid (guint64 pid)
{
  return pid > 0 ? g_strdup_printf ("%" G_GUINT64_FORMAT, pid) : g_strdup ("-");
}

char *
trafficctl_format_cpu (GVariant *props)
{
  if (trafficctl_props_get_uint (props, "HelperPid") == 0)
    return g_strdup ("-");
  return g_strdup_printf ("%.1f", trafficctl_props_get_double (props, "HelperCpuPercent", 0));
}

char *
trafficctl_format_rss (GVariant *props)
{
  guint64 rss = trafficctl_props_get_uint (props, "HelperRssBytes");

  if (trafficctl_props_get_uint (props, "HelperPid") == 0 || rss == 0)
    return g_strdup ("-");
  return tr_format_bytes (rss);
}

char *
trafficctl_format_object_ref (const char *path)
{
  guint id;

  if (path == NULL || *path == '\0' || strcmp (path, "/") == 0)
    return g_strdup ("-");
  if ((id = tc_client_test_id_from_path (path)) > 0)
    return g_strdup_printf (_("test %u (%s)"), id, path);
  if (g_str_has_prefix (path, TC_SERVERS_PATH "/"))
    return g_strdup_printf (_("server %s (%s)"), path + strlen (TC_SERVERS_PATH "/"), path);
  return g_strdup (path);
}

char *
trafficctl_format_interval (GVariant *sample)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *range = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *rate = NULL;
  gboolean omitted = FALSE;

  range = g_strdup_printf ("%.2f-%.2f s",
                           trafficctl_props_get_double (sample, "start", 0),
                           trafficctl_props_get_double (sample, "end", 0));
  bytes = tr_format_bytes (trafficctl_props_get_uint (sample, "bytes"));
  rate = tr_format_rate (trafficctl_props_get_double (sample, "bits_per_second", 0));

  g_string_append_printf (line, "[%s] %13s %10s %13s",
                          trafficctl_direction_short (trafficctl_props_get_string (sample, "direction")),
                          range, bytes, rate);

  if (props_has (sample, "retransmits"))
    {
      g_autoptr(GVariant) retr = g_variant_lookup_value (sample, "retransmits", G_VARIANT_TYPE_INT64);

      if (retr != NULL && g_variant_get_int64 (retr) >= 0)
        g_string_append_printf (line, _("  retr %" G_GINT64_FORMAT), g_variant_get_int64 (retr));
    }
  if (props_has (sample, "cwnd_bytes"))
    {
      g_autofree char *cwnd = tr_format_bytes (trafficctl_props_get_uint (sample, "cwnd_bytes"));
      g_string_append_printf (line, _("  cwnd %s"), cwnd);
    }
  if (props_has (sample, "jitter_ms"))
    g_string_append_printf (line, _("  jitter %.3f ms"),
                            trafficctl_props_get_double (sample, "jitter_ms", 0));
  if (props_has (sample, "lost_packets"))
    g_string_append_printf (line, _("  lost %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " (%.3g%%)"),
                            trafficctl_props_get_uint (sample, "lost_packets"),
                            trafficctl_props_get_uint (sample, "packets"),
                            trafficctl_props_get_double (sample, "lost_percent", 0));
  else if (props_has (sample, "packets"))
    g_string_append_printf (line, _("  packets %" G_GUINT64_FORMAT),
                            trafficctl_props_get_uint (sample, "packets"));

  if (g_variant_lookup (sample, "omitted", "b", &omitted) && omitted)
    g_string_append (line, _("  (omitted)"));

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* --- summary ---------------------------------------------------------------- */

static void
add_direction_rows (TrafficctlTable *table,
                    GVariant        *result,
                    const char      *direction,
                    gboolean         udp)
{
  g_autoptr(GVariant) d = g_variant_lookup_value (result, direction, G_VARIANT_TYPE_VARDICT);
  g_autofree char *sent = NULL, *sent_rate = NULL;
  g_autofree char *received = NULL, *received_rate = NULL;
  g_autofree char *extra_sender = NULL, *extra_receiver = NULL;

  if (d == NULL)
    return;

  /* A stopped test may lack one side's numbers: "-", not "0 B". */
  sent = props_has (d, "sender_bytes")
         ? tr_format_bytes (trafficctl_props_get_uint (d, "sender_bytes")) : g_strdup ("-");
  sent_rate = props_has (d, "sender_bits_per_second")
              ? tr_format_rate (trafficctl_props_get_double (d, "sender_bits_per_second", 0)) : g_strdup ("-");
  received = props_has (d, "receiver_bytes")
             ? tr_format_bytes (trafficctl_props_get_uint (d, "receiver_bytes")) : g_strdup ("-");
  received_rate = props_has (d, "receiver_bits_per_second")
                  ? tr_format_rate (trafficctl_props_get_double (d, "receiver_bits_per_second", 0)) : g_strdup ("-");

  if (udp)
    {
      if (props_has (d, "jitter_ms"))
        extra_sender = g_strdup_printf (_("%.3f ms"), trafficctl_props_get_double (d, "jitter_ms", 0));
      if (props_has (d, "lost_packets"))
        extra_receiver = g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " (%.3g%%)",
                                          trafficctl_props_get_uint (d, "lost_packets"),
                                          trafficctl_props_get_uint (d, "packets"),
                                          trafficctl_props_get_double (d, "lost_percent", 0));
      /* Jitter and loss are measured by the receiver. */
      trafficctl_table_add_row (table, direction, _("sender"), sent, sent_rate, "", "");
      trafficctl_table_add_row (table, direction, _("receiver"), received, received_rate,
                                extra_sender, extra_receiver);
    }
  else
    {
      g_autoptr(GVariant) retr = g_variant_lookup_value (d, "retransmits", G_VARIANT_TYPE_INT64);

      if (retr != NULL && g_variant_get_int64 (retr) >= 0)
        extra_sender = g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (retr));
      trafficctl_table_add_row (table, direction, _("sender"), sent, sent_rate, extra_sender);
      trafficctl_table_add_row (table, direction, _("receiver"), received, received_rate, "");
    }
}

static void
print_summary_header (GVariant *props)
{
  g_autoptr(GVariant) options = trafficctl_props_dup_dict (props, "Options");
  g_autoptr(GVariant) result = trafficctl_props_dup_dict (props, "Result");
  guint64 start = trafficctl_props_get_uint (props, "StartTime");
  guint64 end = trafficctl_props_get_uint (props, "EndTime");
  const char *protocol = trafficctl_props_get_string (result, "protocol");
  guint64 streams = trafficctl_props_get_uint (result, "streams");
  g_autofree char *took = NULL;
  g_autofree char *streams_text = NULL;

  if (*protocol == '\0')
    protocol = trafficctl_props_get_string (options, "protocol");
  if (streams == 0)
    streams = trafficctl_props_get_uint (options, "parallel");
  took = tr_format_duration (end > start && start > 0 ? (end - start) / 1e6 : 0);

  streams_text = g_strdup_printf (ngettext ("%u stream", "%u streams", (gulong) streams),
                                  (guint) streams);
  /* A served test: the host is the client's address, the port ours. */
  if (g_strcmp0 (trafficctl_props_get_string (props, "Role"), "server") == 0)
    /* TRANSLATORS: e.g. "Test 4 finished after 10.2 s: tcp forward, 1 stream, from 192.0.2.7 on port 5201" */
    printf (_("Test %u %s after %s: %s %s, %s, from %s on port %u\n"),
            (guint) trafficctl_props_get_uint (props, "Id"),
            trafficctl_props_get_string (props, "State"),
            took, protocol,
            trafficctl_props_get_string (options, "direction"),
            streams_text,
            trafficctl_props_get_string (options, "host"),
            (guint) trafficctl_props_get_uint (options, "port"));
  else
    /* TRANSLATORS: e.g. "Test 3 finished after 10.2 s: tcp forward, 1 stream, to example.org port 5201" */
    printf (_("Test %u %s after %s: %s %s, %s, to %s port %u\n"),
            (guint) trafficctl_props_get_uint (props, "Id"),
            trafficctl_props_get_string (props, "State"),
            took, protocol,
            trafficctl_props_get_string (options, "direction"),
            streams_text,
            trafficctl_props_get_string (options, "host"),
            (guint) trafficctl_props_get_uint (options, "port"));
}

static void
print_result (GVariant   *result,
              GVariant   *options,
              const char *indent)
{
  g_autoptr(TrafficctlTable) table = NULL;
  const char *protocol = trafficctl_props_get_string (result, "protocol");
  gboolean udp;
  gboolean exact = TRUE, partial = FALSE;

  if (g_variant_n_children (result) == 0)
    {
      printf ("%s%s\n", indent, _("No result."));
      return;
    }

  if (*protocol == '\0')
    protocol = trafficctl_props_get_string (options, "protocol");
  udp = g_strcmp0 (protocol, "udp") == 0;

  if (udp)
    table = trafficctl_table_new ("llrrrr", _("DIRECTION"), _("ROLE"), _("TRANSFER"),
                                  _("BITRATE"), _("JITTER"), _("LOST/TOTAL"), NULL);
  else
    table = trafficctl_table_new ("llrrr", _("DIRECTION"), _("ROLE"), _("TRANSFER"),
                                  _("BITRATE"), _("RETR"), NULL);
  add_direction_rows (table, result, "forward", udp);
  add_direction_rows (table, result, "reverse", udp);
  trafficctl_table_print (table, stdout, indent);

  if (props_has (result, "cpu_local_percent") || props_has (result, "cpu_remote_percent"))
    printf (_("%sCPU: local %.1f %%, remote %.1f %%\n"), indent,
            trafficctl_props_get_double (result, "cpu_local_percent", 0),
            trafficctl_props_get_double (result, "cpu_remote_percent", 0));
  if (g_variant_lookup (result, "partial", "b", &partial) && partial)
    printf ("%s%s\n", indent, _("Partial result: the test did not run to its end."));
  if (g_variant_lookup (result, "exact", "b", &exact) && !exact)
    printf ("%s%s\n", indent, _("Byte counts are rounded (taken from iperf's text output)."));
}

void
trafficctl_print_summary (GVariant *props)
{
  g_autoptr(GVariant) options = trafficctl_props_dup_dict (props, "Options");
  g_autoptr(GVariant) result = trafficctl_props_dup_dict (props, "Result");

  print_summary_header (props);
  if (g_variant_n_children (result) > 0)
    print_result (result, options, "");
  fflush (stdout);
}

/* --- details (show) --------------------------------------------------------- */

static void
print_field (const char *label,
             const char *value)
{
  const int width = 16;
  glong pad = width - g_utf8_strlen (label, -1);

  printf ("  %s", label);
  for (glong i = 0; i < MAX (pad, 1); i++)
    putchar (' ');
  printf ("%s\n", value);
}

/* An option's value, with a human form for amounts and rates. */
static char *
format_option_value (const char *key,
                     GVariant   *value)
{
  g_autofree char *raw = NULL;
  g_autofree char *human = NULL;
  guint64 n;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? _("yes") : _("no"));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return g_strdup_printf ("%g", g_variant_get_double (value));

  raw = g_variant_print (value, FALSE);
  n = variant_get_uint (value);
  if (strcmp (key, "bitrate") == 0 && n > 0)
    human = tr_format_rate ((double) n);
  else if ((strcmp (key, "bytes") == 0 || strcmp (key, "length") == 0 ||
            strcmp (key, "window") == 0) && n >= 1024)
    human = tr_format_bytes (n);
  if (human != NULL)
    return g_strdup_printf ("%s (%s)", raw, human);
  return g_steal_pointer (&raw);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* An a{sv} of options as a two-column table, sorted by key. */
static void
print_options (GVariant *options)
{
  g_autoptr(TrafficctlTable) table = trafficctl_table_new ("ll", "", "", NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_ptr_array_add (keys, g_strdup (key));
      g_variant_unref (value);
    }
  g_ptr_array_sort (keys, compare_strings);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *k = g_ptr_array_index (keys, i);
      g_autoptr(GVariant) v = g_variant_lookup_value (options, k, NULL);
      g_autofree char *text = format_option_value (k, v);

      trafficctl_table_add_row (table, k, text);
    }
  /* Skip the empty header row. */
  g_ptr_array_remove_index (table->rows, 0);
  trafficctl_table_print (table, stdout, "  ");
}

/* A result table, indented, and the addresses and versions it names. */
static void
print_result_and_addresses (GVariant *result,
                            GVariant *options)
{
  const char *addresses[][2] = {
    { N_("Local address"), "local_address" },
    { N_("Remote address"), "remote_address" },
    { N_("iperf version"), "iperf_version" },
    { N_("Cookie"), "cookie" },
  };

  print_result (result, options, "  ");
  if (g_variant_n_children (result) == 0)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    if (props_has (result, addresses[i][1]))
      print_field (_(addresses[i][0]), trafficctl_props_get_string (result, addresses[i][1]));
}

void
trafficctl_print_details (GVariant   *props,
                          const char *path)
{
  g_autoptr(GVariant) options = trafficctl_props_dup_dict (props, "Options");
  g_autoptr(GVariant) result = trafficctl_props_dup_dict (props, "Result");
  guint32 owner = (guint32) trafficctl_props_get_uint (props, "Owner");
  guint64 start = trafficctl_props_get_uint (props, "StartTime");
  guint64 end = trafficctl_props_get_uint (props, "EndTime");
  double progress = trafficctl_props_get_double (props, "Progress", 0);
  const char *error_name = "", *error_message = "";
  g_autofree char *owner_name = trafficctl_format_owner (owner);
  g_autofree char *owner_text = g_strdup_printf (_("%s (uid %u)"), owner_name, owner);
  g_autofree char *started = trafficctl_format_time (start, FALSE);
  g_autofree char *running_since = trafficctl_format_time (trafficctl_props_get_uint (props, "RunningSince"), FALSE);
  g_autofree char *ended = trafficctl_format_time (end, FALSE);
  g_autofree char *progress_text = NULL;
  g_autofree char *rate_fwd = tr_format_rate (trafficctl_props_get_double (props, "RateForward", 0));
  g_autofree char *rate_rev = tr_format_rate (trafficctl_props_get_double (props, "RateReverse", 0));
  g_autofree char *rates = g_strdup_printf (_("forward %s, reverse %s"), rate_fwd, rate_rev);
  g_autofree char *pid = trafficctl_format_pid (trafficctl_props_get_uint (props, "HelperPid"));
  g_autofree char *cpu = trafficctl_format_cpu (props);
  g_autofree char *rss = trafficctl_format_rss (props);
  g_autofree char *server = trafficctl_format_object_ref (trafficctl_props_get_string (props, "Server"));
  g_autofree char *peer = trafficctl_format_object_ref (trafficctl_props_get_string (props, "Peer"));
  g_autofree char *queue_position = NULL;
  g_autofree char *duration = NULL;
  g_autoptr(GVariant) peer_result = NULL;
  const char *role = trafficctl_props_get_string (props, "Role");
  guint64 position = trafficctl_props_get_uint (props, "QueuePosition");

  queue_position = position > 0 ? g_strdup_printf ("%" G_GUINT64_FORMAT, position) : g_strdup ("-");
  if (progress < 0)
    progress_text = g_strdup (_("no end (runs until stopped)"));
  else
    progress_text = g_strdup_printf ("%.0f%%", progress * 100.0);
  if (start > 0)
    {
      guint64 until = end > 0 ? end : (guint64) g_get_real_time ();
      duration = tr_format_duration (until > start ? (until - start) / 1e6 : 0);
    }
  g_variant_lookup (props, "Error", "(&s&s)", &error_name, &error_message);

  printf (_("Test %u  %s\n"), (guint) trafficctl_props_get_uint (props, "Id"), path);
  print_field (_("State"), trafficctl_props_get_string (props, "State"));
  print_field (_("Role"), *role != '\0' ? role : "-");
  print_field (_("Owner"), owner_text);
  if (*trafficctl_props_get_string (options, "label") != '\0')
    print_field (_("Label"), trafficctl_props_get_string (options, "label"));
  print_field (_("Queue position"), queue_position);
  print_field (_("Server"), server);
  print_field (_("Peer"), peer);
  print_field (_("Started"), started);
  print_field (_("Running since"), running_since);
  print_field (_("Ended"), ended);
  print_field (_("Duration"), duration != NULL ? duration : "-");
  print_field (_("Progress"), progress_text);
  print_field (_("Rate"), rates);
  print_field (_("Helper PID"), pid);
  print_field (_("Helper CPU %"), cpu);
  print_field (_("Helper RSS"), rss);
  if (*error_name != '\0' || *error_message != '\0')
    {
      g_autofree char *text = g_strdup_printf ("%s: %s", error_name, error_message);
      print_field (_("Error"), text);
    }

  printf ("%s\n", _("Options:"));
  print_options (options);

  printf ("%s\n", _("Result:"));
  print_result_and_addresses (result, options);

  /* The other side of the same iperf test, when the service ran it too. */
  peer_result = g_variant_lookup_value (result, "peer", G_VARIANT_TYPE_VARDICT);
  if (peer_result != NULL && g_variant_n_children (peer_result) > 0)
    {
      guint peer_id = tc_client_test_id_from_path (trafficctl_props_get_string (props, "Peer"));

      if (peer_id > 0)
        /* TRANSLATORS: the result of the other side of the same iperf test */
        printf (_("Peer's result (test %u):\n"), peer_id);
      else
        printf ("%s\n", _("Peer's result:"));
      print_result_and_addresses (peer_result, options);
    }
  fflush (stdout);
}

void
trafficctl_print_server_details (GVariant   *props,
                                 const char *path)
{
  g_autoptr(GVariant) options = trafficctl_props_dup_dict (props, "Options");
  g_autoptr(GVariant) last_result = trafficctl_props_dup_dict (props, "LastResult");
  guint32 owner = (guint32) trafficctl_props_get_uint (props, "Owner");
  guint64 start = trafficctl_props_get_uint (props, "StartTime");
  guint64 end = trafficctl_props_get_uint (props, "EndTime");
  const char *bind = trafficctl_props_get_string (props, "BindAddress");
  const char *peer = trafficctl_props_get_string (props, "Peer");
  const char *label = trafficctl_props_get_string (options, "label");
  const char *error_name = "", *error_message = "";
  gboolean one_off = FALSE;
  g_autofree char *owner_name = trafficctl_format_owner (owner);
  g_autofree char *owner_text = g_strdup_printf (_("%s (uid %u)"), owner_name, owner);
  g_autofree char *port = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "Port"));
  g_autofree char *started = trafficctl_format_time (start, FALSE);
  g_autofree char *ended = trafficctl_format_time (end, FALSE);
  g_autofree char *current = trafficctl_format_object_ref (trafficctl_props_get_string (props, "CurrentTest"));
  g_autofree char *served = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "TestsServed"));
  g_autofree char *restarts = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (props, "Restarts"));
  g_autofree char *pid = trafficctl_format_pid (trafficctl_props_get_uint (props, "HelperPid"));
  g_autofree char *cpu = trafficctl_format_cpu (props);
  g_autofree char *rss = trafficctl_format_rss (props);
  g_autofree char *duration = NULL;

  if (start > 0)
    {
      guint64 until = end > 0 ? end : (guint64) g_get_real_time ();
      duration = tr_format_duration (until > start ? (until - start) / 1e6 : 0);
    }
  g_variant_lookup (props, "Error", "(&s&s)", &error_name, &error_message);
  g_variant_lookup (options, "one_off", "b", &one_off);

  printf (_("Server %u  %s\n"), (guint) trafficctl_props_get_uint (props, "Id"), path);
  print_field (_("State"), trafficctl_props_get_string (props, "State"));
  print_field (_("Port"), port);
  print_field (_("Bind address"), *bind != '\0' ? bind : _("all addresses"));
  print_field (_("One-off"), one_off ? _("yes") : _("no"));
  print_field (_("Owner"), owner_text);
  if (*label != '\0')
    print_field (_("Label"), label);
  print_field (_("Peer"), *peer != '\0' ? peer : "-");
  print_field (_("Current test"), current);
  print_field (_("Tests served"), served);
  print_field (_("Restarts"), restarts);
  print_field (_("Started"), started);
  print_field (_("Ended"), ended);
  print_field (_("Running for"), duration != NULL ? duration : "-");
  print_field (_("Helper PID"), pid);
  print_field (_("Helper CPU %"), cpu);
  print_field (_("Helper RSS"), rss);
  if (*error_name != '\0' || *error_message != '\0')
    {
      g_autofree char *text = g_strdup_printf ("%s: %s", error_name, error_message);
      print_field (_("Error"), text);
    }

  printf ("%s\n", _("Options:"));
  print_options (options);

  printf ("%s\n", _("Last result:"));
  print_result_and_addresses (last_result, last_result);
  fflush (stdout);
}

/* --- JSON ------------------------------------------------------------------- */

/* "RateForward" -> "rate_forward" */
static char *
snake_case (const char *name)
{
  GString *s = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (g_ascii_isupper (*p))
        {
          if (p != name)
            g_string_append_c (s, '_');
          g_string_append_c (s, g_ascii_tolower (*p));
        }
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

JsonNode *
trafficctl_test_to_json (GVariant   *props,
                         const char *path)
{
  return trafficctl_object_to_json (props, path);
}

JsonNode *
trafficctl_object_to_json (GVariant   *props,
                           const char *path)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  const char *name;
  GVariant *value;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);

  /* Sorted, so that the output does not depend on hash order. */
  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      g_ptr_array_add (names, g_strdup (name));
      g_variant_unref (value);
    }
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *member = NULL;

      name = g_ptr_array_index (names, i);
      value = g_variant_lookup_value (props, name, NULL);
      member = snake_case (name);

      json_builder_set_member_name (builder, member);
      if (strcmp (name, "Error") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE ("(ss)")))
        {
          const char *error_name, *error_message;

          g_variant_get (value, "(&s&s)", &error_name, &error_message);
          if (*error_name == '\0' && *error_message == '\0')
            json_builder_add_null_value (builder);
          else
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "name");
              json_builder_add_string_value (builder, error_name);
              json_builder_set_member_name (builder, "message");
              json_builder_add_string_value (builder, error_message);
              json_builder_end_object (builder);
            }
        }
      else
        json_builder_add_value (builder, json_gvariant_serialize (value));
      g_variant_unref (value);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

void
trafficctl_print_json (JsonNode *node,
                       gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}
