/* td-iface-monitor.c: sampling every interface, the Interfaces object. */
#include "config.h"

#include "td-iface-monitor.h"
#include "td-history-db.h"
#include "td-history-env.h"
#include "td-iface.h"
#include "td-iface-history.h"
#include "td-iface-netlink.h"
#include "td-iface-nm.h"
#include "td-test.h"
#include "tr-dbus-generated.h"
#include "tr-error.h"

#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#define REFRESH_DELAY_MS 20

typedef struct {
  TdIfaceMonitor *monitor;
  TdTest         *test;
  guint           id;
  char           *ifname;       /* NULL until the route is known */
  GCancellable   *cancellable;
} TestWatch;

struct _TdIfaceMonitor
{
  GObject                   parent_instance;

  GDBusConnection          *connection;
  TdManager                *manager;
  GDBusObjectManagerServer *object_manager;
  TdHistory                *history;
  TdIfaceIds               *history_ids;  /* the writer's, kept across ticks */
  TrDBusNetInterfaces      *skeleton;
  TdIfaceNm                *nm;

  int                       fd;          /* requests */
  int                       monitor_fd;  /* notifications */
  guint                     monitor_source;
  guint                     timer;
  guint                     refresh_timer;
  GHashTable               *ifaces;      /* index -> TdIface */
  GHashTable               *tests;       /* TdTest* -> TestWatch */
  GArray                   *stats;       /* reused every tick */
  GPtrArray                *entries;     /* the tick's Sampled entries (borrowed) */
  TdIfaceTotal              total;       /* what total_variant holds */
  GVariant                 *total_variant;

  double                    interval;
  gboolean                  include_loopback;
  gint64                    samples_keep_us;
  gint64                    last_tick;   /* monotonic µs */
  gint64                    last_minute; /* real time / 1 min of the last tick */
};

G_DEFINE_FINAL_TYPE (TdIfaceMonitor, td_iface_monitor, G_TYPE_OBJECT)

static void
test_watch_free (TestWatch *w)
{
  g_cancellable_cancel (w->cancellable);
  g_clear_object (&w->cancellable);
  g_signal_handlers_disconnect_by_data (w->test, w);
  g_object_unref (w->test);
  g_free (w->ifname);
  g_free (w);
}

static void
unexport (gpointer key, gpointer value, gpointer user_data)
{
  TdIfaceMonitor *self = user_data;

  if (self->object_manager != NULL)
    g_dbus_object_manager_server_unexport (self->object_manager, td_iface_get_path (value));
}

static void
td_iface_monitor_dispose (GObject *object)
{
  TdIfaceMonitor *self = TD_IFACE_MONITOR (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  g_clear_handle_id (&self->monitor_source, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->nm != NULL)
    g_signal_handlers_disconnect_by_data (self->nm, self);
  g_clear_pointer (&self->tests, g_hash_table_unref);
  if (self->ifaces != NULL)
    {
      g_hash_table_foreach (self->ifaces, unexport, self);
      g_clear_pointer (&self->ifaces, g_hash_table_unref);
    }
  if (self->skeleton != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_clear_object (&self->skeleton);
  g_clear_object (&self->nm);
  g_clear_object (&self->history);
  g_clear_pointer (&self->history_ids, td_iface_ids_unref);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->manager);
  g_clear_object (&self->connection);
  if (self->fd >= 0)
    close (self->fd);
  if (self->monitor_fd >= 0)
    close (self->monitor_fd);
  self->fd = self->monitor_fd = -1;
  g_clear_pointer (&self->stats, g_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->total_variant, g_variant_unref);
  G_OBJECT_CLASS (td_iface_monitor_parent_class)->dispose (object);
}

static void
td_iface_monitor_class_init (TdIfaceMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_iface_monitor_dispose;
}

static void
td_iface_monitor_init (TdIfaceMonitor *self)
{
  self->fd = self->monitor_fd = -1;
  self->ifaces = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->tests = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) test_watch_free);
  self->stats = g_array_new (FALSE, FALSE, sizeof (TdIfaceStats));
  self->entries = g_ptr_array_new ();
  self->history_ids = td_iface_ids_new ();
}

