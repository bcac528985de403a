/* td-helper.c: spawn, read and reap one runner process. */
#include "config.h"

#include "td-helper.h"
#include "td-proc.h"
#include "tr-proto.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define STDERR_MAX_LINE 4096

struct _TdHelper
{
  GObject       parent_instance;

  char         *runner_path;
  char         *registry_dir;
  char         *registry_file;
  TdProcSampler sampler;
  GSubprocess  *process;
  GPid          pid;
  GCancellable *cancellable;
  GString      *stdout_line;
  GString      *stderr_line;
  guint8       *stdout_buf;
  guint8       *stderr_buf;
  guint         kill_timer;
  guint         stdout_watch;
  guint         stderr_watch;
  gboolean      stdout_done;
  gboolean      stderr_done;
  gboolean      process_done;
  gboolean      exited_emitted;
  gboolean      overflow;
  int           wait_status;
};

enum { SIGNAL_RECORD, SIGNAL_LOG, SIGNAL_EXITED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdHelper, td_helper, G_TYPE_OBJECT)

static void flush_stderr_line (TdHelper *self);

static void
td_helper_dispose (GObject *object)
{
  TdHelper *self = TD_HELPER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->process != NULL && !self->process_done)
    td_helper_kill (self);
  g_clear_handle_id (&self->kill_timer, g_source_remove);
  g_clear_handle_id (&self->stdout_watch, g_source_remove);
  g_clear_handle_id (&self->stderr_watch, g_source_remove);
  g_clear_object (&self->process);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (td_helper_parent_class)->dispose (object);
}

static void
td_helper_finalize (GObject *object)
{
  TdHelper *self = TD_HELPER (object);

  td_proc_sampler_clear (&self->sampler);
  g_free (self->runner_path);
  g_free (self->registry_dir);
  g_free (self->registry_file);
  g_string_free (self->stdout_line, TRUE);
  g_string_free (self->stderr_line, TRUE);
  g_free (self->stdout_buf);
  g_free (self->stderr_buf);
  G_OBJECT_CLASS (td_helper_parent_class)->finalize (object);
}

static void
td_helper_class_init (TdHelperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_helper_dispose;
  object_class->finalize = td_helper_finalize;

  /* record (kind, timestamp_us, a{sv}) */
  signals[SIGNAL_RECORD] = g_signal_new ("record", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                         G_TYPE_STRING, G_TYPE_INT64, G_TYPE_VARIANT);
  /* log (level, text): the helper's stderr and protocol problems */
  signals[SIGNAL_LOG] = g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
td_helper_init (TdHelper *self)
{
  self->cancellable = g_cancellable_new ();
  self->stdout_line = g_string_new (NULL);
  self->stderr_line = g_string_new (NULL);
  self->stdout_buf = g_malloc (READ_CHUNK);
  self->stderr_buf = g_malloc (STDERR_MAX_LINE);
  self->sampler.fd = -1;
}

TdHelper *
td_helper_new (const char *runner_path, const char *registry_dir)
{
  TdHelper *self = g_object_new (TD_TYPE_HELPER, NULL);

  self->runner_path = g_strdup (runner_path);
  self->registry_dir = g_strdup (registry_dir);
  return self;
}

/* One small file per live helper in the runtime directory (tmpfs): its
 * start time and executable, so that a later instance can find helpers a
 * killed instance left behind without trusting a recycled PID. */
static void
register_helper (TdHelper *self)
{
  g_autofree char *exe = realpath (self->runner_path, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  TdProcStat stat;

  if (self->registry_dir == NULL || !td_proc_read_stat (self->pid, &stat))
    return;
  self->registry_file = g_strdup_printf ("%s/%d", self->registry_dir, (int) self->pid);
  contents = g_strdup_printf ("%" G_GUINT64_FORMAT " %s\n", stat.start_ticks, exe ? exe : self->runner_path);
  if (!g_file_set_contents (self->registry_file, contents, -1, &error))
    {
      g_warning ("cannot record helper %d in %s: %s; a crash of the service could leave it running",
                 (int) self->pid, self->registry_dir, error->message);
      g_clear_pointer (&self->registry_file, g_free);
    }
}

static void
unregister_helper (TdHelper *self)
{
  if (self->registry_file != NULL)
    g_unlink (self->registry_file);
  g_clear_pointer (&self->registry_file, g_free);
}

/* Kills every process of group @pgid that runs @exe and started no earlier
 * than the group's leader did: what a helper leaves behind. The caller has
 * checked that the leader is the recorded helper or gone (a live group
 * keeps its PID from being recycled). */
static guint
kill_group_members (pid_t pgid, const char *exe, guint64 leader_start)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint killed = 0;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      pid_t pid = (pid_t) g_ascii_strtoll (name, NULL, 10);
      g_autofree char *pid_exe = NULL;
      TdProcStat stat;

      if (pid <= 1 || !td_proc_read_stat (pid, &stat) || stat.pgrp != pgid || stat.start_ticks < leader_start)
        continue;
      pid_exe = td_proc_read_exe (pid);
      if (pid_exe == NULL || !g_str_has_prefix (pid_exe, exe))
        continue;
      g_warning ("killing helper process %d (%s) left running by a previous trafficd instance", (int) pid, pid_exe);
      kill (pid, SIGKILL);
      killed++;
    }
  return killed;
}

