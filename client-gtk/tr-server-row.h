/* tr-server-row.h: one managed iperf3 server: port, state, tests served, Stop. */
#pragma once

#include <adwaita.h>

#include "tc-client.h"

G_BEGIN_DECLS

#define TR_TYPE_SERVER_ROW (tr_server_row_get_type ())
G_DECLARE_FINAL_TYPE (TrServerRow, tr_server_row, TR, SERVER_ROW, AdwActionRow)

/* Stop calls go through @client; errors are shown with "win.toast". */
GtkWidget    *tr_server_row_new        (TcClient     *client,
                                        TrDBusServer *server);
guint         tr_server_row_get_id     (TrServerRow  *self);

G_END_DECLS
