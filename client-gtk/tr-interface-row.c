/* tr-interface-row.c: see tr-interface-row.h. */
#include "config.h"

#include "tr-interface-row.h"

#include <glib/gi18n.h>

#include "tr-format.h"
#include "tr-graph.h"
#include "tr-util.h"

#define RX_RGB 0x1c71d8
#define TX_RGB 0xe66100

struct _TrInterfaceRow
{
  GtkWidget   parent_instance;

  GDBusProxy *proxy;       /* NULL: the aggregate */
  char       *name;
  gboolean    loopback;
  gboolean    counted;
  double      rx;
  double      tx;
  double      utilisation; /* fraction, -1 unknown */
  guint       n_samples;
  guint       n_summed;    /* aggregate: interfaces summed */

  GtkWidget  *box;
  GtkWidget  *icon;
  GtkWidget  *title;
  GtkWidget  *subtitle;
  GtkWidget  *badge;
  GtkWidget  *note;
  GtkWidget  *addresses;
  GtkWidget  *rates;
  GtkWidget  *util_box;
  GtkWidget  *util_bar;
  GtkWidget  *util_label;
  GtkWidget  *graph;
  TrPlot     *plot;
};

G_DEFINE_TYPE (TrInterfaceRow, tr_interface_row, GTK_TYPE_WIDGET)

/* --- labels ------------------------------------------------------------------------ */

static const char *
type_label (const char *type)
{
  if (type == NULL || *type == '\0')
    return _("Interface");
  if (g_str_equal (type, "loopback"))
    return _("Loopback");
  if (g_str_equal (type, "ethernet"))
    return _("Ethernet");
  if (g_str_equal (type, "wifi"))
    return _("Wi-Fi");
  if (g_str_equal (type, "bridge"))
    return _("Bridge");
  if (g_str_equal (type, "veth"))
    return _("Virtual Ethernet");
  if (g_str_equal (type, "dummy"))
    return _("Dummy");
  if (g_str_equal (type, "bond"))
    return _("Bond");
  if (g_str_equal (type, "vlan"))
    return _("VLAN");
  if (g_str_equal (type, "tun") || g_str_equal (type, "tap"))
    return _("Tunnel");
  if (g_str_equal (type, "wireguard"))
    return _("WireGuard");
  return type;
}

static const char *
state_label (const char *state)
{
  /* the kernel says "unknown" for loopback and most virtual devices */
  if (state == NULL || *state == '\0' || g_str_equal (state, "unknown"))
    return NULL;
  /* kernel operstate */
  if (g_str_equal (state, "up"))
    return _("Up");
  if (g_str_equal (state, "down"))
    return _("Down");
  if (g_str_equal (state, "lowerlayerdown"))
    return _("No carrier");
  if (g_str_equal (state, "dormant"))
    return _("Dormant");
  if (g_str_equal (state, "notpresent"))
    return _("Not present");
  /* NetworkManager's device state */
  if (g_str_equal (state, "activated"))
    return _("Connected");
  if (g_str_equal (state, "disconnected"))
    return _("Disconnected");
  if (g_str_equal (state, "unmanaged"))
    return _("Unmanaged");
  if (g_str_equal (state, "unavailable"))
    return _("Unavailable");
  if (g_str_equal (state, "failed"))
    return _("Failed");
  if (g_str_equal (state, "prepare") || g_str_equal (state, "config") || g_str_equal (state, "ip-config") ||
      g_str_equal (state, "ip-check") || g_str_equal (state, "secondaries") || g_str_equal (state, "need-auth"))
    return _("Connecting");
  if (g_str_equal (state, "deactivating"))
    return _("Disconnecting");
  return state;
}

static const char *
type_icon (const char *type,
           gboolean    loopback)
{
  if (loopback)
    return "computer-symbolic";
  if (g_strcmp0 (type, "wifi") == 0)
    return "network-wireless-symbolic";
  return "network-wired-symbolic";
}

/* --- inventory ------------------------------------------------------------------------ */

