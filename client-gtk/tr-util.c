/* tr-util.c: see tr-util.h. */
#include "config.h"

#include "tr-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <pwd.h>
#include <unistd.h>

#include "tc-client.h"
#include "tr-error.h"

static const char *const state_classes[] = { "success", "error", "warning", "accent", NULL };

const char *
tr_util_state_icon (const char *state)
{
  if (g_strcmp0 (state, "running") == 0 || g_strcmp0 (state, "busy") == 0)
    return "media-playback-start-symbolic";
  if (g_strcmp0 (state, "finished") == 0 || g_strcmp0 (state, "idle") == 0)
    return "emblem-ok-symbolic";
  if (g_strcmp0 (state, "failed") == 0)
    return "dialog-error-symbolic";
  if (g_strcmp0 (state, "stopped") == 0)
    return "media-playback-stop-symbolic";
  if (g_strcmp0 (state, "queued") == 0)
    return "document-open-recent-symbolic";
  return "content-loading-symbolic";
}

const char *
tr_util_state_label (const char *state)
{
  if (state == NULL || *state == '\0')
    return _("Unknown");
  if (g_str_equal (state, "queued"))
    return _("Queued");
  if (g_str_equal (state, "pending"))
    return _("Pending");
  if (g_str_equal (state, "connecting"))
    return _("Connecting");
  if (g_str_equal (state, "running"))
    return _("Running");
  if (g_str_equal (state, "finished"))
    return _("Finished");
  if (g_str_equal (state, "failed"))
    return _("Failed");
  if (g_str_equal (state, "stopped"))
    return _("Stopped");
  if (g_str_equal (state, "starting"))
    return _("Starting");
  if (g_str_equal (state, "idle"))
    return _("Idle");
  if (g_str_equal (state, "busy"))
    return _("Busy");
  return state;
}

const char *
tr_util_state_css_class (const char *state)
{
  if (g_strcmp0 (state, "finished") == 0 || g_strcmp0 (state, "idle") == 0)
    return "success";
  if (g_strcmp0 (state, "failed") == 0)
    return "error";
  if (g_strcmp0 (state, "stopped") == 0 || g_strcmp0 (state, "queued") == 0)
    return "warning";
  if (g_strcmp0 (state, "running") == 0 || g_strcmp0 (state, "busy") == 0)
    return "accent";
  return NULL;
}

char *
tr_util_owner_name (guint32 uid)
{
  struct passwd pwd, *found = NULL;
  char buffer[1024];

  if (getpwuid_r (uid, &pwd, buffer, sizeof buffer, &found) == 0 && found != NULL)
    return g_strdup_printf ("%s (%u)", found->pw_name, uid);
  return g_strdup_printf ("%u", uid);
}

char *
tr_util_error_message (const GError *error,
                       const char   *action,
                       const char   *right)
{
  if (error == NULL)
    return g_strdup ("");
  if (g_error_matches (error, TR_ERROR, TR_ERROR_ACCESS_DENIED))
    /* TRANSLATORS: first %s is an action ("start tests"), second the right
     * (a D-Bus method), third the service's explanation */
    return g_strdup_printf (_("You may not %s: the right to call %s is missing (%s). Ask an administrator to grant it."),
                            action, right, error->message);
  if (g_error_matches (error, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE))
    return g_strdup_printf (_("Cannot %s: the trafficd service is not running (%s)"), action, error->message);
  return g_strdup_printf (_("Cannot %s: %s"), action, error->message);
}

char *
tr_util_format_percent (double percent)
{
  return g_strdup_printf ("%.1f %%", percent);
}

void
tr_util_set_css_class (GtkWidget  *widget,
                       const char *css_class)
{
  for (guint i = 0; state_classes[i] != NULL; i++)
    gtk_widget_remove_css_class (widget, state_classes[i]);
  if (css_class != NULL)
    gtk_widget_add_css_class (widget, css_class);
}

GtkWidget *
tr_util_scrolled_page (int max_width, int vertical_margin, GtkWidget *child)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), max_width);
  gtk_widget_set_margin_top (child, vertical_margin);
  gtk_widget_set_margin_bottom (child, vertical_margin);
  gtk_widget_set_margin_start (child, 12);
  gtk_widget_set_margin_end (child, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), child);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  return scroller;
}
