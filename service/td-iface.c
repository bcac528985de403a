/* td-iface.c: one network interface and its D-Bus object. */
#include "config.h"

#include "td-iface.h"
#include "tr-dbus-generated.h"

#include <math.h>
#include <string.h>

/* The values of a Sampled a{sv} but the name (memcmp'd: no padding). */
typedef struct {
  double  rx_rate, tx_rate, util;
  guint64 rx_bytes, tx_bytes;
} SampleValues;

/* The Interface skeleton, its RxBitsPerSecond, TxBitsPerSecond,
 * Utilisation and Counters read from the fields below when someone asks
 * (Get, GetAll, GetManagedObjects, the C getters). They change at every
 * tick of a busy interface and go out without PropertiesChanged: storing
 * them as GObject properties cost every tick a property lookup, a GValue
 * and a notify each, and an a{sv} built and compared for Counters. */
#define TD_TYPE_IFACE_SKELETON (td_iface_skeleton_get_type ())
G_DECLARE_FINAL_TYPE (TdIfaceSkeleton, td_iface_skeleton, TD, IFACE_SKELETON, TrDBusNetInterfaceSkeleton)

struct _TdIfaceSkeleton
{
  TrDBusNetInterfaceSkeleton parent_instance;

  double                 rx_rate, tx_rate;
  double                 util;               /* -1 unknown */
  TdIfaceCounters        counters;
  GVariant              *counters_variant;   /* of counters; NULL until asked */
};

enum {
  PROP_0,
  PROP_RX_RATE,
  PROP_TX_RATE,
  PROP_UTILISATION,
  PROP_COUNTERS,
};

static void td_iface_skeleton_iface_init (TrDBusNetInterfaceIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdIfaceSkeleton, td_iface_skeleton, TR_DBUS_TYPE_NET_INTERFACE_SKELETON,
                               G_IMPLEMENT_INTERFACE (TR_DBUS_TYPE_NET_INTERFACE, td_iface_skeleton_iface_init))

struct _TdIface
{
  GObject                parent_instance;

  TrDBusObjectSkeleton  *object;
  TrDBusNetInterface    *iface;         /* a TdIfaceSkeleton */
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

  guint64                speed;        /* the LinkSpeed property, bits/s */

  gboolean               have_counters;
  TdIfaceCounters        counters;
  gint64                 read_at;      /* monotonic µs of counters */
  guint64                rx_delta, tx_delta;
  double                 rx_rate, tx_rate;
  double                 util;         /* -1 unknown */

  /* The Sampled signal's entry, kept while its values hold: most
   * interfaces are idle, and an unchanged one then costs the tick a
   * reference instead of some 25 GVariants built and freed (tree form:
   * GDBus walks it without allocating, a serialised one it would not). */
  GVariant              *path_variant;  /* o */
  GVariant              *name_entry;    /* {"name", <name>} */
  SampleValues           sampled;       /* what sample holds */
  GVariant              *sample;        /* a{sv}, NULL until built */
  GVariant              *sample_entry;  /* {o a{sv}} */
};

G_DEFINE_FINAL_TYPE (TdIface, td_iface, G_TYPE_OBJECT)

/* ---- a{sv}s of shared keys ---- */

typedef enum {
  KEY_NAME,
  KEY_RX_RATE,
  KEY_TX_RATE,
  KEY_RX_BYTES,
  KEY_TX_BYTES,
  KEY_RX_PACKETS,
  KEY_TX_PACKETS,
  KEY_RX_ERRORS,
  KEY_TX_ERRORS,
  KEY_RX_DROPPED,
  KEY_TX_DROPPED,
  KEY_UTILISATION,
  KEY_INTERFACES,
  N_KEYS
} Key;

/* The key strings, made once for the life of the process: a dict entry
 * takes a reference to its key instead of a copy. */
