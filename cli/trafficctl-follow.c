/* trafficctl-follow.c: follow a test until it ends; see trafficctl-follow.h. */
#include "config.h"

#include "trafficctl-follow.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tr-format.h"
#include "trafficctl-print.h"

#define MIN_BAR_WIDTH 10
#define MAX_BAR_WIDTH 40
#define REDRAW_INTERVAL_MS 250

struct _TrafficctlFollow {
  TrafficctlGlobals    *globals;
  TcClient             *client;
  TcTestWatch          *watch;
  TrafficctlFollowFlags flags;
  GMainLoop            *loop;
  GCancellable         *cancellable;

  char                 *path;
  guint                 id;
  gboolean              tty;          /* progress bar instead of lines */
  gboolean              bar_shown;
  gboolean              interrupted;  /* our Ctrl-C */
  gboolean              stop_sent;
  gboolean              done;
  int                   exit_code;
  double                last_interval_end;
  gint64                last_interval_at;  /* monotonic µs, 0 before */
  guint                 queue_position;    /* last reported, 0 when not queued */
  gboolean              was_queued;
  gboolean              start_reported;

  guint                 sigint_id;
  guint                 sigterm_id;
  guint                 redraw_id;
};

/* --- the progress bar ------------------------------------------------------- */

static guint
terminal_columns (void)
{
  struct winsize ws;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

static void
clear_bar (TrafficctlFollow *follow)
{
  if (!follow->bar_shown)
    return;
  fputs ("\r\033[K", stdout);
  fflush (stdout);
  follow->bar_shown = FALSE;
}

static void
append_bar (GString *line,
            guint    width,
            double   progress,
            double   elapsed)
{
  g_string_append_c (line, '[');
  if (progress >= 0)
    {
      guint filled = (guint) (MIN (progress, 1.0) * width + 0.5);

      for (guint i = 0; i < width; i++)
        g_string_append_c (line, i < filled ? '#' : '-');
    }
  else
    {
      /* No end: a marker bouncing back and forth. */
      guint span = width - 3;
      guint step = (guint) (elapsed * 4) % (2 * span);
      guint pos = step < span ? step : 2 * span - step;

      for (guint i = 0; i < width; i++)
        g_string_append_c (line, i >= pos && i < pos + 3 ? "<=>"[i - pos] : ' ');
    }
  g_string_append_c (line, ']');
}

/* Seconds measured so far: from the latest interval, advanced by the time
 * since it arrived, and never less than the time since RunningSince. */
static double
measured_seconds (TrafficctlFollow *follow,
                  GVariant         *props)
{
  guint64 since = trafficctl_props_get_uint (props, "RunningSince");
  double elapsed = 0;

  if (since > 0 && (guint64) g_get_real_time () > since)
    elapsed = (g_get_real_time () - (gint64) since) / 1e6;
  if (follow->last_interval_at > 0)
    elapsed = MAX (elapsed, follow->last_interval_end +
                            (g_get_monotonic_time () - follow->last_interval_at) / 1e6);
  return elapsed;
}

static void
draw_bar (TrafficctlFollow *follow)
{
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) options = NULL;
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GString) tail = g_string_new (NULL);
  g_autofree char *text = NULL;
  const char *state, *direction;
  double progress;
  guint columns;

  if (!follow->tty || follow->done || follow->path == NULL ||
      tc_test_watch_is_ended (follow->watch) ||
      tc_client_state_is_final (tc_test_watch_get_state (follow->watch)))
    return;

  props = tc_test_watch_dup_properties (follow->watch);
  options = trafficctl_props_dup_dict (props, "Options");
  state = tc_test_watch_get_state (follow->watch);
  direction = trafficctl_props_get_string (options, "direction");
  progress = trafficctl_props_get_double (props, "Progress", 0);
  columns = terminal_columns ();

  g_string_append_printf (head, _("test %u "), follow->id);
  if (g_strcmp0 (state, "running") == 0)
    {
      guint64 duration = trafficctl_props_get_uint (options, "duration");
      gboolean timed = progress >= 0 && duration > 0 && !trafficctl_props_get_uint (options, "bytes");
      double elapsed = measured_seconds (follow, props);
      g_autofree char *elapsed_text = NULL;
      glong bar_width;

      /* The last interval may come a little after the deadline. */
      if (timed)
        elapsed = MIN (elapsed, (double) duration);
      elapsed_text = tr_format_duration (elapsed);

      if (progress >= 0)
        g_string_append_printf (tail, " %3.0f%%", MIN (progress, 1.0) * 100.0);
      g_string_append_printf (tail, "  %8s", elapsed_text);
      if (timed)
        {
          g_autofree char *total = tr_format_duration ((double) duration);
          g_string_append_printf (tail, " / %s", total);
        }
      if (g_strcmp0 (direction, "reverse") != 0)
        {
          g_autofree char *rate = tr_format_rate (trafficctl_props_get_double (props, "RateForward", 0));
          g_string_append_printf (tail, _("  fwd %13s"), rate);
        }
      if (g_strcmp0 (direction, "reverse") == 0 || g_strcmp0 (direction, "bidirectional") == 0)
        {
          g_autofree char *rate = tr_format_rate (trafficctl_props_get_double (props, "RateReverse", 0));
          g_string_append_printf (tail, _("  rev %13s"), rate);
        }
      if (follow->interrupted)
        g_string_append (tail, _("  stopping…"));
      else if (progress < 0)
        g_string_append (tail, _("  (Ctrl-C stops)"));

      /* The bar takes what the text leaves of the line. */
      bar_width = (glong) columns - 1 - 2 - g_utf8_strlen (head->str, -1) - g_utf8_strlen (tail->str, -1);
      append_bar (head, CLAMP (bar_width, MIN_BAR_WIDTH, MAX_BAR_WIDTH), progress, elapsed);
    }
  else
    {
      guint64 start = trafficctl_props_get_uint (props, "StartTime");
      double waited = 0;
      g_autofree char *waited_text = NULL;

      if (start > 0 && (guint64) g_get_real_time () > start)
        waited = (g_get_real_time () - (gint64) start) / 1e6;
      waited_text = tr_format_duration (waited);
      /* The position drops to 0 as the test leaves the queue, in the same
       * breath as its state, which the watch reports a moment later. */
      if (g_strcmp0 (state, "queued") == 0 && trafficctl_props_get_uint (props, "QueuePosition") > 0)
        {
          guint position = (guint) trafficctl_props_get_uint (props, "QueuePosition");

          /* TRANSLATORS: "test 7 queued (position 2)…  12.0 s" */
          g_string_append_printf (head, _("queued (position %u)…  %s"), position, waited_text);
        }
      else
        g_string_append_printf (head, "%s…  %s", *state != '\0' ? state : _("starting"),
                                waited_text);
      if (follow->interrupted)
        g_string_append (tail, _("  stopping…"));
    }
  g_string_append (head, tail->str);

  if ((guint) g_utf8_strlen (head->str, -1) >= columns)
    text = g_utf8_substring (head->str, 0, columns > 1 ? columns - 1 : 1);
  else
    text = g_strdup (head->str);

  printf ("\r%s\033[K", text);
  fflush (stdout);
  follow->bar_shown = TRUE;
}

