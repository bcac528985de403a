/* tc-server.c: managed servers, the client side; see tc-server.h. */
#include "config.h"

#include "tc-server.h"
#include "tc-proxy-loader.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* --- helpers ------------------------------------------------------------- */

char *
tc_client_server_path_from_string (const char  *id_or_path,
                                   GError     **error)
{
  char *path = tc_object_path_from_string (TC_SERVERS_PATH, id_or_path);

  if (path == NULL)
    g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a server id (a positive number) or a server object path (%s/N)"),
                 id_or_path != NULL ? id_or_path : "", TC_SERVERS_PATH);
  return path;
}

guint
tc_client_server_id_from_path (const char *path)
{
  return tc_object_id_from_path (TC_SERVERS_PATH, path);
}

gboolean
tc_client_server_state_is_final (const char *state)
{
  return g_strcmp0 (state, "stopped") == 0 ||
         g_strcmp0 (state, "failed") == 0;
}

gboolean
tc_client_server_state_is_listening (const char *state)
{
  return g_strcmp0 (state, "idle") == 0 ||
         g_strcmp0 (state, "busy") == 0;
}

gboolean
tc_client_error_from_property (GVariant  *error_property,
                               GError   **error)
{
  const char *name = "", *message = "";
  int code;

  if (error_property == NULL || !g_variant_is_of_type (error_property, G_VARIANT_TYPE ("(ss)")))
    return FALSE;
  g_variant_get (error_property, "(&s&s)", &name, &message);
  if (*name == '\0' && *message == '\0')
    return FALSE;

  code = tr_error_from_dbus_name (name);
  g_set_error_literal (error, TR_ERROR, code >= 0 ? code : TR_ERROR_INTERNAL,
                       *message != '\0' ? message : name);
  return TRUE;
}

GVariant *
tc_client_dup_server_properties (TrDBusServer *server)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_auto(GStrv) names = NULL;

  g_return_val_if_fail (TR_DBUS_IS_SERVER (server), NULL);

  names = g_dbus_proxy_get_cached_property_names (G_DBUS_PROXY (server));
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (server), names[i]);

      if (value != NULL)
        g_variant_dict_insert_value (&dict, names[i], value);
    }
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* --- StartServer ----------------------------------------------------------- */

static void
on_start_server_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  char *path = NULL;
  GError *error = NULL;

  if (!tr_dbus_manager_call_start_server_finish (TR_DBUS_MANAGER (source), &path, result, &error))
    {
      tc_client_normalize_error (&error, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, path, g_free);
}

void
tc_client_start_server (TcClient            *self,
                        GVariant            *options,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GVariant) sunk = NULL;
  GTask *task;

  g_return_if_fail (TC_IS_CLIENT (self));
  g_return_if_fail (options != NULL && g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT));

  sunk = g_variant_ref_sink (options);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_start_server);
  tr_dbus_manager_call_start_server (tc_client_get_manager (self), sunk, cancellable,
                                     on_start_server_done, task);
}

char *
tc_client_start_server_finish (TcClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
tc_client_start_server_sync (TcClient      *self,
                             GVariant      *options,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GVariant) sunk = NULL;
  char *path = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (options != NULL && g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT), NULL);

  sunk = g_variant_ref_sink (options);
  if (!tr_dbus_manager_call_start_server_sync (tc_client_get_manager (self), sunk, &path,
                                               cancellable, error))
    {
      tc_client_normalize_error (error, NULL);
      return NULL;
    }
  return path;
}

/* --- ListServers ----------------------------------------------------------- */

static void
on_list_servers_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  char **paths = NULL;
  GError *error = NULL;

  if (!tr_dbus_manager_call_list_servers_finish (TR_DBUS_MANAGER (source), &paths, result, &error))
    {
      tc_client_normalize_error (&error, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, paths, (GDestroyNotify) g_strfreev);
}

void
tc_client_list_servers (TcClient            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_list_servers);
  tr_dbus_manager_call_list_servers (tc_client_get_manager (self), cancellable,
                                     on_list_servers_done, task);
}

GStrv
tc_client_list_servers_finish (TcClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GStrv
tc_client_list_servers_sync (TcClient      *self,
                             GCancellable  *cancellable,
                             GError       **error)
{
  char **paths = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);

  if (!tr_dbus_manager_call_list_servers_sync (tc_client_get_manager (self), &paths,
                                               cancellable, error))
    {
      tc_client_normalize_error (error, NULL);
      return NULL;
    }
  return paths;
}

/* --- server proxies -------------------------------------------------------- */

