/* td-config.h: the service's settings, from the command line and the
 * environment (systemd's STATE_DIRECTORY / RUNTIME_DIRECTORY), with
 * overrides for tests. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean  session_bus;
  char     *state_dir;
  char     *runtime_dir;
  char     *runner_path;
  guint     max_running;
  guint     max_running_per_user;
  guint     max_queue;
  guint     max_servers;
  guint     server_port_min;
  guint     server_port_max;
  guint     keep_ended_seconds;
  guint     retention_samples_days;  /* history: 0 keeps forever */
  guint     retention_tests_days;
} TdConfig;

TdConfig *td_config_new  (void);
void      td_config_free (TdConfig *config);
/* Fills what the command line left unset from the environment; fails when
 * a given value is unusable. */
gboolean  td_config_resolve (TdConfig *config, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdConfig, td_config_free)

G_END_DECLS