/* FALSE when @pid is alive but started at another time than the one
 * recorded: the PID was recycled, so its group is not a helper's. A leader
 * that is gone (its group may still hold escaped children) is ours. */
static gboolean
leader_is_recorded (pid_t pid, guint64 recorded_start)
{
  TdProcStat stat;

  if (!td_proc_read_stat (pid, &stat) || stat.start_ticks == recorded_start)
    return TRUE;
  g_info ("sparing process group %d: its leader started at tick %" G_GUINT64_FORMAT
          ", the helper recorded with this PID at %" G_GUINT64_FORMAT "; the PID was recycled",
          (int) pid, stat.start_ticks, recorded_start);
  return FALSE;
}

/* One registry file: "START_TICKS EXE" of the helper that led group @pid. */
static guint
kill_registered_group (const char *path, pid_t pid)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) parts = NULL;
  guint64 start;

  if (pid <= 1 || !g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  parts = g_strsplit (g_strstrip (contents), " ", 2);
  if (g_strv_length (parts) != 2)
    return 0;
  start = g_ascii_strtoull (parts[0], NULL, 10);
  if (!leader_is_recorded (pid, start))
    return 0;
  return kill_group_members (pid, parts[1], start);
}

guint
td_helper_kill_leftovers (const char *registry_dir)
{
  g_autoptr(GDir) dir = g_dir_open (registry_dir, 0, NULL);
  const char *name;
  guint killed = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (registry_dir, name, NULL);

      killed += kill_registered_group (path, (pid_t) g_ascii_strtoll (name, NULL, 10));
      g_unlink (path);
    }
  return killed;
}

gboolean
td_helper_sample (TdHelper *self, double *cpu_percent, guint64 *rss_bytes)
{
  if (self->process == NULL || self->process_done || !td_proc_sampler_update (&self->sampler))
    return FALSE;
  *cpu_percent = self->sampler.cpu_percent;
  *rss_bytes = self->sampler.rss_bytes;
  return TRUE;
}

static void
kill_group (TdHelper *self, int sig)
{
  /* Until the runner's first instruction made it a group leader (see
   * runner-main.c) there is no group: signal the runner itself. It is not
   * reaped before process_done, so its PID cannot be someone else's. */
  if (self->pid > 0 && kill (-self->pid, sig) != 0 && errno == ESRCH && !self->process_done)
    kill (self->pid, sig);
}