/* ---- inventory ---- */

static TdIface *
find_by_name (TdIfaceMonitor *self, const char *name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->ifaces);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (strcmp (td_iface_get_name (value), name) == 0)
      return value;
  return NULL;
}

static void
update_source (TdIfaceMonitor *self)
{
  const char *source = self->nm != NULL && td_iface_nm_is_running (self->nm) ? "NetworkManager" : "kernel";

  if (g_strcmp0 (tr_dbus_net_interfaces_get_source (self->skeleton), source) != 0)
    tr_dbus_net_interfaces_set_source (self->skeleton, source);
}

/* Stops the running tests whose interface is @name: their traffic has
 * nowhere to go, and iperf would only time out much later. */
static void
interface_gone (TdIfaceMonitor *self, const char *name)
{
  g_autoptr(GPtrArray) victims = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->tests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TestWatch *w = value;

      if (w->ifname != NULL && strcmp (w->ifname, name) == 0 && !td_test_is_ended (w->test))
        g_ptr_array_add (victims, g_object_ref (w->test));
    }
  for (guint i = 0; i < victims->len; i++)
    {
      g_autofree char *message = g_strdup_printf ("stopped: the network interface %s that the test used was removed",
                                                  name);

      g_info ("test %u: %s", td_test_get_id (victims->pdata[i]), message);
      td_test_stop (victims->pdata[i], TR_ERROR_STOPPED, message);
    }
}

static void
refresh_inventory (TdIfaceMonitor *self)
{
  g_autoptr(GArray) links = g_array_new (FALSE, FALSE, sizeof (TdIfaceLink));
  g_autoptr(GHashTable) addrs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!td_iface_netlink_dump_links (self->fd, links, &error) ||
      !td_iface_netlink_dump_addrs (self->fd, addrs, &error))
    {
      g_warning ("interfaces: cannot read the inventory: %s", error->message);
      return;
    }
  for (guint i = 0; i < links->len; i++)
    {
      const TdIfaceLink *link = &g_array_index (links, TdIfaceLink, i);
      TdIface *iface = g_hash_table_lookup (self->ifaces, GUINT_TO_POINTER (link->index));
      gboolean is_new = FALSE;
      guint64 speed = 0;
      gint64 s;

      g_hash_table_add (seen, GUINT_TO_POINTER (link->index));
      if (iface != NULL && strcmp (td_iface_get_name (iface), link->name) != 0)
        {
          /* renamed: its path is its name */
          g_ptr_array_add (gone, g_strdup (td_iface_get_name (iface)));
          g_dbus_object_manager_server_unexport (self->object_manager, td_iface_get_path (iface));
          g_hash_table_remove (self->ifaces, GUINT_TO_POINTER (link->index));
          iface = NULL;
        }
      if (iface == NULL)
        {
          iface = td_iface_new (link);
          is_new = TRUE;
        }
      if (is_new || td_iface_get_operstate (iface) != link->operstate)
        {
          s = td_history_env_link_speed (link->name);
          speed = s > 0 ? (guint64) s : 0;
        }
      else
        speed = tr_dbus_net_interface_get_link_speed (
                  tr_dbus_object_peek_net_interface (TR_DBUS_OBJECT (td_iface_get_object (iface))));
      td_iface_set_link (iface, link, g_hash_table_lookup (addrs, GUINT_TO_POINTER (link->index)), speed);
      if (self->nm != NULL)
        td_iface_set_nm (iface, td_iface_nm_lookup (self->nm, link->name));
      if (is_new)
        {
          if (link->has_counters)
            td_iface_update_counters (iface, &link->counters, g_get_monotonic_time ());
          g_hash_table_insert (self->ifaces, GUINT_TO_POINTER (link->index), iface);
          /* a stale object of the same name (re-created under a new index) */
          g_dbus_object_manager_server_unexport (self->object_manager, td_iface_get_path (iface));
          g_dbus_object_manager_server_export (self->object_manager, td_iface_get_object (iface));
          g_debug ("interfaces: %s (index %u) appeared", link->name, link->index);
        }
    }
  g_hash_table_iter_init (&iter, self->ifaces);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        const char *name = td_iface_get_name (value);

        g_debug ("interfaces: %s (index %u) went away", name, GPOINTER_TO_UINT (key));
        if (find_by_name (self, name) == value)
          g_dbus_object_manager_server_unexport (self->object_manager, td_iface_get_path (value));
        g_ptr_array_add (gone, g_strdup (name));
        g_hash_table_iter_remove (&iter);
      }
  /* a name that went away and came back (re-created) keeps its object */
  for (guint i = 0; i < gone->len; i++)
    if (find_by_name (self, gone->pdata[i]) == NULL)
      interface_gone (self, gone->pdata[i]);
    else
      g_dbus_object_manager_server_export (self->object_manager,
                                           td_iface_get_object (find_by_name (self, gone->pdata[i])));
  update_source (self);
}

