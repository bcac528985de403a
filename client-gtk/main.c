/* main.c: the Traffic app (org.trafficd.Traffic); everything is in TrApp. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "tr-app.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TrApp) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = tr_app_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
