/* td-authority.h: who may call what. One object, one table.
 *
 * Every D-Bus method of the service has a row in one table (td-authority.c):
 * either "open" (reading; polkit action org.trafficd.traffic.view, which is
 * allow_any yes, so the service does not ask) or a polkit action the caller
 * must hold. A method without a row is refused (deny by default); the unit
 * test tests/test-authority.c fails when a method of the D-Bus XML has no
 * row.
 *
 * A mutating handler calls td_authority_check_async() with the action its
 * row names (the call is refused when they disagree). The check is
 * asynchronous from start to end: the caller's credentials from the bus,
 * its executable from /proc, then polkit with the caller's bus name as the
 * subject (never a PID). User interaction is allowed only when the message
 * carries G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION. When polkitd
 * is missing or fails, the call is refused (fails closed). A caller that
 * leaves the bus during the check is refused and its pending polkit check is
 * cancelled. On the session bus (trafficd --session) the bus is trusted:
 * every check passes, no polkit is involved.
 *
 * Owner rule: for a method whose row says so (Test.Stop, Server.Stop), the
 * owner of the object is allowed without polkit; anyone else needs the
 * row's action (manage-others).
 *
 * Every check is written to the log as one structured audit record
 * (TRAFFICD_AUDIT=1): method, action, decision and why, uid, pid,
 * executable and bus name of the caller. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_ACTION_VIEW            "org.trafficd.traffic.view"
#define TD_ACTION_RUN_TEST        "org.trafficd.traffic.run-test"
#define TD_ACTION_RUN_SERVER      "org.trafficd.traffic.run-server"
#define TD_ACTION_MANAGE_OTHERS   "org.trafficd.traffic.manage-others"
#define TD_ACTION_DELETE_HISTORY  "org.trafficd.traffic.delete-history"
#define TD_ACTION_CONFIGURE       "org.trafficd.traffic.configure"

/* owner_uid for methods without an owner rule */
#define TD_AUTHORITY_NO_OWNER G_MAXUINT32

typedef enum {
  TD_AUTHORITY_CHECK_NONE  = 0,
  /* Also find out whether the caller is an administrator, exempt from the
   * per-test limits: polkit authorizes it for org.trafficd.traffic.configure
   * without asking (root always is). Never interactive. On the session bus
   * nobody is. */
  TD_AUTHORITY_CHECK_ADMIN = 1 << 0,
} TdAuthorityCheckFlags;

typedef enum {
  TD_AUTHORITY_RULE_DENY,    /* no row: refused */
  TD_AUTHORITY_RULE_OPEN,    /* reading: anyone (view) */
  TD_AUTHORITY_RULE_ACTION,  /* the action is needed */
  TD_AUTHORITY_RULE_OWNER,   /* the owner may; others need the action */
} TdAuthorityRule;

/* Who called, as the check found out. */
typedef struct {
  guint32  uid;
  guint32  pid;       /* 0 when unknown */
  char    *exe;       /* "/usr/bin/trafficctl", or "comm:NAME" when only the
                       * command name is readable, or "?" */
  gboolean is_admin;  /* only with TD_AUTHORITY_CHECK_ADMIN */
} TdCallerInfo;

void td_caller_info_clear (TdCallerInfo *info);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TdCallerInfo, td_caller_info_clear)

#define TD_TYPE_AUTHORITY (td_authority_get_type ())
G_DECLARE_FINAL_TYPE (TdAuthority, td_authority, TD, AUTHORITY, GObject)

/* @trust_bus: TRUE on the session bus (no polkit). Otherwise the polkit
 * authority is looked up asynchronously now; checks that arrive before it
 * is known wait for it. */
TdAuthority    *td_authority_new          (GDBusConnection       *connection,
                                           gboolean               trust_bus);

/* The row of the table for a method ("org.trafficd.Traffic1.Manager",
 * "StartTest"); @action (may be NULL) gets the row's polkit action. */
TdAuthorityRule td_authority_rule_for     (const char            *interface_name,
                                           const char            *method_name,
                                           const char           **action);

/* Authorizes the call of @invocation for @action_id (one of TD_ACTION_*,
 * the action the table names for this method). @owner_uid: the owner of the
 * object the call is about, or TD_AUTHORITY_NO_OWNER. The invocation is not
 * answered here: the handler does that with the result. */
void            td_authority_check_async  (TdAuthority           *self,
                                           GDBusMethodInvocation *invocation,
                                           const char            *action_id,
                                           guint32                owner_uid,
                                           TdAuthorityCheckFlags  flags,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* TRUE when allowed, with @caller filled in (may be NULL). FALSE with
 * TR_ERROR_ACCESS_DENIED, whose message names the action and why
 * ("not authorized for org.trafficd.traffic.run-test (Manager.StartTest):
 * ..."), ready to be returned to the caller. */
gboolean        td_authority_check_finish (TdAuthority           *self,
                                           GAsyncResult          *result,
                                           TdCallerInfo          *caller,
                                           GError               **error);

/* Runs for an allowed owner-rule call (Test.Stop, Server.Stop) with the
 * caller's uid; it must complete @invocation. */
typedef void (*TdAuthorityAllowedFunc) (gpointer               target,
                                        guint32                caller_uid,
                                        GDBusMethodInvocation *invocation);

/* The owner rule in one place: the owner of @target may, anyone else needs
 * manage-others. @self may be NULL (no authority: refused). A refusal
 * answers @invocation with AccessDenied naming @what ("test 3") and its
 * owner; otherwise @allowed runs. @target (a GObject) is kept alive meanwhile. */
void            td_authority_authorize_owner_call (TdAuthority            *self,
                                                   GDBusMethodInvocation  *invocation,
                                                   gpointer                target,
                                                   guint32                 owner_uid,
                                                   const char             *what,
                                                   TdAuthorityAllowedFunc  allowed);

G_END_DECLS