static gboolean
on_refresh_timer (gpointer user_data)
{
  TdIfaceMonitor *self = user_data;

  self->refresh_timer = 0;
  refresh_inventory (self);
  return G_SOURCE_REMOVE;
}

static void
queue_refresh (TdIfaceMonitor *self)
{
  if (self->refresh_timer == 0)
    self->refresh_timer = g_timeout_add (REFRESH_DELAY_MS, on_refresh_timer, self);
}

static gboolean
on_monitor_fd (int fd, GIOCondition condition, gpointer user_data)
{
  TdIfaceMonitor *self = user_data;

  if (td_iface_netlink_drain (fd))
    queue_refresh (self);
  return G_SOURCE_CONTINUE;
}

static void
on_nm_changed (TdIfaceNm *nm, gpointer user_data)
{
  queue_refresh (user_data);
}

/* ---- tests ---- */

static void
route_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  char **addresses = data;   /* remote, local (may be NULL) */
  GError *error = NULL;
  char *ifname = td_history_env_route (addresses[0], addresses[1], &error);

  if (ifname == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ifname, g_free);
}

static void
on_route (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  char *ifname = g_task_propagate_pointer (G_TASK (result), &error);
  TestWatch *w = user_data;

  if (ifname == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("interfaces: test: no interface: %s", error->message);
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_free (ifname);
      return;
    }
  g_free (w->ifname);
  w->ifname = ifname;
  g_debug ("interfaces: test %u uses %s", w->id, ifname);
  /* removed before the lookup came back */
  if (find_by_name (w->monitor, ifname) == NULL)
    interface_gone (w->monitor, ifname);
}

static void
on_test_record (TdTest *test, const char *kind, gint64 timestamp, GVariant *record, gpointer user_data)
{
  TestWatch *w = user_data;
  const char *remote = NULL, *local = NULL;
  g_autoptr(GTask) task = NULL;
  char **addresses;

  if (strcmp (kind, "connected") != 0 || w->ifname != NULL ||
      !g_variant_lookup (record, "remote_address", "&s", &remote))
    return;
  g_variant_lookup (record, "local_address", "&s", &local);
  addresses = g_new0 (char *, 3);
  addresses[0] = g_strdup (remote);
  addresses[1] = g_strdup (local);
  task = g_task_new (NULL, w->cancellable, on_route, w);
  g_task_set_task_data (task, addresses, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, route_thread);
}

static void
on_test_ended (TdTest *test, gpointer user_data)
{
  TestWatch *w = user_data;

  g_hash_table_remove (w->monitor->tests, test);
}

static void
on_test_added (TdManager *manager, TdTest *test, gpointer user_data)
{
  TdIfaceMonitor *self = user_data;
  TestWatch *w;

  if (g_hash_table_contains (self->tests, test))
    return;
  w = g_new0 (TestWatch, 1);
  w->monitor = self;
  w->test = g_object_ref (test);
  w->id = td_test_get_id (test);
  w->cancellable = g_cancellable_new ();
  g_hash_table_insert (self->tests, test, w);
  g_signal_connect (test, "record", G_CALLBACK (on_test_record), w);
  g_signal_connect (test, "ended", G_CALLBACK (on_test_ended), w);
}