static char *
proxy_string (GDBusProxy *proxy,
              const char *name)
{
  g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property (proxy, name);

  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    return g_strdup ("");
  return g_variant_dup_string (v, NULL);
}

static guint64
link_speed (TrInterfaceRow *self)
{
  g_autoptr(GVariant) v = NULL;

  if (self->proxy == NULL)
    return 0;
  v = g_dbus_proxy_get_cached_property (self->proxy, "LinkSpeed");
  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64) ? g_variant_get_uint64 (v) : 0;
}

static void
update_utilisation (TrInterfaceRow *self)
{
  guint64 speed = link_speed (self);
  g_autofree char *speed_text = NULL, *percent = NULL, *text = NULL;

  gtk_widget_set_visible (self->util_box, speed > 0 && self->utilisation >= 0);
  if (speed == 0 || self->utilisation < 0)
    return;
  gtk_level_bar_set_value (GTK_LEVEL_BAR (self->util_bar), CLAMP (self->utilisation, 0, 1));
  speed_text = tr_format_rate ((double) speed);
  percent = tr_util_format_percent (self->utilisation * 100);
  /* TRANSLATORS: utilisation of a link: "12.3 % of 1.00 Gbit/s" */
  text = g_strdup_printf (_("%s of %s"), percent, speed_text);
  gtk_label_set_text (GTK_LABEL (self->util_label), text);
}

static void
update_inventory (TrInterfaceRow *self)
{
  g_autofree char *type = NULL, *state = NULL, *connection = NULL, *metered = NULL, *mac = NULL;
  g_autoptr(GVariant) addresses = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  guint64 speed;

  if (self->proxy == NULL)
    return;
  g_free (self->name);
  self->name = proxy_string (self->proxy, "Name");
  type = proxy_string (self->proxy, "Type");
  state = proxy_string (self->proxy, "State");
  connection = proxy_string (self->proxy, "Connection");
  metered = proxy_string (self->proxy, "Metered");
  mac = proxy_string (self->proxy, "Mac");
  speed = link_speed (self);
  self->loopback = g_str_equal (type, "loopback") || g_str_equal (self->name, "lo");

  gtk_label_set_text (GTK_LABEL (self->title), *self->name != '\0' ? self->name
                                                                   : g_dbus_proxy_get_object_path (self->proxy));
  gtk_widget_set_tooltip_text (self->title, *mac != '\0' ? mac : NULL);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), type_icon (type, self->loopback));

  g_string_append (subtitle, type_label (type));
  if (state_label (state) != NULL)
    g_string_append_printf (subtitle, " · %s", state_label (state));
  if (*connection != '\0')
    g_string_append_printf (subtitle, " · %s", connection);
  if (speed > 0)
    {
      g_autofree char *s = tr_format_rate ((double) speed);
      g_string_append_printf (subtitle, " · %s", s);
    }
  if (g_str_equal (metered, "yes") || g_str_equal (metered, "guess-yes"))
    g_string_append_printf (subtitle, " · %s", _("metered"));
  gtk_label_set_text (GTK_LABEL (self->subtitle), subtitle->str);

  gtk_widget_set_visible (self->badge, self->loopback);
  gtk_widget_set_visible (self->note, self->loopback && !self->counted);

  addresses = g_dbus_proxy_get_cached_property (self->proxy, "Addresses");
  if (addresses != NULL && g_variant_is_of_type (addresses, G_VARIANT_TYPE_STRING_ARRAY) &&
      g_variant_n_children (addresses) > 0)
    {
      g_autofree const char **list = g_variant_get_strv (addresses, NULL);
      g_autofree char *joined = g_strjoinv (", ", (char **) list);

      gtk_label_set_text (GTK_LABEL (self->addresses), joined);
      gtk_widget_set_visible (self->addresses, TRUE);
    }
  else
    gtk_widget_set_visible (self->addresses, FALSE);
  update_utilisation (self);
}

static void
on_properties_changed (GDBusProxy     *proxy,
                       GVariant       *changed,
                       GStrv           invalidated,
                       TrInterfaceRow *self)
{
  update_inventory (self);
}

