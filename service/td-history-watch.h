/* td-history-watch.h: records one TdTest into the history.
 *
 * From the test's GObject signals: its row when it is created (options,
 * owner, start time, host and kernel), state changes, the environment
 * from its helper's records ("hello": iperf version, "resolved",
 * "connected": addresses, then the route and link speed), every Interval
 * sample, every Log line, and at "ended" the final state, error and
 * result. The caller's executable is looked up asynchronously
 * (GetConnectionUnixProcessID, then /proc/PID/exe). Everything goes
 * through the writer's queue: nothing here blocks. */
#pragma once

#include <gio/gio.h>

#include "td-history-writer.h"
#include "td-test.h"

G_BEGIN_DECLS

typedef struct _TdHistoryWatch TdHistoryWatch;

/* Called once the test ended and its final row is queued. */
typedef void (*TdHistoryWatchDone) (TdHistoryWatch *watch,
                                    gpointer        user_data);

/* Static facts of this machine, gathered once. */
typedef struct {
  char *hostname;
  char *kernel;
} TdHistoryHost;

/* Environment found asynchronously goes to td_history_update_test() of
 * @history (kept alive meanwhile). @connection may be NULL (no caller
 * lookup). */
TdHistoryWatch *td_history_watch_new     (GObject             *history,
                                          TdHistoryWriter     *writer,
                                          const TdHistoryHost *host,
                                          GDBusConnection     *connection,
                                          TdTest              *test,
                                          TdHistoryWatchDone   done,
                                          gpointer             user_data);
guint           td_history_watch_get_id  (TdHistoryWatch      *watch);
/* The service stops while the test runs: its row is finalised as
 * "interrupted" (with what it recorded until now). */
void            td_history_watch_abandon (TdHistoryWatch      *watch);
void            td_history_watch_free    (TdHistoryWatch      *watch);

G_END_DECLS
