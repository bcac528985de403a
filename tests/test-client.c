/* test-client.c: the parts of client/tc-client.c that need no bus: test
 * ids and paths, final states, and the mapping of D-Bus errors. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tc-client.h"

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

  return g_test_run ();
}
