/* tr-new-test-page.c: see tr-new-test-page.h. */
#include "config.h"

#include "tr-new-test-page.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-format.h"
#include "tr-util.h"

struct _TrNewTestPage
{
  GtkWidget      parent_instance;

  GtkWidget     *scroller;
  GtkStringList *recent_hosts;
  GHashTable    *fields;       /* id -> GtkWidget (unowned; the tree owns them) */
  GtkWidget     *recent_list;
  GtkWidget     *recent_popover;
  GtkWidget     *start_button;
  GtkWidget     *spinner;
};

G_DEFINE_TYPE (TrNewTestPage, tr_new_test_page, GTK_TYPE_WIDGET)

static GtkWidget *
field (TrNewTestPage *self,
       const char    *id)
{
  return g_hash_table_lookup (self->fields, id);
}

/* --- rows ------------------------------------------------------------------------- */

static GtkWidget *
add_entry_row (TrNewTestPage *self,
               GtkWidget     *group,
               const char    *id,
               const char    *title,
               const char    *text)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (text != NULL)
    gtk_editable_set_text (GTK_EDITABLE (row), text);
  gtk_widget_set_name (row, id);
  g_hash_table_insert (self->fields, (gpointer) id, row);
  if (ADW_IS_PREFERENCES_GROUP (group))
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  else
    adw_expander_row_add_row (ADW_EXPANDER_ROW (group), row);
  return row;
}

static GtkWidget *
add_spin_row (TrNewTestPage *self,
              GtkWidget     *group,
              const char    *id,
              const char    *title,
              const char    *subtitle,
              double         min,
              double         max,
              double         value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_name (spin, id);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_hash_table_insert (self->fields, (gpointer) id, spin);
  if (ADW_IS_PREFERENCES_GROUP (group))
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  else
    adw_expander_row_add_row (ADW_EXPANDER_ROW (group), row);
  return spin;
}

static GtkWidget *
add_switch_row (TrNewTestPage *self,
                GtkWidget     *group,
                const char    *id,
                const char    *title,
                const char    *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_widget_set_name (sw, id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  g_hash_table_insert (self->fields, (gpointer) id, sw);
  if (ADW_IS_PREFERENCES_GROUP (group))
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  else
    adw_expander_row_add_row (ADW_EXPANDER_ROW (group), row);
  return sw;
}

static GtkWidget *
add_combo_row (TrNewTestPage      *self,
               GtkWidget          *group,
               const char         *id,
               const char         *title,
               const char *const  *items)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  gtk_widget_set_name (row, id);
  g_hash_table_insert (self->fields, (gpointer) id, row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

/* --- recent hosts ------------------------------------------------------------------ */

static void
on_recent_row_activated (GtkListBox    *list,
                         GtkListBoxRow *row,
                         TrNewTestPage *self)
{
  const char *host = g_object_get_data (G_OBJECT (row), "host");

  gtk_editable_set_text (GTK_EDITABLE (field (self, "host")), host);
  gtk_popover_popdown (GTK_POPOVER (self->recent_popover));
}

static GtkWidget *
create_recent_row (gpointer item,
                   gpointer user_data)
{
  const char *host = gtk_string_object_get_string (GTK_STRING_OBJECT (item));
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label = gtk_label_new (host);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  g_object_set_data_full (G_OBJECT (row), "host", g_strdup (host), g_free);
  return row;
}

/* --- sensitivity ------------------------------------------------------------------- */

static gboolean
is_udp (TrNewTestPage *self)
{
  return adw_combo_row_get_selected (ADW_COMBO_ROW (field (self, "protocol"))) == 1;
}

static void
update_sensitivity (TrNewTestPage *self)
{
  gboolean unlimited = gtk_switch_get_active (GTK_SWITCH (field (self, "unlimited")));
  gboolean local = gtk_switch_get_active (GTK_SWITCH (field (self, "local")));
  GtkWidget *bitrate = field (self, "bitrate");

  gtk_widget_set_sensitive (field (self, "duration"), !unlimited);
  gtk_widget_set_sensitive (field (self, "port"), !local);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (bitrate),
                                 is_udp (self) ? _("UDP bitrate (e.g. 10M; 0 = no limit)")
                                               : _("TCP rate cap (e.g. 500M)"));
  gtk_widget_set_sensitive (field (self, "zerocopy"), !is_udp (self));
  gtk_widget_set_sensitive (field (self, "congestion"), !is_udp (self));
}

static void
on_field_notify (GObject       *object,
                 GParamSpec    *pspec,
                 TrNewTestPage *self)
{
  update_sensitivity (self);
}

/* --- options ----------------------------------------------------------------------- */

static const char *
entry_text (TrNewTestPage *self,
            const char    *id)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (field (self, id)));

  while (*text == ' ')
    text++;
  return *text != '\0' ? text : NULL;
}

