/* test-authority.c: the authorization table against the D-Bus XML and the
 * polkit policy; the per-test limits; the configuration file. The
 * asynchronous polkit path is tested against dbusmock's and the real
 * polkitd (tests/integration/test_polkit_mock.py, test_system_real.py). */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "td-authority.h"
#include "td-config.h"
#include "td-limits.h"
#include "tr-error.h"
#include "tr-options.h"
#include "tr-server-options.h"

static const char *const all_actions[] = {
  TD_ACTION_VIEW, TD_ACTION_RUN_TEST, TD_ACTION_RUN_SERVER, TD_ACTION_MANAGE_OTHERS,
  TD_ACTION_DELETE_HISTORY, TD_ACTION_CONFIGURE, NULL
};

/* The action ids the policy file declares. */
static GPtrArray *
policy_actions (void)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("<action id=\"([^\"]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (TD_POLKIT_POLICY, &text, NULL, &error));
  g_assert_no_error (error);
  for (g_regex_match (regex, text, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    g_ptr_array_add (ids, g_match_info_fetch (match, 1));
  return ids;
}

static gboolean
ptr_array_has_string (GPtrArray *array, const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (strcmp (array->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* Every method of every interface of the XML has a row, and the row names
 * an action of the policy: a method added later cannot slip past. */
static void
test_table_covers_every_method (void)
{
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GPtrArray) actions = policy_actions ();
  guint methods = 0;

  g_assert_true (g_file_get_contents (TD_DBUS_XML, &xml, NULL, &error));
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  for (guint i = 0; node->interfaces[i] != NULL; i++)
    {
      GDBusInterfaceInfo *iface = node->interfaces[i];

      g_assert_true (g_str_has_prefix (iface->name, "org.trafficd.Traffic1."));
      for (guint m = 0; iface->methods != NULL && iface->methods[m] != NULL; m++)
        {
          const char *action = NULL;
          TdAuthorityRule rule = td_authority_rule_for (iface->name, iface->methods[m]->name, &action);

          if (rule == TD_AUTHORITY_RULE_DENY)
            g_error ("%s.%s has no row in the authorization table (service/td-authority.c)",
                     iface->name, iface->methods[m]->name);
          g_assert_nonnull (action);
          if (!ptr_array_has_string (actions, action))
            g_error ("%s.%s: action %s is not in %s", iface->name, iface->methods[m]->name, action,
                     TD_POLKIT_POLICY);
          /* reading is "view", and only reading is open */
          g_assert_cmpint (rule == TD_AUTHORITY_RULE_OPEN, ==, strcmp (action, TD_ACTION_VIEW) == 0);
          methods++;
        }
    }
  g_assert_cmpuint (methods, >=, 7);
}

static void
test_policy_declares_every_action (void)
{
  g_autoptr(GPtrArray) actions = policy_actions ();

  g_assert_cmpuint (actions->len, ==, g_strv_length ((char **) all_actions));
  for (guint i = 0; all_actions[i] != NULL; i++)
    g_assert_true (ptr_array_has_string (actions, all_actions[i]));
}

static void
test_rows (void)
{
  const struct {
    const char     *interface_name;
    const char     *method;
    TdAuthorityRule rule;
    const char     *action;
  } cases[] = {
    { "org.trafficd.Traffic1.Manager", "StartTest", TD_AUTHORITY_RULE_ACTION, TD_ACTION_RUN_TEST },
    { "org.trafficd.Traffic1.Manager", "StartServer", TD_AUTHORITY_RULE_ACTION, TD_ACTION_RUN_SERVER },
    { "org.trafficd.Traffic1.Manager", "Reload", TD_AUTHORITY_RULE_ACTION, TD_ACTION_CONFIGURE },
    { "org.trafficd.Traffic1.Manager", "ListTests", TD_AUTHORITY_RULE_OPEN, TD_ACTION_VIEW },
    { "org.trafficd.Traffic1.Test", "Stop", TD_AUTHORITY_RULE_OWNER, TD_ACTION_MANAGE_OTHERS },
    { "org.trafficd.Traffic1.Server", "Stop", TD_AUTHORITY_RULE_OWNER, TD_ACTION_MANAGE_OTHERS },
    { "org.trafficd.Traffic1.History", "DeleteTests", TD_AUTHORITY_RULE_ACTION, TD_ACTION_DELETE_HISTORY },
    /* deny by default */
    { "org.trafficd.Traffic1.Manager", "StartEverything", TD_AUTHORITY_RULE_DENY, NULL },
    { "org.trafficd.Traffic1.Test", "Delete", TD_AUTHORITY_RULE_DENY, NULL },
    { "org.freedesktop.DBus.Properties", "Set", TD_AUTHORITY_RULE_DENY, NULL },
    { NULL, "Stop", TD_AUTHORITY_RULE_DENY, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *action = "unset";

      g_assert_cmpint (td_authority_rule_for (cases[i].interface_name, cases[i].method, &action), ==, cases[i].rule);
      g_assert_cmpstr (action, ==, cases[i].action);
    }
}

/* ---- limits ---- */

static TrTestOptions *
test_options (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);
  TrTestOptions *options;

  g_assert_no_error (error);
  options = tr_test_options_new_from_variant (dict, &error);
  g_assert_no_error (error);
  return options;
}

static void
assert_test_limit (const TdLimits *limits, const char *options_text, const char *limit)
{
  g_autoptr(TrTestOptions) options = test_options (options_text);
  g_autoptr(GError) error = NULL;
  gboolean ok = td_limits_check_test (limits, options, &error);

  if (limit == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED);
  if (!g_str_has_prefix (error->message, limit))
    g_error ("%s: expected a message naming %s, got: %s", options_text, limit, error->message);
}

static void
test_limits_parse (void)
{
  g_autoptr(TdLimits) limits = td_limits_new ();
  g_autoptr(GVariant) v = NULL;
  const char *bad_bitrates[] = { "x", "-1", "10Q", "1e20", "nan", "M", "10 M" };
  const char *bad_targets[] = { "10.0.0.0/33", "fe80::/129", "bad_name!", "-x.example.com", "/8" };
  const char *bad_ports[] = { "0", "65536", "10-5", "5201-", "a", "5201-5202-5203" };
  guint64 bitrate;

  g_assert_true (td_limits_is_empty (limits));
  g_assert_true (td_limits_set_max_udp_bitrate (limits, "MaxUdpBitrate", " 10M ", NULL));
  g_assert_true (td_limits_set_max_parallel (limits, "MaxParallel", "4", NULL));
  g_assert_true (td_limits_set_max_duration (limits, "MaxDuration", "60", NULL));
  g_assert_true (td_limits_set_allowed_targets (limits, "AllowedTargets",
                                                "10.0.0.0/8; 2001:db8::/32,Iperf.Example.com. 192.0.2.7", NULL));
  g_assert_true (td_limits_set_allowed_server_ports (limits, "AllowedServerPorts", "5201-5210;6000", NULL));
  g_assert_false (td_limits_is_empty (limits));
  v = td_limits_to_variant (limits);
  g_assert_true (g_variant_lookup (v, "max_udp_bitrate", "t", &bitrate));
  g_assert_cmpuint (bitrate, ==, 10000000);
  g_clear_pointer (&v, g_variant_unref);

  for (guint i = 0; i < G_N_ELEMENTS (bad_bitrates); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (td_limits_set_max_udp_bitrate (limits, "MaxUdpBitrate", bad_bitrates[i], &error));
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "MaxUdpBitrate: "));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_targets); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (td_limits_set_allowed_targets (limits, "AllowedTargets", bad_targets[i], &error));
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_ports); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (td_limits_set_allowed_server_ports (limits, "AllowedServerPorts", bad_ports[i], &error));
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
    }
  /* a failed setter leaves the limit as it was */
  v = td_limits_to_variant (limits);
  g_assert_true (g_variant_lookup (v, "max_udp_bitrate", "t", &bitrate));
  g_assert_cmpuint (bitrate, ==, 10000000);
  g_assert_true (g_variant_lookup (v, "allowed_targets", "^a&s", NULL));

  /* "" and 0 clear */
  g_assert_true (td_limits_set_max_udp_bitrate (limits, "MaxUdpBitrate", "", NULL));
  g_assert_true (td_limits_set_max_parallel (limits, "MaxParallel", "0", NULL));
  g_assert_true (td_limits_set_max_duration (limits, "MaxDuration", "", NULL));
  g_assert_true (td_limits_set_allowed_targets (limits, "AllowedTargets", " ; ", NULL));
  g_assert_true (td_limits_set_allowed_server_ports (limits, "AllowedServerPorts", "", NULL));
  g_assert_true (td_limits_is_empty (limits));
}

