/* tr-app.c: see tr-app.h. */
#include "config.h"

#include "tr-app.h"

#include <glib/gi18n.h>

#include "tc-monitor.h"
#include "tr-test-hook.h"
#include "tr-window.h"

#define MAX_RECENT_HOSTS 10

struct _TrApp
{
  AdwApplication  parent_instance;

  gboolean        session_bus;
  gboolean        test_hooks;
  gboolean        connecting;
  gboolean        activate_pending;
  TcClient       *client;
  TcMonitor      *monitor;
  GtkStringList  *recent_hosts;
  TrTestHook     *hook;
  TrWindow       *window;      /* weak */
};

G_DEFINE_TYPE (TrApp, tr_app, ADW_TYPE_APPLICATION)

static const char app_css[] =
  ".service-banner { background-color: @warning_bg_color; color: @warning_fg_color; padding: 8px 12px; }\n"
  ".state-pill { border-radius: 9999px; padding: 4px 12px; background-color: alpha(currentColor, 0.12); }\n"
  ".state-pill.success, image.success { color: @success_color; }\n"
  ".state-pill.error, image.error { color: @error_color; }\n"
  ".state-pill.warning, image.warning { color: @warning_color; }\n"
  ".state-pill.accent, image.accent { color: @accent_color; }\n"
  ".stat-tile { padding: 8px 12px; }\n"
  ".heading.forward { color: #1c71d8; }\n"
  ".heading.reverse { color: #e66100; }\n"
  ".log-view { font-size: smaller; }\n"
  ".iface-card { padding: 12px; }\n"
  "graph { min-height: 140px; }\n";

/* --- recent hosts ------------------------------------------------------------------- */

static char *
recent_hosts_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "trafficd", "recent-hosts", NULL);
}

static void
load_recent_hosts (TrApp *self)
{
  g_autofree char *path = recent_hosts_path ();
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && n < MAX_RECENT_HOSTS; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] == '\0' || !g_utf8_validate (lines[i], -1, NULL))
        continue;
      gtk_string_list_append (self->recent_hosts, lines[i]);
      n++;
    }
}

static void
save_recent_hosts (TrApp *self)
{
  g_autofree char *path = recent_hosts_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->recent_hosts));

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s\n", gtk_string_list_get_string (self->recent_hosts, i));
  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_file_set_contents (path, text->str, -1, &error))
    g_warning ("cannot save the recent hosts to %s: %s", path, error != NULL ? error->message : g_strerror (errno));
}

/* --- window --------------------------------------------------------------------------- */

static void
show_no_bus_window (TrApp        *self,
                    const GError *error)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (self));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *status = adw_status_page_new ();

  gtk_window_set_title (GTK_WINDOW (window), _("Traffic"));
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "network-offline-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("Cannot Reach the Bus"));
  adw_status_page_set_description (ADW_STATUS_PAGE (status), error->message);
  gtk_widget_set_vexpand (status, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), status);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

static void
open_window (TrApp *self)
{
  if (self->window == NULL)
    {
      TrWindow *window = tr_window_new (ADW_APPLICATION (self), self->monitor, self->recent_hosts);
      g_set_weak_pointer (&self->window, window);
      if (self->hook != NULL)
        tr_test_hook_set_window (self->hook, window);
    }
  gtk_window_present (GTK_WINDOW (self->window));
}

static void
on_client_ready (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TrApp *self = TR_APP (user_data);
  g_autoptr(GError) error = NULL;

  self->connecting = FALSE;
  self->client = tc_client_new_finish (result, &error);
  if (self->client == NULL)
    show_no_bus_window (self, error);
  else
    {
      self->monitor = tc_monitor_new (self->client);
      if (self->activate_pending)
        open_window (self);
    }
  g_application_release (G_APPLICATION (self));
}

static void
tr_app_activate (GApplication *app)
{
  TrApp *self = TR_APP (app);

  if (self->monitor != NULL)
    {
      open_window (self);
      return;
    }
  self->activate_pending = TRUE;
  if (self->connecting || self->client != NULL)
    return;
  self->connecting = TRUE;
  g_application_hold (app);
  tc_client_new (self->session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL,
                 on_client_ready, self);
}

static void
tr_app_startup (GApplication *app)
{
  TrApp *self = TR_APP (app);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (tr_app_parent_class)->startup (app);

  gtk_css_provider_load_from_data (css, app_css, -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_window_set_default_icon_name (TR_APP_ID);
  load_recent_hosts (self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit",
                                         (const char *const[]) { "<Control>q", NULL });
}

static void
tr_app_shutdown (GApplication *app)
{
  TrApp *self = TR_APP (app);

  save_recent_hosts (self);
  G_APPLICATION_CLASS (tr_app_parent_class)->shutdown (app);
}

static gboolean
tr_app_dbus_register (GApplication     *app,
                      GDBusConnection  *connection,
                      const char       *object_path,
                      GError          **error)
{
  TrApp *self = TR_APP (app);

  if (!G_APPLICATION_CLASS (tr_app_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;
  if (self->test_hooks && self->hook == NULL)
    {
      self->hook = tr_test_hook_new (connection, error);
      if (self->hook == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
tr_app_dbus_unregister (GApplication    *app,
                        GDBusConnection *connection,
                        const char      *object_path)
{
  TrApp *self = TR_APP (app);

  g_clear_object (&self->hook);
  G_APPLICATION_CLASS (tr_app_parent_class)->dbus_unregister (app, connection, object_path);
}

static int
tr_app_handle_local_options (GApplication *app,
                             GVariantDict *options)
{
  TrApp *self = TR_APP (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", TR_APP_ID, PACKAGE_VERSION);
      return 0;
    }
  self->session_bus = g_variant_dict_contains (options, "session");
  self->test_hooks = g_variant_dict_contains (options, "test-hooks");
  return -1;
}

static void
action_quit (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
action_about (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  TrApp *self = TR_APP (user_data);

  gtk_show_about_dialog (self->window != NULL ? GTK_WINDOW (self->window) : NULL,
                         "program-name", _("Traffic"),
                         "logo-icon-name", TR_APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Run, watch and compare network throughput tests"),
                         "license-type", GTK_LICENSE_GPL_2_0,
                         NULL);
}

static void
tr_app_dispose (GObject *object)
{
  TrApp *self = TR_APP (object);

  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->hook);
  g_clear_object (&self->monitor);
  g_clear_object (&self->client);
  g_clear_object (&self->recent_hosts);
  G_OBJECT_CLASS (tr_app_parent_class)->dispose (object);
}

static void
tr_app_class_init (TrAppClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tr_app_dispose;
  app_class->activate = tr_app_activate;
  app_class->startup = tr_app_startup;
  app_class->shutdown = tr_app_shutdown;
  app_class->dbus_register = tr_app_dbus_register;
  app_class->dbus_unregister = tr_app_dbus_unregister;
  app_class->handle_local_options = tr_app_handle_local_options;
}

static const GActionEntry app_entries[] = {
  { "quit", action_quit, NULL, NULL, NULL, { 0 } },
  { "about", action_about, NULL, NULL, NULL, { 0 } },
};

static void
tr_app_init (TrApp *self)
{
  static const GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Talk to a trafficd on the session bus (trafficd --session) instead of the system bus"), NULL },
    { "test-hooks", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL,
      N_("Export a D-Bus object that automated tests drive the window with"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  self->recent_hosts = gtk_string_list_new (NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries, G_N_ELEMENTS (app_entries), self);
}

TrApp *
tr_app_new (void)
{
  return g_object_new (TR_TYPE_APP,
                       "application-id", TR_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}