void
tc_client_get_server (TcClient            *self,
                      const char          *path,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (TC_IS_CLIENT (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));

  tc_proxy_load (self, TR_DBUS_TYPE_SERVER_PROXY, TC_SERVER_IFACE, "State", path,
                 tc_client_get_server, cancellable, callback, user_data);
}

TrDBusServer *
tc_client_get_server_finish (TcClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

TrDBusServer *
tc_client_get_server_sync (TcClient      *self,
                           const char    *path,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path != NULL && g_variant_is_object_path (path), NULL);

  return TR_DBUS_SERVER (tc_proxy_load_sync (self, TR_DBUS_TYPE_SERVER_PROXY, TC_SERVER_IFACE,
                                             "State", path, cancellable, error));
}

/* --- Stop ------------------------------------------------------------------ */

static void
on_stop_server_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      tc_client_normalize_error (&error, g_task_get_task_data (task));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
tc_client_stop_server (TcClient            *self,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TC_IS_CLIENT (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_stop_server);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_dbus_connection_call (tc_client_get_connection (self), TC_BUS_NAME, path,
                          TC_SERVER_IFACE, "Stop", NULL, G_VARIANT_TYPE_UNIT,
                          G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                          on_stop_server_done, task);
}

gboolean
tc_client_stop_server_finish (TcClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
tc_client_stop_server_sync (TcClient      *self,
                            const char    *path,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (path != NULL && g_variant_is_object_path (path), FALSE);

  reply = g_dbus_connection_call_sync (tc_client_get_connection (self), TC_BUS_NAME, path,
                                       TC_SERVER_IFACE, "Stop", NULL, G_VARIANT_TYPE_UNIT,
                                       G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  if (reply == NULL)
    {
      tc_client_normalize_error (error, path);
      return FALSE;
    }
  return TRUE;
}

/* --- waiting for a state --------------------------------------------------- */

/* While waiting, the task holds one reference to itself (taken in
 * tc_client_wait_server()), which wait_complete() gives up exactly once. */
typedef struct {
  TcServerWait  until;
  guint         timeout_ms;
  gboolean      waiting;
  TrDBusServer *proxy;
  gulong        changed_id;
  gulong        owner_id;
  GSource      *timeout_source;
  GSource      *cancelled_source;
} WaitData;

static void
wait_disconnect (WaitData *wait)
{
  if (wait->proxy != NULL)
    {
      g_clear_signal_handler (&wait->changed_id, wait->proxy);
      g_clear_signal_handler (&wait->owner_id, wait->proxy);
    }
  if (wait->timeout_source != NULL)
    {
      g_source_destroy (wait->timeout_source);
      g_clear_pointer (&wait->timeout_source, g_source_unref);
    }
  if (wait->cancelled_source != NULL)
    {
      g_source_destroy (wait->cancelled_source);
      g_clear_pointer (&wait->cancelled_source, g_source_unref);
    }
}

static void
wait_data_free (gpointer data)
{
  WaitData *wait = data;

  wait_disconnect (wait);
  g_clear_object (&wait->proxy);
  g_free (wait);
}

/* Ends the wait: with @error (taken) when it is set, with the proxy otherwise. */
static void
wait_complete (GTask  *task,
               GError *error)
{
  WaitData *wait = g_task_get_task_data (task);

  if (!wait->waiting)
    {
      g_clear_error (&error);
      return;
    }
  wait->waiting = FALSE;
  wait_disconnect (wait);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (wait->proxy), g_object_unref);
  g_object_unref (task);
}

/* Ends the wait when the server is where it was asked to be. */
static void
wait_check (GTask *task)
{
  WaitData *wait = g_task_get_task_data (task);
  const char *path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (wait->proxy));
  g_autofree char *owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (wait->proxy));
  const char *state = tr_dbus_server_get_state (wait->proxy);
  GError *error = NULL;

  if (owner == NULL)
    {
      wait_complete (task, g_error_new (TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE,
                                        _("The trafficd service went away")));
      return;
    }

  if (wait->until == TC_SERVER_WAIT_LISTENING && tc_client_server_state_is_listening (state))
    wait_complete (task, NULL);
  else if (wait->until == TC_SERVER_WAIT_ENDED && tc_client_server_state_is_final (state))
    wait_complete (task, NULL);
  else if (tc_client_server_state_is_final (state))
    {
      /* Waiting for it to listen, but it ended: why. */
      if (!tc_client_error_from_property (tr_dbus_server_get_error (wait->proxy), &error))
        error = g_error_new (TR_ERROR,
                             g_strcmp0 (state, "failed") == 0 ? TR_ERROR_INTERNAL : TR_ERROR_STOPPED,
                             _("Server %u %s before it listened"),
                             tc_client_server_id_from_path (path), state);
      wait_complete (task, error);
    }
}

