/* tr-server-row.c: see tr-server-row.h. */
#include "config.h"

#include "tr-server-row.h"

#include <glib/gi18n.h>

#include "tc-server.h"
#include "tr-util.h"

struct _TrServerRow
{
  AdwActionRow  parent_instance;

  TcClient     *client;
  TrDBusServer *server;
  GtkWidget    *icon;
  GtkWidget    *stop;
};

G_DEFINE_TYPE (TrServerRow, tr_server_row, ADW_TYPE_ACTION_ROW)

static void
update (TrServerRow *self)
{
  TrDBusServer *s = self->server;
  const char *state = tr_dbus_server_get_state (s);
  const char *bind = tr_dbus_server_get_bind_address (s);
  const char *peer = tr_dbus_server_get_peer (s);
  guint served = tr_dbus_server_get_tests_served (s);
  g_autofree char *title = NULL, *owner = NULL, *served_text = NULL, *subtitle = NULL;
  const char *err_name = "", *err_text = "";
  GVariant *error = tr_dbus_server_get_error (s);

  if (bind != NULL && *bind != '\0')
    /* TRANSLATORS: server number, address, port */
    title = g_strdup_printf (_("#%u %s port %u"), tr_dbus_server_get_id (s), bind, tr_dbus_server_get_port (s));
  else
    /* TRANSLATORS: server number, port */
    title = g_strdup_printf (_("#%u port %u"), tr_dbus_server_get_id (s), tr_dbus_server_get_port (s));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);

  owner = tr_util_owner_name (tr_dbus_server_get_owner (s));
  served_text = g_strdup_printf (g_dngettext (NULL, "%u test served", "%u tests served", served), served);
  if (error != NULL)
    g_variant_get (error, "(&s&s)", &err_name, &err_text);
  if (*err_text != '\0')
    subtitle = g_strdup_printf ("%s · %s · %s", tr_util_state_label (state), served_text, err_text);
  else if (peer != NULL && *peer != '\0')
    /* TRANSLATORS: state · tests served · client address · owner */
    subtitle = g_strdup_printf (_("%s · %s · serving %s · owner %s"), tr_util_state_label (state), served_text, peer, owner);
  else
    subtitle = g_strdup_printf (_("%s · %s · owner %s"), tr_util_state_label (state), served_text, owner);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), tr_util_state_icon (state));
  tr_util_set_css_class (self->icon, tr_util_state_css_class (state));
  gtk_widget_set_visible (self->stop, !tc_client_server_state_is_final (state));
}

static void
on_properties_changed (GDBusProxy  *proxy,
                       GVariant    *changed,
                       GStrv        invalidated,
                       TrServerRow *self)
{
  update (self);
}

static void
on_stop_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TrServerRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tc_client_stop_server_finish (TC_CLIENT (source), result, &error))
    {
      g_autofree char *message = tr_util_error_message (error, _("stop this server"),
                                                        "org.trafficd.Traffic1.Server.Stop");
      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
    }
  gtk_widget_set_sensitive (self->stop, TRUE);
}

static void
on_stop_clicked (GtkButton   *button,
                 TrServerRow *self)
{
  gtk_widget_set_sensitive (self->stop, FALSE);
  tc_client_stop_server (self->client, g_dbus_proxy_get_object_path (G_DBUS_PROXY (self->server)),
                         NULL, on_stop_done, g_object_ref (self));
}

guint
tr_server_row_get_id (TrServerRow *self)
{
  g_return_val_if_fail (TR_IS_SERVER_ROW (self), 0);
  return tr_dbus_server_get_id (self->server);
}

static void
tr_server_row_dispose (GObject *object)
{
  TrServerRow *self = TR_SERVER_ROW (object);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_clear_object (&self->server);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (tr_server_row_parent_class)->dispose (object);
}

static void
tr_server_row_class_init (TrServerRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tr_server_row_dispose;
}

static void
tr_server_row_init (TrServerRow *self)
{
  self->icon = gtk_image_new ();
  adw_action_row_add_prefix (ADW_ACTION_ROW (self), self->icon);
  self->stop = gtk_button_new_with_mnemonic (_("_Stop"));
  gtk_widget_set_valign (self->stop, GTK_ALIGN_CENTER);
  g_signal_connect (self->stop, "clicked", G_CALLBACK (on_stop_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->stop);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 2);
}

GtkWidget *
tr_server_row_new (TcClient     *client,
                   TrDBusServer *server)
{
  TrServerRow *self = g_object_new (TR_TYPE_SERVER_ROW, NULL);

  self->client = g_object_ref (client);
  self->server = g_object_ref (server);
  g_signal_connect (server, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
  update (self);
  return GTK_WIDGET (self);
}