static gboolean
on_redraw_timeout (gpointer user_data)
{
  draw_bar (user_data);
  return G_SOURCE_CONTINUE;
}

/* --- ending ----------------------------------------------------------------- */

void
trafficctl_follow_quit (TrafficctlFollow *follow,
                        int               exit_code)
{
  if (follow->done)
    return;
  follow->done = TRUE;
  follow->exit_code = exit_code;
  clear_bar (follow);
  g_clear_handle_id (&follow->redraw_id, g_source_remove);
  g_main_loop_quit (follow->loop);
}

static int
exit_code_for_end (TrafficctlFollow *follow,
                   GVariant         *props,
                   const char       *state)
{
  const char *error_name = "", *error_message = "";
  g_autofree char *what = NULL;

  if (g_strcmp0 (state, "finished") == 0)
    return TRAFFICCTL_EXIT_OK;

  if (g_strcmp0 (state, "stopped") == 0 && follow->interrupted &&
      (follow->flags & TRAFFICCTL_FOLLOW_UNTIL_STOPPED))
    return TRAFFICCTL_EXIT_OK;

  g_variant_lookup (props, "Error", "(&s&s)", &error_name, &error_message);
  if (g_strcmp0 (state, "stopped") == 0)
    what = g_strdup_printf (_("test %u was stopped"), follow->id);
  else
    what = g_strdup_printf (_("test %u %s"), follow->id, state);
  trafficctl_print_error_line (what, *error_message != '\0' ? error_message
                                     : *error_name != '\0' ? error_name : state);
  return TRAFFICCTL_EXIT_TEST_FAILED;
}

