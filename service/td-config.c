/* td-config.c: defaults and environment. */
#include "config.h"

#include "td-config.h"
#include "tr-error.h"

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
