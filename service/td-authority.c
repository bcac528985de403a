/* td-authority.c: the method -> action table, the asynchronous polkit
 * check, and the audit record of every decision. See td-authority.h. */
#include "config.h"

#include "td-authority.h"
#include "td-caller.h"
#include "tr-error.h"

#include <polkit/polkit.h>
#include <string.h>

#define IFACE_MANAGER "org.trafficd.Traffic1.Manager"
#define IFACE_TEST    "org.trafficd.Traffic1.Test"
#define IFACE_SERVER  "org.trafficd.Traffic1.Server"
#define IFACE_HISTORY "org.trafficd.Traffic1.History"
#define IFACE_PREFIX  "org.trafficd.Traffic1."

/* journalctl MESSAGE_ID=... finds every audit record */
#define TD_AUDIT_MESSAGE_ID "6f2b9c1e4d7a4e0b8c35a1f0d9e2b7c4"

typedef struct {
  const char     *interface_name;
  const char     *method_name;
  TdAuthorityRule rule;
  const char     *action;
} TdAuthorityRow;

/* THE table. Every method of dbus/org.trafficd.Traffic1.xml has a row
 * (tests/test-authority.c checks); a method without one is refused. */
static const TdAuthorityRow rows[] = {
  { IFACE_MANAGER, "StartTest",   TD_AUTHORITY_RULE_ACTION, TD_ACTION_RUN_TEST },
  { IFACE_MANAGER, "StartServer", TD_AUTHORITY_RULE_ACTION, TD_ACTION_RUN_SERVER },
  { IFACE_MANAGER, "Reload",      TD_AUTHORITY_RULE_ACTION, TD_ACTION_CONFIGURE },
  { IFACE_MANAGER, "ListTests",   TD_AUTHORITY_RULE_OPEN,   TD_ACTION_VIEW },
  { IFACE_MANAGER, "ListServers", TD_AUTHORITY_RULE_OPEN,   TD_ACTION_VIEW },
  { IFACE_TEST,    "Stop",        TD_AUTHORITY_RULE_OWNER,  TD_ACTION_MANAGE_OTHERS },
  { IFACE_SERVER,  "Stop",        TD_AUTHORITY_RULE_OWNER,  TD_ACTION_MANAGE_OTHERS },
  { IFACE_HISTORY, "ListTests",   TD_AUTHORITY_RULE_OPEN,   TD_ACTION_VIEW },
  { IFACE_HISTORY, "GetTest",     TD_AUTHORITY_RULE_OPEN,   TD_ACTION_VIEW },
  { IFACE_HISTORY, "GetLogs",     TD_AUTHORITY_RULE_OPEN,   TD_ACTION_VIEW },
  { IFACE_HISTORY, "GetTestInterface", TD_AUTHORITY_RULE_OPEN, TD_ACTION_VIEW },
  { IFACE_HISTORY, "GetTrends",   TD_AUTHORITY_RULE_OPEN,   TD_ACTION_VIEW },
  { IFACE_HISTORY, "Export",      TD_AUTHORITY_RULE_OPEN,   TD_ACTION_VIEW },   /* writes to the caller's own fd */
  { IFACE_HISTORY, "DeleteTests", TD_AUTHORITY_RULE_ACTION, TD_ACTION_DELETE_HISTORY },
  { IFACE_PREFIX "Interfaces", "ListInterfaces", TD_AUTHORITY_RULE_OPEN, TD_ACTION_VIEW },
  { IFACE_PREFIX "Interfaces", "GetHistory",     TD_AUTHORITY_RULE_OPEN, TD_ACTION_VIEW },
};

typedef enum {
  POLKIT_PENDING,
  POLKIT_READY,
  POLKIT_FAILED,
} PolkitState;

struct _TdAuthority
{
  GObject          parent_instance;

  GDBusConnection *connection;
  gboolean         trust_bus;
  PolkitState      polkit_state;
  PolkitAuthority *polkit;
  char            *polkit_failure;   /* why there is no polkit */
  GQueue           waiting;          /* GTask: checks waiting for polkit */
};

G_DEFINE_FINAL_TYPE (TdAuthority, td_authority, G_TYPE_OBJECT)

void
td_caller_info_clear (TdCallerInfo *info)
{
  g_clear_pointer (&info->exe, g_free);
}