/* ---- sampling ---- */

static void
add_to_total (TdIfaceTotal *total, TdIface *iface)
{
  const TdIfaceCounters *c = td_iface_get_counters (iface);

  total->interfaces++;
  total->rx_bits_per_second += td_iface_get_rx_rate (iface);
  total->tx_bits_per_second += td_iface_get_tx_rate (iface);
  total->counters.rx_bytes += c->rx_bytes;
  total->counters.tx_bytes += c->tx_bytes;
  total->counters.rx_packets += c->rx_packets;
  total->counters.tx_packets += c->tx_packets;
  total->counters.rx_errors += c->rx_errors;
  total->counters.tx_errors += c->tx_errors;
  total->counters.rx_dropped += c->rx_dropped;
  total->counters.tx_dropped += c->tx_dropped;
}

static void
add_row (TdIfaceTick *tick, TdIface *iface, double seconds)
{
  TdIfaceTickRow row = { { 0 } };

  g_strlcpy (row.name, td_iface_get_name (iface), sizeof row.name);
  row.seconds = seconds;
  row.rx_bits_per_second = td_iface_get_rx_rate (iface);
  row.tx_bits_per_second = td_iface_get_tx_rate (iface);
  row.rx_bytes = td_iface_get_rx_delta (iface);
  row.tx_bytes = td_iface_get_tx_delta (iface);
  g_array_append_val (tick->rows, row);
}

/* The new counters of every interface: their Sampled entries into
 * self->entries (borrowed), the sum into @total, the history rows into
 * @tick (may be NULL). */
static void
update_interfaces (TdIfaceMonitor *self, gint64 now, double seconds, TdIfaceTotal *total, TdIfaceTick *tick)
{
  guint matched = 0;

  g_ptr_array_set_size (self->entries, 0);
  for (guint i = 0; i < self->stats->len; i++)
    {
      const TdIfaceStats *st = &g_array_index (self->stats, TdIfaceStats, i);
      TdIface *iface = g_hash_table_lookup (self->ifaces, GUINT_TO_POINTER (st->index));

      if (iface == NULL)
        {
          queue_refresh (self);   /* one we do not know yet */
          continue;
        }
      matched++;
      td_iface_update_counters (iface, &st->counters, now);
      /* the interface's own entry: an unchanged one is reused */
      g_ptr_array_add (self->entries, td_iface_sample_entry (iface));
      if (!td_iface_is_loopback (iface) || self->include_loopback)
        add_to_total (total, iface);
      if (tick != NULL)
        add_row (tick, iface, seconds);
    }
  if (matched != g_hash_table_size (self->ifaces))
    queue_refresh (self);         /* one went away */
}

/* The Total property and Sampled's total: built and set again only when
 * it changed (setting compares and serialises both). */
static GVariant *
update_total (TdIfaceMonitor *self, const TdIfaceTotal *total)
{
  if (self->total_variant != NULL && td_iface_total_equal (total, &self->total))
    return self->total_variant;
  g_clear_pointer (&self->total_variant, g_variant_unref);
  self->total_variant = g_variant_ref_sink (td_iface_total_variant (total));
  self->total = *total;
  tr_dbus_net_interfaces_set_total (self->skeleton, self->total_variant);
  return self->total_variant;
}

/* Hands @tick to the history writer with the tests that run on its
 * interfaces and, when a minute ended, its rollups. */
static void
write_tick (TdIfaceMonitor *self, TdIfaceTick *tick, gint64 real)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->tests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TestWatch *w = value;

      if (w->ifname == NULL)
        continue;
      for (guint i = 0; i < tick->rows->len; i++)
        if (strcmp (g_array_index (tick->rows, TdIfaceTickRow, i).name, w->ifname) == 0)
          {
            TdIfaceTickTest t = { w->id, i };

            g_array_append_val (tick->tests, t);
            break;
          }
    }
  if (real / TD_IFACE_MINUTE_US != self->last_minute)
    {
      /* a minute ended: its buckets (and an hour's) are complete */
      if (self->last_minute != 0)
        tick->rollup_before_us = real;
      self->last_minute = real / TD_IFACE_MINUTE_US;
    }
  tick->samples_keep_us = self->samples_keep_us;
  td_history_write (self->history, td_iface_history_write_tick, tick, td_iface_tick_free,
                    sizeof *tick + tick->rows->len * sizeof (TdIfaceTickRow), tick->rows->len);
}

