/* td-history-dbus.c: the History D-Bus interface. */
#include "config.h"

#include "td-history-dbus.h"
#include "td-authority.h"
#include "td-caller.h"
#include "td-history-filter.h"
#include "td-history-query.h"
#include "td-iface-test-history.h"
#include "tr-dbus-generated.h"
#include "tr-error.h"

#include <gio/gunixfdlist.h>
#include <unistd.h>

#define COUNTS_REFRESH_S 1

struct _TdHistoryDbus
{
  GObject          parent_instance;

  TdHistory       *history;
  TdAuthority     *authority;
  TrDBusHistory   *iface;
  gboolean         session_bus;
  guint            refresh_timer;
};

G_DEFINE_FINAL_TYPE (TdHistoryDbus, td_history_dbus, G_TYPE_OBJECT)

static void
td_history_dbus_dispose (GObject *object)
{
  TdHistoryDbus *self = TD_HISTORY_DBUS (object);

  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->iface != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->iface));
  g_clear_object (&self->iface);
  g_clear_object (&self->history);
  g_clear_object (&self->authority);
  G_OBJECT_CLASS (td_history_dbus_parent_class)->dispose (object);
}

static void
td_history_dbus_class_init (TdHistoryDbusClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_history_dbus_dispose;
}

static void
td_history_dbus_init (TdHistoryDbus *self)
{
}

/* ---- properties ---- */

static void refresh (TdHistoryDbus *self);

