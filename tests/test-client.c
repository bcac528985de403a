/* test-client.c: the parts of client/tc-client.c and client/tc-server.c
 * that need no bus: test and server ids and paths, final states, the
 * mapping of D-Bus errors and Error properties, and the sorting of a
 * GetManagedObjects reply. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tc-client.h"
#include "tc-server.h"

static void
test_path_from_string (void)
{
  static const struct { const char *in; const char *out; } good[] = {
    { "7", TC_TESTS_PATH "/7" },
    { "123", TC_TESTS_PATH "/123" },
    { "4294967295", TC_TESTS_PATH "/4294967295" },
    { TC_TESTS_PATH "/7", TC_TESTS_PATH "/7" },
  };
  static const char *const bad[] = {
    "", "0", "-1", "+1", " 7", "7 ", "7a", "0x7", "4294967296",
    TC_TESTS_PATH, TC_TESTS_PATH "/", TC_TESTS_PATH "/x", TC_TESTS_PATH "/0",
    "/org/trafficd/Traffic1/servers/7", "/7",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = tc_client_test_path_from_string (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (path, ==, good[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = tc_client_test_path_from_string (bad[i], &error);

      g_assert_null (path);
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_id_from_path (void)
{
  g_assert_cmpuint (tc_client_test_id_from_path (TC_TESTS_PATH "/42"), ==, 42);
  g_assert_cmpuint (tc_client_test_id_from_path (TC_TESTS_PATH "/0"), ==, 0);
  g_assert_cmpuint (tc_client_test_id_from_path (TC_TESTS_PATH "/4a"), ==, 0);
  g_assert_cmpuint (tc_client_test_id_from_path (TC_MANAGER_PATH), ==, 0);
  g_assert_cmpuint (tc_client_test_id_from_path (NULL), ==, 0);
}

static void
test_final_states (void)
{
  g_assert_true (tc_client_state_is_final ("finished"));
  g_assert_true (tc_client_state_is_final ("failed"));
  g_assert_true (tc_client_state_is_final ("stopped"));
  g_assert_false (tc_client_state_is_final ("pending"));
  g_assert_false (tc_client_state_is_final ("queued"));
  g_assert_false (tc_client_state_is_final ("connecting"));
  g_assert_false (tc_client_state_is_final ("running"));
  g_assert_false (tc_client_state_is_final (""));
  g_assert_false (tc_client_state_is_final (NULL));
}

/* A GError as GDBus makes it from an error reply. */
static GError *
remote_error (const char *name,
              const char *message)
{
  return g_dbus_error_new_for_dbus_error (name, message);
}

static void
test_normalize_ours (void)
{
  GError *error = remote_error ("org.trafficd.Traffic1.Error.InvalidArgument",
                                "port: must be an integer from 1 to 65535, got 70000");

  tc_client_normalize_error (&error, NULL);
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
  /* The "GDBus.Error:name: " prefix is gone. */
  g_assert_cmpstr (error->message, ==, "port: must be an integer from 1 to 65535, got 70000");
  g_clear_error (&error);

  error = remote_error ("org.trafficd.Traffic1.Error.TooManyTests", "4 tests are running");
  tc_client_normalize_error (&error, NULL);
  g_assert_error (error, TR_ERROR, TR_ERROR_TOO_MANY_TESTS);
  g_assert_cmpstr (error->message, ==, "4 tests are running");
  g_clear_error (&error);
}

static void
test_normalize_unavailable (void)
{
  static const char *const names[] = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Timeout",
    "org.freedesktop.DBus.Error.Disconnected",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GError *error = remote_error (names[i], "gone");

      tc_client_normalize_error (&error, NULL);
      g_assert_error (error, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE);
      g_assert_cmpstr (error->message, ==, "gone");
      g_clear_error (&error);
    }

  {
    GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timeout was reached");

    tc_client_normalize_error (&error, NULL);
    g_assert_error (error, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE);
    g_clear_error (&error);
  }
}