static guint32
spin_value (TrNewTestPage *self,
            const char    *id)
{
  return (guint32) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (field (self, id)));
}

static gboolean
switch_value (TrNewTestPage *self,
              const char    *id)
{
  return gtk_switch_get_active (GTK_SWITCH (field (self, id)));
}

static gboolean
add_parsed (GVariantDict  *dict,
            const char    *key,
            const char    *text,
            gboolean       is_rate,
            const char    *what,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!(is_rate ? tr_parse_rate (text, &value, &local_error) : tr_parse_size (text, &value, &local_error)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: %s", what, local_error->message);
      return FALSE;
    }
  if (is_rate)
    g_variant_dict_insert (dict, key, "t", value);
  else
    g_variant_dict_insert (dict, key, "u", (guint32) MIN (value, G_MAXUINT32));
  return TRUE;
}

static gboolean
add_seconds (GVariantDict  *dict,
             const char    *key,
             const char    *text,
             const char    *what,
             GError       **error)
{
  char *end = NULL;
  double value;

  if (text == NULL)
    return TRUE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(value > 0))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   _("%s: “%s” is not a number of seconds"), what, text);
      return FALSE;
    }
  g_variant_dict_insert (dict, key, "d", value);
  return TRUE;
}

GVariant *
tr_new_test_page_build_options (TrNewTestPage  *self,
                                GError        **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *host = entry_text (self, "host");
  gboolean local = switch_value (self, "local");
  static const char *const directions[] = { "forward", "reverse", "bidirectional" };
  guint direction;

  g_return_val_if_fail (TR_IS_NEW_TEST_PAGE (self), NULL);

  if (host == NULL && !local)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   _("Enter the host of an iperf3 server, or turn on “Local server”"));
      return NULL;
    }
  if (host != NULL)
    g_variant_dict_insert (&dict, "host", "s", host);
  if (local)
    g_variant_dict_insert (&dict, "local", "b", TRUE);
  else
    g_variant_dict_insert (&dict, "port", "u", spin_value (self, "port"));
  g_variant_dict_insert (&dict, "protocol", "s", is_udp (self) ? "udp" : "tcp");
  g_variant_dict_insert (&dict, "parallel", "u", spin_value (self, "streams"));
  g_variant_dict_insert (&dict, "duration", "u",
                         switch_value (self, "unlimited") ? 0 : spin_value (self, "duration"));
  direction = adw_combo_row_get_selected (ADW_COMBO_ROW (field (self, "direction")));
  g_variant_dict_insert (&dict, "direction", "s", directions[MIN (direction, 2)]);

  if (!add_parsed (&dict, "bitrate", entry_text (self, "bitrate"), TRUE, _("Bitrate"), error) ||
      !add_seconds (&dict, "interval", entry_text (self, "interval"), _("Interval"), error) ||
      !add_parsed (&dict, "length", entry_text (self, "length"), FALSE, _("Block length"), error) ||
      !add_parsed (&dict, "window", entry_text (self, "window"), FALSE, _("Window"), error) ||
      !add_seconds (&dict, "connect_timeout", entry_text (self, "connect-timeout"), _("Connect timeout"), error))
    return NULL;

  if (spin_value (self, "omit") > 0)
    g_variant_dict_insert (&dict, "omit", "u", spin_value (self, "omit"));
  if (spin_value (self, "tos") > 0)
    g_variant_dict_insert (&dict, "tos", "u", spin_value (self, "tos"));
  if (entry_text (self, "bind-address") != NULL)
    g_variant_dict_insert (&dict, "bind_address", "s", entry_text (self, "bind-address"));
  if (!is_udp (self) && entry_text (self, "congestion") != NULL)
    g_variant_dict_insert (&dict, "congestion", "s", entry_text (self, "congestion"));
  if (!is_udp (self) && switch_value (self, "zerocopy"))
    g_variant_dict_insert (&dict, "zerocopy", "b", TRUE);
  if (entry_text (self, "label") != NULL)
    g_variant_dict_insert (&dict, "label", "s", entry_text (self, "label"));
  if (switch_value (self, "queue"))
    g_variant_dict_insert (&dict, "queue", "b", TRUE);
  if (switch_value (self, "exclusive"))
    g_variant_dict_insert (&dict, "exclusive", "b", TRUE);
  return g_variant_dict_end (&dict);
}

