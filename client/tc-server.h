/* tc-server.h: managed iperf3 servers (org.trafficd.Traffic1.Server), the
 * client side: start, list, find, wait for and stop them.
 *
 * Errors are normalised as described in tc-client.h; an unknown server
 * object is TR_ERROR_NOT_FOUND ("No server N"). Used by trafficctl and the
 * GTK app; it does no presentation.
 */
#pragma once

#include <gio/gio.h>

#include "tc-client.h"

G_BEGIN_DECLS

/* Manager.StartServer. @options is an a{sv} (a floating reference is
 * sunk). Returns the new server's object path; the server is then in the
 * state "starting" (see tc_client_wait_server()). */
void          tc_client_start_server          (TcClient            *self,
                                               GVariant            *options,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
char         *tc_client_start_server_finish   (TcClient            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
char         *tc_client_start_server_sync     (TcClient            *self,
                                               GVariant            *options,
                                               GCancellable        *cancellable,
                                               GError             **error);

/* Manager.ListServers: object paths, oldest first. */
void          tc_client_list_servers          (TcClient            *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GStrv         tc_client_list_servers_finish   (TcClient            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
GStrv         tc_client_list_servers_sync     (TcClient            *self,
                                               GCancellable        *cancellable,
                                               GError             **error);

/* A proxy for one server, its properties loaded (and kept up to date in the
 * thread-default main context of the call); TR_ERROR_NOT_FOUND when the
 * service has no such server. @path as from
 * tc_client_server_path_from_string(). */
void          tc_client_get_server            (TcClient            *self,
                                               const char          *path,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
TrDBusServer *tc_client_get_server_finish     (TcClient            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
TrDBusServer *tc_client_get_server_sync       (TcClient            *self,
                                               const char          *path,
                                               GCancellable        *cancellable,
                                               GError             **error);

/* Server.Stop on @path; TR_ERROR_NOT_FOUND when there is no such server.
 * The server ends shortly after (State "stopped"); see tc_client_wait_server(). */
void          tc_client_stop_server           (TcClient            *self,
                                               const char          *path,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean      tc_client_stop_server_finish    (TcClient            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
gboolean      tc_client_stop_server_sync      (TcClient            *self,
                                               const char          *path,
                                               GCancellable        *cancellable,
                                               GError             **error);

typedef enum {
  /* Until it listens ("idle" or "busy") or has ended. */
  TC_SERVER_WAIT_LISTENING,
  /* Until it has ended ("stopped" or "failed"). */
  TC_SERVER_WAIT_ENDED,
} TcServerWait;

/* Waits (in the thread-default main context of the call) until the server
 * on @path is where @until says, for at most @timeout_ms (0: no limit).
 * Returns its proxy, properties up to date. Fails with TR_ERROR_NOT_FOUND
 * for no such server, TR_ERROR_TIMEOUT when the time is up, and, waiting
 * for LISTENING, with the server's own Error (for example
 * TR_ERROR_PORT_IN_USE) when it failed instead, or TR_ERROR_STOPPED when
 * it was stopped. */
void          tc_client_wait_server           (TcClient            *self,
                                               const char          *path,
                                               TcServerWait         until,
                                               guint                timeout_ms,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
TrDBusServer *tc_client_wait_server_finish    (TcClient            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* The same, iterating a private main context until done; returns the
 * server's properties then, as tc_client_dup_server_properties() does. */
GVariant     *tc_client_wait_server_sync      (TcClient            *self,
                                               const char          *path,
                                               TcServerWait         until,
                                               guint                timeout_ms,
                                               GCancellable        *cancellable,
                                               GError             **error);

/* Helpers that need no connection. */

/* All cached properties of a server proxy as one a{sv} ("Id", "Port", ...). */
GVariant     *tc_client_dup_server_properties (TrDBusServer *server);

/* "3" or "/org/trafficd/Traffic1/servers/3" -> "/org/trafficd/Traffic1/servers/3";
 * anything else is TR_ERROR_INVALID_ARGUMENT. */
char         *tc_client_server_path_from_string (const char  *id_or_path,
                                                 GError     **error);
/* The id (last element) of a server object path, 0 when it is not one. */
guint         tc_client_server_id_from_path     (const char  *path);
/* "stopped" and "failed" are final; "starting", "idle" and "busy" are not. */
gboolean      tc_client_server_state_is_final   (const char  *state);
/* "idle" and "busy": the server listens (or serves). */
gboolean      tc_client_server_state_is_listening (const char *state);

/* Turns the (ss) of a Server's or Test's Error property into a GError in
 * TR_ERROR (TR_ERROR_INTERNAL for a name that is not ours); FALSE and
 * nothing set when both strings are empty. */
gboolean      tc_client_error_from_property     (GVariant    *error_property,
                                                 GError     **error);

G_END_DECLS
