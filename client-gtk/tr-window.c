/* tr-window.c: see tr-window.h. */
#include "config.h"

#include "tr-window.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tr-history-page.h"
#include "tr-interfaces-page.h"
#include "tr-live-page.h"
#include "tr-new-test-page.h"
#include "tr-servers-page.h"
#include "tr-test-session.h"
#include "tr-tests-page.h"
#include "tr-util.h"

#define EXPORT_WIDTH  1200
#define EXPORT_HEIGHT 500

struct _TrWindow
{
  AdwApplicationWindow  parent_instance;

  TcMonitor            *monitor;
  GtkStringList        *recent_hosts;
  GtkWidget            *stack;
  GtkWidget            *banner;
  GtkWidget            *banner_label;
  GtkWidget            *toasts;
  GtkWidget            *new_page;
  GtkWidget            *live_page;
  GtkWidget            *tests_page;
  GtkWidget            *servers_page;
  GtkWidget            *interfaces_page;
  GtkWidget            *history_page;
  GHashTable           *sessions;        /* path -> TrTestSession */
  gboolean              starting;
  gboolean              was_available;
  char                 *last_message;
};

G_DEFINE_TYPE (TrWindow, tr_window, ADW_TYPE_APPLICATION_WINDOW)

/* --- messages ------------------------------------------------------------------- */

void
tr_window_toast (TrWindow   *self,
                 const char *message)
{
  AdwToast *toast;

  g_return_if_fail (TR_IS_WINDOW (self));
  g_free (self->last_message);
  self->last_message = g_strdup (message);
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toasts), toast);
}

void
tr_window_show_page (TrWindow   *self,
                     const char *name)
{
  g_return_if_fail (TR_IS_WINDOW (self));
  if (adw_view_stack_get_child_by_name (ADW_VIEW_STACK (self->stack), name) != NULL)
    adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->stack), name);
}

/* --- service availability --------------------------------------------------------- */

static void
update_actions (TrWindow *self)
{
  gboolean available = tc_monitor_get_available (self->monitor);
  TrTestSession *session = tr_live_page_get_session (TR_LIVE_PAGE (self->live_page));
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "start-test");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), available && !self->starting);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "stop-test");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               available && session != NULL && !tr_test_session_is_ended (session));
}

static void
on_available_notify (TcMonitor  *monitor,
                     GParamSpec *pspec,
                     TrWindow   *self)
{
  gboolean available = tc_monitor_get_available (monitor);

  gtk_revealer_set_reveal_child (GTK_REVEALER (self->banner), !available);
  if (available && self->was_available == FALSE && tc_monitor_get_generation (monitor) > 1)
    tr_window_toast (self, _("Connected to the trafficd service again"));
  self->was_available = available;
  update_actions (self);
}

/* --- sessions --------------------------------------------------------------------- */

static void
on_session_ended (TrTestSession *session,
                  const char    *state,
                  TrWindow      *self)
{
  update_actions (self);
  tr_history_page_refresh (TR_HISTORY_PAGE (self->history_page));
}

static void
show_session (TrWindow      *self,
              TrTestSession *session)
{
  tr_live_page_set_session (TR_LIVE_PAGE (self->live_page), session);
  tr_window_show_page (self, "live");
  update_actions (self);
}

static void
remember_host (TrWindow   *self,
               const char *host)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->recent_hosts));

  if (host == NULL)
    return;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->recent_hosts, i), host) == 0)
      {
        gtk_string_list_remove (self->recent_hosts, i);
        break;
      }
  gtk_string_list_splice (self->recent_hosts, 0, 0, (const char *const[]) { host, NULL });
  while (g_list_model_get_n_items (G_LIST_MODEL (self->recent_hosts)) > 10)
    gtk_string_list_remove (self->recent_hosts, 10);
}

typedef struct {
  TrWindow      *window;
  TrTestSession *session;
  char          *host;
} StartCall;

static void
start_call_free (StartCall *call)
{
  g_object_unref (call->window);
  g_object_unref (call->session);
  g_free (call->host);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartCall, start_call_free)