const char *
tr_new_test_page_get_host (TrNewTestPage *self)
{
  g_return_val_if_fail (TR_IS_NEW_TEST_PAGE (self), NULL);
  return entry_text (self, "host");
}

gboolean
tr_new_test_page_set_field (TrNewTestPage  *self,
                            const char     *id,
                            const char     *value,
                            GError        **error)
{
  GtkWidget *w;

  g_return_val_if_fail (TR_IS_NEW_TEST_PAGE (self), FALSE);

  w = field (self, id);
  if (w == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no field “%s”", id);
      return FALSE;
    }
  if (GTK_IS_SPIN_BUTTON (w))
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (w), g_ascii_strtod (value, NULL));
  else if (GTK_IS_SWITCH (w))
    gtk_switch_set_active (GTK_SWITCH (w), g_strcmp0 (value, "true") == 0);
  else if (ADW_IS_COMBO_ROW (w))
    {
      static const char *const keys[][3] = {
        { "tcp", "forward", NULL }, { "udp", "reverse", NULL }, { "both", "bidirectional", NULL },
      };
      guint index = G_MAXUINT;

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        for (guint k = 0; keys[i][k] != NULL; k++)
          if (g_ascii_strcasecmp (value, keys[i][k]) == 0)
            index = i;
      if (index == G_MAXUINT)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad value “%s” for %s", value, id);
          return FALSE;
        }
      adw_combo_row_set_selected (ADW_COMBO_ROW (w), index);
    }
  else if (GTK_IS_EDITABLE (w))
    gtk_editable_set_text (GTK_EDITABLE (w), value);
  return TRUE;
}

void
tr_new_test_page_set_busy (TrNewTestPage *self,
                           gboolean       busy)
{
  g_return_if_fail (TR_IS_NEW_TEST_PAGE (self));
  gtk_widget_set_sensitive (self->start_button, !busy);
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
}

/* --- construction ------------------------------------------------------------------ */