static void
on_wait_properties_changed (GDBusProxy *proxy,
                            GVariant   *changed,
                            GStrv       invalidated,
                            gpointer    user_data)
{
  wait_check (G_TASK (user_data));
}

static void
on_wait_owner_changed (GObject    *proxy,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  wait_check (G_TASK (user_data));
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  WaitData *wait = g_task_get_task_data (task);
  guint id = tc_client_server_id_from_path (g_dbus_proxy_get_object_path (G_DBUS_PROXY (wait->proxy)));
  const char *state = tr_dbus_server_get_state (wait->proxy);
  GError *error;

  if (wait->until == TC_SERVER_WAIT_LISTENING)
    error = g_error_new (TR_ERROR, TR_ERROR_TIMEOUT,
                         _("Server %u does not listen after %.1f s (state “%s”)"),
                         id, wait->timeout_ms / 1000.0, state != NULL ? state : "");
  else
    error = g_error_new (TR_ERROR, TR_ERROR_TIMEOUT,
                         _("Server %u has not ended after %.1f s (state “%s”)"),
                         id, wait->timeout_ms / 1000.0, state != NULL ? state : "");
  wait_complete (task, error);
  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  wait_complete (G_TASK (user_data),
                 g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                      _("Operation was cancelled")));
  return G_SOURCE_REMOVE;
}

static void
on_wait_proxy_ready (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = G_TASK (user_data);
  WaitData *wait = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  wait->proxy = tc_client_get_server_finish (TC_CLIENT (source), result, &error);
  if (wait->proxy == NULL)
    {
      wait_complete (task, error);
      return;
    }

  wait->changed_id = g_signal_connect (wait->proxy, "g-properties-changed",
                                       G_CALLBACK (on_wait_properties_changed), task);
  wait->owner_id = g_signal_connect (wait->proxy, "notify::g-name-owner",
                                     G_CALLBACK (on_wait_owner_changed), task);
  if (wait->timeout_ms > 0)
    {
      wait->timeout_source = g_timeout_source_new (wait->timeout_ms);
      g_source_set_callback (wait->timeout_source, on_wait_timeout, task, NULL);
      g_source_attach (wait->timeout_source, g_main_context_get_thread_default ());
    }
  if (cancellable != NULL)
    {
      wait->cancelled_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (wait->cancelled_source, G_SOURCE_FUNC (on_wait_cancelled), task, NULL);
      g_source_attach (wait->cancelled_source, g_main_context_get_thread_default ());
    }
  wait_check (task);
}

void
tc_client_wait_server (TcClient            *self,
                       const char          *path,
                       TcServerWait         until,
                       guint                timeout_ms,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  WaitData *wait;
  GTask *task;

  g_return_if_fail (TC_IS_CLIENT (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));

  wait = g_new0 (WaitData, 1);
  wait->until = until;
  wait->timeout_ms = timeout_ms;
  wait->waiting = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_wait_server);
  g_task_set_task_data (task, wait, wait_data_free);
  /* The task's own reference goes with the wait (see wait_complete()). */
  tc_client_get_server (self, path, cancellable, on_wait_proxy_ready, task);
}

TrDBusServer *
tc_client_wait_server_finish (TcClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  gboolean      done;
  TrDBusServer *server;
  GError       *error;
} SyncWait;

static void
on_sync_wait_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SyncWait *sync = user_data;

  sync->server = tc_client_wait_server_finish (TC_CLIENT (source), result, &sync->error);
  sync->done = TRUE;
}

GVariant *
tc_client_wait_server_sync (TcClient      *self,
                            const char    *path,
                            TcServerWait   until,
                            guint          timeout_ms,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  SyncWait sync = { FALSE, NULL, NULL };
  GVariant *props = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path != NULL && g_variant_is_object_path (path), NULL);

  /* A private context: only this wait's sources and signals run here. */
  g_main_context_push_thread_default (context);
  tc_client_wait_server (self, path, until, timeout_ms, cancellable, on_sync_wait_done, &sync);
  while (!sync.done)
    g_main_context_iteration (context, TRUE);
  if (sync.server != NULL)
    {
      props = tc_client_dup_server_properties (sync.server);
      g_clear_object (&sync.server);
    }
  /* The proxy's signal subscriptions are released in this context. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  if (props == NULL)
    g_propagate_error (error, sync.error);
  return props;
}