static void
on_start_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(StartCall) call = user_data;
  TrWindow *self = call->window;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  self->starting = FALSE;
  tr_new_test_page_set_busy (TR_NEW_TEST_PAGE (self->new_page), FALSE);
  path = tc_client_start_test_finish (TC_CLIENT (source), result, &error);
  if (path == NULL)
    {
      g_autofree char *message = tr_util_error_message (error, _("start a test"),
                                                        "org.trafficd.Traffic1.Manager.StartTest");
      tr_window_toast (self, message);
      update_actions (self);
      return;
    }
  tr_test_session_set_path (call->session, path);
  g_signal_connect_object (call->session, "ended", G_CALLBACK (on_session_ended), self, 0);
  g_hash_table_insert (self->sessions, g_strdup (path), g_object_ref (call->session));
  remember_host (self, call->host);
  show_session (self, call->session);
}

static void
action_start_test (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  TrWindow *self = user_data;
  TcClient *client = tc_monitor_get_client (self->monitor);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) options = NULL;
  StartCall *call;
  TrTestSession *session;

  options = tr_new_test_page_build_options (TR_NEW_TEST_PAGE (self->new_page), &error);
  if (options == NULL)
    {
      tr_window_toast (self, error->message);
      return;
    }
  g_variant_ref_sink (options);
  /* the watch first, so no interval of a short test is lost */
  session = tr_test_session_new (client, &error);
  if (session == NULL)
    {
      g_autofree char *message = tr_util_error_message (error, _("start a test"),
                                                        "org.trafficd.Traffic1.Manager.StartTest");
      tr_window_toast (self, message);
      return;
    }
  call = g_new0 (StartCall, 1);
  call->window = g_object_ref (self);
  call->session = session;
  call->host = g_strdup (tr_new_test_page_get_host (TR_NEW_TEST_PAGE (self->new_page)));
  self->starting = TRUE;
  tr_new_test_page_set_busy (TR_NEW_TEST_PAGE (self->new_page), TRUE);
  update_actions (self);
  tc_client_start_test (client, options, NULL, on_start_done, call);
}

static void
on_stop_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tc_client_stop_test_finish (TC_CLIENT (source), result, &error))
    {
      g_autofree char *message = tr_util_error_message (error, _("stop this test"),
                                                        "org.trafficd.Traffic1.Test.Stop");
      tr_window_toast (self, message);
    }
}

static void
action_stop_test (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  TrWindow *self = user_data;
  TrTestSession *session = tr_live_page_get_session (TR_LIVE_PAGE (self->live_page));

  if (session == NULL || tr_test_session_get_path (session) == NULL)
    return;
  tc_client_stop_test (tc_monitor_get_client (self->monitor), tr_test_session_get_path (session),
                       NULL, on_stop_done, g_object_ref (self));
}

static void
action_open_test (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  TrWindow *self = user_data;
  const char *path = g_variant_get_string (parameter, NULL);
  TrTestSession *session = g_hash_table_lookup (self->sessions, path);
  g_autoptr(GError) error = NULL;

  if (session == NULL)
    {
      session = tr_test_session_new (tc_monitor_get_client (self->monitor), &error);
      if (session == NULL)
        {
          g_autofree char *message = tr_util_error_message (error, _("follow this test"), "Test");
          tr_window_toast (self, message);
          return;
        }
      tr_test_session_set_path (session, path);
      g_signal_connect_object (session, "ended", G_CALLBACK (on_session_ended), self, 0);
      g_hash_table_insert (self->sessions, g_strdup (path), session);
    }
  show_session (self, session);
}

/* --- export ----------------------------------------------------------------------- */

