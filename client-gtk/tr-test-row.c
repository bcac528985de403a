/* tr-test-row.c: see tr-test-row.h. */
#include "config.h"

#include "tr-test-row.h"

#include <glib/gi18n.h>

#include "tr-format.h"
#include "tr-util.h"

struct _TrTestRow
{
  AdwActionRow  parent_instance;

  TrDBusTest   *test;
  GtkWidget    *icon;
  GtkWidget    *rate;
};

G_DEFINE_TYPE (TrTestRow, tr_test_row, ADW_TYPE_ACTION_ROW)

static void
update (TrTestRow *self)
{
  TrDBusTest *t = self->test;
  const char *state = tr_dbus_test_get_state (t);
  GVariant *options = tr_dbus_test_get_options (t);
  const char *host = "?", *protocol = "tcp", *direction = "forward", *label = NULL;
  g_autofree char *title = NULL, *owner = NULL, *subtitle = NULL, *cpu = NULL, *rss = NULL;
  g_autofree char *rate = NULL;
  guint32 port = 0;
  double fwd = tr_dbus_test_get_rate_forward (t), rev = tr_dbus_test_get_rate_reverse (t);

  if (options != NULL)
    {
      g_variant_lookup (options, "host", "&s", &host);
      g_variant_lookup (options, "protocol", "&s", &protocol);
      g_variant_lookup (options, "direction", "&s", &direction);
      g_variant_lookup (options, "port", "u", &port);
      g_variant_lookup (options, "label", "&s", &label);
    }
  if (label != NULL && *label != '\0')
    /* TRANSLATORS: test number, label, host:port, protocol */
    title = g_strdup_printf (_("#%u %s — %s:%u %s"), tr_dbus_test_get_id (t), label, host, port,
                             g_str_equal (protocol, "udp") ? "UDP" : "TCP");
  else
    /* TRANSLATORS: test number, host:port, protocol */
    title = g_strdup_printf (_("#%u %s:%u %s"), tr_dbus_test_get_id (t), host, port,
                             g_str_equal (protocol, "udp") ? "UDP" : "TCP");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);

  owner = tr_util_owner_name (tr_dbus_test_get_owner (t));
  cpu = tr_util_format_percent (tr_dbus_test_get_helper_cpu_percent (t));
  rss = tr_format_bytes (tr_dbus_test_get_helper_rss_bytes (t));
  /* TRANSLATORS: state · role · owner · helper CPU · helper memory */
  subtitle = g_strdup_printf (_("%s · %s · owner %s · CPU %s · memory %s"),
                              tr_util_state_label (state),
                              g_strcmp0 (tr_dbus_test_get_role (t), "server") == 0 ? _("served") : _("client"),
                              owner, cpu, rss);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), tr_util_state_icon (state));
  tr_util_set_css_class (self->icon, tr_util_state_css_class (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tr_util_state_label (state), -1);

  if (g_str_equal (direction, "reverse"))
    rate = tr_format_rate (rev);
  else if (g_str_equal (direction, "bidirectional"))
    {
      g_autofree char *a = tr_format_rate (fwd), *b = tr_format_rate (rev);
      rate = g_strdup_printf ("↑ %s  ↓ %s", a, b);
    }
  else
    rate = tr_format_rate (fwd);
  gtk_label_set_text (GTK_LABEL (self->rate), rate);
}

static void
on_properties_changed (GDBusProxy *proxy,
                       GVariant   *changed,
                       GStrv       invalidated,
                       TrTestRow  *self)
{
  update (self);
}

TrDBusTest *
tr_test_row_get_test (TrTestRow *self)
{
  g_return_val_if_fail (TR_IS_TEST_ROW (self), NULL);
  return self->test;
}

guint
tr_test_row_get_id (TrTestRow *self)
{
  g_return_val_if_fail (TR_IS_TEST_ROW (self), 0);
  return tr_dbus_test_get_id (self->test);
}

static void
tr_test_row_dispose (GObject *object)
{
  TrTestRow *self = TR_TEST_ROW (object);

  if (self->test != NULL)
    g_signal_handlers_disconnect_by_data (self->test, self);
  g_clear_object (&self->test);
  G_OBJECT_CLASS (tr_test_row_parent_class)->dispose (object);
}

static void
tr_test_row_class_init (TrTestRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tr_test_row_dispose;
}

static void
tr_test_row_init (TrTestRow *self)
{
  self->icon = gtk_image_new ();
  self->rate = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->rate, "numeric");
  gtk_widget_add_css_class (self->rate, "dim-label");
  adw_action_row_add_prefix (ADW_ACTION_ROW (self), self->icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->rate);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 2);
}

GtkWidget *
tr_test_row_new (TrDBusTest *test)
{
  TrTestRow *self = g_object_new (TR_TYPE_TEST_ROW, NULL);

  self->test = g_object_ref (test);
  g_signal_connect (test, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
  update (self);
  return GTK_WIDGET (self);
}
