/* tc-history.c: History calls for command-line tools. */
#include "config.h"

#include "tc-history.h"

#include <gio/gunixfdlist.h>
#include <string.h>

#define HISTORY_IFACE "org.trafficd.Traffic1.History"
/* exports of big histories take a while; the service gives up on a reader
 * that stalls, so no short timeout here */
#define EXPORT_TIMEOUT_MS (30 * 60 * 1000)

static void
normalize (GError **error)
{
  tc_client_normalize_error (error, NULL);
  if (error != NULL && *error != NULL && (*error)->domain == G_DBUS_ERROR &&
      ((*error)->code == G_DBUS_ERROR_UNKNOWN_METHOD || (*error)->code == G_DBUS_ERROR_UNKNOWN_INTERFACE ||
       (*error)->code == G_DBUS_ERROR_UNKNOWN_OBJECT))
    {
      g_autofree char *message = g_strdup ((*error)->message);

      g_clear_error (error);
      g_set_error (error, TR_ERROR, TR_ERROR_UNAVAILABLE, "this trafficd keeps no history (%s)", message);
    }
}

static GVariant *
call (TcClient *client, const char *method, GVariant *params, const char *reply_type,
      GCancellable *cancellable, GError **error)
{
  GVariant *reply = g_dbus_connection_call_sync (tc_client_get_connection (client), TC_BUS_NAME, TC_MANAGER_PATH,
                                                 HISTORY_IFACE, method, params, G_VARIANT_TYPE (reply_type),
                                                 G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);

  if (reply == NULL)
    normalize (error);
  return reply;
}

static GVariant *
dict_or_empty (GVariant *dict)
{
  return dict != NULL ? dict : g_variant_new ("a{sv}", NULL);
}

GVariant *
tc_history_list_tests_sync (TcClient *client, GVariant *filter, guint *total, GCancellable *cancellable,
                            GError **error)
{
  g_autoptr(GVariant) reply = call (client, "ListTests", g_variant_new ("(@a{sv})", dict_or_empty (filter)),
                                    "(aa{sv}u)", cancellable, error);
  GVariant *rows;
  guint32 n;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(@aa{sv}u)", &rows, &n);
  if (total != NULL)
    *total = n;
  return rows;
}

gboolean
tc_history_get_test_sync (TcClient *client, guint id, GVariant *options, GVariant **test, GVariant **samples,
                          GCancellable *cancellable, GError **error)
{
  g_autoptr(GVariant) reply = call (client, "GetTest", g_variant_new ("(u@a{sv})", id, dict_or_empty (options)),
                                    "(a{sv}aa{sv})", cancellable, error);

  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(@a{sv}@aa{sv})", test, samples);
  return TRUE;
}

GVariant *
tc_history_get_test_interface_sync (TcClient *client, guint id, char **name, GCancellable *cancellable,
                                    GError **error)
{
  g_autoptr(GVariant) reply = call (client, "GetTestInterface", g_variant_new ("(u)", id), "(sa(tdddtt))",
                                    cancellable, error);
  GVariant *samples;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(s@a(tdddtt))", name, &samples);
  return samples;
}

GVariant *
tc_history_get_logs_sync (TcClient *client, guint id, GVariant *options, guint *total, GCancellable *cancellable,
                          GError **error)
{
  g_autoptr(GVariant) reply = call (client, "GetLogs", g_variant_new ("(u@a{sv})", id, dict_or_empty (options)),
                                    "(a(tus)u)", cancellable, error);
  GVariant *lines;
  guint32 n;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(@a(tus)u)", &lines, &n);
  if (total != NULL)
    *total = n;
  return lines;
}

GVariant *
tc_history_get_trends_sync (TcClient *client, GVariant *filter, GCancellable *cancellable, GError **error)
{
  g_autoptr(GVariant) reply = call (client, "GetTrends", g_variant_new ("(@a{sv})", dict_or_empty (filter)),
                                    "(aa{sv})", cancellable, error);

  return reply != NULL ? g_variant_get_child_value (reply, 0) : NULL;
}

gboolean
tc_history_export_sync (TcClient *client, int fd, const char *format, GVariant *options, guint64 *rows,
                        GCancellable *cancellable, GError **error)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) reply = NULL;
  int index = g_unix_fd_list_append (fds, fd, error);

  if (index < 0)
    return FALSE;
  reply = g_dbus_connection_call_with_unix_fd_list_sync (tc_client_get_connection (client), TC_BUS_NAME,
                                                         TC_MANAGER_PATH, HISTORY_IFACE, "Export",
                                                         g_variant_new ("(hs@a{sv})", index, format,
                                                                        dict_or_empty (options)),
                                                         G_VARIANT_TYPE ("(t)"), G_DBUS_CALL_FLAGS_NONE,
                                                         EXPORT_TIMEOUT_MS, fds, NULL, cancellable, error);
  if (reply == NULL)
    {
      normalize (error);
      return FALSE;
    }
  if (rows != NULL)
    g_variant_get (reply, "(t)", rows);
  return TRUE;
}

/* "7d" -> 7 days in µs; FALSE when it is not a duration. */
static gboolean
parse_ago (const char *text, gint64 *usec)
{
  static const struct { char unit; gint64 us; } units[] = {
    { 's', G_USEC_PER_SEC }, { 'm', G_GINT64_CONSTANT (60) * G_USEC_PER_SEC },
    { 'h', G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC }, { 'd', G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC },
    { 'w', G_GINT64_CONSTANT (7 * 86400) * G_USEC_PER_SEC },
  };
  char *end = NULL;
  guint64 n;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  n = g_ascii_strtoull (text, &end, 10);
  if (end == NULL || end[0] == '\0' || end[1] != '\0' || n > 100 * 366)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (units[i].unit == end[0])
      {
        *usec = (gint64) n * units[i].us;
        return TRUE;
      }
  return FALSE;
}

gboolean
tc_history_parse_time (const char *text, gint64 *usec, GError **error)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) now = g_date_time_new_now (local);
  g_autoptr(GDateTime) when = NULL;
  gint64 ago;

  if (g_strcmp0 (text, "now") == 0)
    when = g_date_time_ref (now);
  else if (g_strcmp0 (text, "today") == 0)
    when = g_date_time_new (local, g_date_time_get_year (now), g_date_time_get_month (now),
                            g_date_time_get_day_of_month (now), 0, 0, 0);
  else if (text != NULL && parse_ago (text, &ago))
    {
      *usec = g_date_time_to_unix (now) * G_USEC_PER_SEC + g_date_time_get_microsecond (now) - ago;
      return TRUE;
    }
  else if (text != NULL)
    {
      g_autofree char *iso = g_strdup (text);

      /* "2024-05-01 12:00" and a bare date are fine too */
      if (strlen (iso) > 10 && iso[10] == ' ')
        iso[10] = 'T';
      if (strlen (iso) == 10)
        {
          g_autofree char *midnight = g_strconcat (iso, "T00:00:00", NULL);
          when = g_date_time_new_from_iso8601 (midnight, local);
        }
      else
        when = g_date_time_new_from_iso8601 (iso, local);
    }
  if (when == NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a time: use 2024-05-01, 2024-05-01T12:00, now, today or a duration ago "
                   "such as 30m, 2h, 7d", text ? text : "");
      return FALSE;
    }
  *usec = g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
  return TRUE;
}