gboolean
tr_window_export_to (TrWindow    *self,
                     const char  *kind,
                     const char  *path,
                     GError     **error)
{
  TrTestSession *session;
  TrPlot *plot;

  g_return_val_if_fail (TR_IS_WINDOW (self), FALSE);

  if (g_strcmp0 (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (self->stack)), "history") == 0)
    return tr_history_page_export_to (TR_HISTORY_PAGE (self->history_page), kind, path, error);

  session = tr_live_page_get_session (TR_LIVE_PAGE (self->live_page));
  if (session == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no test to export"));
      return FALSE;
    }
  plot = tr_test_session_get_plot (session);
  if (g_str_equal (kind, "csv"))
    return tr_test_session_write_csv (session, path, error);
  if (g_str_equal (kind, "png"))
    return tr_plot_write_png (plot, path, EXPORT_WIDTH, EXPORT_HEIGHT, error);
  if (g_str_equal (kind, "svg"))
    return tr_plot_write_svg (plot, path, EXPORT_WIDTH, EXPORT_HEIGHT, error);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown export kind “%s”", kind);
  return FALSE;
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  TrWindow *self = user_data;
  const char *kind = g_object_get_data (G_OBJECT (dialog), "kind");
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path == NULL || !tr_window_export_to (self, kind, path, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Export failed: %s"),
                                                      error != NULL ? error->message : _("not a local file"));
          tr_window_toast (self, message);
        }
      else
        {
          g_autofree char *message = g_strdup_printf (_("Saved %s"), path);
          tr_window_toast (self, message);
        }
    }
  g_object_unref (dialog);
}

static void
action_export (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  TrWindow *self = user_data;
  const char *kind = g_variant_get_string (parameter, NULL);
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  dialog = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  name = g_strdup_printf ("trafficd-export.%s", kind);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data_full (G_OBJECT (dialog), "kind", g_strdup (kind), g_free);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_show_page (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  tr_window_show_page (user_data, g_variant_get_string (parameter, NULL));
}

static void
action_interface_history (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  TrWindow *self = user_data;

  tr_window_show_page (self, "interfaces");
  tr_interfaces_page_open_history (TR_INTERFACES_PAGE (self->interfaces_page),
                                   g_variant_get_string (parameter, NULL));
}

static void
action_interface_range (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  TrWindow *self = user_data;

  tr_interfaces_page_set_history_range (TR_INTERFACES_PAGE (self->interfaces_page),
                                        g_variant_get_string (parameter, NULL));
}

static void
action_interfaces_back (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  TrWindow *self = user_data;

  tr_interfaces_page_close_history (TR_INTERFACES_PAGE (self->interfaces_page));
}

static void
action_history_compare (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  TrWindow *self = user_data;

  tr_window_show_page (self, "history");
  tr_history_page_compare (TR_HISTORY_PAGE (self->history_page));
}

static void
action_toast (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  tr_window_toast (user_data, g_variant_get_string (parameter, NULL));
}

/* --- test hook support ------------------------------------------------------------ */

gboolean
tr_window_set_field (TrWindow    *self,
                     const char  *id,
                     const char  *value,
                     GError     **error)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), FALSE);
  /* "history-check-ID": tick (value "true") or untick a test of the History list */
  if (g_str_has_prefix (id, "history-check-"))
    {
      guint64 test_id = 0;

      if (!g_ascii_string_to_unsigned (id + strlen ("history-check-"), 10, 1, G_MAXUINT32, &test_id, error))
        return FALSE;
      return tr_history_page_set_checked (TR_HISTORY_PAGE (self->history_page), (guint) test_id,
                                          g_str_equal (value, "true"), error);
    }
  return tr_new_test_page_set_field (TR_NEW_TEST_PAGE (self->new_page), id, value, error);
}

