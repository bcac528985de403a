/* tr-util.h: small presentation helpers shared by the pages. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Symbolic icon and translated label for a test's or server's State. */
const char *tr_util_state_icon       (const char    *state);
const char *tr_util_state_label      (const char    *state);
/* A CSS class colouring a state: "success", "error", "warning", "accent" or NULL. */
const char *tr_util_state_css_class  (const char    *state);
/* "alice (1000)" or "1000" when the uid has no name. */
/* A page's scroller: @child (margins 12 at the sides, @vertical_margin
 * above and below) in a clamp at most @max_width wide, scrolling
 * vertically. */
GtkWidget  *tr_util_scrolled_page    (int            max_width,
                                      int            vertical_margin,
                                      GtkWidget     *child);
char       *tr_util_owner_name       (guint32        uid);
/* A message for the user about a failed call. @action says what was tried
 * ("start tests"); AccessDenied names the missing right, a service that is
 * gone says so. */
char       *tr_util_error_message    (const GError  *error,
                                      const char    *action,
                                      const char    *right);
/* "12 %" and "34.5 MiB"-style helper figures. */
char       *tr_util_format_percent   (double         percent);
/* Sets one of the listed CSS classes on @widget and removes the others. */
void        tr_util_set_css_class    (GtkWidget     *widget,
                                      const char    *css_class);

G_END_DECLS
