/* tr-interface-history.h: the history of one network interface from the
 * service's rollups (Interfaces.GetHistory, asynchronous).
 *
 * A 1 h / 24 h / 30 d switch; for each direction a graph of the average
 * rate with the 95th percentile and the peak (max) as further series, and
 * the peak's value and when it happened. The number of points asked for
 * follows the graph's width (at most 1,000); the service merges its buckets
 * so that peaks survive.
 *
 * Signal "back": the user asked to go back to the list.
 */
#pragma once

#include <adwaita.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

#define TR_TYPE_INTERFACE_HISTORY (tr_interface_history_get_type ())
G_DECLARE_FINAL_TYPE (TrInterfaceHistory, tr_interface_history, TR, INTERFACE_HISTORY, GtkWidget)

GtkWidget  *tr_interface_history_new           (TcMonitor          *monitor);
/* Shows (and loads) the history of the interface @name. */
void        tr_interface_history_set_interface (TrInterfaceHistory *self,
                                                const char         *name);
const char *tr_interface_history_get_interface (TrInterfaceHistory *self);
/* "1h", "24h" or "30d"; loads again. FALSE for another value. */
gboolean    tr_interface_history_set_range     (TrInterfaceHistory *self,
                                                const char         *range);
const char *tr_interface_history_get_range     (TrInterfaceHistory *self);
/* Loads the current range again. */
void        tr_interface_history_reload        (TrInterfaceHistory *self);
/* What the view shows, for the test hook (a{sv}). */
GVariant   *tr_interface_history_dup_state     (TrInterfaceHistory *self);

G_END_DECLS