/* --- samples -------------------------------------------------------------------------- */

static void
update_rates (TrInterfaceRow *self)
{
  g_autofree char *rx = NULL, *tx = NULL, *rx_text = NULL, *tx_text = NULL, *markup = NULL;

  if (self->n_samples == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->rates), _("Waiting for the first sample…"));
      return;
    }
  rx = tr_format_rate (self->rx);
  tx = tr_format_rate (self->tx);
  /* TRANSLATORS: the receive rate of an interface, "Receive 1.20 Mbit/s" */
  rx_text = g_strdup_printf (_("Receive %s"), rx);
  /* TRANSLATORS: the transmit rate of an interface, "Send 1.20 Mbit/s" */
  tx_text = g_strdup_printf (_("Send %s"), tx);
  markup = g_markup_printf_escaped ("<span foreground=\"#%06x\">↓</span> %s    "
                                    "<span foreground=\"#%06x\">↑</span> %s",
                                    RX_RGB, rx_text, TX_RGB, tx_text);
  gtk_label_set_markup (GTK_LABEL (self->rates), markup);
  if (self->proxy == NULL)
    {
      g_autofree char *subtitle = NULL;

      /* TRANSLATORS: the aggregate card; loopback is never summed */
      subtitle = g_strdup_printf (g_dngettext (NULL, "The sum of %u interface, loopback left out",
                                               "The sum of %u interfaces, loopback left out", self->n_summed),
                                  self->n_summed);
      gtk_label_set_text (GTK_LABEL (self->subtitle), subtitle);
    }
}

void
tr_interface_row_add_sample (TrInterfaceRow *self,
                             double          time_s,
                             GVariant       *sample)
{
  double rx = 0, tx = 0, util = -1;

  g_return_if_fail (TR_IS_INTERFACE_ROW (self));
  g_return_if_fail (sample != NULL);

  g_variant_lookup (sample, "rx_bits_per_second", "d", &rx);
  g_variant_lookup (sample, "tx_bits_per_second", "d", &tx);
  g_variant_lookup (sample, "utilisation", "d", &util);
  if (self->proxy == NULL)
    g_variant_lookup (sample, "interfaces", "u", &self->n_summed);
  self->rx = rx;
  self->tx = tx;
  self->utilisation = util;
  self->n_samples++;

  tr_plot_append (self->plot, 0, time_s, rx);
  tr_plot_append (self->plot, 1, time_s, tx);
  /* a bounded window: trim in steps, so that this is not a copy per tick */
  if (tr_plot_series_get_n_points (self->plot, 0) > 0 &&
      tr_plot_series_peek_x (self->plot, 0)[0] < time_s - TR_INTERFACE_ROW_WINDOW - 30)
    tr_plot_drop_before (self->plot, time_s - TR_INTERFACE_ROW_WINDOW);

  update_rates (self);
  update_utilisation (self);
}

/* --- public ---------------------------------------------------------------------------- */

const char *
tr_interface_row_get_name (TrInterfaceRow *self)
{
  g_return_val_if_fail (TR_IS_INTERFACE_ROW (self), NULL);
  return self->name;
}

gboolean
tr_interface_row_is_loopback (TrInterfaceRow *self)
{
  g_return_val_if_fail (TR_IS_INTERFACE_ROW (self), FALSE);
  return self->loopback;
}

void
tr_interface_row_set_counted (TrInterfaceRow *self,
                              gboolean        counted)
{
  g_return_if_fail (TR_IS_INTERFACE_ROW (self));
  self->counted = counted;
  gtk_widget_set_visible (self->note, self->loopback && !counted);
}

TrPlot *
tr_interface_row_get_plot (TrInterfaceRow *self)
{
  g_return_val_if_fail (TR_IS_INTERFACE_ROW (self), NULL);
  return self->plot;
}

