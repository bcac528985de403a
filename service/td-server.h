/* td-server.h: one managed iperf3 server and the tests it serves.
 *
 * States: starting -> idle <-> busy -> stopped | failed. Each test it serves
 * becomes a served TdTest (made by the manager's factory, so it gets an id
 * and an object path) that receives the server helper's records until the
 * helper says "served". A test that makes no progress for idle_timeout +
 * 10 s gets the helper restarted, so the server never stays stuck busy. */
#pragma once

#include <gio/gio.h>
#include "td-test.h"
#include "tr-server-options.h"

G_BEGIN_DECLS

#define TD_TYPE_SERVER (td_server_get_type ())
G_DECLARE_FINAL_TYPE (TdServer, td_server, TD, SERVER, GObject)

#define TD_SERVERS_PATH "/org/trafficd/Traffic1/servers"

typedef TdTest *(*TdServedTestFactory) (TdServer   *server,
                                        const char *peer_address,
                                        gpointer    user_data);

/* Takes ownership of @options, whose port is already reserved. */
TdServer            *td_server_new             (guint                id,
                                                TrServerOptions     *options,
                                                guint32              owner_uid,
                                                TdServedTestFactory  factory,
                                                gpointer             factory_data);
/* Who may Stop() the server (the owner, or with manage-others); without
 * one Stop() is refused. */
void                 td_server_set_authority   (TdServer    *self,
                                                TdAuthority *authority);
gboolean             td_server_start           (TdServer   *self,
                                                const char *runner_path,
                                                const char *registry_dir,
                                                GError    **error);
void                 td_server_stop            (TdServer   *self,
                                                const char *message);
GDBusObjectSkeleton *td_server_get_object      (TdServer   *self);
const char          *td_server_get_object_path (TdServer   *self);
guint                td_server_get_id          (TdServer   *self);
guint                td_server_get_port        (TdServer   *self);
guint32              td_server_get_owner       (TdServer   *self);
gboolean             td_server_is_ended        (TdServer   *self);
TdHelper            *td_server_get_helper      (TdServer   *self);
double               td_server_get_interval    (TdServer   *self);

G_END_DECLS
