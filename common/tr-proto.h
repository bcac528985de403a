/* tr-proto.h: the line protocol between trafficd and its helpers.
 *
 * One record per line: "KIND TIMESTAMP PAYLOAD\n" where KIND is [a-z-]+,
 * TIMESTAMP is the writer's CLOCK_REALTIME in microseconds and PAYLOAD an
 * a{sv}: '=' and its serialised form in base64 (what the writer sends),
 * or the GVariant text format with type annotations (accepted too, for
 * hand-written lines). The service sends
 * the helper one "config" record on its stdin; the helper answers on stdout
 * with "hello", then parser records ("connected", "start", "interval",
 * "summary", ...), "log", "result", "error" and finally "end". */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_PROTO_MAX_LINE (1024 * 1024)

char     *tr_proto_format_line (const char  *kind,
                                gint64       timestamp_us,
                                GVariant    *record);
gboolean  tr_proto_parse_line  (const char  *line,
                                char       **kind,
                                gint64      *timestamp_us,
                                GVariant   **record,
                                GError     **error);

G_END_DECLS
