/* td-iface-history.h: the interface history in the history database.
 *
 * Tables (schema version 2, td-history-schema.c): iface_samples (one row
 * per interface and tick), iface_rollups (1 min and 1 h buckets: samples,
 * min, mean, max and p95 of each direction's rate, bytes), and
 * iface_test_samples (the interface of a running test, stored with it).
 *
 * Writes run in the history's writer thread (td_history_write()) as one
 * TdIfaceTick per sampling tick; the tick also says when buckets are
 * complete (rollups built from the 1 s samples, so p95 is exact) and when to
 * prune. A tick's statements stay prepared on the writer's connection for
 * the next (td-history-writer.c finalizes them before it closes), and the
 * interfaces' ids are remembered (TdIfaceIds): a row is one insert. Reads
 * run in a reader thread (td_history_read_reply()). */
#pragma once

#include <glib.h>
#include <net/if.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define TD_IFACE_MINUTE_US (60 * G_USEC_PER_SEC)
#define TD_IFACE_HOUR_US   (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define TD_IFACE_MINUTES_KEEP_US (G_GINT64_CONSTANT (30) * 24 * TD_IFACE_HOUR_US)
#define TD_IFACE_HOURS_KEEP_US   (G_GINT64_CONSTANT (731) * 24 * TD_IFACE_HOUR_US)

typedef struct {
  char    name[IF_NAMESIZE];
  double  seconds;
  double  rx_bits_per_second;
  double  tx_bits_per_second;
  guint64 rx_bytes;
  guint64 tx_bytes;
} TdIfaceTickRow;

typedef struct {
  guint test_id;
  guint row;            /* index in rows */
} TdIfaceTickTest;

/* The ids of iface_names, remembered from tick to tick by the history
 * writer's thread (the only one that reads or changes them; the monitor
 * only holds a reference): a row then costs one insert instead of three
 * statements. Checked against the table at every tick, so that a tick
 * rolled back with the names it added cannot leave a wrong id. */
typedef struct _TdIfaceIds TdIfaceIds;

TdIfaceIds  *td_iface_ids_new   (void);
TdIfaceIds  *td_iface_ids_ref   (TdIfaceIds *ids);
void         td_iface_ids_unref (TdIfaceIds *ids);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdIfaceIds, td_iface_ids_unref)

typedef struct {
  gint64  timestamp_us;
  TdIfaceIds *ids;      /* a reference, or NULL: looked up for this tick */
  GArray *rows;         /* TdIfaceTickRow */
  GArray *tests;        /* TdIfaceTickTest */
  gint64  rollup_before_us;   /* build complete buckets before this; 0 none */
  gint64  samples_keep_us;    /* prune older 1 s samples (with the rollups) */
} TdIfaceTick;

TdIfaceTick *td_iface_tick_new  (gint64 timestamp_us);
void         td_iface_tick_free (gpointer tick);

/* A TdHistoryWriterFunc: stores @tick (a TdIfaceTick). */
int      td_iface_history_write_tick (sqlite3  *db,
                                      gpointer  tick);

/* Builds the buckets of @resolution_us (minute or hour) that end at or
 * before @before_us and are not built yet, from the 1 s samples; for
 * every interface. An SQLite code. */
int      td_iface_history_rollup     (sqlite3  *db,
                                      gint64    resolution_us,
                                      gint64    before_us);

/* min, mean, max and 95th percentile (nearest rank) of @n values; sorts
 * @values. */
void     td_iface_history_summarise  (double  *values,
                                      guint    n,
                                      double  *min,
                                      double  *avg,
                                      double  *max,
                                      double  *p95);

/* A point of GetHistory: timestamp_us, seconds, samples, rx avg min max
 * p95, tx avg min max p95. */
#define TD_IFACE_POINT_TYPE "(tdudddddddd)"

/* The points of @name in [@since_us, @until_us) (see GetHistory in the
 * D-Bus XML): a floating a(tdudddddddd), *@resolution_s set. @now_us and
 * @samples_keep_us say which levels still hold the range. */
GVariant *td_iface_history_query     (sqlite3     *db,
                                      const char  *name,
                                      gint64       since_us,
                                      gint64       until_us,
                                      guint        max_points,
                                      gint64       now_us,
                                      gint64       samples_keep_us,
                                      guint       *resolution_s,
                                      GError     **error);

G_END_DECLS