static void
test_normalize_access_denied (void)
{
  GError *error = remote_error ("org.freedesktop.DBus.Error.AccessDenied",
                                "Rejected send message, 1 matched rules; member=\"StartTest\"");

  tc_client_normalize_error (&error, NULL);
  g_assert_error (error, TR_ERROR, TR_ERROR_ACCESS_DENIED);
  g_assert_nonnull (strstr (error->message, "StartTest"));
  g_clear_error (&error);
}

static void
test_normalize_unknown_object (void)
{
  GError *error = remote_error ("org.freedesktop.DBus.Error.UnknownMethod",
                                "No such interface “org.trafficd.Traffic1.Test”");

  /* On a test object: the test does not exist. */
  tc_client_normalize_error (&error, TC_TESTS_PATH "/9");
  g_assert_error (error, TR_ERROR, TR_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No test 9");
  g_clear_error (&error);

  /* On the manager: not a missing test, left as it is. */
  error = remote_error ("org.freedesktop.DBus.Error.UnknownMethod", "No such method");
  tc_client_normalize_error (&error, NULL);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_clear_error (&error);
}

static void
test_normalize_other (void)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  GError *none = NULL;

  tc_client_normalize_error (&error, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  tc_client_normalize_error (&none, NULL);
  g_assert_null (none);
  tc_client_normalize_error (NULL, NULL);
}

static void
test_server_path_from_string (void)
{
  static const struct { const char *in; const char *out; } good[] = {
    { "3", TC_SERVERS_PATH "/3" },
    { "4294967295", TC_SERVERS_PATH "/4294967295" },
    { TC_SERVERS_PATH "/3", TC_SERVERS_PATH "/3" },
  };
  static const char *const bad[] = {
    "", "0", "-1", "+1", " 3", "3 ", "3a", "0x3", "4294967296",
    TC_SERVERS_PATH, TC_SERVERS_PATH "/", TC_SERVERS_PATH "/x", TC_SERVERS_PATH "/0",
    TC_TESTS_PATH "/3", "/3",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = tc_client_server_path_from_string (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (path, ==, good[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = tc_client_server_path_from_string (bad[i], &error);

      g_assert_null (path);
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_server_id_from_path (void)
{
  g_assert_cmpuint (tc_client_server_id_from_path (TC_SERVERS_PATH "/12"), ==, 12);
  g_assert_cmpuint (tc_client_server_id_from_path (TC_SERVERS_PATH "/0"), ==, 0);
  g_assert_cmpuint (tc_client_server_id_from_path (TC_SERVERS_PATH "/1x"), ==, 0);
  g_assert_cmpuint (tc_client_server_id_from_path (TC_TESTS_PATH "/12"), ==, 0);
  g_assert_cmpuint (tc_client_server_id_from_path (NULL), ==, 0);
  /* and the other way round */
  g_assert_cmpuint (tc_client_test_id_from_path (TC_SERVERS_PATH "/12"), ==, 0);
}

static void
test_server_states (void)
{
  g_assert_true (tc_client_server_state_is_final ("stopped"));
  g_assert_true (tc_client_server_state_is_final ("failed"));
  g_assert_false (tc_client_server_state_is_final ("starting"));
  g_assert_false (tc_client_server_state_is_final ("idle"));
  g_assert_false (tc_client_server_state_is_final ("busy"));
  g_assert_false (tc_client_server_state_is_final ("finished"));
  g_assert_false (tc_client_server_state_is_final (""));
  g_assert_false (tc_client_server_state_is_final (NULL));

  g_assert_true (tc_client_server_state_is_listening ("idle"));
  g_assert_true (tc_client_server_state_is_listening ("busy"));
  g_assert_false (tc_client_server_state_is_listening ("starting"));
  g_assert_false (tc_client_server_state_is_listening ("stopped"));
  g_assert_false (tc_client_server_state_is_listening ("failed"));
  g_assert_false (tc_client_server_state_is_listening (NULL));
}

static void
test_normalize_unknown_server (void)
{
  GError *error = remote_error ("org.freedesktop.DBus.Error.UnknownMethod",
                                "No such interface “org.trafficd.Traffic1.Server”");

  tc_client_normalize_error (&error, TC_SERVERS_PATH "/4");
  g_assert_error (error, TR_ERROR, TR_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No server 4");
  g_clear_error (&error);

  error = remote_error ("org.trafficd.Traffic1.Error.PortInUse",
                        "port: 5201 is already in use by another program");
  tc_client_normalize_error (&error, NULL);
  g_assert_error (error, TR_ERROR, TR_ERROR_PORT_IN_USE);
  g_assert_cmpstr (error->message, ==, "port: 5201 is already in use by another program");
  g_clear_error (&error);

  error = remote_error ("org.trafficd.Traffic1.Error.LimitExceeded", "32 servers are running");
  tc_client_normalize_error (&error, NULL);
  g_assert_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED);
  g_clear_error (&error);
}

static void
test_error_from_property (void)
{
  g_autoptr(GVariant) none = g_variant_ref_sink (g_variant_new ("(ss)", "", ""));
  g_autoptr(GVariant) ours = g_variant_ref_sink (g_variant_new ("(ss)", "org.trafficd.Traffic1.Error.PortInUse",
                                                                "port 5201 is in use by another program"));
  g_autoptr(GVariant) foreign = g_variant_ref_sink (g_variant_new ("(ss)", "org.example.Oops", ""));
  g_autoptr(GVariant) wrong_type = g_variant_ref_sink (g_variant_new_string ("x"));
  GError *error = NULL;

  g_assert_false (tc_client_error_from_property (none, &error));
  g_assert_no_error (error);
  g_assert_false (tc_client_error_from_property (NULL, &error));
  g_assert_false (tc_client_error_from_property (wrong_type, &error));
  g_assert_no_error (error);

  g_assert_true (tc_client_error_from_property (ours, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_PORT_IN_USE);
  g_assert_cmpstr (error->message, ==, "port 5201 is in use by another program");
  g_clear_error (&error);

  /* Not ours: Internal, and the name stands in for the missing message. */
  g_assert_true (tc_client_error_from_property (foreign, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INTERNAL);
  g_assert_cmpstr (error->message, ==, "org.example.Oops");
  g_clear_error (&error);
}

/* One object of a GetManagedObjects reply with one interface. */
static void
add_object (GVariantBuilder *builder,
            const char      *path,
            const char      *iface,
            guint32          id)
{
  GVariantBuilder interfaces;
  GVariantBuilder props;

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&props, "{sv}", "Id", g_variant_new_uint32 (id));
  g_variant_builder_init (&interfaces, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&interfaces, "{sa{sv}}", "org.freedesktop.DBus.Properties", NULL);
  g_variant_builder_add (&interfaces, "{s@a{sv}}", iface, g_variant_builder_end (&props));
  g_variant_builder_add (builder, "{o@a{sa{sv}}}", path, g_variant_builder_end (&interfaces));
}

static void
assert_ids (GVariant    *objects,
            const char  *prefix,
            const guint *ids,
            guint        n_ids)
{
  g_assert_true (g_variant_is_of_type (objects, G_VARIANT_TYPE ("a{oa{sv}}")));
  g_assert_cmpuint (g_variant_n_children (objects), ==, n_ids);
  for (guint i = 0; i < n_ids; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%s/%u", prefix, ids[i]);
      const char *path;
      g_autoptr(GVariant) props = NULL;
      guint32 id = 0;

      g_variant_get_child (objects, i, "{&o@a{sv}}", &path, &props);
      g_assert_cmpstr (path, ==, expected);
      g_assert_true (g_variant_lookup (props, "Id", "u", &id));
      g_assert_cmpuint (id, ==, ids[i]);
    }
}

static void
test_split_objects (void)
{
  static const guint test_ids[] = { 2, 9, 10, 100 };
  static const guint server_ids[] = { 1, 3 };
  GVariantBuilder builder;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) tests = NULL;
  g_autoptr(GVariant) servers = NULL;
  g_autoptr(GVariant) only_servers = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  /* Out of order, as a hash table gives them, with numeric ids to sort. */
  add_object (&builder, TC_TESTS_PATH "/10", TC_TEST_IFACE, 10);
  add_object (&builder, TC_SERVERS_PATH "/3", TC_SERVER_IFACE, 3);
  add_object (&builder, TC_TESTS_PATH "/100", TC_TEST_IFACE, 100);
  add_object (&builder, TC_TESTS_PATH "/2", TC_TEST_IFACE, 2);
  add_object (&builder, TC_SERVERS_PATH "/1", TC_SERVER_IFACE, 1);
  add_object (&builder, TC_TESTS_PATH "/9", TC_TEST_IFACE, 9);
  /* Not taken: wrong interface for the path, a path that is no id, elsewhere. */
  add_object (&builder, TC_TESTS_PATH "/5", TC_SERVER_IFACE, 5);
  add_object (&builder, TC_SERVERS_PATH "/x", TC_SERVER_IFACE, 7);
  add_object (&builder, TC_MANAGER_PATH "/history", "org.trafficd.Traffic1.History", 8);
  reply = g_variant_ref_sink (g_variant_builder_end (&builder));

  tc_client_split_objects (reply, &tests, &servers);
  assert_ids (tests, TC_TESTS_PATH, test_ids, G_N_ELEMENTS (test_ids));
  assert_ids (servers, TC_SERVERS_PATH, server_ids, G_N_ELEMENTS (server_ids));

  tc_client_split_objects (reply, NULL, &only_servers);
  assert_ids (only_servers, TC_SERVERS_PATH, server_ids, G_N_ELEMENTS (server_ids));
}

static void
test_split_objects_empty (void)
{
  g_autoptr(GVariant) reply = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{oa{sa{sv}}}"), NULL, 0));
  g_autoptr(GVariant) tests = NULL;
  g_autoptr(GVariant) servers = NULL;

  tc_client_split_objects (reply, &tests, &servers);
  assert_ids (tests, TC_TESTS_PATH, NULL, 0);
  assert_ids (servers, TC_SERVERS_PATH, NULL, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Registers org.trafficd.Traffic1.Error.*, as creating a TcClient does. */
  g_type_ensure (TC_TYPE_CLIENT);
  g_type_class_unref (g_type_class_ref (TC_TYPE_CLIENT));

  g_test_add_func ("/client/path-from-string", test_path_from_string);
  g_test_add_func ("/client/id-from-path", test_id_from_path);
  g_test_add_func ("/client/final-states", test_final_states);
  g_test_add_func ("/client/errors/ours", test_normalize_ours);
  g_test_add_func ("/client/errors/unavailable", test_normalize_unavailable);
  g_test_add_func ("/client/errors/access-denied", test_normalize_access_denied);
  g_test_add_func ("/client/errors/unknown-object", test_normalize_unknown_object);
  g_test_add_func ("/client/errors/other", test_normalize_other);
  g_test_add_func ("/client/errors/unknown-server", test_normalize_unknown_server);
  g_test_add_func ("/client/errors/from-property", test_error_from_property);
  g_test_add_func ("/client/server/path-from-string", test_server_path_from_string);
  g_test_add_func ("/client/server/id-from-path", test_server_id_from_path);
  g_test_add_func ("/client/server/states", test_server_states);
  g_test_add_func ("/client/objects/split", test_split_objects);
  g_test_add_func ("/client/objects/split-empty", test_split_objects_empty);

  return g_test_run ();
}