static void
on_ended (TcTestWatch *watch,
          const char  *state,
          gpointer     user_data)
{
  TrafficctlFollow *follow = user_data;
  const GError *error = tc_test_watch_get_error (watch);
  g_autoptr(GVariant) props = NULL;

  clear_bar (follow);

  if (error != NULL)
    {
      g_autofree char *what = g_strdup_printf (_("following test %u"), follow->id);
      trafficctl_follow_quit (follow, trafficctl_print_error (what, error));
      return;
    }

  props = tc_test_watch_dup_properties (watch);
  if (follow->globals->json)
    {
      g_autoptr(JsonNode) node = trafficctl_test_to_json (props, follow->path);

      json_object_set_int_member (json_node_get_object (node), "test", follow->id);
      trafficctl_print_json (node, FALSE);
    }
  else
    trafficctl_print_summary (props);

  trafficctl_follow_quit (follow, exit_code_for_end (follow, props, state));
}

/* --- what the watch reports ------------------------------------------------- */

static void
on_interval (TcTestWatch *watch,
             GVariant    *sample,
             gpointer     user_data)
{
  TrafficctlFollow *follow = user_data;

  if (follow->done)
    return;

  follow->last_interval_end = MAX (follow->last_interval_end,
                                   trafficctl_props_get_double (sample, "end", 0));
  follow->last_interval_at = g_get_monotonic_time ();

  if (follow->globals->json)
    {
      g_autoptr(JsonNode) node = json_gvariant_serialize (sample);

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          json_object_set_int_member (json_node_get_object (node), "test", follow->id);
          trafficctl_print_json (node, FALSE);
        }
    }
  else if (follow->tty)
    draw_bar (follow);
  else
    {
      g_autofree char *line = trafficctl_format_interval (sample);

      printf ("%s\n", line);
      fflush (stdout);
    }
}

static void
on_log (TcTestWatch *watch,
        guint        level,
        const char  *text,
        gpointer     user_data)
{
  TrafficctlFollow *follow = user_data;
  const char *level_name;

  if (follow->done)
    return;
  if (level > 4 && !(follow->flags & TRAFFICCTL_FOLLOW_VERBOSE))
    return;

  switch (level)
    {
    case 0: case 1: case 2: case 3: level_name = _("error"); break;
    case 4: level_name = _("warning"); break;
    case 5: level_name = _("notice"); break;
    case 6: level_name = _("info"); break;
    default: level_name = _("debug"); break;
    }

  clear_bar (follow);
  fflush (stdout);
  fprintf (stderr, _("test %u: %s: %s\n"), follow->id, level_name, text);
  draw_bar (follow);
}

/* Without a terminal: one line when the test's place in the queue changes
 * and one when it leaves the queue and starts. */
static void
report_queue (TrafficctlFollow *follow)
{
  g_autoptr(GVariant) position_value = NULL;
  const char *state;
  guint position = 0;

  if (follow->tty || follow->globals->json || follow->done || follow->path == NULL)
    return;

  state = tc_test_watch_get_state (follow->watch);
  position_value = tc_test_watch_dup_property (follow->watch, "QueuePosition");
  if (position_value != NULL && g_variant_is_of_type (position_value, G_VARIANT_TYPE_UINT32))
    position = g_variant_get_uint32 (position_value);

  if (g_strcmp0 (state, "queued") == 0)
    {
      if (position > 0 && position != follow->queue_position)
        {
          printf (_("test %u: queued (position %u)\n"), follow->id, position);
          fflush (stdout);
          follow->queue_position = position;
        }
      follow->was_queued = TRUE;
    }
  else if (follow->was_queued && !follow->start_reported &&
           *state != '\0' && !tc_client_state_is_final (state))
    {
      g_autoptr(GVariant) start_value = tc_test_watch_dup_property (follow->watch, "StartTime");
      guint64 start = 0;
      gint64 now = g_get_real_time ();
      g_autofree char *waited = NULL;

      if (start_value != NULL && g_variant_is_of_type (start_value, G_VARIANT_TYPE_UINT64))
        start = g_variant_get_uint64 (start_value);
      waited = tr_format_duration (start > 0 && (guint64) now > start ? (now - (gint64) start) / 1e6 : 0);
      printf (_("test %u: started after %s in the queue\n"), follow->id, waited);
      fflush (stdout);
      follow->queue_position = 0;
      follow->start_reported = TRUE;
    }
}

static void
on_changed (TcTestWatch *watch,
            gpointer     ignored,
            gpointer     user_data)
{
  report_queue (user_data);
  draw_bar (user_data);
}

/* --- Ctrl-C ----------------------------------------------------------------- */