/* ---- the table ---- */

TdAuthorityRule
td_authority_rule_for (const char *interface_name, const char *method_name, const char **action)
{
  if (action != NULL)
    *action = NULL;
  if (interface_name == NULL || method_name == NULL)
    return TD_AUTHORITY_RULE_DENY;
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (strcmp (rows[i].interface_name, interface_name) == 0 && strcmp (rows[i].method_name, method_name) == 0)
      {
        if (action != NULL)
          *action = rows[i].action;
        return rows[i].rule;
      }
  return TD_AUTHORITY_RULE_DENY;
}

/* ---- one check ---- */

typedef struct {
  TdAuthority           *authority;
  GDBusMethodInvocation *invocation;
  char                  *sender;
  char                  *method;        /* "Manager.StartTest" */
  char                  *action;
  TdAuthorityRule        rule;
  guint32                owner;
  TdAuthorityCheckFlags  flags;
  gboolean               interactive;
  GCancellable          *cancellable;   /* ours: cancelled when the caller leaves */
  GCancellable          *outer;         /* the caller of td_authority_check_async's */
  gulong                 outer_handler;
  guint                  name_watch;
  gboolean               vanished;
  gboolean               have_credentials;
  TdCallerInfo           caller;
  gboolean               decided;
  gboolean               allowed;
  char                  *why;
  const char            *admin;         /* "yes", "no" or "-" (not asked) */
} CheckData;

static void
check_data_free (CheckData *data)
{
  if (data->outer != NULL)
    {
      g_cancellable_disconnect (data->outer, data->outer_handler);
      g_object_unref (data->outer);
    }
  g_clear_object (&data->cancellable);
  g_clear_object (&data->invocation);
  g_clear_object (&data->authority);
  td_caller_info_clear (&data->caller);
  g_free (data->sender);
  g_free (data->method);
  g_free (data->action);
  g_free (data->why);
  g_free (data);
}

static void decide (GTask *task);

static void
decided (CheckData *data, gboolean allowed, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
decided (CheckData *data, gboolean allowed, const char *format, ...)
{
  va_list args;

  if (data->decided)
    return;
  data->decided = TRUE;
  data->allowed = allowed;
  va_start (args, format);
  data->why = g_strdup_vprintf (format, args);
  va_end (args);
}

static void
audit (CheckData *data)
{
  g_autofree char *uid = data->have_credentials ? g_strdup_printf ("%u", data->caller.uid) : g_strdup ("?");
  g_autofree char *pid = data->have_credentials && data->caller.pid != 0 ?
    g_strdup_printf ("%u", data->caller.pid) : g_strdup ("?");
  const char *exe = data->caller.exe != NULL ? data->caller.exe : "?";
  const char *decision = data->allowed ? "allowed" : "denied";

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", TD_AUDIT_MESSAGE_ID,
                    "TRAFFICD_AUDIT", "1",
                    "TRAFFICD_METHOD", data->method,
                    "TRAFFICD_ACTION", data->action,
                    "TRAFFICD_DECISION", decision,
                    "TRAFFICD_REASON", data->why,
                    "TRAFFICD_ADMIN", data->admin,
                    "TRAFFICD_UID", uid,
                    "TRAFFICD_PID", pid,
                    "TRAFFICD_EXE", exe,
                    "TRAFFICD_SENDER", data->sender,
                    "MESSAGE", "audit: %s %s: %s (%s); uid=%s pid=%s exe=%s sender=%s admin=%s",
                    data->method, data->action, decision, data->why, uid, pid, exe, data->sender,
                    data->admin);
}

/* Ends the check: the record, then the answer. Takes the task. */
static void
finish (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);

  if (!data->decided)
    decided (data, FALSE, "no decision was reached");
  if (data->allowed && data->vanished)
    {
      data->allowed = FALSE;
      g_free (data->why);
      data->why = g_strdup ("the caller left the bus during the check");
    }
  if (data->name_watch != 0)
    {
      g_dbus_connection_signal_unsubscribe (data->authority->connection, data->name_watch);
      data->name_watch = 0;
    }
  audit (data);
  if (data->allowed)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, TR_ERROR, TR_ERROR_ACCESS_DENIED,
                             "not authorized for %s (%s): %s", data->action, data->method, data->why);
  g_object_unref (task);
}

