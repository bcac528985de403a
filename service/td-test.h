/* td-test.h: one client test: its D-Bus object, its helper, its state.
 *
 * States: pending -> connecting (helper started) -> running (iperf started
 * the test) -> finished | failed | stopped. The test object owns the helper
 * and turns its records into D-Bus properties and signals.
 *
 * GObject signals for observers inside the service: "record" (every helper
 * record), "interval" and "log" (what the D-Bus signals carry) and "ended"
 * (after the final State, Result and Error are set). */
#pragma once

#include <gio/gio.h>
#include "tr-error.h"
#include "tr-options.h"
#include "tr-dbus-generated.h"
#include "td-authority.h"
#include "td-helper.h"

G_BEGIN_DECLS

#define TD_TYPE_TEST (td_test_get_type ())
G_DECLARE_FINAL_TYPE (TdTest, td_test, TD, TEST, GObject)

#define TD_TESTS_PATH "/org/trafficd/Traffic1/tests"

/* Takes ownership of @options. */
TdTest              *td_test_new            (guint           id,
                                             TrTestOptions  *options,
                                             guint32         owner_uid,
                                             const char     *sender);
GDBusObjectSkeleton *td_test_get_object     (TdTest         *self);
const char          *td_test_get_object_path (TdTest        *self);
guint                td_test_get_id         (TdTest         *self);
guint32              td_test_get_owner      (TdTest         *self);
const char          *td_test_get_sender     (TdTest         *self);
gboolean             td_test_get_stop_on_disconnect (TdTest *self);
gboolean             td_test_is_ended       (TdTest         *self);
const TrTestOptions *td_test_get_options    (TdTest         *self);
TrDBusTest          *td_test_get_iface      (TdTest         *self);
/* A test a managed server serves; records come through
 * td_test_handle_record() and it ends with td_test_end_served(). */
TdTest              *td_test_new_served     (guint           id,
                                             const char     *server_path,
                                             TdHelper       *server_helper,
                                             guint32         owner_uid,
                                             const char     *peer_address,
                                             guint           server_port,
                                             double          interval);
/* Who may Stop() the test (the owner, or with manage-others); without one
 * Stop() is refused. */
void                 td_test_set_authority  (TdTest         *self,
                                             TdAuthority    *authority);
gboolean             td_test_start          (TdTest         *self,
                                             const char     *runner_path,
                                             const char     *registry_dir,
                                             GError        **error);
void                 td_test_handle_record  (TdTest         *self,
                                             const char     *kind,
                                             gint64          timestamp,
                                             GVariant       *record);
/* @status: "finished" or "failed"; @why: message when nothing better is known. */
void                 td_test_end_served     (TdTest         *self,
                                             const char     *status,
                                             const char     *why);
/* Waiting in the queue at @position (1 = next); 0 leaves the queue. */
void                 td_test_set_queued     (TdTest         *self,
                                             guint           position);
void                 td_test_set_port       (TdTest         *self,
                                             guint           port);
/* Links the other side of the same iperf test; its Result is copied. */
void                 td_test_set_peer       (TdTest         *self,
                                             TdTest         *peer);
const char          *td_test_get_cookie     (TdTest         *self);
/* Ends the test: @reason TR_ERROR_STOPPED for a request, TR_ERROR_TIMEOUT
 * for a deadline; @message is the human line kept in Test.Error. */
void                 td_test_stop           (TdTest         *self,
                                             TrError         reason,
                                             const char     *message);

G_END_DECLS