static gboolean
on_tick (gpointer user_data)
{
  TdIfaceMonitor *self = user_data;
  g_autoptr(GError) error = NULL;
  TdIfaceTotal total = { 0 };
  TdIfaceTick *tick = NULL;
  GVariant *ifaces;
  gint64 now, real;
  double seconds;

  g_array_set_size (self->stats, 0);
  if (!td_iface_netlink_dump_stats (self->fd, self->stats, &error))
    {
      g_warning ("interfaces: cannot read the counters: %s", error->message);
      return G_SOURCE_CONTINUE;
    }
  now = g_get_monotonic_time ();
  real = g_get_real_time ();
  seconds = self->last_tick > 0 ? (double) (now - self->last_tick) / G_USEC_PER_SEC : self->interval;
  self->last_tick = now;
  if (self->history != NULL && td_history_is_available (self->history))
    {
      tick = td_iface_tick_new (real);
      tick->ids = td_iface_ids_ref (self->history_ids);
    }

  update_interfaces (self, now, seconds, &total, tick);
  /* takes a reference to each entry: they stay the interfaces' */
  ifaces = g_variant_new_array (G_VARIANT_TYPE ("{oa{sv}}"), (GVariant **) self->entries->pdata, self->entries->len);
  g_ptr_array_set_size (self->entries, 0);
  tr_dbus_net_interfaces_emit_sampled (self->skeleton, (guint64) real, seconds, update_total (self, &total), ifaces);
  if (tick != NULL)
    write_tick (self, tick, real);
  return G_SOURCE_CONTINUE;
}

/* ---- D-Bus methods ---- */

static int
compare_index (gconstpointer a, gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (a), y = GPOINTER_TO_UINT (b);

  return x < y ? -1 : x > y;
}

