/* history-fake.c: hand-driven TdTest objects. */
#include "config.h"

#include "history-fake.h"
#include "td-history-query.h"
#include "tr-options.h"

TdTest *
fake_test_new (guint id, const char *options_text, guint32 owner)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, options_text, NULL, NULL, &error);
  TrTestOptions *options;

  g_assert_no_error (error);
  options = tr_test_options_new_from_variant (dict, &error);
  g_assert_no_error (error);
  return td_test_new (id, options, owner, ":1.fake");
}

static GVariant *
values (double start, double end, double bps, int socket, const char *direction, gboolean with_direction)
{
  GVariantDict d;
  double seconds = end - start;

  g_variant_dict_init (&d, NULL);
  if (with_direction)
    g_variant_dict_insert (&d, "direction", "s", direction);
  if (socket >= 0)
    g_variant_dict_insert (&d, "socket", "i", socket);
  g_variant_dict_insert (&d, "start", "d", start);
  g_variant_dict_insert (&d, "end", "d", end);
  g_variant_dict_insert (&d, "seconds", "d", seconds);
  g_variant_dict_insert (&d, "bytes", "t", (guint64) (bps * seconds / 8));
  g_variant_dict_insert (&d, "bits_per_second", "d", bps);
  g_variant_dict_insert (&d, "omitted", "b", FALSE);
  g_variant_dict_insert (&d, "retransmits", "x", (gint64) socket + 1);
  g_variant_dict_insert (&d, "cwnd_bytes", "t", (guint64) 65536);
  return g_variant_dict_end (&d);
}

GVariant *
fake_interval (const char *direction, double start, double end, double bps, guint n_streams, gint64 timestamp)
{
  g_autoptr(GVariant) total = g_variant_ref_sink (values (start, end, bps, -1, direction, TRUE));
  GVariantDict d;

  g_variant_dict_init (&d, total);
  g_variant_dict_insert (&d, "timestamp", "t", (guint64) timestamp);
  if (n_streams > 1)
    {
      GVariantBuilder streams;
      double weights = n_streams * (n_streams + 1) / 2.0;

      g_variant_builder_init (&streams, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < n_streams; i++)
        g_variant_builder_add_value (&streams, values (start, end, bps * (i + 1) / weights, (int) i + 5,
                                                       direction, FALSE));
      g_variant_dict_insert_value (&d, "streams", g_variant_builder_end (&streams));
    }
  return g_variant_ref_sink (g_variant_dict_end (&d));
}

void
fake_test_interval (TdTest *test, GVariant *sample)
{
  g_signal_emit_by_name (test, "interval", sample);
}

void
fake_test_record (TdTest *test, const char *kind, const char *record_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) record = g_variant_parse (G_VARIANT_TYPE_VARDICT, record_text, NULL, NULL, &error);

  g_assert_no_error (error);
  g_signal_emit_by_name (test, "record", kind, g_get_real_time (), record);
}

void
fake_test_log (TdTest *test, guint level, const char *text)
{
  g_signal_emit_by_name (test, "log", level, text);
}

void
fake_test_set_state (TdTest *test, const char *state)
{
  TrDBusTest *iface = td_test_get_iface (test);

  if (g_strcmp0 (state, "running") == 0)
    tr_dbus_test_set_running_since (iface, (guint64) g_get_real_time ());
  tr_dbus_test_set_state (iface, state);
}

void
fake_test_end (TdTest *test, const char *state, const char *result_text, const char *error_name,
               const char *error_message, guint64 end_time)
{
  TrDBusTest *iface = td_test_get_iface (test);

  if (result_text != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) result = g_variant_parse (G_VARIANT_TYPE_VARDICT, result_text, NULL, NULL, &error);

      g_assert_no_error (error);
      tr_dbus_test_set_result (iface, result);
    }
  if (error_name != NULL)
    tr_dbus_test_set_error (iface, g_variant_new ("(ss)", error_name, error_message));
  tr_dbus_test_set_end_time (iface, end_time);
  tr_dbus_test_set_state (iface, state);
  g_signal_emit_by_name (test, "ended");
}

typedef struct {
  TdHistoryFilter *filter;
  guint            id;
} Args;

static GVariant *
read_list (sqlite3 *db, gpointer data, GError **error)
{
  return td_history_query_list (db, ((Args *) data)->filter, error);
}

static GVariant *
read_test (sqlite3 *db, gpointer data, GError **error)
{
  return td_history_query_test (db, ((Args *) data)->id, ((Args *) data)->filter, error);
}

GVariant *
fake_list (TdHistory *history, const char *filter_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, filter_text, NULL, NULL, &error);
  g_autoptr(TdHistoryFilter) filter = NULL;
  Args args = { NULL, 0 };
  GVariant *result;

  g_assert_no_error (error);
  filter = td_history_filter_parse (dict, TD_FILTER_KEYS_LIST, &error);
  g_assert_no_error (error);
  args.filter = filter;
  result = td_history_read_sync (history, read_list, &args, &error);
  g_assert_no_error (error);
  return result;
}

GVariant *
fake_get_test (TdHistory *history, guint id, const char *options_text, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, options_text, NULL, NULL, &local_error);
  g_autoptr(TdHistoryFilter) filter = NULL;
  Args args = { NULL, id };

  g_assert_no_error (local_error);
  filter = td_history_filter_parse (dict, TD_FILTER_KEYS_TEST, &local_error);
  g_assert_no_error (local_error);
  args.filter = filter;
  return td_history_read_sync (history, read_test, &args, error);
}
