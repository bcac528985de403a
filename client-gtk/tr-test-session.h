/* tr-test-session.h: one test followed by the app, without widgets.
 *
 * A session owns a TcTestWatch (so it can be created before StartTest and
 * loses no interval), collects every Interval sample into a TrPlot (one
 * series per direction, and per stream on demand) and into a table for CSV
 * export, keeps running statistics and the log.
 *
 * Signals:
 *   updated ()                           properties or statistics changed
 *   log (guint level, const char *text)  one log line
 *   ended (const char *state)            the test ended (or the watch failed)
 */
#pragma once

#include <glib-object.h>

#include "tc-client.h"
#include "tr-plot.h"

G_BEGIN_DECLS

typedef enum {
  TR_DIRECTION_FORWARD,
  TR_DIRECTION_REVERSE,
  TR_N_DIRECTIONS
} TrDirection;

typedef struct {
  guint   n_intervals;
  double  current;          /* bits/s of the latest interval */
  double  average;          /* over the non-omitted intervals */
  double  max;
  gint64  retransmits;      /* sum, -1 when unknown (UDP) */
  double  jitter_ms;        /* latest, -1 when unknown */
  guint64 lost_packets;
  guint64 packets;
  gboolean has_loss;
} TrDirectionStats;

#define TR_TYPE_TEST_SESSION (tr_test_session_get_type ())
G_DECLARE_FINAL_TYPE (TrTestSession, tr_test_session, TR, TEST_SESSION, GObject)

/* Fails when the service is not running. */
TrTestSession  *tr_test_session_new            (TcClient       *client,
                                                GError        **error);
void            tr_test_session_set_path       (TrTestSession  *self,
                                                const char     *path);
const char     *tr_test_session_get_path       (TrTestSession  *self);
guint           tr_test_session_get_id         (TrTestSession  *self);
TrPlot         *tr_test_session_get_plot       (TrTestSession  *self);
const char     *tr_test_session_get_state      (TrTestSession  *self);
gboolean        tr_test_session_is_ended       (TrTestSession  *self);
/* Why following failed (service gone), or NULL. */
const GError   *tr_test_session_get_watch_error (TrTestSession *self);
/* A property as last seen (full reference), or NULL. */
GVariant       *tr_test_session_dup_property   (TrTestSession  *self,
                                                const char     *name);
const TrDirectionStats *tr_test_session_get_stats (TrTestSession *self,
                                                   TrDirection    direction);
/* The test's duration option in seconds, 0 for unlimited or unknown. */
double          tr_test_session_get_duration   (TrTestSession  *self);
/* Seconds since iperf began, by the wall clock (0 before). */
double          tr_test_session_get_elapsed    (TrTestSession  *self);
/* "tcp" or "udp" as the options say ("" before they are known). */
const char     *tr_test_session_get_protocol   (TrTestSession  *self);
/* One line "host:port, TCP, 2 streams, both directions". */
char           *tr_test_session_describe       (TrTestSession  *self);
/* Show the per-stream series in the plot. */
void            tr_test_session_set_show_streams (TrTestSession *self,
                                                  gboolean       show);
gboolean        tr_test_session_get_show_streams (TrTestSession *self);
guint           tr_test_session_get_n_intervals  (TrTestSession *self);
/* The log so far, one line per entry (transfer none). */
GPtrArray      *tr_test_session_get_log        (TrTestSession  *self);
/* Every interval as CSV (RFC 4180, units in the header). */
char           *tr_test_session_to_csv         (TrTestSession  *self);
gboolean        tr_test_session_write_csv      (TrTestSession  *self,
                                                const char     *path,
                                                GError        **error);

G_END_DECLS
