/* tr-live-page.c: see tr-live-page.h. */
#include "config.h"

#include "tr-live-page.h"

#include <glib/gi18n.h>

#include "tr-format.h"
#include "tr-util.h"

typedef struct {
  GtkWidget *box;
  GtkWidget *title;
  GtkWidget *current;
  GtkWidget *average;
  GtkWidget *max;
  GtkWidget *extra_title;
  GtkWidget *extra;
} DirectionTiles;

struct _TrLivePage
{
  GtkWidget       parent_instance;

  GtkWidget      *stack;
  GtkWidget      *state_icon;
  GtkWidget      *state_label;
  GtkWidget      *state_box;
  GtkWidget      *title;
  GtkWidget      *subtitle;
  GtkWidget      *stop_button;
  GtkWidget      *progress;
  GtkWidget      *times;
  GtkWidget      *error_label;
  GtkWidget      *graph;
  GtkWidget      *streams_check;
  DirectionTiles  tiles[TR_N_DIRECTIONS];
  GtkWidget      *log_view;
  GtkTextBuffer  *log_buffer;

  TrTestSession  *session;
  guint           tick_id;
};

G_DEFINE_TYPE (TrLivePage, tr_live_page, GTK_TYPE_WIDGET)

static void update (TrLivePage *self);

/* --- tiles ------------------------------------------------------------------------ */

static GtkWidget *
tile (GtkWidget   *flow,
      const char  *caption,
      GtkWidget  **caption_label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *cap = gtk_label_new (caption);
  GtkWidget *value = gtk_label_new ("—");

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "stat-tile");
  gtk_widget_add_css_class (cap, "caption");
  gtk_widget_add_css_class (cap, "dim-label");
  gtk_widget_add_css_class (value, "title-4");
  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_xalign (GTK_LABEL (cap), 0);
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), cap);
  gtk_box_append (GTK_BOX (box), value);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), box);
  if (caption_label != NULL)
    *caption_label = cap;
  return value;
}

static void
build_tiles (TrLivePage  *self,
             GtkWidget   *parent,
             TrDirection  d)
{
  DirectionTiles *t = &self->tiles[d];
  GtkWidget *flow;

  t->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  t->title = gtk_label_new (d == TR_DIRECTION_FORWARD ? _("Forward (client to server)")
                                                      : _("Reverse (server to client)"));
  gtk_widget_add_css_class (t->title, "heading");
  gtk_widget_add_css_class (t->title, d == TR_DIRECTION_FORWARD ? "forward" : "reverse");
  gtk_label_set_xalign (GTK_LABEL (t->title), 0);
  gtk_box_append (GTK_BOX (t->box), t->title);
  flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 4);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 6);
  gtk_box_append (GTK_BOX (t->box), flow);
  t->current = tile (flow, _("Current"), NULL);
  t->average = tile (flow, _("Average"), NULL);
  t->max = tile (flow, _("Maximum"), NULL);
  t->extra = tile (flow, _("Retransmits"), &t->extra_title);
  gtk_box_append (GTK_BOX (parent), t->box);
}

static void
set_rate (GtkWidget *label,
          double     bps,
          gboolean   known)
{
  g_autofree char *text = known ? tr_format_rate (bps) : g_strdup ("—");
  gtk_label_set_text (GTK_LABEL (label), text);
}

static void
update_tiles (TrLivePage  *self,
              TrDirection  d,
              gboolean     udp,
              gboolean     runs)
{
  const TrDirectionStats *st = tr_test_session_get_stats (self->session, d);
  DirectionTiles *t = &self->tiles[d];
  gboolean known = st->n_intervals > 0;
  g_autofree char *extra = NULL;

  gtk_widget_set_visible (t->box, runs || known);
  set_rate (t->current, st->current, known);
  set_rate (t->average, st->average, known);
  set_rate (t->max, st->max, known);
  if (udp)
    {
      gtk_label_set_text (GTK_LABEL (t->extra_title), _("Jitter and loss"));
      if (st->has_loss)
        extra = g_strdup_printf (_("%.3f ms, %.2f %% lost"), st->jitter_ms,
                                 st->packets > 0 ? 100.0 * st->lost_packets / st->packets : 0.0);
      else
        /* TRANSLATORS: no jitter/loss figure; the sending side does not measure it */
        extra = g_strdup (_("— (receiver only)"));
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (t->extra_title), _("Retransmits"));
      extra = st->retransmits >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, st->retransmits) : g_strdup ("—");
    }
  gtk_label_set_text (GTK_LABEL (t->extra), extra);
}

