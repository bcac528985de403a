/* td-helper.h: one supervised trafficd-runner process.
 *
 * Starts the runner in its own process group with the config record on its
 * stdin, turns its stdout into "record" signals (one per protocol line,
 * bounded in length), its stderr into "log" signals, and emits "exited" once
 * the process is gone AND its output is fully read. Stopping sends SIGTERM to
 * the whole group and SIGKILL after a grace period; when the runner exits,
 * whatever is left of its group is killed too. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_HELPER (td_helper_get_type ())
G_DECLARE_FINAL_TYPE (TdHelper, td_helper, TD, HELPER, GObject)

/* @registry_dir: where live helpers are recorded (runtime directory), or NULL. */
TdHelper   *td_helper_new        (const char *runner_path,
                                  const char *registry_dir);
gboolean    td_helper_start      (TdHelper   *self,
                                  GVariant   *config,
                                  GError    **error);
/* Asks the helper to stop (SIGTERM to its group); SIGKILL after grace_ms. */
void        td_helper_stop       (TdHelper   *self,
                                  guint       grace_ms);
void        td_helper_kill       (TdHelper   *self);
GPid        td_helper_get_pid    (TdHelper   *self);
gboolean    td_helper_is_running (TdHelper   *self);
/* How the process ended, e.g. "exit status 1" or "killed by signal 9 (Killed)". */
char       *td_helper_describe_exit (TdHelper *self);
gboolean    td_helper_exited_normally (TdHelper *self);
/* CPU percent of one core since the previous sample, and RSS. */
gboolean    td_helper_sample     (TdHelper   *self,
                                  double     *cpu_percent,
                                  guint64    *rss_bytes);
/* Kills the helpers recorded in @registry_dir that are still alive (same
 * start time and executable, not just the PID) and clears the records. */
guint       td_helper_kill_leftovers (const char *registry_dir);

G_END_DECLS
