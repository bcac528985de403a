/* trafficctl-history.h: what "history", "export" and "show --samples"
 * share: the filter options and the samples view. */
#pragma once

#include <glib.h>

#include "trafficctl.h"

G_BEGIN_DECLS

/* The filter options (--since --until --host --protocol --state --owner
 * --label --role, with paging --limit --offset --oldest). */
typedef struct {
  char    *since;
  char    *until;
  char    *host;
  char    *protocol;
  char    *state;
  char    *owner;
  char    *label;
  char    *role;
  int      limit;      /* -1: not given */
  int      offset;
  gboolean oldest;
} TrafficctlHistoryFilter;

void        trafficctl_history_filter_init    (TrafficctlHistoryFilter *filter);
void        trafficctl_history_filter_clear   (TrafficctlHistoryFilter *filter);
/* Option entries pointing into @filter (free the array with g_free);
 * @paging adds --limit, --offset and --oldest. */
GOptionEntry *trafficctl_history_filter_entries (TrafficctlHistoryFilter *filter,
                                                 gboolean                 paging);
/* The a{sv} for the service, or NULL after printing a usage error for
 * @command (*exit_code set). */
GVariant   *trafficctl_history_filter_build   (TrafficctlHistoryFilter *filter,
                                               const char              *command,
                                               int                     *exit_code);

/* "show ID --samples": the test's row from the history and its samples,
 * merged into at most @max_points points per direction (0: every stored
 * sample; with @streams each stream's too). */
int         trafficctl_history_show_samples   (TrafficctlGlobals       *globals,
                                               const char              *id,
                                               int                      max_points,
                                               gboolean                 streams);

G_END_DECLS
