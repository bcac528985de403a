/* td-iface.h: one network interface and its D-Bus object.
 *
 * Holds the inventory (from the kernel, overlaid by NetworkManager's view
 * while it runs), the last counters and the rates computed from them.
 * Object path: /org/trafficd/Traffic1/interfaces/ESCAPED_NAME (see
 * td_iface_path_for_name()). Rates and counters change without
 * PropertiesChanged (the monitor sends one Sampled signal per tick): the
 * skeleton reads them from the last counters when they are asked for, and
 * the Sampled entry is kept until a value in it changes. */
#pragma once

#include <gio/gio.h>

#include "td-iface-netlink.h"

G_BEGIN_DECLS

#define TD_IFACES_PATH "/org/trafficd/Traffic1/interfaces"

#define TD_TYPE_IFACE (td_iface_get_type ())
G_DECLARE_FINAL_TYPE (TdIface, td_iface, TD, IFACE, GObject)

/* NetworkManager's view of a device (td-iface-nm.h); NULL fields unknown. */
typedef struct {
  char    *type;
  char    *state;
  char    *connection;
  char    *metered;
  guint64  speed_bits_per_second;   /* 0 unknown */
} TdIfaceNmInfo;

void     td_iface_nm_info_free       (TdIfaceNmInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdIfaceNmInfo, td_iface_nm_info_free)

/* The aggregate of a tick (the Total property): the rates and counters
 * summed over @interfaces interfaces. */
typedef struct {
  TdIfaceCounters counters;
  double          rx_bits_per_second;
  double          tx_bits_per_second;
  guint           interfaces;
} TdIfaceTotal;

gboolean    td_iface_total_equal     (const TdIfaceTotal  *a,
                                      const TdIfaceTotal  *b);
/* Its a{sv} (floating): rx_bits_per_second, tx_bits_per_second, the
 * counters, interfaces. */
GVariant   *td_iface_total_variant   (const TdIfaceTotal  *total);

/* "veth-a" -> TD_IFACES_PATH "/veth_2da": [A-Za-z0-9] kept, any other byte
 * _XX in lower-case hex, so that the mapping is one to one. */
char       *td_iface_path_for_name   (const char          *name);

TdIface    *td_iface_new             (const TdIfaceLink   *link);
GDBusObjectSkeleton *td_iface_get_object (TdIface         *self);
const char *td_iface_get_path        (TdIface             *self);
const char *td_iface_get_name        (TdIface             *self);
guint       td_iface_get_index       (TdIface             *self);
gboolean    td_iface_is_loopback     (TdIface             *self);
/* IF_OPER_* of the last td_iface_set_link(). */
guint       td_iface_get_operstate   (TdIface             *self);

/* Inventory from the kernel: @addresses (element-type utf8) may be NULL;
 * @speed in bits/s, 0 unknown. */
void        td_iface_set_link        (TdIface             *self,
                                      const TdIfaceLink   *link,
                                      GPtrArray           *addresses,
                                      guint64              speed);
/* NetworkManager's view, or NULL without it (the kernel's then). Takes
 * @info. */
void        td_iface_set_nm          (TdIface             *self,
                                      TdIfaceNmInfo       *info);

/* New counters read at @monotonic_us: computes the rates over the time
 * since the previous reading (0 for the first one and after a reset). */
void        td_iface_update_counters (TdIface             *self,
                                      const TdIfaceCounters *counters,
                                      gint64               monotonic_us);
double      td_iface_get_rx_rate     (TdIface             *self);
double      td_iface_get_tx_rate     (TdIface             *self);
/* Bytes counted over the last tick (0 after a reset). */
guint64     td_iface_get_rx_delta    (TdIface             *self);
guint64     td_iface_get_tx_delta    (TdIface             *self);
const TdIfaceCounters *td_iface_get_counters (TdIface     *self);
/* The a{sv} of a Sampled signal for the last counters: name, rates,
 * bytes, utilisation. Owned by @self (transfer none, not floating) and
 * the same value as long as they do not change: an idle interface costs
 * a tick a reference. */
GVariant   *td_iface_sample_variant  (TdIface             *self);
/* The same as the {oa{sv}} entry of Sampled, keyed by the object path
 * (transfer none). */
GVariant   *td_iface_sample_entry    (TdIface             *self);
/* The sample plus the inventory (ListInterfaces). */
GVariant   *td_iface_describe        (TdIface             *self);

G_END_DECLS
