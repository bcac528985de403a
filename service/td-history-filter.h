/* td-history-filter.h: the a{sv} arguments of the History methods.
 *
 * Each method accepts a documented set of keys (see the History interface
 * in dbus/org.trafficd.Traffic1.xml); numbers accept any D-Bus integer
 * type within range; unknown keys, wrong types and out-of-range values
 * fail with TR_ERROR_INVALID_ARGUMENT and a message that starts with the
 * key ("limit: must be from 1 to 1000, got 0").
 *
 * Replies are kept small on purpose: GDBus serialises a reply under its
 * connection lock, about a microsecond per value, so a reply of a million
 * values would hold every other reply of the service back for a second.
 * Bulk data goes through Export (a file descriptor) instead. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  TD_FILTER_KEYS_LIST    = 1 << 0,   /* since until host protocol state owner label role offset limit order columns */
  TD_FILTER_KEYS_TRENDS  = 1 << 1,   /* the list keys but paging, + group_by bucket_seconds direction */
  TD_FILTER_KEYS_TEST    = 1 << 2,   /* max_points streams offset limit */
  TD_FILTER_KEYS_EXPORT  = 1 << 3,   /* the list keys, or test + streams */
  TD_FILTER_KEYS_LOGS    = 1 << 4,   /* offset limit */
} TdFilterKeys;

#define TD_HISTORY_MAX_LIST 1000
#define TD_HISTORY_DEFAULT_LIST 100
#define TD_HISTORY_MAX_POINTS 5000        /* per direction */
#define TD_HISTORY_DEFAULT_POINTS 1000
#define TD_HISTORY_MAX_RAW 10000          /* stored samples per GetTest page */
#define TD_HISTORY_MAX_LOGS 10000
#define TD_HISTORY_DEFAULT_LOGS 1000

typedef struct {
  gint64   since;          /* µs, start_time_us >= since */
  gint64   until;          /* µs, start_time_us < until */
  char    *host;
  char    *protocol;
  char    *state;
  char    *label;
  char    *role;
  gboolean has_owner;
  guint32  owner;
  guint    offset;
  guint    limit;          /* 0 = no limit (exports) */
  gboolean oldest_first;
  gboolean *columns;       /* per column of td_history_columns(): wanted; NULL = all */
  /* trends */
  gboolean group_by_label;
  guint    bucket_seconds;
  int      direction;      /* -1 any, 0 forward, 1 reverse */
  /* one test */
  guint    max_points;     /* 0 = raw samples */
  gboolean streams;
  gboolean has_test;
  guint    test;
} TdHistoryFilter;

TdHistoryFilter *td_history_filter_new   (TdFilterKeys      keys);
TdHistoryFilter *td_history_filter_parse (GVariant         *dict,
                                          TdFilterKeys      keys,
                                          GError          **error);
void             td_history_filter_free  (TdHistoryFilter  *filter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdHistoryFilter, td_history_filter_free)

G_END_DECLS