static GVariant *
key_variant (Key key)
{
  static const char *const names[N_KEYS] = {
    "name", "rx_bits_per_second", "tx_bits_per_second", "rx_bytes", "tx_bytes", "rx_packets", "tx_packets",
    "rx_errors", "tx_errors", "rx_dropped", "tx_dropped", "utilisation", "interfaces",
  };
  static GVariant *keys[N_KEYS];
  static gsize made;

  if (g_once_init_enter (&made))
    {
      for (guint i = 0; i < N_KEYS; i++)
        keys[i] = g_variant_ref_sink (g_variant_new_string (names[i]));
      g_once_init_leave (&made, 1);
    }
  return keys[key];
}

/* A floating {sv}; sinks @value. */
static GVariant *
entry_new (Key key, GVariant *value)
{
  return g_variant_new_dict_entry (key_variant (key), g_variant_new_variant (value));
}

/* The {sv} of a rate or of the utilisation: for 0, the value of every
 * idle interface, one entry made once and shared by all (owned by this
 * function, not floating); a new floating one otherwise. */
static GVariant *
double_entry (Key key, double value)
{
  static GVariant *zeros[N_KEYS];
  static gsize made;

  if (value != 0 || signbit (value))
    return entry_new (key, g_variant_new_double (value));
  if (g_once_init_enter (&made))
    {
      static const Key keys[] = { KEY_RX_RATE, KEY_TX_RATE, KEY_UTILISATION };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        zeros[keys[i]] = g_variant_ref_sink (entry_new (keys[i], g_variant_new_double (0)));
      g_once_init_leave (&made, 1);
    }
  g_assert (zeros[key] != NULL);
  return zeros[key];
}

static GVariant *
vardict_new (GVariant **entries, gsize n)
{
  return g_variant_new_array (G_VARIANT_TYPE ("{sv}"), entries, n);
}

/* The counters' {sv}s into @e (8). */
static void
counter_entries (const TdIfaceCounters *c, GVariant **e)
{
  GVariant *list[] = {
    entry_new (KEY_RX_BYTES, g_variant_new_uint64 (c->rx_bytes)),
    entry_new (KEY_TX_BYTES, g_variant_new_uint64 (c->tx_bytes)),
    entry_new (KEY_RX_PACKETS, g_variant_new_uint64 (c->rx_packets)),
    entry_new (KEY_TX_PACKETS, g_variant_new_uint64 (c->tx_packets)),
    entry_new (KEY_RX_ERRORS, g_variant_new_uint64 (c->rx_errors)),
    entry_new (KEY_TX_ERRORS, g_variant_new_uint64 (c->tx_errors)),
    entry_new (KEY_RX_DROPPED, g_variant_new_uint64 (c->rx_dropped)),
    entry_new (KEY_TX_DROPPED, g_variant_new_uint64 (c->tx_dropped)),
  };

  memcpy (e, list, sizeof list);
}

static GVariant *
counters_variant (const TdIfaceCounters *c)
{
  GVariant *e[8];

  counter_entries (c, e);
  return vardict_new (e, G_N_ELEMENTS (e));
}

gboolean
td_iface_total_equal (const TdIfaceTotal *a, const TdIfaceTotal *b)
{
  return memcmp (&a->counters, &b->counters, sizeof a->counters) == 0 &&
         a->rx_bits_per_second == b->rx_bits_per_second && a->tx_bits_per_second == b->tx_bits_per_second &&
         a->interfaces == b->interfaces;
}

GVariant *
td_iface_total_variant (const TdIfaceTotal *total)
{
  GVariant *e[11];

  e[0] = entry_new (KEY_RX_RATE, g_variant_new_double (total->rx_bits_per_second));
  e[1] = entry_new (KEY_TX_RATE, g_variant_new_double (total->tx_bits_per_second));
  counter_entries (&total->counters, e + 2);
  e[10] = entry_new (KEY_INTERFACES, g_variant_new_uint32 (total->interfaces));
  return vardict_new (e, G_N_ELEMENTS (e));
}