static void
maybe_emit_exited (TdHelper *self)
{
  if (self->exited_emitted || !self->process_done || !self->stdout_done || !self->stderr_done)
    return;
  self->exited_emitted = TRUE;
  g_clear_handle_id (&self->kill_timer, g_source_remove);
  /* ended tests linger for minutes: their pipes must not, nor the
   * buffers that read them (68 KiB a helper; both watches are gone) */
  g_input_stream_close (g_subprocess_get_stdout_pipe (self->process), NULL, NULL);
  g_input_stream_close (g_subprocess_get_stderr_pipe (self->process), NULL, NULL);
  g_output_stream_close (g_subprocess_get_stdin_pipe (self->process), NULL, NULL);
  g_clear_pointer (&self->stdout_buf, g_free);
  g_clear_pointer (&self->stderr_buf, g_free);
  g_signal_emit (self, signals[SIGNAL_EXITED], 0);
}

static void
on_wait (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(TdHelper) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->wait_status = g_subprocess_get_status (self->process);
  self->process_done = TRUE;
  td_proc_sampler_clear (&self->sampler);   /* nothing left to sample; the object may linger */
  unregister_helper (self);
  /* Anything the runner left in its group (a forked child that ignores
   * SIGTERM, say) goes with it. */
  kill_group (self, SIGKILL);
  maybe_emit_exited (self);
}

static void
handle_stdout_line (TdHelper *self, const char *line)
{
  g_autofree char *kind = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ts;

  if (!tr_proto_parse_line (line, &kind, &ts, &record, &error))
    {
      g_autofree char *msg = g_strdup_printf ("helper sent a malformed record (%s); ignored", error->message);
      g_signal_emit (self, signals[SIGNAL_LOG], 0, 4u, msg);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_RECORD], 0, kind, ts, record);
}

/* Splits a chunk into lines; a line over the limit is a protocol breach
 * and ends the helper, so memory stays bounded. */
static void
split_stdout (TdHelper *self, const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len && !self->overflow; i++)
    {
      if (data[i] != '\n')
        {
          if (self->stdout_line->len >= TR_PROTO_MAX_LINE)
            {
              self->overflow = TRUE;
              g_signal_emit (self, signals[SIGNAL_LOG], 0, 3u,
                             "helper sent a record over 1 MiB; killing it");
              td_helper_kill (self);
              return;
            }
          g_string_append_c (self->stdout_line, (char) data[i]);
          continue;
        }
      handle_stdout_line (self, self->stdout_line->str);
      g_string_truncate (self->stdout_line, 0);
    }
}

/* One GSource per pipe for the helper's whole life: an async read per
 * chunk would add and remove a poll fd (and wake the loop) for every
 * record, which with a hundred helpers is most of the service's CPU. */
typedef void (*ChunkFunc) (TdHelper *self, const guint8 *data, gsize len);

static gboolean
drain_pipe (TdHelper *self, int fd, guint8 *buf, gsize size, ChunkFunc func)
{
  for (guint round = 0; round < 8; round++)
    {
      gssize n = read (fd, buf, size);

      if (n > 0)
        {
          func (self, buf, (gsize) n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return TRUE;
      return FALSE;   /* end of file, or the pipe failed: done either way */
    }
  return TRUE;        /* more may wait: let other sources run first */
}

static gboolean
on_stdout_ready (int fd, GIOCondition condition, gpointer user_data)
{
  g_autoptr(TdHelper) self = g_object_ref (user_data);

  if (drain_pipe (self, fd, self->stdout_buf, READ_CHUNK, split_stdout) && self->stdout_watch != 0)
    return G_SOURCE_CONTINUE;
  self->stdout_watch = 0;
  self->stdout_done = TRUE;
  maybe_emit_exited (self);
  return G_SOURCE_REMOVE;
}

static void
split_stderr (TdHelper *self, const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' || self->stderr_line->len >= STDERR_MAX_LINE)
        flush_stderr_line (self);
      if (data[i] != '\n')
        g_string_append_c (self->stderr_line, (char) data[i]);
    }
}

static gboolean
on_stderr_ready (int fd, GIOCondition condition, gpointer user_data)
{
  g_autoptr(TdHelper) self = g_object_ref (user_data);

  if (drain_pipe (self, fd, self->stderr_buf, STDERR_MAX_LINE, split_stderr) && self->stderr_watch != 0)
    return G_SOURCE_CONTINUE;
  flush_stderr_line (self);
  self->stderr_watch = 0;
  self->stderr_done = TRUE;
  maybe_emit_exited (self);
  return G_SOURCE_REMOVE;
}

static guint
watch_pipe (GInputStream *stream, GUnixFDSourceFunc func, TdHelper *self)
{
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream));

  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  return g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, func, self);
}