static void
test_limits_check (void)
{
  g_autoptr(TdLimits) limits = td_limits_new ();
  g_autoptr(TdLimits) copy = NULL;

  assert_test_limit (limits, "{'host': <'198.51.100.1'>, 'duration': <uint32 0>, 'parallel': <uint32 128>}", NULL);
  g_assert_true (td_limits_set_max_duration (limits, "MaxDuration", "60", NULL));
  g_assert_true (td_limits_set_max_parallel (limits, "MaxParallel", "4", NULL));
  g_assert_true (td_limits_set_max_udp_bitrate (limits, "MaxUdpBitrate", "10M", NULL));
  g_assert_true (td_limits_set_allowed_targets (limits, "AllowedTargets",
                                                "10.0.0.0/8;2001:db8::/32;iperf.example.com", NULL));

  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 60>}", NULL);
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 61>}", "MaxDuration=60:");
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 50>, 'omit': <uint32 11>}", "MaxDuration=60:");
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 0>}", "MaxDuration=60:");
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'bytes': <uint64 1000>}", "MaxDuration=60:");
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 5>, 'parallel': <uint32 5>}", "MaxParallel=4:");
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 5>, 'protocol': <'udp'>}", NULL);
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 5>, 'protocol': <'udp'>, "
                             "'bitrate': <uint64 0>}", "MaxUdpBitrate=10000000:");
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 5>, 'protocol': <'udp'>, "
                             "'bitrate': <uint64 4000000>, 'parallel': <uint32 3>}", "MaxUdpBitrate=10000000:");
  assert_test_limit (limits, "{'host': <'10.1.2.3'>, 'duration': <uint32 5>, 'bitrate': <uint64 0>}", NULL);  /* TCP */
  assert_test_limit (limits, "{'host': <'2001:db8::5'>, 'duration': <uint32 5>}", NULL);
  assert_test_limit (limits, "{'host': <'2001:db9::5'>, 'duration': <uint32 5>}", "AllowedTargets=");
  assert_test_limit (limits, "{'host': <'11.0.0.1'>, 'duration': <uint32 5>}", "AllowedTargets=");
  assert_test_limit (limits, "{'host': <'IPERF.example.com.'>, 'duration': <uint32 5>}", NULL);
  assert_test_limit (limits, "{'host': <'other.example.com'>, 'duration': <uint32 5>}", "AllowedTargets=");
  /* a name that would resolve into an allowed range is still not listed */
  assert_test_limit (limits, "{'host': <'localhost'>, 'duration': <uint32 5>}", "AllowedTargets=");
  /* a local test never leaves the machine */
  assert_test_limit (limits, "{'local': <true>, 'duration': <uint32 5>}", NULL);

  copy = td_limits_copy (limits);
  assert_test_limit (copy, "{'host': <'10.1.2.3'>, 'duration': <uint32 61>}", "MaxDuration=60:");
  assert_test_limit (copy, "{'host': <'11.0.0.1'>, 'duration': <uint32 5>}", "AllowedTargets=");
}