/* ---- the skeleton ---- */

static GVariant *
skeleton_counters (TdIfaceSkeleton *self)
{
  if (self->counters_variant == NULL)
    self->counters_variant = g_variant_ref_sink (counters_variant (&self->counters));
  return self->counters_variant;
}

static void
td_iface_skeleton_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TdIfaceSkeleton *self = TD_IFACE_SKELETON (object);

  switch (prop_id)
    {
    case PROP_RX_RATE:
      g_value_set_double (value, self->rx_rate);
      break;
    case PROP_TX_RATE:
      g_value_set_double (value, self->tx_rate);
      break;
    case PROP_UTILISATION:
      g_value_set_double (value, self->util);
      break;
    case PROP_COUNTERS:
      g_value_set_variant (value, skeleton_counters (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_iface_skeleton_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  /* they follow the counters (td_iface_update_counters()) */
  g_critical ("TdIfaceSkeleton: %s is not set through its property", pspec->name);
}

static double
skeleton_get_rx_rate (TrDBusNetInterface *object)
{
  return TD_IFACE_SKELETON (object)->rx_rate;
}

static double
skeleton_get_tx_rate (TrDBusNetInterface *object)
{
  return TD_IFACE_SKELETON (object)->tx_rate;
}

static double
skeleton_get_utilisation (TrDBusNetInterface *object)
{
  return TD_IFACE_SKELETON (object)->util;
}

static GVariant *
skeleton_get_counters (TrDBusNetInterface *object)
{
  return skeleton_counters (TD_IFACE_SKELETON (object));
}

/* The other getters stay the parent's (GType copies its table). */
static void
td_iface_skeleton_iface_init (TrDBusNetInterfaceIface *iface)
{
  iface->get_rx_bits_per_second = skeleton_get_rx_rate;
  iface->get_tx_bits_per_second = skeleton_get_tx_rate;
  iface->get_utilisation = skeleton_get_utilisation;
  iface->get_counters = skeleton_get_counters;
}

static void
td_iface_skeleton_finalize (GObject *object)
{
  TdIfaceSkeleton *self = TD_IFACE_SKELETON (object);

  g_clear_pointer (&self->counters_variant, g_variant_unref);
  G_OBJECT_CLASS (td_iface_skeleton_parent_class)->finalize (object);
}

static void
td_iface_skeleton_class_init (TdIfaceSkeletonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = td_iface_skeleton_get_property;
  object_class->set_property = td_iface_skeleton_set_property;
  object_class->finalize = td_iface_skeleton_finalize;
  g_object_class_override_property (object_class, PROP_RX_RATE, "rx-bits-per-second");
  g_object_class_override_property (object_class, PROP_TX_RATE, "tx-bits-per-second");
  g_object_class_override_property (object_class, PROP_UTILISATION, "utilisation");
  g_object_class_override_property (object_class, PROP_COUNTERS, "counters");
}

static void
td_iface_skeleton_init (TdIfaceSkeleton *self)
{
  self->util = -1;
}

/* The readings of the last tick; nothing to do for the bus. */
static void
skeleton_set_readings (TdIfaceSkeleton *self, double rx_rate, double tx_rate, double util,
                       const TdIfaceCounters *c)
{
  self->rx_rate = rx_rate;
  self->tx_rate = tx_rate;
  self->util = util;
  if (memcmp (c, &self->counters, sizeof *c) != 0)
    {
      self->counters = *c;
      g_clear_pointer (&self->counters_variant, g_variant_unref);
    }
}

/* ---- the interface ---- */

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
  g_clear_pointer (&self->sample_entry, g_variant_unref);
  g_clear_pointer (&self->sample, g_variant_unref);
  g_clear_pointer (&self->name_entry, g_variant_unref);
  g_clear_pointer (&self->path_variant, g_variant_unref);
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
  self->util = -1;
}

TdIface *
td_iface_new (const TdIfaceLink *link)
{
  TdIface *self = g_object_new (TD_TYPE_IFACE, NULL);

  self->name = g_strdup (link->name);
  self->index = link->index;
  self->path = td_iface_path_for_name (link->name);
  self->path_variant = g_variant_ref_sink (g_variant_new_object_path (self->path));
  self->name_entry = g_variant_ref_sink (entry_new (KEY_NAME, g_variant_new_string (self->name)));
  self->object = tr_dbus_object_skeleton_new (self->path);
  self->iface = g_object_new (TD_TYPE_IFACE_SKELETON, NULL);
  tr_dbus_net_interface_set_name (self->iface, link->name);
  tr_dbus_net_interface_set_index (self->iface, link->index);
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
  if (self->speed != speed)
    {
      self->speed = speed;
      tr_dbus_net_interface_set_link_speed (self->iface, speed);
    }
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
  gboolean reset = FALSE;
  guint64 rx, tx;
  double seconds;

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
  self->util = self->speed > 0 ? MAX (self->rx_rate, self->tx_rate) / (double) self->speed : -1;
  skeleton_set_readings (TD_IFACE_SKELETON (self->iface), self->rx_rate, self->tx_rate, self->util, c);
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
  if (self->util >= 0)
    g_variant_builder_add (b, "{sv}", "utilisation", g_variant_new_double (self->util));
}

/* Where the byte counters are in the Sampled a{sv}. */
#define SAMPLE_RX_BYTES 3
#define SAMPLE_TX_BYTES 4

/* The {sv} of a byte counter: the one of the last sample while the
 * counter holds (one direction of a link is often idle). */
static GVariant *
bytes_entry (TdIface *self, gsize index, guint64 before, Key key, guint64 value)
{
  if (self->sample != NULL && value == before)
    return g_variant_get_child_value (self->sample, index);
  return g_variant_ref_sink (entry_new (key, g_variant_new_uint64 (value)));
}

/* Builds the Sampled entry again when a value in it changed: only the
 * {sv}s that changed are new; the name's, zero rates and the counters
 * that held are shared. */
static void
refresh_sample (TdIface *self)
{
  SampleValues now = { self->rx_rate, self->tx_rate, self->util, self->counters.rx_bytes, self->counters.tx_bytes };
  g_autoptr(GVariant) rx_bytes = NULL;
  g_autoptr(GVariant) tx_bytes = NULL;
  GVariant *e[6];
  gsize n = 0;

  if (self->sample != NULL && memcmp (&now, &self->sampled, sizeof now) == 0)
    return;
  rx_bytes = bytes_entry (self, SAMPLE_RX_BYTES, self->sampled.rx_bytes, KEY_RX_BYTES, now.rx_bytes);
  tx_bytes = bytes_entry (self, SAMPLE_TX_BYTES, self->sampled.tx_bytes, KEY_TX_BYTES, now.tx_bytes);
  /* the few keys of every tick (the rest is in Counters), in this order */
  e[n++] = self->name_entry;
  e[n++] = double_entry (KEY_RX_RATE, now.rx_rate);
  e[n++] = double_entry (KEY_TX_RATE, now.tx_rate);
  g_assert (n == SAMPLE_RX_BYTES);
  e[n++] = rx_bytes;
  e[n++] = tx_bytes;
  if (now.util >= 0)
    e[n++] = double_entry (KEY_UTILISATION, now.util);
  g_clear_pointer (&self->sample_entry, g_variant_unref);
  g_clear_pointer (&self->sample, g_variant_unref);
  self->sample = g_variant_ref_sink (vardict_new (e, n));
  self->sample_entry = g_variant_ref_sink (g_variant_new_dict_entry (self->path_variant, self->sample));
  self->sampled = now;
}

GVariant *
td_iface_sample_variant (TdIface *self)
{
  refresh_sample (self);
  return self->sample;
}

GVariant *
td_iface_sample_entry (TdIface *self)
{
  refresh_sample (self);
  return self->sample_entry;
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