GVariant *
tr_interface_row_dup_state (TrInterfaceRow *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_return_val_if_fail (TR_IS_INTERFACE_ROW (self), NULL);
  g_variant_dict_insert (&dict, "name", "s", self->name);
  g_variant_dict_insert (&dict, "title", "s", gtk_label_get_text (GTK_LABEL (self->title)));
  g_variant_dict_insert (&dict, "subtitle", "s", gtk_label_get_text (GTK_LABEL (self->subtitle)));
  g_variant_dict_insert (&dict, "rates", "s", gtk_label_get_text (GTK_LABEL (self->rates)));
  g_variant_dict_insert (&dict, "loopback", "b", self->loopback);
  g_variant_dict_insert (&dict, "loopback_marked", "b", gtk_widget_get_visible (self->badge));
  g_variant_dict_insert (&dict, "counted", "b", self->counted);
  g_variant_dict_insert (&dict, "rx", "d", self->rx);
  g_variant_dict_insert (&dict, "tx", "d", self->tx);
  g_variant_dict_insert (&dict, "utilisation", "d", self->utilisation);
  g_variant_dict_insert (&dict, "utilisation_shown", "b", gtk_widget_get_visible (self->util_box));
  g_variant_dict_insert (&dict, "link_speed", "t", link_speed (self));
  g_variant_dict_insert (&dict, "samples", "u", self->n_samples);
  g_variant_dict_insert (&dict, "points", "t", (guint64) tr_plot_get_n_points (self->plot));
  g_variant_dict_insert (&dict, "graph_frames", "u", tr_graph_get_frames (TR_GRAPH (self->graph)));
  if (self->proxy == NULL)
    g_variant_dict_insert (&dict, "interfaces", "u", self->n_summed);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* --- construction ---------------------------------------------------------------------- */

static void
build (TrInterfaceRow *self)
{
  GtkWidget *header, *titles, *badges;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_add_css_class (self->box, "card");
  gtk_widget_add_css_class (self->box, "iface-card");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->icon = gtk_image_new_from_icon_name (self->proxy != NULL ? "network-wired-symbolic"
                                                                 : "network-transmit-receive-symbolic");
  gtk_widget_set_valign (self->icon, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (header), self->icon);
  titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (titles, TRUE);
  self->title = gtk_label_new (self->proxy != NULL ? "" : _("All Interfaces"));
  gtk_widget_add_css_class (self->title, "heading");
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_label_set_wrap (GTK_LABEL (self->title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->title), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (titles), self->title);
  self->subtitle = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->subtitle, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (self->subtitle), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->subtitle), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (titles), self->subtitle);
  self->addresses = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->addresses, "caption");
  gtk_widget_add_css_class (self->addresses, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->addresses), 0);
  gtk_label_set_wrap (GTK_LABEL (self->addresses), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->addresses), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_visible (self->addresses, FALSE);
  gtk_box_append (GTK_BOX (titles), self->addresses);
  gtk_box_append (GTK_BOX (header), titles);

  badges = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (badges, GTK_ALIGN_START);
  self->badge = gtk_label_new (_("Loopback"));
  gtk_widget_add_css_class (self->badge, "state-pill");
  gtk_widget_add_css_class (self->badge, "caption");
  gtk_widget_set_tooltip_text (self->badge, _("Traffic that never leaves this machine"));
  gtk_widget_set_visible (self->badge, FALSE);
  gtk_box_append (GTK_BOX (badges), self->badge);
  gtk_box_append (GTK_BOX (header), badges);
  if (self->proxy != NULL)
    {
      GtkWidget *more = gtk_image_new_from_icon_name ("go-next-symbolic");

      gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (more, _("Show the history of this interface"));
      gtk_box_append (GTK_BOX (header), more);
    }
  gtk_box_append (GTK_BOX (self->box), header);

  self->note = gtk_label_new (_("Not counted in the total"));
  gtk_widget_add_css_class (self->note, "caption");
  gtk_widget_add_css_class (self->note, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->note), 0);
  gtk_label_set_wrap (GTK_LABEL (self->note), TRUE);
  gtk_widget_set_visible (self->note, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->note);

  self->rates = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->rates, "numeric");
  gtk_label_set_xalign (GTK_LABEL (self->rates), 0);
  gtk_label_set_wrap (GTK_LABEL (self->rates), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->rates), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (self->box), self->rates);

  self->util_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  self->util_bar = gtk_level_bar_new_for_interval (0, 1);
  /* a plain bar: high utilisation is neither good nor bad */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (self->util_bar), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (self->util_bar), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (self->util_bar), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_widget_set_hexpand (self->util_bar, TRUE);
  gtk_widget_set_valign (self->util_bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->util_bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Utilisation of the link speed"), -1);
  gtk_widget_set_tooltip_text (self->util_bar, _("The larger of the two rates over the link speed"));
  self->util_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->util_label, "numeric");
  gtk_widget_add_css_class (self->util_label, "caption");
  gtk_label_set_wrap (GTK_LABEL (self->util_label), TRUE);
  gtk_box_append (GTK_BOX (self->util_box), self->util_bar);
  gtk_box_append (GTK_BOX (self->util_box), self->util_label);
  gtk_widget_set_visible (self->util_box, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->util_box);

  self->plot = tr_plot_new ();
  tr_plot_set_x_mode (self->plot, TR_PLOT_X_CLOCK);
  tr_plot_set_x_span (self->plot, TR_INTERFACE_ROW_WINDOW);
  tr_plot_set_empty_text (self->plot, _("Waiting for samples…"));
  tr_plot_add_series (self->plot, _("Receive"), RX_RGB);
  tr_plot_add_series (self->plot, _("Send"), TX_RGB);
  self->graph = tr_graph_new (self->plot);
  gtk_box_append (GTK_BOX (self->box), self->graph);

  update_rates (self);
}

