/* td-config.h: the service's settings, from the command line, the
 * configuration file (trafficd.conf, keyfile, see README.md "Limits") and
 * the environment (systemd's STATE_DIRECTORY / RUNTIME_DIRECTORY /
 * CONFIGURATION_DIRECTORY), with overrides for tests. Command-line options
 * win over the file. */
#pragma once

#include <glib.h>
#include "td-limits.h"

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
  double    iface_interval_seconds;  /* interface sampling; 0: the default (1 s) */
  gboolean  iface_include_loopback;  /* in the interface aggregate */
  guint     iface_samples_hours;     /* 1 s interface samples kept; 0: 24 */
  gboolean  iface_no_network_manager;/* kernel inventory only */
  char     *config_file;     /* NULL: none (session bus without --config) */
  TdLimits *limits;          /* per-test limits for non-administrators */
  struct {                   /* what the command line gave, kept for reloads */
    guint   flags;           /* TdConfigCliFlags */
    guint   max_running;
    guint   max_running_per_user;
    guint   max_queue;
    guint   max_servers;
  } cli;
} TdConfig;

typedef enum {
  TD_CONFIG_CLI_MAX_RUNNING          = 1 << 0,
  TD_CONFIG_CLI_MAX_RUNNING_PER_USER = 1 << 1,
  TD_CONFIG_CLI_MAX_QUEUE            = 1 << 2,
  TD_CONFIG_CLI_MAX_SERVERS          = 1 << 3,
} TdConfigCliFlags;

TdConfig *td_config_new  (void);
void      td_config_free (TdConfig *config);
/* Fills what the command line left unset from the environment; fails when
 * a given value is unusable. */
gboolean  td_config_resolve (TdConfig *config, GError **error);
/* The concurrency limits given on the command line; -1 = not given. */
void      td_config_set_from_command_line (TdConfig *config,
                                           int       max_running,
                                           int       max_running_per_user,
                                           int       max_queue,
                                           int       max_servers);
/* (Re-)reads config_file: on success every setting the command line did
 * not give takes the file's value or its default; on failure (the message
 * names the file and key) nothing changes. A missing file is no error. */
gboolean  td_config_load_file (TdConfig *config, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdConfig, td_config_free)

G_END_DECLS