static void
on_name_owner_changed (GDBusConnection *connection, const char *sender_name, const char *object_path,
                       const char *interface_name, const char *signal_name, GVariant *parameters,
                       gpointer user_data)
{
  CheckData *data = g_task_get_task_data (G_TASK (user_data));
  const char *name, *old_owner, *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (g_strcmp0 (name, data->sender) != 0 || *new_owner != '\0')
    return;
  data->vanished = TRUE;
  g_cancellable_cancel (data->cancellable);
}

static void
on_outer_cancelled (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* -- polkit -- */

static void
on_admin_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) answer =
    polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);

  data->caller.is_admin = answer != NULL && polkit_authorization_result_get_is_authorized (answer);
  data->admin = data->caller.is_admin ? "yes" : "no";
  if (error != NULL && !data->vanished)
    g_info ("asking polkit whether %s is an administrator (%s) failed: %s; treated as not one",
            data->sender, TD_ACTION_CONFIGURE, error->message);
  finish (task);
}

static void
on_polkit_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) answer =
    polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);

  if (answer == NULL)
    {
      if (data->vanished)
        decided (data, FALSE, "the caller left the bus during the check");
      else
        decided (data, FALSE, "polkit could not decide: %s", error->message);
      finish (task);
      return;
    }
  if (polkit_authorization_result_get_is_authorized (answer))
    decided (data, TRUE, "polkit: authorized");
  else if (polkit_authorization_result_get_dismissed (answer))
    decided (data, FALSE, "polkit: the authentication dialog was dismissed");
  else if (polkit_authorization_result_get_is_challenge (answer))
    decided (data, FALSE, data->interactive ?
             "polkit: authentication failed" :
             "polkit: authentication is required, and the call did not allow interactive "
             "authorization (trafficctl on a terminal does)");
  else
    decided (data, FALSE, "polkit: not authorized");

  if (data->allowed && (data->flags & TD_AUTHORITY_CHECK_ADMIN) && !data->vanished)
    {
      g_autoptr(PolkitSubject) subject = polkit_system_bus_name_new (data->sender);

      polkit_authority_check_authorization (data->authority->polkit, subject, TD_ACTION_CONFIGURE, NULL,
                                            POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE, data->cancellable,
                                            on_admin_checked, task);
      return;
    }
  finish (task);
}

static void
ask_polkit (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);
  TdAuthority *self = data->authority;
  g_autoptr(PolkitSubject) subject = NULL;

  if (self->polkit_state == POLKIT_PENDING)
    {
      g_queue_push_tail (&self->waiting, task);
      return;
    }
  if (self->polkit_state == POLKIT_FAILED)
    {
      decided (data, FALSE, "polkit is not available (%s)", self->polkit_failure);
      finish (task);
      return;
    }
  /* The subject is the caller's bus name: polkitd asks the bus who it is. */
  subject = polkit_system_bus_name_new (data->sender);
  polkit_authority_check_authorization (self->polkit, subject, data->action, NULL,
                                        data->interactive ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
                                                          : POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE,
                                        data->cancellable, on_polkit_checked, task);
}

static void
decide (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);

  if (data->decided)
    {
      finish (task);
      return;
    }
  if (data->vanished)
    {
      decided (data, FALSE, "the caller left the bus during the check");
      finish (task);
      return;
    }
  if (data->authority->trust_bus)
    {
      decided (data, TRUE, "session bus: the bus owner is trusted");
      finish (task);
      return;
    }
  if (data->rule == TD_AUTHORITY_RULE_OPEN)
    {
      decided (data, TRUE, "open to everyone");
      finish (task);
      return;
    }
  if (data->rule == TD_AUTHORITY_RULE_OWNER && data->owner == data->caller.uid)
    {
      decided (data, TRUE, "the caller owns it");
      finish (task);
      return;
    }
  ask_polkit (task);
}

/* -- who is calling -- */

static void
on_comm_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autofree char *contents = NULL;

  if (g_file_load_contents_finish (G_FILE (source), result, &contents, NULL, NULL, NULL))
    data->caller.exe = g_strdup_printf ("comm:%s", g_strstrip (contents));
  else
    data->caller.exe = g_strdup ("?");
  decide (task);
}