static gboolean
on_handle_list (TrDBusNetInterfaces *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
  TdIfaceMonitor *self = user_data;
  GList *keys = g_list_sort (g_hash_table_get_keys (self->ifaces), compare_index);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (GList *l = keys; l != NULL; l = l->next)
    g_variant_builder_add_value (&b, td_iface_describe (g_hash_table_lookup (self->ifaces, l->data)));
  g_list_free (keys);
  tr_dbus_net_interfaces_complete_list_interfaces (skeleton, invocation, g_variant_builder_end (&b));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct {
  char                  *name;
  char                  *db_path;
  gint64                 since, until, now, keep;
  guint                  max_points;
  GDBusMethodInvocation *invocation;
} HistoryCall;

static void
history_call_free (HistoryCall *call)
{
  g_free (call->name);
  g_free (call->db_path);
  g_free (call);
}

/* A reader connection of our own, without td_history_read()'s wait for
 * the writer: interface ticks keep its queue busy every second, and a
 * history query need not see the last second. The reply is serialised
 * here, off the main loop. */
static void
history_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  HistoryCall *call = data;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = td_history_db_open_reader (call->db_path, &error);
  GVariant *points = NULL;
  guint resolution = 1;

  if (db != NULL)
    {
      points = td_iface_history_query (db, call->name, call->since, call->until, call->max_points,
                                       call->now, call->keep, &resolution, &error);
      sqlite3_close_v2 (db);
    }
  if (points == NULL)
    {
      g_dbus_method_invocation_return_error (g_steal_pointer (&call->invocation), TR_ERROR, TR_ERROR_UNAVAILABLE,
                                             "reading the interface history: %s", error->message);
      return;
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(u@a" TD_IFACE_POINT_TYPE ")", resolution, points));
}

static gboolean
on_handle_get_history (TrDBusNetInterfaces *skeleton, GDBusMethodInvocation *invocation, const char *name,
                       guint64 since, guint64 until, guint max_points, gpointer user_data)
{
  TdIfaceMonitor *self = user_data;
  HistoryCall *call;
  gint64 now = g_get_real_time ();

  if (until == 0)
    until = (guint64) now + 1;
  if (max_points < 1 || max_points > 100000 || since >= until || until > G_MAXINT64 || name[0] == '\0')
    {
      g_dbus_method_invocation_return_error (invocation, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                                             "GetHistory: needs an interface name, since_us < until_us and "
                                             "max_points from 1 to 100000");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (self->history == NULL || !td_history_is_available (self->history))
    {
      g_dbus_method_invocation_return_error (invocation, TR_ERROR, TR_ERROR_UNAVAILABLE,
                                             "the history database is not available");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  call = g_new0 (HistoryCall, 1);
  call->name = g_strdup (name);
  call->since = (gint64) MIN (since, (guint64) G_MAXINT64);
  call->until = (gint64) until;
  call->now = now;
  call->keep = self->samples_keep_us;
  call->max_points = max_points;
  call->db_path = g_strdup (td_history_get_path (self->history));
  call->invocation = invocation;   /* the reference the reply consumes */
  {
    g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

    g_task_set_task_data (task, call, (GDestroyNotify) history_call_free);
    g_task_run_in_thread (task, history_thread);
  }
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

TdIfaceMonitor *
td_iface_monitor_new (GDBusConnection *connection, TdManager *manager, TdHistory *history,
                      const TdConfig *config, GError **error)
{
  g_autoptr(TdIfaceMonitor) self = g_object_new (TD_TYPE_IFACE_MONITOR, NULL);
  guint hours = config->iface_samples_hours > 0 ? config->iface_samples_hours : 24;

  self->interval = config->iface_interval_seconds > 0 ? config->iface_interval_seconds : TD_IFACE_INTERVAL_DEFAULT;
  self->interval = CLAMP (self->interval, TD_IFACE_INTERVAL_MIN, TD_IFACE_INTERVAL_MAX);
  self->include_loopback = config->iface_include_loopback;
  self->samples_keep_us = (gint64) hours * TD_IFACE_HOUR_US;
  self->connection = g_object_ref (connection);
  self->manager = g_object_ref (manager);
  self->object_manager = g_object_ref (td_manager_get_object_manager (manager));
  self->history = history != NULL ? g_object_ref (history) : NULL;

  self->fd = td_iface_netlink_open (error);
  if (self->fd < 0)
    return NULL;
  self->monitor_fd = td_iface_netlink_open_monitor (error);
  if (self->monitor_fd < 0)
    return NULL;

  self->skeleton = tr_dbus_net_interfaces_skeleton_new ();
  tr_dbus_net_interfaces_set_sample_interval (self->skeleton, self->interval);
  tr_dbus_net_interfaces_set_source (self->skeleton, "kernel");
  g_signal_connect (self->skeleton, "handle-list-interfaces", G_CALLBACK (on_handle_list), self);
  g_signal_connect (self->skeleton, "handle-get-history", G_CALLBACK (on_handle_get_history), self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                         TD_MANAGER_PATH, error))
    return NULL;

  if (!config->iface_no_network_manager)
    {
      self->nm = td_iface_nm_new ();
      g_signal_connect (self->nm, "changed", G_CALLBACK (on_nm_changed), self);
    }
  g_signal_connect (manager, "test-added", G_CALLBACK (on_test_added), self);
  refresh_inventory (self);
  self->monitor_source = g_unix_fd_add (self->monitor_fd, G_IO_IN, on_monitor_fd, self);
  self->last_tick = g_get_monotonic_time ();
  self->timer = g_timeout_add ((guint) (self->interval * 1000 + 0.5), on_tick, self);
  g_info ("interfaces: %u found; sampling every %g s", g_hash_table_size (self->ifaces), self->interval);
  return g_steal_pointer (&self);
}
