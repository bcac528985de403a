/* trafficctl-print.h: everything trafficctl prints: error lines, tables,
 * intervals, result summaries, test details and JSON.
 *
 * A test is described by a property snapshot: the a{sv} of its D-Bus
 * properties ("Id", "State", "Options", "Result", ...) as given by
 * tc_client_dup_test_properties() or tc_test_watch_dup_properties(). */
#pragma once

#include <stdio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Errors: "trafficctl: WHAT: MESSAGE" (or "trafficctl: MESSAGE" when @what
 * is NULL) on stderr, one line. */
void        trafficctl_print_error_line     (const char   *what,
                                             const char   *message);
/* Prints @error (naming the refused D-Bus action for access denied) and
 * returns the exit code for it. */
int         trafficctl_print_error          (const char   *what,
                                             const GError *error);
int         trafficctl_exit_code_for_error  (const GError *error);

/* A text table with a header row; @align has one 'l' or 'r' per column. */
typedef struct _TrafficctlTable TrafficctlTable;

TrafficctlTable *trafficctl_table_new       (const char       *align,
                                             ...) G_GNUC_NULL_TERMINATED;
/* Exactly as many cells as columns; NULL cells print empty. */
void        trafficctl_table_add_row        (TrafficctlTable  *table,
                                             ...);
void        trafficctl_table_print          (TrafficctlTable  *table,
                                             FILE             *stream,
                                             const char       *indent);
void        trafficctl_table_free           (TrafficctlTable  *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrafficctlTable, trafficctl_table_free)

/* Snapshot look-ups with defaults ("" or 0). Strings may be of type s, o
 * or g; they live as long as @props. */
const char *trafficctl_props_get_string     (GVariant     *props,
                                             const char   *name);
guint64     trafficctl_props_get_uint       (GVariant     *props,
                                             const char   *name);
double      trafficctl_props_get_double     (GVariant     *props,
                                             const char   *name,
                                             double        fallback);
/* A nested a{sv} ("Options", "Result"), never NULL (empty when missing). */
GVariant   *trafficctl_props_dup_dict       (GVariant     *props,
                                             const char   *name);

/* Small formatters. */
const char *trafficctl_direction_short      (const char   *direction);
char       *trafficctl_format_owner         (guint32       uid);
char       *trafficctl_format_time          (guint64       usec,
                                             gboolean      compact);
/* "-" for 0, else the number. */
char       *trafficctl_format_pid           (guint64       pid);
/* A test's or server's HelperCpuPercent ("12.5") and HelperRssBytes
 * ("5.20 MiB"), "-" when it has no helper. */
char       *trafficctl_format_cpu           (GVariant     *props);
char       *trafficctl_format_rss           (GVariant     *props);
/* An object path property: "-" for "/" or "", "test 7 (PATH)", "server 2 (PATH)". */
char       *trafficctl_format_object_ref    (const char   *path);
/* One Interval sample as a line of text, without a newline. */
char       *trafficctl_format_interval      (GVariant     *sample);

/* The result of an ended test: a header line, a table per direction, CPU
 * and notes, on stdout. */
void        trafficctl_print_summary        (GVariant     *props);
/* Everything about a test (the "show" command), on stdout, with the peer's
 * result (Result "peer") when there is one. */
void        trafficctl_print_details        (GVariant     *props,
                                             const char   *path);
/* Everything about a managed server ("server show"), on stdout. */
void        trafficctl_print_server_details (GVariant     *props,
                                             const char   *path);

/* JSON: an object with "path" and each property under its snake_case name
 * ("StartTime" -> "start_time"); an Error (ss) becomes null or
 * {"name", "message"}. For tests and servers alike. */
JsonNode   *trafficctl_object_to_json       (GVariant     *props,
                                             const char   *path);
JsonNode   *trafficctl_test_to_json         (GVariant     *props,
                                             const char   *path);
/* One compact line (with newline) on stdout, or indented when @pretty. */
void        trafficctl_print_json           (JsonNode     *node,
                                             gboolean      pretty);

G_END_DECLS