static void
build (TrNewTestPage *self)
{
  static const char *const protocols[] = { "TCP", "UDP", NULL };
  const char *directions[] = {
    _("Forward (this host sends)"), _("Reverse (the server sends)"), _("Both directions at once"), NULL,
  };
  GtkWidget *box, *group, *host, *menu, *list, *adv, *button_box, *label;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  self->scroller = tr_util_scrolled_page (640, 18, box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  /* the server */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Server"));
  gtk_box_append (GTK_BOX (box), group);
  host = add_entry_row (self, group, "host", _("Host"), NULL);
  menu = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "document-open-recent-symbolic");
  gtk_widget_set_tooltip_text (menu, _("Recent hosts"));
  gtk_widget_set_valign (menu, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (menu, "flat");
  self->recent_popover = gtk_popover_new ();
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_list_box_bind_model (GTK_LIST_BOX (list), G_LIST_MODEL (self->recent_hosts),
                           create_recent_row, self, NULL);
  label = gtk_label_new (_("No recent hosts"));
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (list), label);
  g_signal_connect (list, "row-activated", G_CALLBACK (on_recent_row_activated), self);
  gtk_popover_set_child (GTK_POPOVER (self->recent_popover), list);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu), self->recent_popover);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (host), menu);
  self->recent_list = list;
  add_spin_row (self, group, "port", _("Port"), NULL, 1, 65535, 5201);
  add_switch_row (self, group, "local", _("Local server"),
                  _("The service starts a one-off server on this machine"));

  /* the test */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Test"));
  gtk_box_append (GTK_BOX (box), group);
  add_combo_row (self, group, "protocol", _("Protocol"), protocols);
  add_combo_row (self, group, "direction", _("Direction"), directions);
  add_spin_row (self, group, "streams", _("Parallel streams"), NULL, 1, 128, 1);
  add_spin_row (self, group, "duration", _("Duration"), _("Seconds"), 1, 86400, 10);
  add_switch_row (self, group, "unlimited", _("Unlimited"), _("Run until stopped"));
  add_entry_row (self, group, "bitrate", "", NULL);

  /* start */
  button_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (button_box, GTK_ALIGN_CENTER);
  self->start_button = gtk_button_new_with_mnemonic (_("_Start Test"));
  gtk_widget_set_name (self->start_button, "start");
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  gtk_widget_add_css_class (self->start_button, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_button), "win.start-test");
  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_box_append (GTK_BOX (button_box), self->start_button);
  gtk_box_append (GTK_BOX (button_box), self->spinner);
  gtk_box_append (GTK_BOX (box), button_box);
  /* advanced */
  group = adw_preferences_group_new ();
  gtk_box_append (GTK_BOX (box), group);
  adv = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (adv), _("Advanced Options"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), adv);
  add_entry_row (self, adv, "interval", _("Reporting interval (seconds)"), "1");
  add_spin_row (self, adv, "omit", _("Omit first seconds"), NULL, 0, 600, 0);
  add_entry_row (self, adv, "bind-address", _("Bind address"), NULL);
  add_entry_row (self, adv, "length", _("Block length (e.g. 128K)"), NULL);
  add_entry_row (self, adv, "window", _("Socket buffer (e.g. 4M)"), NULL);
  add_spin_row (self, adv, "tos", _("Type of service"), NULL, 0, 255, 0);
  add_entry_row (self, adv, "congestion", _("TCP congestion control"), NULL);
  add_switch_row (self, adv, "zerocopy", _("Zero copy"), _("TCP only: send with sendfile()"));
  add_entry_row (self, adv, "connect-timeout", _("Connect timeout (seconds)"), NULL);
  add_entry_row (self, adv, "label", _("Label"), NULL);
  add_switch_row (self, adv, "queue", _("Wait in the queue"), _("When the limit of running tests is reached"));
  add_switch_row (self, adv, "exclusive", _("Exclusive"), _("Run alone, and start nothing else meanwhile"));


  g_signal_connect (field (self, "protocol"), "notify::selected", G_CALLBACK (on_field_notify), self);
  g_signal_connect (field (self, "unlimited"), "notify::active", G_CALLBACK (on_field_notify), self);
  g_signal_connect (field (self, "local"), "notify::active", G_CALLBACK (on_field_notify), self);
  update_sensitivity (self);
}

static void
tr_new_test_page_dispose (GObject *object)
{
  TrNewTestPage *self = TR_NEW_TEST_PAGE (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->recent_hosts);
  G_OBJECT_CLASS (tr_new_test_page_parent_class)->dispose (object);
}

static void
tr_new_test_page_finalize (GObject *object)
{
  TrNewTestPage *self = TR_NEW_TEST_PAGE (object);

  g_hash_table_unref (self->fields);
  G_OBJECT_CLASS (tr_new_test_page_parent_class)->finalize (object);
}

static void
tr_new_test_page_class_init (TrNewTestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_new_test_page_dispose;
  object_class->finalize = tr_new_test_page_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
tr_new_test_page_init (TrNewTestPage *self)
{
  self->fields = g_hash_table_new (g_str_hash, g_str_equal);
}

GtkWidget *
tr_new_test_page_new (GtkStringList *recent_hosts)
{
  TrNewTestPage *self = g_object_new (TR_TYPE_NEW_TEST_PAGE, NULL);

  self->recent_hosts = g_object_ref (recent_hosts);
  build (self);
  return GTK_WIDGET (self);
}