static void
flush_stderr_line (TdHelper *self)
{
  g_autofree char *valid = NULL;

  if (self->stderr_line->len == 0)
    return;
  valid = g_utf8_make_valid (self->stderr_line->str, self->stderr_line->len);
  g_signal_emit (self, signals[SIGNAL_LOG], 0, 4u, valid);
  g_string_truncate (self->stderr_line, 0);
}

gboolean
td_helper_start (TdHelper *self, GVariant *config, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = { self->runner_path, NULL };
  GOutputStream *in;
  gsize written;

  g_return_val_if_fail (self->process == NULL, FALSE);

  /* No child_setup and inherited descriptors (every fd of the service is
   * close-on-exec) let GLib use posix_spawn: no copy of the service's page
   * tables, and the main loop is not held while a forked copy waits to be
   * scheduled on a loaded machine (5-20 ms per start before). The runner
   * makes itself a group leader, dies with the service and lowers its
   * priority as its first steps (runner-main.c). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        G_SUBPROCESS_FLAGS_INHERIT_FDS);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  self->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (self->process == NULL)
    return FALSE;
  self->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);
  td_proc_sampler_init (&self->sampler, self->pid);
  td_proc_sampler_update (&self->sampler);
  register_helper (self);

  /* The config is small (< 64 KiB) and the pipe buffer holds it: this write
   * does not block the main loop. The pipe stays open: closing it is how a
   * runner learns that the service is gone. */
  line = tr_proto_format_line ("config", g_get_real_time (), config);
  in = g_subprocess_get_stdin_pipe (self->process);
  if (!g_output_stream_write_all (in, line, strlen (line), &written, NULL, error))
    {
      td_helper_kill (self);
      return FALSE;
    }

  g_subprocess_wait_async (self->process, self->cancellable, on_wait, g_object_ref (self));
  self->stdout_watch = watch_pipe (g_subprocess_get_stdout_pipe (self->process), on_stdout_ready, self);
  self->stderr_watch = watch_pipe (g_subprocess_get_stderr_pipe (self->process), on_stderr_ready, self);
  return TRUE;
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  TdHelper *self = user_data;

  self->kill_timer = 0;
  g_signal_emit (self, signals[SIGNAL_LOG], 0, 4u,
                 "helper did not stop within its grace period; killing its process group");
  kill_group (self, SIGKILL);
  return G_SOURCE_REMOVE;
}

void
td_helper_stop (TdHelper *self, guint grace_ms)
{
  if (self->process == NULL || self->process_done)
    return;
  kill_group (self, SIGTERM);
  if (self->kill_timer == 0)
    self->kill_timer = g_timeout_add (grace_ms, on_kill_timeout, self);
}

void
td_helper_kill (TdHelper *self)
{
  if (self->process == NULL || self->process_done)
    return;
  kill_group (self, SIGKILL);
}

GPid
td_helper_get_pid (TdHelper *self)
{
  return self->process_done ? 0 : self->pid;
}

gboolean
td_helper_is_running (TdHelper *self)
{
  return self->process != NULL && !self->process_done;
}

gboolean
td_helper_exited_normally (TdHelper *self)
{
  return self->process_done && WIFEXITED (self->wait_status);
}

char *
td_helper_describe_exit (TdHelper *self)
{
  int status = self->wait_status;

  if (!self->process_done)
    return g_strdup ("still running");
  if (WIFEXITED (status))
    return g_strdup_printf ("exit status %d", WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    return g_strdup_printf ("killed by signal %d (%s)", WTERMSIG (status), g_strsignal (WTERMSIG (status)));
  return g_strdup_printf ("wait status %d", status);
}