static gboolean
on_refresh_timer (gpointer user_data)
{
  TdHistoryDbus *self = user_data;

  self->refresh_timer = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
refresh (TdHistoryDbus *self)
{
  TdHistory *h = self->history;
  const char *status = td_history_get_status (h);
  guint queued;
  guint64 dropped;

  td_history_get_counts (h, &queued, &dropped);
  if (g_strcmp0 (tr_dbus_history_get_status (self->iface), status) != 0)
    tr_dbus_history_set_status (self->iface, status);
  if (g_strcmp0 (tr_dbus_history_get_status_message (self->iface), td_history_get_status_message (h)) != 0)
    tr_dbus_history_set_status_message (self->iface, td_history_get_status_message (h));
  if (tr_dbus_history_get_pending_records (self->iface) != queued)
    tr_dbus_history_set_pending_records (self->iface, queued);
  if (tr_dbus_history_get_dropped_records (self->iface) != dropped)
    tr_dbus_history_set_dropped_records (self->iface, dropped);
  tr_dbus_history_set_schema_version (self->iface, td_history_get_schema_version (h));
  /* while records wait in memory, keep the counters current */
  if (self->refresh_timer == 0 && (queued > 0 || g_strcmp0 (status, TD_HISTORY_STATUS_OK) != 0) &&
      td_history_is_available (h))
    self->refresh_timer = g_timeout_add_seconds (COUNTS_REFRESH_S, on_refresh_timer, self);
}

static void
on_status_changed (TdHistory *history, gpointer user_data)
{
  refresh (user_data);
}

/* ---- a call: invocation + what the job needs ---- */

typedef struct {
  TdHistoryDbus         *self;
  GDBusMethodInvocation *invocation;
  TdHistoryFilter       *filter;
  guint                  id;
} Call;

static void
call_free (Call *call)
{
  g_clear_object (&call->self);
  g_clear_object (&call->invocation);
  td_history_filter_free (call->filter);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static Call *
call_new (TdHistoryDbus *self, GDBusMethodInvocation *invocation, TdHistoryFilter *filter, guint id)
{
  Call *call = g_new0 (Call, 1);

  call->self = self ? g_object_ref (self) : NULL;
  call->invocation = g_object_ref (invocation);
  call->filter = filter;
  call->id = id;
  return call;
}

static void
return_error (GDBusMethodInvocation *invocation, const GError *error)
{
  g_debug ("history: %s from %s failed: %s", g_dbus_method_invocation_get_method_name (invocation),
           g_dbus_method_invocation_get_sender (invocation), error->message);
  g_dbus_method_invocation_return_gerror (invocation, error);
}

/* Jobs (worker thread): data is the Call, owned by the job. */

static GVariant *
read_list (sqlite3 *db, gpointer data, GError **error)
{
  return td_history_query_list (db, ((Call *) data)->filter, error);
}

static GVariant *
read_test (sqlite3 *db, gpointer data, GError **error)
{
  return td_history_query_test (db, ((Call *) data)->id, ((Call *) data)->filter, error);
}

static GVariant *
read_logs (sqlite3 *db, gpointer data, GError **error)
{
  return td_history_query_logs (db, ((Call *) data)->id, ((Call *) data)->filter, error);
}

static GVariant *
read_test_interface (sqlite3 *db, gpointer data, GError **error)
{
  return td_iface_test_history_query (db, ((Call *) data)->id, error);
}

static GVariant *
read_trends (sqlite3 *db, gpointer data, GError **error)
{
  return td_history_query_trends (db, ((Call *) data)->filter, error);
}

/* Parses @dict and starts @func; the reply goes straight to the caller. */
static gboolean
start_read (TdHistoryDbus *self, GDBusMethodInvocation *invocation, GVariant *dict, TdFilterKeys keys,
            guint id, TdHistoryReadFunc func)
{
  g_autoptr(GError) error = NULL;
  TdHistoryFilter *filter = td_history_filter_parse (dict, keys, &error);

  if (filter == NULL)
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  /* the call may end in a worker thread: it holds no reference to us */
  td_history_read_reply (self->history, func, call_new (NULL, invocation, filter, id), (GDestroyNotify) call_free,
                         invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_list_tests (TrDBusHistory *iface, GDBusMethodInvocation *invocation, GVariant *filter, gpointer user_data)
{
  return start_read (user_data, invocation, filter, TD_FILTER_KEYS_LIST, 0, read_list);
}

static gboolean
on_handle_get_test (TrDBusHistory *iface, GDBusMethodInvocation *invocation, guint id, GVariant *options,
                    gpointer user_data)
{
  return start_read (user_data, invocation, options, TD_FILTER_KEYS_TEST, id, read_test);
}

static gboolean
on_handle_get_logs (TrDBusHistory *iface, GDBusMethodInvocation *invocation, guint id, GVariant *options,
                    gpointer user_data)
{
  return start_read (user_data, invocation, options, TD_FILTER_KEYS_LOGS, id, read_logs);
}

static gboolean
on_handle_get_test_interface (TrDBusHistory *iface, GDBusMethodInvocation *invocation, guint id,
                              gpointer user_data)
{
  TdHistoryDbus *self = user_data;

  td_history_read_reply (self->history, read_test_interface, call_new (NULL, invocation, NULL, id),
                         (GDestroyNotify) call_free, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_get_trends (TrDBusHistory *iface, GDBusMethodInvocation *invocation, GVariant *filter,
                      gpointer user_data)
{
  return start_read (user_data, invocation, filter, TD_FILTER_KEYS_TRENDS, 0, read_trends);
}

/* ---- Export ---- */

static void
on_export_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  guint64 rows = 0;

  if (!td_history_export_finish (TD_HISTORY (source), result, &rows, &error))
    {
      g_info ("history: export for %s failed: %s", g_dbus_method_invocation_get_sender (call->invocation),
              error->message);
      return_error (call->invocation, error);
      return;
    }
  tr_dbus_history_complete_export (call->self->iface, call->invocation, NULL, rows);
}

static gboolean
on_handle_export (TrDBusHistory *iface, GDBusMethodInvocation *invocation, GUnixFDList *fd_list,
                  GVariant *fd_handle, const char *format_name, GVariant *options, gpointer user_data)
{
  TdHistoryDbus *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TdHistoryFilter) filter = NULL;
  TdHistoryFormat format;
  gint32 handle = g_variant_get_handle (fd_handle);
  int fd;

  if (!td_history_format_parse (format_name, &format, &error) ||
      (filter = td_history_filter_parse (options, TD_FILTER_KEYS_EXPORT, &error)) == NULL)
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (fd_list == NULL || handle < 0 || handle >= g_unix_fd_list_get_length (fd_list))
    {
      g_dbus_method_invocation_return_error (invocation, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                                             "fd: no file descriptor came with the call");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  fd = g_unix_fd_list_get (fd_list, handle, &error);
  if (fd < 0 || !td_history_export_check_fd (fd, &error))
    {
      if (fd >= 0)
        close (fd);
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  td_history_export_async (self->history, g_steal_pointer (&filter), format, fd, NULL, on_export_done,
                           call_new (self, invocation, NULL, 0));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- DeleteTests ---- */

typedef struct {
  Call   *call;
  GArray *ids;
} DeleteCall;

static void
delete_call_free (DeleteCall *d)
{
  call_free (d->call);
  g_array_unref (d->ids);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeleteCall, delete_call_free)

static void
on_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DeleteCall) d = user_data;
  g_autoptr(GError) error = NULL;
  guint deleted = 0;

  if (!td_history_delete_finish (TD_HISTORY (source), result, &deleted, &error))
    {
      return_error (d->call->invocation, error);
      return;
    }
  g_info ("history: %u of %u tests deleted at the request of %s", deleted, d->ids->len,
          g_dbus_method_invocation_get_sender (d->call->invocation));
  tr_dbus_history_complete_delete_tests (d->call->self->iface, d->call->invocation, deleted);
}

static void
delete_allowed (DeleteCall *d_owned)
{
  g_autoptr(DeleteCall) d = d_owned;
  TdHistory *history = d->call->self->history;
  GArray *ids = d->ids;

  /* (arguments are evaluated in any order: read d before stealing it) */
  td_history_delete_async (history, ids, NULL, on_deleted, g_steal_pointer (&d));
}

/* System bus: polkit decides (org.trafficd.traffic.delete-history). */
static void
on_delete_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DeleteCall) d = user_data;
  g_autoptr(GError) error = NULL;

  if (!td_authority_check_finish (TD_AUTHORITY (source), result, NULL, &error))
    {
      return_error (d->call->invocation, error);
      return;
    }
  delete_allowed (g_steal_pointer (&d));
}

/* Session bus (where the authority trusts everyone): root or the user the
 * service runs as. */
static void
on_delete_uid (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DeleteCall) d = user_data;
  g_autoptr(GError) error = NULL;
  guint32 uid;

  if (!td_caller_lookup_uid_finish (result, &uid, &error))
    {
      g_dbus_method_invocation_return_error (d->call->invocation, TR_ERROR, TR_ERROR_INTERNAL,
                                             "cannot identify the caller: %s", error->message);
      return;
    }
  if (uid != 0 && uid != getuid ())
    {
      g_info ("history: DeleteTests from uid %u refused", uid);
      g_dbus_method_invocation_return_error (d->call->invocation, TR_ERROR, TR_ERROR_ACCESS_DENIED,
                                             "deleting history is allowed to root and to the user the service "
                                             "runs as (uid %u); uid %u may not", (guint) getuid (), uid);
      return;
    }
  delete_allowed (g_steal_pointer (&d));
}

static gboolean
on_handle_delete_tests (TrDBusHistory *iface, GDBusMethodInvocation *invocation, GVariant *ids,
                        gpointer user_data)
{
  TdHistoryDbus *self = user_data;
  DeleteCall *d = g_new0 (DeleteCall, 1);
  gsize n = 0;
  const guint32 *values = g_variant_get_fixed_array (ids, &n, sizeof (guint32));

  d->call = call_new (self, invocation, NULL, 0);
  d->ids = g_array_sized_new (FALSE, FALSE, sizeof (guint), (guint) n);
  for (gsize i = 0; i < n; i++)
    {
      guint id = values[i];
      g_array_append_val (d->ids, id);
    }
  if (self->session_bus || self->authority == NULL)
    td_caller_lookup_uid_async (g_dbus_method_invocation_get_connection (invocation),
                                g_dbus_method_invocation_get_sender (invocation), NULL, on_delete_uid, d);
  else
    td_authority_check_async (self->authority, invocation, TD_ACTION_DELETE_HISTORY, TD_AUTHORITY_NO_OWNER,
                              TD_AUTHORITY_CHECK_NONE, NULL, on_delete_authorized, d);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

TdHistoryDbus *
td_history_dbus_new (TdHistory *history, TdAuthority *authority, GDBusConnection *connection,
                     gboolean session_bus, GError **error)
{
  g_autoptr(TdHistoryDbus) self = g_object_new (TD_TYPE_HISTORY_DBUS, NULL);

  self->history = g_object_ref (history);
  self->authority = authority ? g_object_ref (authority) : NULL;
  self->session_bus = session_bus;
  self->iface = tr_dbus_history_skeleton_new ();
  tr_dbus_history_set_database_path (self->iface, td_history_get_path (history));
  tr_dbus_history_set_moved_aside (self->iface, td_history_get_moved_aside (history));
  tr_dbus_history_set_retention_samples_days (self->iface, td_history_get_retention_samples_days (history));
  tr_dbus_history_set_retention_tests_days (self->iface, td_history_get_retention_tests_days (history));
  refresh (self);
  g_signal_connect (history, "status-changed", G_CALLBACK (on_status_changed), self);
  g_signal_connect (self->iface, "handle-list-tests", G_CALLBACK (on_handle_list_tests), self);
  g_signal_connect (self->iface, "handle-get-test", G_CALLBACK (on_handle_get_test), self);
  g_signal_connect (self->iface, "handle-get-logs", G_CALLBACK (on_handle_get_logs), self);
  g_signal_connect (self->iface, "handle-get-test-interface", G_CALLBACK (on_handle_get_test_interface), self);
  g_signal_connect (self->iface, "handle-get-trends", G_CALLBACK (on_handle_get_trends), self);
  g_signal_connect (self->iface, "handle-export", G_CALLBACK (on_handle_export), self);
  g_signal_connect (self->iface, "handle-delete-tests", G_CALLBACK (on_handle_delete_tests), self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->iface), connection,
                                         TD_HISTORY_DBUS_PATH, error))
    return NULL;
  return g_steal_pointer (&self);
}
