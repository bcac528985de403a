/* td-config.c: defaults, environment and the configuration file. */
#include "config.h"

#include "td-config.h"
#include "tr-error.h"

#include <string.h>
#include <unistd.h>

TdConfig *
td_config_new (void)
{
  TdConfig *config = g_new0 (TdConfig, 1);

  config->max_running = 32;
  config->max_running_per_user = 32;
  config->max_queue = 1024;
  config->max_servers = 32;
  config->server_port_min = 5201;
  config->server_port_max = 5299;
  config->keep_ended_seconds = 600;
  config->retention_samples_days = 30;
  config->limits = td_limits_new ();
  return config;
}

void
td_config_free (TdConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->state_dir);
  g_free (config->runtime_dir);
  g_free (config->runner_path);
  g_free (config->config_file);
  td_limits_free (config->limits);
  g_free (config);
}

/* systemd may pass several directories separated by ':'; we use the first. */
static char *
first_dir_from_env (const char *name)
{
  const char *value = g_getenv (name);
  g_auto(GStrv) parts = NULL;

  if (value == NULL || *value == '\0')
    return NULL;
  parts = g_strsplit (value, ":", 2);
  return g_strdup (parts[0]);
}

gboolean
td_config_resolve (TdConfig *config, GError **error)
{
  if (config->state_dir == NULL)
    config->state_dir = first_dir_from_env ("STATE_DIRECTORY");
  if (config->state_dir == NULL)
    config->state_dir = config->session_bus ?
      g_build_filename (g_get_user_state_dir (), "trafficd", NULL) :
      g_build_filename (LOCALSTATEDIR, "lib", "trafficd", NULL);

  if (config->runtime_dir == NULL)
    config->runtime_dir = first_dir_from_env ("RUNTIME_DIRECTORY");
  if (config->runtime_dir == NULL)
    config->runtime_dir = config->session_bus ?
      g_build_filename (g_get_user_runtime_dir (), "trafficd", NULL) :
      g_build_filename (RUNSTATEDIR, "trafficd", NULL);

  if (config->runner_path == NULL)
    config->runner_path = g_strdup (g_getenv ("TRAFFICD_RUNNER"));
  if (config->runner_path == NULL)
    config->runner_path = g_build_filename (LIBEXECDIR, "trafficd-runner", NULL);
  if (!g_file_test (config->runner_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL,
                   "the test helper %s is missing or not executable; install trafficd or set TRAFFICD_RUNNER",
                   config->runner_path);
      return FALSE;
    }
  if (config->server_port_min == 0 || config->server_port_max > 65535 ||
      config->server_port_min > config->server_port_max)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "server-ports must be MIN-MAX within 1-65535, got %u-%u",
                   config->server_port_min, config->server_port_max);
      return FALSE;
    }
  if (config->config_file == NULL)
    {
      g_autofree char *dir = first_dir_from_env ("CONFIGURATION_DIRECTORY");

      if (dir != NULL)
        config->config_file = g_build_filename (dir, "trafficd.conf", NULL);
      else if (!config->session_bus)
        config->config_file = g_build_filename (SYSCONFDIR, "trafficd", "trafficd.conf", NULL);
    }
  if (config->config_file != NULL && !g_path_is_absolute (config->config_file))
    {
      char *absolute = g_canonicalize_filename (config->config_file, NULL);

      g_free (config->config_file);
      config->config_file = absolute;
    }
  if (!td_config_load_file (config, error))
    return FALSE;
  if (config->max_running_per_user == 0 || config->max_running_per_user > config->max_running)
    config->max_running_per_user = config->max_running;
  if (config->max_running == 0 || config->max_running > 1024)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "max-running-tests must be from 1 to 1024, got %u", config->max_running);
      return FALSE;
    }
  return TRUE;
}

void
td_config_set_from_command_line (TdConfig *config, int max_running, int max_running_per_user,
                                 int max_queue, int max_servers)
{
  if (max_running >= 0)
    {
      config->cli.flags |= TD_CONFIG_CLI_MAX_RUNNING;
      config->max_running = config->cli.max_running = (guint) max_running;
    }
  if (max_running_per_user >= 0)
    {
      config->cli.flags |= TD_CONFIG_CLI_MAX_RUNNING_PER_USER;
      config->max_running_per_user = config->cli.max_running_per_user = (guint) max_running_per_user;
    }
  if (max_queue >= 0)
    {
      config->cli.flags |= TD_CONFIG_CLI_MAX_QUEUE;
      config->max_queue = config->cli.max_queue = (guint) max_queue;
    }
  if (max_servers >= 0)
    {
      config->cli.flags |= TD_CONFIG_CLI_MAX_SERVERS;
      config->max_servers = config->cli.max_servers = (guint) max_servers;
    }
}

/* ---- the configuration file ---- */

#define DEFAULT_MAX_RUNNING 32
#define DEFAULT_MAX_QUEUE 1024
#define DEFAULT_MAX_SERVERS 32
#define LIMITS_GROUP "Limits"