/* A card's natural width stays modest, so that cards sit side by side in a
 * wide window (the graph alone would ask for 600 px). */
#define NATURAL_WIDTH 360

static void
tr_interface_row_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  TrInterfaceRow *self = TR_INTERFACE_ROW (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = MAX (*minimum, MIN (*natural, NATURAL_WIDTH));
}

static GtkSizeRequestMode
tr_interface_row_get_request_mode (GtkWidget *widget)
{
  return gtk_widget_get_request_mode (TR_INTERFACE_ROW (widget)->box);
}

static void
tr_interface_row_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  gtk_widget_allocate (TR_INTERFACE_ROW (widget)->box, width, height, baseline, NULL);
}

static void
tr_interface_row_dispose (GObject *object)
{
  TrInterfaceRow *self = TR_INTERFACE_ROW (object);

  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->plot);
  G_OBJECT_CLASS (tr_interface_row_parent_class)->dispose (object);
}

static void
tr_interface_row_finalize (GObject *object)
{
  TrInterfaceRow *self = TR_INTERFACE_ROW (object);

  g_free (self->name);
  G_OBJECT_CLASS (tr_interface_row_parent_class)->finalize (object);
}

static void
tr_interface_row_class_init (TrInterfaceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_interface_row_dispose;
  object_class->finalize = tr_interface_row_finalize;
  GTK_WIDGET_CLASS (klass)->measure = tr_interface_row_measure;
  GTK_WIDGET_CLASS (klass)->size_allocate = tr_interface_row_size_allocate;
  GTK_WIDGET_CLASS (klass)->get_request_mode = tr_interface_row_get_request_mode;
}

static void
tr_interface_row_init (TrInterfaceRow *self)
{
  self->name = g_strdup ("");
  self->utilisation = -1;
}

GtkWidget *
tr_interface_row_new (GDBusProxy *proxy)
{
  TrInterfaceRow *self = g_object_new (TR_TYPE_INTERFACE_ROW, NULL);

  g_return_val_if_fail (proxy == NULL || G_IS_DBUS_PROXY (proxy), NULL);
  self->proxy = proxy != NULL ? g_object_ref (proxy) : NULL;
  self->counted = TRUE;
  build (self);
  if (proxy != NULL)
    {
      g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
      update_inventory (self);
      /* the service leaves loopback out of its total unless configured
       * otherwise (the page corrects this from Total's count) */
      tr_interface_row_set_counted (self, !self->loopback);
    }
  return GTK_WIDGET (self);
}
