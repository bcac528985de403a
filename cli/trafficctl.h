/* trafficctl.h: what the subcommands of trafficctl share: global options,
 * exit codes, option parsing and connecting. */
#pragma once

#include <glib.h>

#include "tc-client.h"

G_BEGIN_DECLS

/* Documented in trafficctl --help and docs/trafficctl.md. */
typedef enum {
  TRAFFICCTL_EXIT_OK = 0,
  TRAFFICCTL_EXIT_TEST_FAILED = 1,     /* the test failed or was stopped */
  TRAFFICCTL_EXIT_USAGE = 2,           /* bad command line or InvalidArgument */
  TRAFFICCTL_EXIT_UNAVAILABLE = 3,     /* no bus, service not running, timeout */
  TRAFFICCTL_EXIT_ACCESS_DENIED = 4,
  TRAFFICCTL_EXIT_NOT_FOUND = 5,
  TRAFFICCTL_EXIT_ERROR = 6,           /* anything else */
} TrafficctlExit;

typedef struct {
  gboolean session;
  gboolean json;
} TrafficctlGlobals;

typedef int (*TrafficctlCommandFunc) (TrafficctlGlobals  *globals,
                                      int                 argc,
                                      char              **argv);

/* The subcommands; argv[0] is the command's name. */
int trafficctl_run    (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_list   (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_show   (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_stop   (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_watch  (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_status (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_ps     (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_queue  (TrafficctlGlobals *globals, int argc, char **argv);
/* "server SUBCOMMAND": dispatches to the trafficctl_server_* below. */
int trafficctl_server       (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_server_start (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_server_list  (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_server_show  (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_server_stop  (TrafficctlGlobals *globals, int argc, char **argv);
/* The history (trafficctl-history.c, trafficctl-export.c). */
int trafficctl_history      (TrafficctlGlobals *globals, int argc, char **argv);
int trafficctl_export       (TrafficctlGlobals *globals, int argc, char **argv);
/* Interface monitoring (trafficctl-interfaces.c). */
int trafficctl_interfaces   (TrafficctlGlobals *globals, int argc, char **argv);

/* An option context for a subcommand: its own @entries (may be NULL) plus
 * the global options, the exit codes as description. */
GOptionContext *trafficctl_option_context_new (TrafficctlGlobals  *globals,
                                               const char         *parameter_string,
                                               const char         *summary,
                                               const GOptionEntry *entries);
/* Parses; on error prints it and returns FALSE with *exit_code set. */
gboolean        trafficctl_parse_options      (GOptionContext     *context,
                                               int                *argc,
                                               char             ***argv,
                                               int                *exit_code);
/* Prints "trafficctl: COMMAND: MESSAGE" and returns TRAFFICCTL_EXIT_USAGE. */
int             trafficctl_usage_error        (const char         *command,
                                               const char         *format,
                                               ...) G_GNUC_PRINTF (2, 3);

/* Connects to the service (system bus, or session bus with --session) and
 * checks that it runs; on failure prints why and sets *exit_code. */
TcClient       *trafficctl_connect            (TrafficctlGlobals  *globals,
                                               int                *exit_code);

/* Option values typed by the user, into an a{sv} being built. Each does
 * nothing for a NULL @text (the option was not given); on a bad value it
 * sets a G_OPTION_ERROR naming @option and returns FALSE. */
/* A whole number (base 10, or 0 for C-style 0x/0 prefixes) up to @max, as "u". */
gboolean        trafficctl_dict_add_uint      (GVariantDict       *dict,
                                               const char         *key,
                                               const char         *text,
                                               const char         *option,
                                               guint               base,
                                               guint32             max,
                                               GError            **error);
/* A non-negative number of seconds (fractions allowed), as "d". */
gboolean        trafficctl_dict_add_seconds   (GVariantDict       *dict,
                                               const char         *key,
                                               const char         *text,
                                               const char         *option,
                                               GError            **error);

/* The exit-code table as shown in --help. */
const char     *trafficctl_exit_codes_help    (void);

G_END_DECLS
