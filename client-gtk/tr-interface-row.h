/* tr-interface-row.h: one card of the Interfaces page.
 *
 * For an org.trafficd.Traffic1.Interface proxy: name, type, state,
 * connection, link speed and addresses (kept up to date by
 * PropertiesChanged), the live receive and send rates, the utilisation of
 * the link speed when it is known, and a graph of the last
 * TR_INTERFACE_ROW_WINDOW seconds fed from Interfaces.Sampled (a bounded
 * window: older points are dropped). Loopback is marked as such.
 *
 * Without a proxy the card is the aggregate (Interfaces.Total): the rates
 * and graph of every interface but loopback.
 */
#pragma once

#include <adwaita.h>

#include "tr-plot.h"

G_BEGIN_DECLS

#define TR_INTERFACE_IFACE "org.trafficd.Traffic1.Interface"

/* Seconds of live samples kept and shown. */
#define TR_INTERFACE_ROW_WINDOW 300

#define TR_TYPE_INTERFACE_ROW (tr_interface_row_get_type ())
G_DECLARE_FINAL_TYPE (TrInterfaceRow, tr_interface_row, TR, INTERFACE_ROW, GtkWidget)

/* @proxy: an Interface proxy, or NULL for the aggregate card. */
GtkWidget  *tr_interface_row_new          (GDBusProxy     *proxy);
/* The kernel name ("eth0"); "" for the aggregate. */
const char *tr_interface_row_get_name     (TrInterfaceRow *self);
gboolean    tr_interface_row_is_loopback  (TrInterfaceRow *self);
/* One sample of Interfaces.Sampled (a{sv}: rx_bits_per_second,
 * tx_bits_per_second, utilisation; for the aggregate also interfaces)
 * taken at @time_s (seconds since the epoch). */
void        tr_interface_row_add_sample   (TrInterfaceRow *self,
                                           double          time_s,
                                           GVariant       *sample);
/* Whether the aggregate counts this interface (loopback normally not). */
void        tr_interface_row_set_counted  (TrInterfaceRow *self,
                                           gboolean        counted);
TrPlot     *tr_interface_row_get_plot     (TrInterfaceRow *self);
/* What the card shows, for the test hook (a{sv}). */
GVariant   *tr_interface_row_dup_state    (TrInterfaceRow *self);

G_END_DECLS
