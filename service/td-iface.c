/* td-iface.c: one network interface and its D-Bus object. */
#include "config.h"

#include "td-iface.h"
#include "tr-dbus-generated.h"

#include <string.h>

struct _TdIface
{
  GObject                parent_instance;

  TrDBusObjectSkeleton  *object;
  TrDBusNetInterface    *iface;
  char                  *path;
  char                  *name;
  guint                  index;
  gboolean               loopback;
  guint                  operstate;

  /* the kernel's inventory, kept so NetworkManager's can come and go */
  char                  *kernel_type;
  char                  *kernel_state;
  guint64                kernel_speed;
  TdIfaceNmInfo         *nm;

  gboolean               have_counters;
  gboolean               counters_set;  /* the Counters property holds them */
  TdIfaceCounters        counters;
  gint64                 read_at;      /* monotonic µs of counters */
  guint64                rx_delta, tx_delta;
  double                 rx_rate, tx_rate;
};

G_DEFINE_FINAL_TYPE (TdIface, td_iface, G_TYPE_OBJECT)

void
td_iface_nm_info_free (TdIfaceNmInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->type);
  g_free (info->state);
  g_free (info->connection);
  g_free (info->metered);
  g_free (info);
}

char *
td_iface_path_for_name (const char *name)
{
  GString *s = g_string_new (TD_IFACES_PATH "/");

  for (const guchar *p = (const guchar *) name; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (s, (char) *p);
      else
        g_string_append_printf (s, "_%02x", *p);
    }
  return g_string_free (s, FALSE);
}

static void
td_iface_dispose (GObject *object)
{
  TdIface *self = TD_IFACE (object);

  g_clear_object (&self->iface);
  g_clear_object (&self->object);
  G_OBJECT_CLASS (td_iface_parent_class)->dispose (object);
}

static void
td_iface_finalize (GObject *object)
{
  TdIface *self = TD_IFACE (object);

  g_free (self->path);
  g_free (self->name);
  g_free (self->kernel_type);
  g_free (self->kernel_state);
  td_iface_nm_info_free (self->nm);
  G_OBJECT_CLASS (td_iface_parent_class)->finalize (object);
}

static void
td_iface_class_init (TdIfaceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_iface_dispose;
  G_OBJECT_CLASS (klass)->finalize = td_iface_finalize;
}

static void
td_iface_init (TdIface *self)
{
}

static GVariant *
counters_variant (const TdIfaceCounters *c)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "rx_bytes", g_variant_new_uint64 (c->rx_bytes));
  g_variant_builder_add (&b, "{sv}", "tx_bytes", g_variant_new_uint64 (c->tx_bytes));
  g_variant_builder_add (&b, "{sv}", "rx_packets", g_variant_new_uint64 (c->rx_packets));
  g_variant_builder_add (&b, "{sv}", "tx_packets", g_variant_new_uint64 (c->tx_packets));
  g_variant_builder_add (&b, "{sv}", "rx_errors", g_variant_new_uint64 (c->rx_errors));
  g_variant_builder_add (&b, "{sv}", "tx_errors", g_variant_new_uint64 (c->tx_errors));
  g_variant_builder_add (&b, "{sv}", "rx_dropped", g_variant_new_uint64 (c->rx_dropped));
  g_variant_builder_add (&b, "{sv}", "tx_dropped", g_variant_new_uint64 (c->tx_dropped));
  return g_variant_builder_end (&b);
}

TdIface *
td_iface_new (const TdIfaceLink *link)
{
  TdIface *self = g_object_new (TD_TYPE_IFACE, NULL);
  static const TdIfaceCounters zero;

  self->name = g_strdup (link->name);
  self->index = link->index;
  self->path = td_iface_path_for_name (link->name);
  self->object = tr_dbus_object_skeleton_new (self->path);
  self->iface = tr_dbus_net_interface_skeleton_new ();
  tr_dbus_net_interface_set_name (self->iface, link->name);
  tr_dbus_net_interface_set_index (self->iface, link->index);
  tr_dbus_net_interface_set_utilisation (self->iface, -1);
  tr_dbus_net_interface_set_counters (self->iface, counters_variant (&zero));
  tr_dbus_net_interface_set_metered (self->iface, "unknown");
  tr_dbus_net_interface_set_source (self->iface, "kernel");
  tr_dbus_object_skeleton_set_net_interface (self->object, self->iface);
  return self;
}

GDBusObjectSkeleton *
td_iface_get_object (TdIface *self)
{
  return G_DBUS_OBJECT_SKELETON (self->object);
}

const char *
td_iface_get_path (TdIface *self)
{
  return self->path;
}

const char *
td_iface_get_name (TdIface *self)
{
  return self->name;
}

guint
td_iface_get_index (TdIface *self)
{
  return self->index;
}

guint
td_iface_get_operstate (TdIface *self)
{
  return self->operstate;
}

gboolean
td_iface_is_loopback (TdIface *self)
{
  return self->loopback;
}

