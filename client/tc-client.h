/* tc-client.h: the client side of the trafficd D-Bus API.
 *
 * TcClient owns the bus connection and the Manager proxy. It starts, lists,
 * finds and stops tests; every error it returns is normalised:
 *
 *   TR_ERROR_*           the service's own errors (org.trafficd.Traffic1.Error.*),
 *                        and also org.freedesktop.DBus.Error.AccessDenied
 *                        (TR_ERROR_ACCESS_DENIED), an unknown test object
 *                        (TR_ERROR_NOT_FOUND) and InvalidArgs
 *                        (TR_ERROR_INVALID_ARGUMENT);
 *   TC_CLIENT_ERROR_SERVICE_UNAVAILABLE
 *                        no bus, nobody owns org.trafficd.Traffic1, the
 *                        service vanished, or the call timed out;
 *   G_IO_ERROR_CANCELLED when the caller cancelled;
 *   anything else as GIO reported it.
 *
 * Remote error messages are stripped of their "GDBus.Error:name: " prefix.
 * Used by trafficctl and the GTK app; it does no presentation.
 */
#pragma once

#include <gio/gio.h>

#include "tr-dbus-generated.h"
#include "tr-error.h"

G_BEGIN_DECLS

#define TC_BUS_NAME        "org.trafficd.Traffic1"
#define TC_MANAGER_PATH    "/org/trafficd/Traffic1"
#define TC_TESTS_PATH      "/org/trafficd/Traffic1/tests"
#define TC_MANAGER_IFACE   "org.trafficd.Traffic1.Manager"
#define TC_TEST_IFACE      "org.trafficd.Traffic1.Test"
#define TC_SERVERS_PATH    "/org/trafficd/Traffic1/servers"
#define TC_SERVER_IFACE    "org.trafficd.Traffic1.Server"

#define TC_CLIENT_ERROR (tc_client_error_quark ())

typedef enum {
  /* The service cannot be reached: no bus, no owner, vanished, timed out. */
  TC_CLIENT_ERROR_SERVICE_UNAVAILABLE,
} TcClientError;

GQuark tc_client_error_quark (void);

#define TC_TYPE_CLIENT (tc_client_get_type ())
G_DECLARE_FINAL_TYPE (TcClient, tc_client, TC, CLIENT, GObject)

/* Connecting. @bus_type is G_BUS_TYPE_SYSTEM normally, G_BUS_TYPE_SESSION
 * for a service run with --session. Succeeds even when the service is not
 * running (see tc_client_check_service() and TcClient:name-owner); fails
 * with TC_CLIENT_ERROR_SERVICE_UNAVAILABLE when there is no bus. */
void             tc_client_new              (GBusType              bus_type,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
TcClient        *tc_client_new_finish       (GAsyncResult         *result,
                                             GError              **error);
TcClient        *tc_client_new_sync         (GBusType              bus_type,
                                             GCancellable         *cancellable,
                                             GError              **error);

GBusType         tc_client_get_bus_type     (TcClient             *self);
GDBusConnection *tc_client_get_connection   (TcClient             *self);
/* The Manager proxy; its properties (Version, RunningTests, ...) are cached
 * and kept up to date. */
TrDBusManager   *tc_client_get_manager      (TcClient             *self);
/* The unique bus name of the running service, or NULL. Notified. */
const char      *tc_client_get_name_owner   (TcClient             *self);
/* TRUE when the service runs; else TC_CLIENT_ERROR_SERVICE_UNAVAILABLE. */
gboolean         tc_client_check_service    (TcClient             *self,
                                             GError              **error);

/* Manager.StartTest. @options is an a{sv} (a floating reference is sunk).
 * Returns the new test's object path. */
void             tc_client_start_test        (TcClient            *self,
                                              GVariant            *options,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char            *tc_client_start_test_finish (TcClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
char            *tc_client_start_test_sync   (TcClient            *self,
                                              GVariant            *options,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* Manager.ListTests: object paths, oldest first. */
void             tc_client_list_tests        (TcClient            *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GStrv            tc_client_list_tests_finish (TcClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
GStrv            tc_client_list_tests_sync   (TcClient            *self,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* A proxy for one test, its properties loaded; TR_ERROR_NOT_FOUND when the
 * service has no such test. @path as from tc_client_test_path_from_string(). */
void             tc_client_get_test          (TcClient            *self,
                                              const char          *path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
TrDBusTest      *tc_client_get_test_finish   (TcClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
TrDBusTest      *tc_client_get_test_sync     (TcClient            *self,
                                              const char          *path,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* Test.Stop on @path; TR_ERROR_NOT_FOUND when there is no such test. */
void             tc_client_stop_test         (TcClient            *self,
                                              const char          *path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean         tc_client_stop_test_finish  (TcClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
gboolean         tc_client_stop_test_sync    (TcClient            *self,
                                              const char          *path,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* Manager properties fresh from the service (Properties.GetAll), as an
 * a{sv}; unlike the proxy's cache this reports why they cannot be read. */
GVariant        *tc_client_dup_manager_properties_sync (TcClient      *self,
                                                        GCancellable  *cancellable,
                                                        GError       **error);

/* Every test and every server the service holds, with all their properties,
 * in one call (ObjectManager.GetManagedObjects on the Manager's path). Each
 * of @tests and @servers (may be NULL) gets an a{oa{sv}}: object path ->
 * properties, oldest (lowest id) first. */
gboolean         tc_client_dup_objects_sync    (TcClient      *self,
                                                GVariant     **tests,
                                                GVariant     **servers,
                                                GCancellable  *cancellable,
                                                GError       **error);

/* Helpers that need no connection. */

/* Splits a GetManagedObjects reply body (a{oa{sa{sv}}}) into the tests and
 * the servers, as tc_client_dup_objects_sync() gives them: objects that
 * carry the Test (Server) interface under TC_TESTS_PATH (TC_SERVERS_PATH),
 * sorted by id. Either out argument may be NULL. */
void             tc_client_split_objects         (GVariant    *managed_objects,
                                                  GVariant   **tests,
                                                  GVariant   **servers);

/* All cached properties of a test proxy as one a{sv} ("Id", "State", ...),
 * the same shape tc_test_watch_dup_properties() gives. */
GVariant        *tc_client_dup_test_properties   (TrDBusTest  *test);

/* "7" or "/org/trafficd/Traffic1/tests/7" -> "/org/trafficd/Traffic1/tests/7";
 * anything else is TR_ERROR_INVALID_ARGUMENT. */
char            *tc_client_test_path_from_string (const char  *id_or_path,
                                                  GError     **error);
/* The id (last element) of a test object path, 0 when it is not one. */
guint            tc_client_test_id_from_path     (const char  *path);
/* The same for any collection under @base (tests, servers): NULL or 0
 * when @id_or_path / @path is not "N" or "@base/N". */
char            *tc_object_path_from_string      (const char  *base,
                                                  const char  *id_or_path);
guint            tc_object_id_from_path          (const char  *base,
                                                  const char  *path);
/* "finished", "failed" and "stopped" are final; the others are not. */
gboolean         tc_client_state_is_final        (const char  *state);

/* Normalises an error from a D-Bus call to the service as described at the
 * top of this file. Pass the object's path when the call was made on a Test
 * or Server object (unknown object/method errors then mean
 * TR_ERROR_NOT_FOUND: "No test N" or "No server N"), NULL otherwise. For
 * callers that use the generated proxies directly. */
void             tc_client_normalize_error       (GError     **error,
                                                  const char  *test_path);

G_END_DECLS