static void
on_exe_queried (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);
  g_autofree char *comm_path = NULL;
  g_autoptr(GFile) comm = NULL;

  if (info != NULL && g_file_info_get_symlink_target (info) != NULL)
    {
      data->caller.exe = g_strdup (g_file_info_get_symlink_target (info));
      decide (task);
      return;
    }
  /* An unprivileged service may not read another user's /proc/PID/exe;
   * the command name is world-readable. */
  comm_path = g_strdup_printf ("/proc/%u/comm", data->caller.pid);
  comm = g_file_new_for_path (comm_path);
  g_file_load_contents_async (comm, data->cancellable, on_comm_loaded, task);
}

static void
on_credentials (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *exe_path = NULL;
  g_autoptr(GFile) exe = NULL;

  if (!td_caller_lookup_credentials_finish (result, &data->caller.uid, &data->caller.pid, &error))
    {
      if (data->vanished || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        decided (data, FALSE, "the caller left the bus during the check");
      else
        decided (data, FALSE, "cannot identify the caller: %s", error->message);
      finish (task);
      return;
    }
  data->have_credentials = TRUE;
  if (data->caller.pid == 0)
    {
      data->caller.exe = g_strdup ("?");
      decide (task);
      return;
    }
  exe_path = g_strdup_printf ("/proc/%u/exe", data->caller.pid);
  exe = g_file_new_for_path (exe_path);
  g_file_query_info_async (exe, G_FILE_ATTRIBUTE_STANDARD_SYMLINK_TARGET, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                           G_PRIORITY_DEFAULT, data->cancellable, on_exe_queried, task);
}

void
td_authority_check_async (TdAuthority *self, GDBusMethodInvocation *invocation, const char *action_id,
                          guint32 owner_uid, TdAuthorityCheckFlags flags, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  CheckData *data;
  const char *interface_name, *table_action = NULL;
  GDBusMessage *message;

  g_return_if_fail (TD_IS_AUTHORITY (self));
  g_return_if_fail (G_IS_DBUS_METHOD_INVOCATION (invocation));
  g_return_if_fail (action_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_authority_check_async);
  data = g_new0 (CheckData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  interface_name = g_dbus_method_invocation_get_interface_name (invocation);
  message = g_dbus_method_invocation_get_message (invocation);
  data->authority = g_object_ref (self);
  data->invocation = g_object_ref (invocation);
  data->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  data->method = g_strdup_printf ("%s.%s",
                                  g_str_has_prefix (interface_name, IFACE_PREFIX) ?
                                  interface_name + strlen (IFACE_PREFIX) : interface_name,
                                  g_dbus_method_invocation_get_method_name (invocation));
  data->action = g_strdup (action_id);
  data->owner = owner_uid;
  data->flags = flags;
  data->admin = "-";
  data->interactive = message != NULL &&
    (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
  data->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->outer = g_object_ref (cancellable);
      data->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                                   data->cancellable, NULL);
    }

  /* deny by default: the table must name this method, with this action */
  data->rule = td_authority_rule_for (interface_name, g_dbus_method_invocation_get_method_name (invocation),
                                      &table_action);
  if (data->rule == TD_AUTHORITY_RULE_DENY)
    decided (data, FALSE, "the method has no row in the authorization table");
  else if (g_strcmp0 (table_action, action_id) != 0)
    decided (data, FALSE, "the table names %s for this method, not %s", table_action, action_id);

  if (data->sender == NULL)
    {
      /* a peer-to-peer connection: nobody to ask about */
      decided (data, data->authority->trust_bus, "no bus name to check");
      finish (task);
      return;
    }

  /* Watch the caller from now on: if it leaves, the check is cancelled and
   * refused. The subscription holds the task until unsubscribed. */
  data->name_watch = g_dbus_connection_signal_subscribe (self->connection, "org.freedesktop.DBus",
                                                         "org.freedesktop.DBus", "NameOwnerChanged",
                                                         "/org/freedesktop/DBus", data->sender,
                                                         G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed,
                                                         g_object_ref (task), g_object_unref);
  td_caller_lookup_credentials_async (self->connection, data->sender, data->cancellable, on_credentials, task);
}

gboolean
td_authority_check_finish (TdAuthority *self, GAsyncResult *result, TdCallerInfo *caller, GError **error)
{
  GTask *task = G_TASK (result);
  CheckData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  data = g_task_get_task_data (task);
  if (caller != NULL)
    {
      caller->uid = data->caller.uid;
      caller->pid = data->caller.pid;
      caller->exe = g_strdup (data->caller.exe);
      caller->is_admin = data->caller.is_admin;
    }
  return TRUE;
}

/* ---- the object ---- */

static void
on_polkit_authority (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(TdAuthority) self = user_data;
  g_autoptr(GError) error = NULL;
  GTask *task;

  self->polkit = polkit_authority_get_finish (result, &error);
  if (self->polkit == NULL)
    {
      self->polkit_state = POLKIT_FAILED;
      self->polkit_failure = g_strdup (error->message);
      g_warning ("polkit is not available: %s; every call that needs authorization is refused",
                 error->message);
    }
  else
    {
      g_autofree char *owner = polkit_authority_get_owner (self->polkit);

      self->polkit_state = POLKIT_READY;
      if (owner == NULL)
        g_info ("polkitd is not running (yet); calls that need authorization are refused until it is");
    }
  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    ask_polkit (task);
}

static void
td_authority_dispose (GObject *object)
{
  TdAuthority *self = TD_AUTHORITY (object);
  GTask *task;

  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      CheckData *data = g_task_get_task_data (task);

      decided (data, FALSE, "the service is shutting down");
      finish (task);
    }
  g_clear_object (&self->polkit);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->polkit_failure, g_free);
  G_OBJECT_CLASS (td_authority_parent_class)->dispose (object);
}