/* Sets a string property only when it changes (each change is a signal). */
#define SET_STRING(self, prop, value) G_STMT_START {                          \
    const char *v_ = (value) ? (value) : "";                                  \
    if (g_strcmp0 (tr_dbus_net_interface_get_##prop ((self)->iface), v_) != 0) \
      tr_dbus_net_interface_set_##prop ((self)->iface, v_);                   \
  } G_STMT_END

static void
apply_inventory (TdIface *self)
{
  const TdIfaceNmInfo *nm = self->nm;
  guint64 speed = self->kernel_speed;

  if (nm != NULL && nm->speed_bits_per_second > 0)
    speed = nm->speed_bits_per_second;
  SET_STRING (self, type_, nm && nm->type ? nm->type : self->kernel_type);
  SET_STRING (self, state, nm && nm->state ? nm->state : self->kernel_state);
  SET_STRING (self, connection, nm ? nm->connection : NULL);
  SET_STRING (self, metered, nm && nm->metered ? nm->metered : "unknown");
  SET_STRING (self, source, nm ? "NetworkManager" : "kernel");
  if (tr_dbus_net_interface_get_link_speed (self->iface) != speed)
    tr_dbus_net_interface_set_link_speed (self->iface, speed);
}

void
td_iface_set_link (TdIface *self, const TdIfaceLink *link, GPtrArray *addresses, guint64 speed)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  const char *const *old;
  gboolean same = TRUE;

  g_free (self->kernel_type);
  self->kernel_type = td_iface_netlink_type_name (link);
  g_free (self->kernel_state);
  self->kernel_state = g_strdup (td_iface_netlink_operstate_name (link->operstate));
  self->kernel_speed = speed;
  self->operstate = link->operstate;
  self->loopback = strcmp (self->kernel_type, "loopback") == 0;
  SET_STRING (self, mac, link->mac);
  if (tr_dbus_net_interface_get_mtu (self->iface) != link->mtu)
    tr_dbus_net_interface_set_mtu (self->iface, link->mtu);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    g_ptr_array_add (list, addresses->pdata[i]);
  g_ptr_array_add (list, NULL);
  old = tr_dbus_net_interface_get_addresses (self->iface);
  if (old == NULL || g_strv_length ((char **) old) != list->len - 1)
    same = FALSE;
  for (guint i = 0; same && i + 1 < list->len; i++)
    same = strcmp (old[i], list->pdata[i]) == 0;
  if (!same)
    tr_dbus_net_interface_set_addresses (self->iface, (const char *const *) list->pdata);
  apply_inventory (self);
}

void
td_iface_set_nm (TdIface *self, TdIfaceNmInfo *info)
{
  td_iface_nm_info_free (self->nm);
  self->nm = info;
  apply_inventory (self);
}

static guint64
delta (guint64 now, guint64 before, gboolean *reset)
{
  if (now < before)
    {
      *reset = TRUE;
      return 0;
    }
  return now - before;
}

void
td_iface_update_counters (TdIface *self, const TdIfaceCounters *c, gint64 monotonic_us)
{
  gboolean reset = FALSE, same_counters = memcmp (c, &self->counters, sizeof *c) == 0;
  guint64 rx, tx;
  double seconds, util = -1;
  guint64 speed;

  if (self->have_counters && monotonic_us > self->read_at)
    {
      seconds = (double) (monotonic_us - self->read_at) / G_USEC_PER_SEC;
      rx = delta (c->rx_bytes, self->counters.rx_bytes, &reset);
      tx = delta (c->tx_bytes, self->counters.tx_bytes, &reset);
      /* a counter that went down: the device was reset or re-created under
       * the same index; this tick has no rate */
      if (reset)
        rx = tx = 0;
      self->rx_delta = rx;
      self->tx_delta = tx;
      self->rx_rate = (double) rx * 8.0 / seconds;
      self->tx_rate = (double) tx * 8.0 / seconds;
    }
  else
    {
      self->rx_delta = self->tx_delta = 0;
      self->rx_rate = self->tx_rate = 0;
    }
  self->counters = *c;
  self->read_at = monotonic_us;
  self->have_counters = TRUE;

  speed = tr_dbus_net_interface_get_link_speed (self->iface);
  if (speed > 0)
    util = MAX (self->rx_rate, self->tx_rate) / (double) speed;
  /* most interfaces are idle most of the time: set only what changed
   * (each set costs GVariants and a notify) */
  if (tr_dbus_net_interface_get_rx_bits_per_second (self->iface) != self->rx_rate)
    tr_dbus_net_interface_set_rx_bits_per_second (self->iface, self->rx_rate);
  if (tr_dbus_net_interface_get_tx_bits_per_second (self->iface) != self->tx_rate)
    tr_dbus_net_interface_set_tx_bits_per_second (self->iface, self->tx_rate);
  if (tr_dbus_net_interface_get_utilisation (self->iface) != util)
    tr_dbus_net_interface_set_utilisation (self->iface, util);
  if (!same_counters || !self->counters_set)
    {
      tr_dbus_net_interface_set_counters (self->iface, counters_variant (c));
      self->counters_set = TRUE;
    }
}

