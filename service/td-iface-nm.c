/* td-iface-nm.c: NetworkManager's view of the interfaces (libnm). */
#include "config.h"

#include "td-iface-nm.h"

#include <NetworkManager.h>

struct _TdIfaceNm
{
  GObject       parent_instance;

  NMClient     *client;
  GCancellable *cancellable;
  GHashTable   *watched;     /* NMDevice* -> itself: "notify" connected */
  guint         changed_idle;
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdIfaceNm, td_iface_nm, G_TYPE_OBJECT)

static void
unwatch_device (gpointer key, gpointer value, gpointer user_data)
{
  g_signal_handlers_disconnect_by_data (key, user_data);
}

static void
td_iface_nm_dispose (GObject *object)
{
  TdIfaceNm *self = TD_IFACE_NM (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->changed_idle, g_source_remove);
  if (self->watched != NULL)
    {
      g_hash_table_foreach (self->watched, unwatch_device, self);
      g_clear_pointer (&self->watched, g_hash_table_unref);
    }
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (td_iface_nm_parent_class)->dispose (object);
}

static void
td_iface_nm_class_init (TdIfaceNmClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_iface_nm_dispose;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
td_iface_nm_init (TdIfaceNm *self)
{
  self->cancellable = g_cancellable_new ();
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

static gboolean
emit_changed (gpointer user_data)
{
  TdIfaceNm *self = user_data;

  self->changed_idle = 0;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Many notifications come at once (a device activating changes a dozen
 * properties): one "changed" for them all. */
static void
queue_changed (TdIfaceNm *self)
{
  if (self->changed_idle == 0)
    self->changed_idle = g_timeout_add (50, emit_changed, self);
}

static void
on_device_notify (GObject *device, GParamSpec *pspec, gpointer user_data)
{
  queue_changed (user_data);
}

static void
watch_device (TdIfaceNm *self, NMDevice *device)
{
  if (g_hash_table_contains (self->watched, device))
    return;
  g_hash_table_add (self->watched, g_object_ref (device));
  g_signal_connect (device, "notify", G_CALLBACK (on_device_notify), self);
}

static void
watch_all (TdIfaceNm *self)
{
  const GPtrArray *devices = nm_client_get_devices (self->client);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    watch_device (self, devices->pdata[i]);
}

static void
on_device_added (NMClient *client, NMDevice *device, gpointer user_data)
{
  TdIfaceNm *self = user_data;

  watch_device (self, device);
  queue_changed (self);
}

static void
on_device_removed (NMClient *client, NMDevice *device, gpointer user_data)
{
  TdIfaceNm *self = user_data;

  if (g_hash_table_contains (self->watched, device))
    {
      g_signal_handlers_disconnect_by_data (device, self);
      g_hash_table_remove (self->watched, device);
    }
  queue_changed (self);
}

static void
on_running (GObject *client, GParamSpec *pspec, gpointer user_data)
{
  TdIfaceNm *self = user_data;

  g_info ("interfaces: NetworkManager %s; inventory from %s",
          nm_client_get_nm_running (self->client) ? "is running" : "stopped",
          nm_client_get_nm_running (self->client) ? "NetworkManager" : "the kernel");
  if (nm_client_get_nm_running (self->client))
    watch_all (self);
  queue_changed (self);
}

static void
on_client_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  NMClient *client = nm_client_new_finish (result, &error);
  TdIfaceNm *self;

  if (client == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_info ("interfaces: no NetworkManager client (%s); inventory from the kernel", error->message);
      return;
    }
  self = user_data;
  self->client = client;
  g_signal_connect (client, "notify::" NM_CLIENT_NM_RUNNING, G_CALLBACK (on_running), self);
  g_signal_connect (client, NM_CLIENT_DEVICE_ADDED, G_CALLBACK (on_device_added), self);
  g_signal_connect (client, NM_CLIENT_DEVICE_REMOVED, G_CALLBACK (on_device_removed), self);
  if (nm_client_get_nm_running (client))
    {
      g_info ("interfaces: NetworkManager is running; inventory from it");
      watch_all (self);
      queue_changed (self);
    }
  else
    g_info ("interfaces: NetworkManager is not running; inventory from the kernel");
}

TdIfaceNm *
td_iface_nm_new (void)
{
  TdIfaceNm *self = g_object_new (TD_TYPE_IFACE_NM, NULL);

  /* user_data is only used when the operation was not cancelled, which
   * dispose does before self goes */
  nm_client_new_async (self->cancellable, on_client_ready, self);
  return self;
}

gboolean
td_iface_nm_is_running (TdIfaceNm *self)
{
  return self->client != NULL && nm_client_get_nm_running (self->client);
}

static const char *
state_name (NMDeviceState state)
{
  switch (state)
    {
    case NM_DEVICE_STATE_UNMANAGED:    return "unmanaged";
    case NM_DEVICE_STATE_UNAVAILABLE:  return "unavailable";
    case NM_DEVICE_STATE_DISCONNECTED: return "disconnected";
    case NM_DEVICE_STATE_PREPARE:      return "prepare";
    case NM_DEVICE_STATE_CONFIG:       return "config";
    case NM_DEVICE_STATE_NEED_AUTH:    return "need-auth";
    case NM_DEVICE_STATE_IP_CONFIG:    return "ip-config";
    case NM_DEVICE_STATE_IP_CHECK:     return "ip-check";
    case NM_DEVICE_STATE_SECONDARIES:  return "secondaries";
    case NM_DEVICE_STATE_ACTIVATED:    return "activated";
    case NM_DEVICE_STATE_DEACTIVATING: return "deactivating";
    case NM_DEVICE_STATE_FAILED:       return "failed";
    case NM_DEVICE_STATE_UNKNOWN:
    default:                           return "unknown";
    }
}

static const char *
metered_name (NMMetered metered)
{
  switch (metered)
    {
    case NM_METERED_YES:       return "yes";
    case NM_METERED_NO:        return "no";
    case NM_METERED_GUESS_YES: return "guess-yes";
    case NM_METERED_GUESS_NO:  return "guess-no";
    case NM_METERED_UNKNOWN:
    default:                   return "unknown";
    }
}

TdIfaceNmInfo *
td_iface_nm_lookup (TdIfaceNm *self, const char *name)
{
  NMDevice *device;
  NMActiveConnection *active;
  TdIfaceNmInfo *info;
  const char *type;

  if (!td_iface_nm_is_running (self))
    return NULL;
  device = nm_client_get_device_by_iface (self->client, name);
  if (device == NULL)
    return NULL;
  info = g_new0 (TdIfaceNmInfo, 1);
  type = nm_device_get_type_description (device);
  info->type = g_ascii_strdown (type ? type : "unknown", -1);
  info->state = g_strdup (state_name (nm_device_get_state (device)));
  info->metered = g_strdup (metered_name (nm_device_get_metered (device)));
  active = nm_device_get_active_connection (device);
  if (NM_IS_DEVICE_WIFI (device))
    {
      NMAccessPoint *ap = nm_device_wifi_get_active_access_point (NM_DEVICE_WIFI (device));
      GBytes *ssid = ap ? nm_access_point_get_ssid (ap) : NULL;

      if (ssid != NULL)
        info->connection = nm_utils_ssid_to_utf8 (g_bytes_get_data (ssid, NULL), g_bytes_get_size (ssid));
    }
  if (info->connection == NULL && active != NULL)
    info->connection = g_strdup (nm_active_connection_get_id (active));
  if (NM_IS_DEVICE_ETHERNET (device))
    info->speed_bits_per_second = (guint64) nm_device_ethernet_get_speed (NM_DEVICE_ETHERNET (device)) * 1000000;
  return info;
}