GVariant *
tr_window_dup_state (TrWindow *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  TrTestSession *session = tr_live_page_get_session (TR_LIVE_PAGE (self->live_page));
  TrGraph *graph = tr_live_page_get_graph (TR_LIVE_PAGE (self->live_page));
  g_autoptr(GArray) ids = tr_tests_page_list_ids (TR_TESTS_PAGE (self->tests_page));
  GVariantBuilder ids_builder;

  g_variant_dict_insert (&dict, "page", "s",
                         adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (self->stack)));
  g_variant_dict_insert (&dict, "service_available", "b", tc_monitor_get_available (self->monitor));
  g_variant_dict_insert (&dict, "service_generation", "u", tc_monitor_get_generation (self->monitor));
  g_variant_dict_insert (&dict, "banner_visible", "b", gtk_revealer_get_reveal_child (GTK_REVEALER (self->banner)));
  g_variant_dict_insert (&dict, "graph_frames", "u", tr_graph_get_frames (graph));
  g_variant_dict_insert (&dict, "graph_paused", "b", tr_graph_get_paused (graph));
  g_variant_dict_insert (&dict, "last_message", "s", self->last_message != NULL ? self->last_message : "");
  if (session != NULL)
    {
      g_variant_dict_insert (&dict, "live_test_id", "u", tr_test_session_get_id (session));
      g_variant_dict_insert (&dict, "live_state", "s", tr_test_session_get_state (session));
      g_variant_dict_insert (&dict, "live_ended", "b", tr_test_session_is_ended (session));
      g_variant_dict_insert (&dict, "live_points", "t",
                             (guint64) tr_plot_get_n_points (tr_test_session_get_plot (session)));
      g_variant_dict_insert (&dict, "live_intervals", "u", tr_test_session_get_n_intervals (session));
      g_variant_dict_insert (&dict, "live_log_lines", "u", tr_test_session_get_log (session)->len);
    }
  g_variant_builder_init (&ids_builder, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < ids->len; i++)
    g_variant_builder_add (&ids_builder, "u", g_array_index (ids, guint, i));
  g_variant_dict_insert_value (&dict, "tests", g_variant_builder_end (&ids_builder));
  g_variant_dict_insert (&dict, "servers", "u", tr_servers_page_n_rows (TR_SERVERS_PAGE (self->servers_page)));
  g_variant_dict_insert (&dict, "history_available", "b",
                         tr_history_page_get_available (TR_HISTORY_PAGE (self->history_page)));
  g_variant_dict_insert_value (&dict, "history_ids",
                               tr_history_page_dup_ids (TR_HISTORY_PAGE (self->history_page)));
  g_variant_dict_insert_value (&dict, "history",
                               tr_history_page_dup_state (TR_HISTORY_PAGE (self->history_page)));
  g_variant_dict_insert (&dict, "interfaces_available", "b",
                         tr_interfaces_page_get_available (TR_INTERFACES_PAGE (self->interfaces_page)));
  g_variant_dict_insert_value (&dict, "interfaces",
                               tr_interfaces_page_dup_state (TR_INTERFACES_PAGE (self->interfaces_page)));
  g_variant_dict_insert (&dict, "window_width", "i", gtk_widget_get_width (GTK_WIDGET (self)));
  g_variant_dict_insert (&dict, "window_height", "i", gtk_widget_get_height (GTK_WIDGET (self)));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* --- construction ----------------------------------------------------------------- */

static const GActionEntry win_entries[] = {
  { "start-test", action_start_test, NULL, NULL, NULL, { 0 } },
  { "stop-test", action_stop_test, NULL, NULL, NULL, { 0 } },
  { "open-test", action_open_test, "s", NULL, NULL, { 0 } },
  { "export", action_export, "s", NULL, NULL, { 0 } },
  { "show-page", action_show_page, "s", NULL, NULL, { 0 } },
  { "toast", action_toast, "s", NULL, NULL, { 0 } },
  { "interface-history", action_interface_history, "s", NULL, NULL, { 0 } },
  { "interface-range", action_interface_range, "s", NULL, NULL, { 0 } },
  { "interfaces-back", action_interfaces_back, NULL, NULL, NULL, { 0 } },
  { "history-compare", action_history_compare, NULL, NULL, NULL, { 0 } },
};

static void
add_page (TrWindow   *self,
          GtkWidget  *page,
          const char *name,
          const char *title,
          const char *icon)
{
  AdwViewStackPage *p = adw_view_stack_add_titled (ADW_VIEW_STACK (self->stack), page, name, title);

  adw_view_stack_page_set_icon_name (p, icon);
}