static void
on_stop_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  TrafficctlFollow *follow;

  if (tc_client_stop_test_finish (TC_CLIENT (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* now wait for "ended" */

  follow = user_data;
  {
    g_autofree char *what = g_strdup_printf (_("stopping test %u"), follow->id);
    clear_bar (follow);
    trafficctl_follow_quit (follow, trafficctl_print_error (what, error));
  }
}

static void
send_stop (TrafficctlFollow *follow)
{
  if (follow->stop_sent || follow->path == NULL)
    return;
  follow->stop_sent = TRUE;
  tc_client_stop_test (follow->client, follow->path, follow->cancellable,
                       on_stop_done, follow);
}

static gboolean
on_interrupt (gpointer user_data)
{
  TrafficctlFollow *follow = user_data;

  if (follow->done)
    return G_SOURCE_CONTINUE;

  clear_bar (follow);
  if (!(follow->flags & TRAFFICCTL_FOLLOW_STOP_ON_INTERRUPT))
    {
      /* "watch": leave the test alone. */
      fprintf (stderr, _("Stopped following test %u; it goes on.\n"), follow->id);
      trafficctl_follow_quit (follow, TRAFFICCTL_EXIT_OK);
    }
  else if (!follow->interrupted)
    {
      follow->interrupted = TRUE;
      if (!follow->tty)
        fprintf (stderr, _("Stopping the test (press Ctrl-C again to leave it)…\n"));
      send_stop (follow);
      draw_bar (follow);
    }
  else
    {
      g_autofree char *what = follow->id != 0
                              ? g_strdup_printf (_("test %u"), follow->id)
                              : g_strdup (_("starting the test"));
      trafficctl_print_error_line (what, _("Interrupted; not waiting for the test to stop"));
      trafficctl_follow_quit (follow, TRAFFICCTL_EXIT_TEST_FAILED);
    }
  return G_SOURCE_CONTINUE;
}

/* --- public ----------------------------------------------------------------- */

TrafficctlFollow *
trafficctl_follow_new (TrafficctlGlobals     *globals,
                       TcClient              *client,
                       TcTestWatch           *watch,
                       TrafficctlFollowFlags  flags)
{
  TrafficctlFollow *follow = g_new0 (TrafficctlFollow, 1);

  follow->globals = globals;
  follow->client = g_object_ref (client);
  follow->watch = g_object_ref (watch);
  follow->flags = flags;
  follow->loop = g_main_loop_new (NULL, FALSE);
  follow->cancellable = g_cancellable_new ();
  follow->tty = !globals->json && isatty (STDOUT_FILENO);

  g_signal_connect (watch, "interval", G_CALLBACK (on_interval), follow);
  g_signal_connect (watch, "log", G_CALLBACK (on_log), follow);
  g_signal_connect (watch, "state-changed", G_CALLBACK (on_changed), follow);
  g_signal_connect (watch, "properties-changed", G_CALLBACK (on_changed), follow);
  g_signal_connect (watch, "ended", G_CALLBACK (on_ended), follow);

  follow->sigint_id = g_unix_signal_add (SIGINT, on_interrupt, follow);
  follow->sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, follow);
  return follow;
}

void
trafficctl_follow_set_path (TrafficctlFollow *follow,
                            const char       *path)
{
  g_return_if_fail (follow->path == NULL);

  follow->path = g_strdup (path);
  follow->id = tc_client_test_id_from_path (path);
  if (follow->interrupted)
    send_stop (follow);
  if (follow->tty)
    follow->redraw_id = g_timeout_add (REDRAW_INTERVAL_MS, on_redraw_timeout, follow);
  tc_test_watch_set_path (follow->watch, path);
  draw_bar (follow);
}

int
trafficctl_follow_run (TrafficctlFollow *follow)
{
  if (!follow->done)
    g_main_loop_run (follow->loop);
  return follow->exit_code;
}

void
trafficctl_follow_free (TrafficctlFollow *follow)
{
  clear_bar (follow);
  g_cancellable_cancel (follow->cancellable);
  g_clear_handle_id (&follow->sigint_id, g_source_remove);
  g_clear_handle_id (&follow->sigterm_id, g_source_remove);
  g_clear_handle_id (&follow->redraw_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (follow->watch, follow);
  g_clear_object (&follow->watch);
  g_clear_object (&follow->client);
  g_clear_object (&follow->cancellable);
  g_main_loop_unref (follow->loop);
  g_free (follow->path);
  g_free (follow);
}