static void
test_limits_check_server (void)
{
  g_autoptr(TdLimits) limits = td_limits_new ();
  const struct { const char *options; gboolean ok; } cases[] = {
    { "{'port': <uint32 5205>}", TRUE },
    { "{'port': <uint32 6000>}", TRUE },
    { "{'port': <uint32 0>}", TRUE },
    { "{'port': <uint32 5211>}", FALSE },
    { "{'port': <uint32 22>}", FALSE },
  };

  g_assert_true (td_limits_set_allowed_server_ports (limits, "AllowedServerPorts", "5201-5210;6000", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, cases[i].options, NULL, NULL, NULL);
      g_autoptr(TrServerOptions) options = tr_server_options_new_from_variant (dict, &error);

      g_assert_no_error (error);
      g_assert_cmpint (td_limits_check_server (limits, options, &error), ==, cases[i].ok);
      if (!cases[i].ok)
        {
          g_assert_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED);
          g_assert_true (g_str_has_prefix (error->message, "AllowedServerPorts=5201-5210;6000:"));
        }
    }
}

/* ---- the configuration file ---- */

static char *
write_config (const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("trafficd-test-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  return path;
}

static void
test_config_file (void)
{
  g_autoptr(TdConfig) config = td_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config ("# comment\n[Limits]\nMaxRunningTests=7\nMaxRunningTestsPerUser=2\n"
                                        "MaxServers=5\nMaxDuration=30\nAllowedTargets=192.0.2.0/24\n");
  g_autoptr(GVariant) limits = NULL;
  guint32 duration = 0;

  config->config_file = g_strdup (path);
  td_config_set_from_command_line (config, 3, -1, -1, -1);
  g_assert_true (td_config_load_file (config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->max_running, ==, 3);           /* the command line wins */
  g_assert_cmpuint (config->max_running_per_user, ==, 2);
  g_assert_cmpuint (config->max_servers, ==, 5);
  g_assert_cmpuint (config->max_queue, ==, 1024);          /* default */
  limits = td_limits_to_variant (config->limits);
  g_assert_true (g_variant_lookup (limits, "max_duration", "u", &duration));
  g_assert_cmpuint (duration, ==, 30);

  /* a reload with keys removed: back to the defaults */
  g_assert_true (g_file_set_contents (path, "[Limits]\nMaxRunningTestsPerUser=9\n", -1, NULL));
  g_assert_true (td_config_load_file (config, &error));
  g_assert_cmpuint (config->max_running, ==, 3);
  g_assert_cmpuint (config->max_running_per_user, ==, 3);  /* never above the total */
  g_assert_cmpuint (config->max_servers, ==, 32);
  g_assert_true (td_limits_is_empty (config->limits));

  /* invalid files change nothing and name the key */
  {
    const char *bad[][2] = {
      { "[Limits]\nMaxDuraton=5\n", "MaxDuraton" },
      { "[Limit]\nMaxDuration=5\n", "[Limit]" },
      { "[Limits]\nMaxRunningTests=0\n", "MaxRunningTests" },
      { "[Limits]\nMaxServers=many\n", "MaxServers" },
      { "[Limits]\nAllowedTargets=10.0.0.0/40\n", "AllowedTargets" },
      { "[Limits]\nMaxDuration=5\nno equals sign\n", path },
    };

    g_assert_true (g_file_set_contents (path, "[Limits]\nMaxServers=4\nMaxParallel=2\n", -1, NULL));
    g_assert_true (td_config_load_file (config, NULL));
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) local = NULL;

        g_assert_true (g_file_set_contents (path, bad[i][0], -1, NULL));
        g_assert_false (td_config_load_file (config, &local));
        g_assert_error (local, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
        if (strstr (local->message, bad[i][1]) == NULL)
          g_error ("expected the message to name %s: %s", bad[i][1], local->message);
        g_assert_cmpuint (config->max_servers, ==, 4);
        g_assert_false (td_limits_is_empty (config->limits));
      }
  }

  /* a missing file: the defaults */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (td_config_load_file (config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->max_servers, ==, 32);
  g_assert_true (td_limits_is_empty (config->limits));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  (void) tr_error_quark ();
  g_test_add_func ("/authority/table-covers-every-method", test_table_covers_every_method);
  g_test_add_func ("/authority/policy-declares-every-action", test_policy_declares_every_action);
  g_test_add_func ("/authority/rows", test_rows);
  g_test_add_func ("/limits/parse", test_limits_parse);
  g_test_add_func ("/limits/check-test", test_limits_check);
  g_test_add_func ("/limits/check-server", test_limits_check_server);
  g_test_add_func ("/config/file", test_config_file);
  return g_test_run ();
}