static void
td_authority_class_init (TdAuthorityClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_authority_dispose;
}

static void
td_authority_init (TdAuthority *self)
{
  g_queue_init (&self->waiting);
}

TdAuthority *
td_authority_new (GDBusConnection *connection, gboolean trust_bus)
{
  TdAuthority *self = g_object_new (TD_TYPE_AUTHORITY, NULL);

  self->connection = g_object_ref (connection);
  self->trust_bus = trust_bus;
  if (trust_bus)
    {
      self->polkit_state = POLKIT_FAILED;
      self->polkit_failure = g_strdup ("not used on the session bus");
      return self;
    }
  self->polkit_state = POLKIT_PENDING;
  polkit_authority_get_async (NULL, on_polkit_authority, g_object_ref (self));
  return self;
}

/* ---- the owner rule for Stop() ---- */

typedef struct {
  GObject                *target;
  GDBusMethodInvocation  *invocation;
  guint32                 owner;
  char                   *what;
  TdAuthorityAllowedFunc  allowed;
} OwnerCall;

static void
owner_call_free (OwnerCall *call)
{
  g_object_unref (call->target);
  g_object_unref (call->invocation);
  g_free (call->what);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OwnerCall, owner_call_free)

static void
on_owner_call_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(OwnerCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(TdCallerInfo) caller = { 0 };

  if (!td_authority_check_finish (TD_AUTHORITY (source), result, &caller, &error))
    {
      g_dbus_method_invocation_return_error (call->invocation, TR_ERROR, TR_ERROR_ACCESS_DENIED,
                                             "%s belongs to uid %u: %s", call->what, call->owner, error->message);
      return;
    }
  call->allowed (call->target, caller.uid, call->invocation);
}

void
td_authority_authorize_owner_call (TdAuthority *self, GDBusMethodInvocation *invocation, gpointer target,
                                   guint32 owner_uid, const char *what, TdAuthorityAllowedFunc allowed)
{
  OwnerCall *call;

  if (self == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, TR_ERROR, TR_ERROR_ACCESS_DENIED,
                                             "%s: no authority decides who may stop it", what);
      return;
    }
  call = g_new0 (OwnerCall, 1);
  call->target = g_object_ref (target);
  call->invocation = g_object_ref (invocation);
  call->owner = owner_uid;
  call->what = g_strdup (what);
  call->allowed = allowed;
  td_authority_check_async (self, invocation, TD_ACTION_MANAGE_OTHERS, owner_uid,
                            TD_AUTHORITY_CHECK_NONE, NULL, on_owner_call_checked, call);
}