double
td_iface_get_rx_rate (TdIface *self)
{
  return self->rx_rate;
}

double
td_iface_get_tx_rate (TdIface *self)
{
  return self->tx_rate;
}

guint64
td_iface_get_rx_delta (TdIface *self)
{
  return self->rx_delta;
}

guint64
td_iface_get_tx_delta (TdIface *self)
{
  return self->tx_delta;
}

const TdIfaceCounters *
td_iface_get_counters (TdIface *self)
{
  return &self->counters;
}

static void
add_sample_keys (TdIface *self, GVariantBuilder *b)
{
  const TdIfaceCounters *c = &self->counters;
  double util = tr_dbus_net_interface_get_utilisation (self->iface);

  g_variant_builder_add (b, "{sv}", "name", g_variant_new_string (self->name));
  g_variant_builder_add (b, "{sv}", "index", g_variant_new_uint32 (self->index));
  g_variant_builder_add (b, "{sv}", "rx_bits_per_second", g_variant_new_double (self->rx_rate));
  g_variant_builder_add (b, "{sv}", "tx_bits_per_second", g_variant_new_double (self->tx_rate));
  g_variant_builder_add (b, "{sv}", "rx_bytes", g_variant_new_uint64 (c->rx_bytes));
  g_variant_builder_add (b, "{sv}", "tx_bytes", g_variant_new_uint64 (c->tx_bytes));
  g_variant_builder_add (b, "{sv}", "rx_packets", g_variant_new_uint64 (c->rx_packets));
  g_variant_builder_add (b, "{sv}", "tx_packets", g_variant_new_uint64 (c->tx_packets));
  g_variant_builder_add (b, "{sv}", "rx_errors", g_variant_new_uint64 (c->rx_errors));
  g_variant_builder_add (b, "{sv}", "tx_errors", g_variant_new_uint64 (c->tx_errors));
  g_variant_builder_add (b, "{sv}", "rx_dropped", g_variant_new_uint64 (c->rx_dropped));
  g_variant_builder_add (b, "{sv}", "tx_dropped", g_variant_new_uint64 (c->tx_dropped));
  if (util >= 0)
    g_variant_builder_add (b, "{sv}", "utilisation", g_variant_new_double (util));
}

GVariant *
td_iface_sample_variant (TdIface *self)
{
  double util = tr_dbus_net_interface_get_utilisation (self->iface);
  GVariantBuilder b;

  /* the few keys of every tick (the rest is in Counters) */
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "name", g_variant_new_string (self->name));
  g_variant_builder_add (&b, "{sv}", "rx_bits_per_second", g_variant_new_double (self->rx_rate));
  g_variant_builder_add (&b, "{sv}", "tx_bits_per_second", g_variant_new_double (self->tx_rate));
  g_variant_builder_add (&b, "{sv}", "rx_bytes", g_variant_new_uint64 (self->counters.rx_bytes));
  g_variant_builder_add (&b, "{sv}", "tx_bytes", g_variant_new_uint64 (self->counters.tx_bytes));
  if (util >= 0)
    g_variant_builder_add (&b, "{sv}", "utilisation", g_variant_new_double (util));
  return g_variant_builder_end (&b);
}

GVariant *
td_iface_describe (TdIface *self)
{
  TrDBusNetInterface *i = self->iface;
  const char *const *addresses = tr_dbus_net_interface_get_addresses (i);
  static const char *const none[] = { NULL };
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  add_sample_keys (self, &b);
  g_variant_builder_add (&b, "{sv}", "path", g_variant_new_object_path (self->path));
  g_variant_builder_add (&b, "{sv}", "type", g_variant_new_string (tr_dbus_net_interface_get_type_ (i)));
  g_variant_builder_add (&b, "{sv}", "state", g_variant_new_string (tr_dbus_net_interface_get_state (i)));
  g_variant_builder_add (&b, "{sv}", "mac", g_variant_new_string (tr_dbus_net_interface_get_mac (i)));
  g_variant_builder_add (&b, "{sv}", "connection", g_variant_new_string (tr_dbus_net_interface_get_connection (i)));
  g_variant_builder_add (&b, "{sv}", "metered", g_variant_new_string (tr_dbus_net_interface_get_metered (i)));
  g_variant_builder_add (&b, "{sv}", "source", g_variant_new_string (tr_dbus_net_interface_get_source (i)));
  g_variant_builder_add (&b, "{sv}", "addresses", g_variant_new_strv (addresses ? addresses : none, -1));
  g_variant_builder_add (&b, "{sv}", "mtu", g_variant_new_uint32 (tr_dbus_net_interface_get_mtu (i)));
  g_variant_builder_add (&b, "{sv}", "link_speed_bits_per_second",
                         g_variant_new_uint64 (tr_dbus_net_interface_get_link_speed (i)));
  return g_variant_builder_end (&b);
}
