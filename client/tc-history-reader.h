/* tc-history-reader.h: read the service's history
 * (org.trafficd.Traffic1.History on /org/trafficd/Traffic1): list tests,
 * one test with its samples, trends, and exports into a file descriptor.
 *
 * Calls go through a TcClient's connection; errors are normalised as in
 * tc-client.h (a service without the History interface gives
 * TR_ERROR_UNAVAILABLE). Row and filter keys are those of the XML.
 */
#pragma once

#include <gio/gio.h>

#include "tc-client.h"

G_BEGIN_DECLS

#define TC_HISTORY_IFACE "org.trafficd.Traffic1.History"

/* History.ListTests: @filter a{sv} (floating sunk). Gives the rows
 * (aa{sv}) and the number of matching tests. */
void      tc_history_reader_list_tests         (TcClient            *client,
                                                GVariant            *filter,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean  tc_history_reader_list_tests_finish  (TcClient            *client,
                                                GAsyncResult        *result,
                                                GVariant           **tests,
                                                guint               *total,
                                                GError             **error);

/* History.GetTest: the test row (a{sv}) and its points or samples (aa{sv}). */
void      tc_history_reader_get_test           (TcClient            *client,
                                                guint                id,
                                                GVariant            *options,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean  tc_history_reader_get_test_finish    (TcClient            *client,
                                                GAsyncResult        *result,
                                                GVariant           **test,
                                                GVariant           **samples,
                                                GError             **error);

/* History.GetTrends: buckets (aa{sv}). */
void      tc_history_reader_get_trends         (TcClient            *client,
                                                GVariant            *filter,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GVariant *tc_history_reader_get_trends_finish  (TcClient            *client,
                                                GAsyncResult        *result,
                                                GError             **error);

/* History.Export into @fd (duplicated for the call; the caller keeps and
 * closes its own). @format "csv" or "json". Gives the number of rows. */
void      tc_history_reader_export             (TcClient            *client,
                                                int                  fd,
                                                const char          *format,
                                                GVariant            *options,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean  tc_history_reader_export_finish      (TcClient            *client,
                                                GAsyncResult        *result,
                                                guint64             *rows,
                                                GError             **error);

G_END_DECLS