typedef struct {
  guint     max_running;
  guint     max_running_per_user;   /* 0: the same as max_running */
  guint     max_queue;
  guint     max_servers;
  TdLimits *limits;
} FileSettings;

typedef gboolean (*LimitSetter) (TdLimits *limits, const char *key, const char *text, GError **error);

static gboolean
read_count (GKeyFile *file, const char *key, guint min, guint max, guint *value, GError **error)
{
  g_autofree char *text = g_key_file_get_value (file, LIMITS_GROUP, key, NULL);
  g_autofree char *stripped = NULL;
  guint64 number;

  if (text == NULL)
    return TRUE;
  stripped = g_strstrip (g_strdup (text));
  if (!g_ascii_string_to_unsigned (stripped, 10, min, max, &number, NULL))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "%s: expected a whole number from %u to %u, got \"%s\"", key, min, max, stripped);
      return FALSE;
    }
  *value = (guint) number;
  return TRUE;
}

static gboolean
read_settings (GKeyFile *file, FileSettings *settings, GError **error)
{
  static const struct {
    const char *key;
    LimitSetter set;
  } limit_keys[] = {
    { "MaxDuration", td_limits_set_max_duration },
    { "MaxParallel", td_limits_set_max_parallel },
    { "MaxUdpBitrate", td_limits_set_max_udp_bitrate },
    { "AllowedTargets", td_limits_set_allowed_targets },
    { "AllowedServerPorts", td_limits_set_allowed_server_ports },
  };
  static const char *const count_keys[] = {
    "MaxRunningTests", "MaxRunningTestsPerUser", "MaxQueuedTests", "MaxServers", NULL
  };
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);
  g_auto(GStrv) keys = NULL;

  /* A misspelt group or key would silently drop a limit: both are errors. */
  for (guint i = 0; groups[i] != NULL; i++)
    if (strcmp (groups[i], LIMITS_GROUP) != 0)
      {
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                     "[%s]: unknown group (the file has one group, [" LIMITS_GROUP "])", groups[i]);
        return FALSE;
      }
  keys = g_key_file_get_keys (file, LIMITS_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      gboolean known = g_strv_contains (count_keys, keys[i]);

      for (guint k = 0; k < G_N_ELEMENTS (limit_keys) && !known; k++)
        known = strcmp (limit_keys[k].key, keys[i]) == 0;
      if (!known)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                       "[" LIMITS_GROUP "] %s: unknown key", keys[i]);
          return FALSE;
        }
    }
  if (!read_count (file, "MaxRunningTests", 1, 1024, &settings->max_running, error) ||
      !read_count (file, "MaxRunningTestsPerUser", 0, 1024, &settings->max_running_per_user, error) ||
      !read_count (file, "MaxQueuedTests", 0, 1000000, &settings->max_queue, error) ||
      !read_count (file, "MaxServers", 0, 1024, &settings->max_servers, error))
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (limit_keys); k++)
    {
      g_autofree char *text = g_key_file_get_value (file, LIMITS_GROUP, limit_keys[k].key, NULL);

      if (text != NULL && !limit_keys[k].set (settings->limits, limit_keys[k].key, text, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
td_config_load_file (TdConfig *config, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  g_autoptr(TdLimits) limits = td_limits_new ();
  FileSettings settings = { DEFAULT_MAX_RUNNING, 0, DEFAULT_MAX_QUEUE, DEFAULT_MAX_SERVERS, limits };

  if (config->config_file != NULL)
    {
      if (g_key_file_load_from_file (file, config->config_file, G_KEY_FILE_NONE, &local))
        {
          if (!read_settings (file, &settings, &local))
            {
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: %s", config->config_file,
                           local->message);
              return FALSE;
            }
          g_info ("configuration read from %s", config->config_file);
        }
      else if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_info ("no configuration file %s: the defaults apply", config->config_file);
      else
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: %s", config->config_file,
                       local->message);
          return FALSE;
        }
    }

  /* the command line wins */
  config->max_running = (config->cli.flags & TD_CONFIG_CLI_MAX_RUNNING) ?
    config->cli.max_running : settings.max_running;
  config->max_running_per_user = (config->cli.flags & TD_CONFIG_CLI_MAX_RUNNING_PER_USER) ?
    config->cli.max_running_per_user : settings.max_running_per_user;
  if (config->max_running_per_user == 0 || config->max_running_per_user > config->max_running)
    config->max_running_per_user = config->max_running;
  config->max_queue = (config->cli.flags & TD_CONFIG_CLI_MAX_QUEUE) ?
    config->cli.max_queue : settings.max_queue;
  config->max_servers = (config->cli.flags & TD_CONFIG_CLI_MAX_SERVERS) ?
    config->cli.max_servers : settings.max_servers;
  td_limits_free (config->limits);
  config->limits = g_steal_pointer (&limits);
  return TRUE;
}
