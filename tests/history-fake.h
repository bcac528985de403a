/* history-fake.h: TdTest objects driven by hand, for the history tests,
 * the fixture writer and the benchmark.
 *
 * A fake test is a real TdTest that never starts a helper: its GObject
 * signals ("record", "interval", "log", "ended") are emitted here with the
 * same shapes the service emits, so TdHistory records it exactly as it
 * records a real one. */
#pragma once

#include "td-history.h"
#include "td-test.h"

G_BEGIN_DECLS

/* @options_text: GVariant text of StartTest options, e.g.
 * "{'host': <'192.0.2.1'>, 'parallel': <uint32 2>}". */
TdTest   *fake_test_new       (guint        id,
                               const char  *options_text,
                               guint32      owner);
/* An Interval sample as TdTest emits it: @n_streams > 1 adds "streams"
 * with the rate split evenly (stream i gets bps * (i + 1) / sum). */
GVariant *fake_interval       (const char  *direction,
                               double       start,
                               double       end,
                               double       bits_per_second,
                               guint        n_streams,
                               gint64       timestamp_us);
void      fake_test_interval  (TdTest      *test,
                               GVariant    *sample);
void      fake_test_record    (TdTest      *test,
                               const char  *kind,
                               const char  *record_text);
void      fake_test_log       (TdTest      *test,
                               guint        level,
                               const char  *text);
void      fake_test_set_state (TdTest      *test,
                               const char  *state);
/* Sets the final properties and emits "ended". @result_text may be NULL. */
void      fake_test_end       (TdTest      *test,
                               const char  *state,
                               const char  *result_text,
                               const char  *error_name,
                               const char  *error_message,
                               guint64      end_time_us);

/* Reads through the history synchronously (g_assert on errors). */
GVariant *fake_list           (TdHistory   *history,
                               const char  *filter_text);
GVariant *fake_get_test       (TdHistory   *history,
                               guint        id,
                               const char  *options_text,
                               GError     **error);

G_END_DECLS