static GtkWidget *
build_banner (TrWindow *self)
{
  GtkWidget *revealer = gtk_revealer_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_widget_add_css_class (box, "service-banner");
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  self->banner_label = gtk_label_new (_("The trafficd service is not running. Waiting for it to start; "
                                        "the app reconnects by itself."));
  gtk_widget_set_name (self->banner_label, "banner");
  gtk_label_set_wrap (GTK_LABEL (self->banner_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->banner_label), 0);
  gtk_widget_set_hexpand (self->banner_label, TRUE);
  gtk_box_append (GTK_BOX (box), spinner);
  gtk_box_append (GTK_BOX (box), self->banner_label);
  gtk_revealer_set_child (GTK_REVEALER (revealer), box);
  return revealer;
}

static void
build (TrWindow *self)
{
  GtkWidget *content, *header, *title, *bar;

  gtk_window_set_title (GTK_WINDOW (self), _("Traffic"));
  gtk_window_set_default_size (GTK_WINDOW (self), 960, 760);
  gtk_widget_set_size_request (GTK_WIDGET (self), 360, 360);

  self->toasts = adw_toast_overlay_new ();
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), self->toasts);
  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (self->toasts), content);

  self->stack = adw_view_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);

  header = adw_header_bar_new ();
  title = adw_view_switcher_title_new ();
  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (title), ADW_VIEW_STACK (self->stack));
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (title), _("Traffic"));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (content), header);

  self->banner = build_banner (self);
  gtk_box_append (GTK_BOX (content), self->banner);
  gtk_box_append (GTK_BOX (content), self->stack);

  bar = adw_view_switcher_bar_new ();
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (bar), ADW_VIEW_STACK (self->stack));
  g_object_bind_property (title, "title-visible", bar, "reveal", G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (content), bar);

  self->new_page = tr_new_test_page_new (self->recent_hosts);
  self->live_page = tr_live_page_new ();
  self->tests_page = tr_tests_page_new (self->monitor);
  self->servers_page = tr_servers_page_new (self->monitor);
  self->interfaces_page = tr_interfaces_page_new (self->monitor);
  self->history_page = tr_history_page_new (self->monitor);
  add_page (self, self->new_page, "new", _("New Test"), "list-add-symbolic");
  add_page (self, self->live_page, "live", _("Live"), "network-transmit-receive-symbolic");
  add_page (self, self->tests_page, "tests", _("Tests"), "view-list-symbolic");
  add_page (self, self->servers_page, "servers", _("Servers"), "network-server-symbolic");
  add_page (self, self->interfaces_page, "interfaces", _("Interfaces"), "network-wired-symbolic");
  add_page (self, self->history_page, "history", _("History"), "document-open-recent-symbolic");

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries), self);
  g_signal_connect_object (self->monitor, "notify::available", G_CALLBACK (on_available_notify), self, 0);
  self->was_available = TRUE;
  on_available_notify (self->monitor, NULL, self);
}

static void
tr_window_dispose (GObject *object)
{
  TrWindow *self = TR_WINDOW (object);

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  G_OBJECT_CLASS (tr_window_parent_class)->dispose (object);
  g_clear_object (&self->monitor);
  g_clear_object (&self->recent_hosts);
}

static void
tr_window_finalize (GObject *object)
{
  TrWindow *self = TR_WINDOW (object);

  g_free (self->last_message);
  G_OBJECT_CLASS (tr_window_parent_class)->finalize (object);
}

static void
tr_window_class_init (TrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_window_dispose;
  object_class->finalize = tr_window_finalize;
}

static void
tr_window_init (TrWindow *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

TrWindow *
tr_window_new (AdwApplication *app,
               TcMonitor      *monitor,
               GtkStringList  *recent_hosts)
{
  TrWindow *self = g_object_new (TR_TYPE_WINDOW, "application", app, NULL);

  self->monitor = g_object_ref (monitor);
  self->recent_hosts = g_object_ref (recent_hosts);
  build (self);
  return self;
}