/* --- updates ------------------------------------------------------------------------- */

static char *
clock_text (double seconds)
{
  guint s = (guint) MAX (seconds, 0);

  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
  return g_strdup_printf ("%u:%02u", s / 60, s % 60);
}

static gboolean
on_tick (gpointer user_data)
{
  update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update (TrLivePage *self)
{
  g_autoptr(GVariant) options = NULL;
  g_autoptr(GVariant) error_prop = NULL;
  g_autoptr(GVariant) progress_prop = NULL;
  g_autofree char *title = NULL, *desc = NULL, *elapsed_text = NULL, *times = NULL;
  const char *state, *direction = "forward", *err_name = "", *err_text = "";
  double elapsed, duration, progress = -1;
  gboolean ended, udp;

  if (self->session == NULL)
    {
      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
      return;
    }
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "test");

  state = tr_test_session_get_state (self->session);
  ended = tr_test_session_is_ended (self->session);
  options = tr_test_session_dup_property (self->session, "Options");
  if (options != NULL)
    g_variant_lookup (options, "direction", "&s", &direction);
  udp = g_str_equal (tr_test_session_get_protocol (self->session), "udp");

  /* state indicator */
  if (tr_test_session_get_watch_error (self->session) != NULL && !tc_client_state_is_final (state))
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (self->state_icon), "network-offline-symbolic");
      gtk_label_set_text (GTK_LABEL (self->state_label), _("Lost"));
      tr_util_set_css_class (self->state_box, "error");
    }
  else
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (self->state_icon), tr_util_state_icon (state));
      gtk_label_set_text (GTK_LABEL (self->state_label), tr_util_state_label (state));
      tr_util_set_css_class (self->state_box, tr_util_state_css_class (state));
    }

  /* TRANSLATORS: the live view's title, %u is the test number */
  title = g_strdup_printf (_("Test %u"), tr_test_session_get_id (self->session));
  gtk_label_set_text (GTK_LABEL (self->title), title);
  desc = tr_test_session_describe (self->session);
  gtk_label_set_text (GTK_LABEL (self->subtitle), desc);
  gtk_widget_set_sensitive (self->stop_button, !ended);

  /* times */
  elapsed = tr_test_session_get_elapsed (self->session);
  duration = tr_test_session_get_duration (self->session);
  progress_prop = tr_test_session_dup_property (self->session, "Progress");
  if (progress_prop != NULL)
    progress = g_variant_get_double (progress_prop);
  elapsed_text = clock_text (elapsed);
  if (duration > 0 && !ended)
    {
      g_autofree char *remaining = clock_text (MAX (duration - elapsed, 0));
      /* TRANSLATORS: elapsed and remaining time, "0:04" */
      times = g_strdup_printf (_("Elapsed %s · Remaining %s"), elapsed_text, remaining);
    }
  else if (!ended)
    times = g_strdup_printf (_("Elapsed %s · Runs until stopped"), elapsed_text);
  else
    times = g_strdup_printf (_("Ran %s"), elapsed_text);
  gtk_label_set_text (GTK_LABEL (self->times), times);
  if (ended)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress),
                                   g_str_equal (state, "finished") ? 1.0 : MAX (progress, 0));
  else if (progress >= 0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), progress);
  else
    gtk_progress_bar_pulse (GTK_PROGRESS_BAR (self->progress));

  /* error */
  error_prop = tr_test_session_dup_property (self->session, "Error");
  if (error_prop != NULL)
    g_variant_get (error_prop, "(&s&s)", &err_name, &err_text);
  if (tr_test_session_get_watch_error (self->session) != NULL && !tc_client_state_is_final (state))
    {
      g_autofree char *text = g_strdup_printf (_("Lost contact with the test: %s"),
                                               tr_test_session_get_watch_error (self->session)->message);
      gtk_label_set_text (GTK_LABEL (self->error_label), text);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
  else if (*err_text != '\0')
    {
      gtk_label_set_text (GTK_LABEL (self->error_label), err_text);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
  else
    gtk_widget_set_visible (self->error_label, FALSE);

  update_tiles (self, TR_DIRECTION_FORWARD, udp, !g_str_equal (direction, "reverse"));
  update_tiles (self, TR_DIRECTION_REVERSE, udp, !g_str_equal (direction, "forward"));

  if (ended && self->tick_id != 0)
    g_clear_handle_id (&self->tick_id, g_source_remove);
  else if (!ended && self->tick_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->tick_id = g_timeout_add (500, on_tick, self);
}

static void
append_log (TrLivePage *self,
            guint       level,
            const char *text)
{
  GtkTextIter end;
  GtkTextMark *mark;

  gtk_text_buffer_get_end_iter (self->log_buffer, &end);
  if (level <= 3)
    gtk_text_buffer_insert_with_tags_by_name (self->log_buffer, &end, text, -1, "error", NULL);
  else if (level == 4)
    gtk_text_buffer_insert_with_tags_by_name (self->log_buffer, &end, text, -1, "warning", NULL);
  else
    gtk_text_buffer_insert (self->log_buffer, &end, text, -1);
  gtk_text_buffer_get_end_iter (self->log_buffer, &end);
  gtk_text_buffer_insert (self->log_buffer, &end, "\n", 1);
  mark = gtk_text_buffer_get_mark (self->log_buffer, "end");
  gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (self->log_view), mark);
}

static void
on_session_log (TrTestSession *session,
                guint          level,
                const char    *text,
                TrLivePage    *self)
{
  append_log (self, level, text);
}

static void
on_session_updated (TrTestSession *session,
                    TrLivePage    *self)
{
  update (self);
}

static void
on_session_ended (TrTestSession *session,
                  const char    *state,
                  TrLivePage    *self)
{
  update (self);
}

static void
on_streams_toggled (GtkCheckButton *check,
                    TrLivePage     *self)
{
  if (self->session != NULL)
    tr_test_session_set_show_streams (self->session, gtk_check_button_get_active (check));
}

/* --- public ------------------------------------------------------------------------ */

void
tr_live_page_set_session (TrLivePage    *self,
                          TrTestSession *session)
{
  GPtrArray *lines;

  g_return_if_fail (TR_IS_LIVE_PAGE (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_object (&self->session);
    }
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_text_buffer_set_text (self->log_buffer, "", 0);
  if (session != NULL)
    {
      self->session = g_object_ref (session);
      g_signal_connect (session, "updated", G_CALLBACK (on_session_updated), self);
      g_signal_connect (session, "ended", G_CALLBACK (on_session_ended), self);
      g_signal_connect (session, "log", G_CALLBACK (on_session_log), self);
      lines = tr_test_session_get_log (session);
      for (guint i = 0; i < lines->len; i++)
        append_log (self, 6, g_ptr_array_index (lines, i));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->streams_check),
                                   tr_test_session_get_show_streams (session));
    }
  tr_graph_set_plot (TR_GRAPH (self->graph), session != NULL ? tr_test_session_get_plot (session) : NULL);
  update (self);
}

