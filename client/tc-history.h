/* tc-history.h: synchronous calls to the service's history
 * (org.trafficd.Traffic1.History), for command-line tools, and the time
 * syntax they accept. (tc-history-reader.h has the asynchronous calls the
 * GTK app uses.)
 *
 * Errors are normalised as in tc-client.h; a service without the History
 * interface gives TR_ERROR_UNAVAILABLE. Filter and row keys are those of
 * dbus/org.trafficd.Traffic1.xml. */
#pragma once

#include <gio/gio.h>

#include "tc-client.h"

G_BEGIN_DECLS

/* History.ListTests: the rows (aa{sv}) and in @total how many match. */
GVariant *tc_history_list_tests_sync (TcClient      *client,
                                      GVariant      *filter,
                                      guint         *total,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* History.GetTest: the row (a{sv}) and the samples or points (aa{sv}). */
gboolean  tc_history_get_test_sync   (TcClient      *client,
                                      guint          id,
                                      GVariant      *options,
                                      GVariant     **test,
                                      GVariant     **samples,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* History.GetTestInterface: the samples a(tdddtt) (timestamp_us, seconds,
 * rx and tx bits/s, rx and tx bytes) of the interface test @id used, its
 * name in *@name ("" when none was sampled). */
GVariant *tc_history_get_test_interface_sync (TcClient      *client,
                                              guint          id,
                                              char         **name,
                                              GCancellable  *cancellable,
                                              GError       **error);
/* History.GetLogs: lines a(tus) and their total. */
GVariant *tc_history_get_logs_sync   (TcClient      *client,
                                      guint          id,
                                      GVariant      *options,
                                      guint         *total,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* History.GetTrends: buckets aa{sv}. */
GVariant *tc_history_get_trends_sync (TcClient      *client,
                                      GVariant      *filter,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* History.Export into @fd (sent as a copy; the caller keeps its own). The
 * call waits until the service has written everything: @fd must not be a
 * pipe this process reads itself. */
gboolean  tc_history_export_sync     (TcClient      *client,
                                      int            fd,
                                      const char    *format,
                                      GVariant      *options,
                                      guint64       *rows,
                                      GCancellable  *cancellable,
                                      GError       **error);

/* A point in time for the since/until filters, in µs since the epoch:
 * an ISO 8601 date or date and time ("2024-05-01", "2024-05-01T12:00",
 * "2024-05-01 12:00:00+02:00"; local time without a zone), "now", "today",
 * or a duration ago ("90s", "30m", "2h", "7d", "2w"). FALSE with
 * TR_ERROR_INVALID_ARGUMENT otherwise. */
gboolean  tc_history_parse_time      (const char    *text,
                                      gint64        *usec,
                                      GError       **error);

G_END_DECLS