TrTestSession *
tr_live_page_get_session (TrLivePage *self)
{
  g_return_val_if_fail (TR_IS_LIVE_PAGE (self), NULL);
  return self->session;
}

TrGraph *
tr_live_page_get_graph (TrLivePage *self)
{
  g_return_val_if_fail (TR_IS_LIVE_PAGE (self), NULL);
  return TR_GRAPH (self->graph);
}

/* --- construction ------------------------------------------------------------------- */

static GtkWidget *
build_export_menu (void)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *button = gtk_menu_button_new ();

  g_menu_append (menu, _("Intervals as _CSV…"), "win.export::csv");
  g_menu_append (menu, _("Graph as _PNG…"), "win.export::png");
  g_menu_append (menu, _("Graph as _SVG…"), "win.export::svg");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "document-save-symbolic");
  gtk_widget_set_tooltip_text (button, _("Export"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return button;
}

static void
build (TrLivePage *self)
{
  GtkWidget *empty, *scroller, *box, *header, *titles, *frame, *log_scroller, *heading, *row;
  GtkTextIter end;

  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "network-transmit-receive-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Test Selected"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Start a test on the New Test page, or open one from the Tests list."));
  gtk_stack_add_named (GTK_STACK (self->stack), empty, "empty");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  scroller = tr_util_scrolled_page (1100, 12, box);
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "test");

  /* header: state, title, stop, export */
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (box), header);
  self->state_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (self->state_box, "state-pill");
  gtk_widget_set_valign (self->state_box, GTK_ALIGN_CENTER);
  self->state_icon = gtk_image_new ();
  self->state_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->state_label, "state");
  gtk_widget_add_css_class (self->state_label, "heading");
  gtk_box_append (GTK_BOX (self->state_box), self->state_icon);
  gtk_box_append (GTK_BOX (self->state_box), self->state_label);
  gtk_box_append (GTK_BOX (header), self->state_box);
  titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_hexpand (titles, TRUE);
  self->title = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->title, "title-3");
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  self->subtitle = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->subtitle, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (self->subtitle), TRUE);
  gtk_box_append (GTK_BOX (titles), self->title);
  gtk_box_append (GTK_BOX (titles), self->subtitle);
  gtk_box_append (GTK_BOX (header), titles);
  gtk_box_append (GTK_BOX (header), build_export_menu ());
  self->stop_button = gtk_button_new_with_mnemonic (_("S_top"));
  gtk_widget_set_name (self->stop_button, "stop");
  gtk_widget_add_css_class (self->stop_button, "destructive-action");
  gtk_widget_set_valign (self->stop_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->stop_button), "win.stop-test");
  gtk_box_append (GTK_BOX (header), self->stop_button);

  self->error_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_box_append (GTK_BOX (box), self->error_label);

  /* progress and times */
  self->progress = gtk_progress_bar_new ();
  gtk_box_append (GTK_BOX (box), self->progress);
  self->times = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->times, "numeric");
  gtk_label_set_xalign (GTK_LABEL (self->times), 0);
  gtk_box_append (GTK_BOX (box), self->times);

  /* graph */
  frame = gtk_frame_new (NULL);
  gtk_widget_add_css_class (frame, "view");
  gtk_widget_add_css_class (frame, "graph-frame");
  self->graph = tr_graph_new (NULL);
  gtk_widget_set_name (self->graph, "graph");
  gtk_widget_set_size_request (self->graph, -1, 240);
  gtk_frame_set_child (GTK_FRAME (frame), self->graph);
  gtk_box_append (GTK_BOX (box), frame);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->streams_check = gtk_check_button_new_with_mnemonic (_("Show each _stream"));
  gtk_widget_set_name (self->streams_check, "show-streams");
  g_signal_connect (self->streams_check, "toggled", G_CALLBACK (on_streams_toggled), self);
  gtk_box_append (GTK_BOX (row), self->streams_check);
  gtk_box_append (GTK_BOX (box), row);

  /* figures */
  build_tiles (self, box, TR_DIRECTION_FORWARD);
  build_tiles (self, box, TR_DIRECTION_REVERSE);

  /* log */
  heading = gtk_label_new (_("Log"));
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_box_append (GTK_BOX (box), heading);
  log_scroller = gtk_scrolled_window_new ();
  gtk_widget_add_css_class (log_scroller, "card");
  gtk_widget_set_size_request (log_scroller, -1, 180);
  gtk_box_append (GTK_BOX (box), log_scroller);
  self->log_view = gtk_text_view_new ();
  gtk_widget_set_name (self->log_view, "log");
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->log_view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (self->log_view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->log_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->log_view), 8);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->log_view), 6);
  gtk_widget_add_css_class (self->log_view, "log-view");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (log_scroller), self->log_view);
  self->log_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->log_view));
  gtk_text_buffer_create_tag (self->log_buffer, "error", "foreground", "#c01c28", NULL);
  gtk_text_buffer_create_tag (self->log_buffer, "warning", "foreground", "#9c6e03", NULL);
  gtk_text_buffer_get_end_iter (self->log_buffer, &end);
  gtk_text_buffer_create_mark (self->log_buffer, "end", &end, FALSE);
}

static void
tr_live_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tr_live_page_parent_class)->map (widget);
  update (TR_LIVE_PAGE (widget));
}

static void
tr_live_page_unmap (GtkWidget *widget)
{
  TrLivePage *self = TR_LIVE_PAGE (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  GTK_WIDGET_CLASS (tr_live_page_parent_class)->unmap (widget);
}

static void
tr_live_page_dispose (GObject *object)
{
  TrLivePage *self = TR_LIVE_PAGE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_object (&self->session);
    }
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  G_OBJECT_CLASS (tr_live_page_parent_class)->dispose (object);
}

static void
tr_live_page_class_init (TrLivePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_live_page_dispose;
  widget_class->map = tr_live_page_map;
  widget_class->unmap = tr_live_page_unmap;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
tr_live_page_init (TrLivePage *self)
{
  build (self);
  update (self);
}

GtkWidget *
tr_live_page_new (void)
{
  return g_object_new (TR_TYPE_LIVE_PAGE, NULL);
}
