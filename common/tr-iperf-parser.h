/* tr-iperf-parser.h: incremental parser for iperf3 3.12 text output.
 *
 * The runner feeds every line iperf prints (client or server side, run with
 * unit format 'k', verbose on, C locale) and receives structured records as
 * GVariant a{sv} dictionaries. The parser never trusts its input: any line
 * it does not understand is reported as kind "unparsed" and skipped; numbers
 * out of range are clamped or the line is rejected; memory is bounded (a line
 * longer than TR_IPERF_PARSER_MAX_LINE is truncated by the caller's reader).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_IPERF_PARSER_MAX_LINE 4096

typedef struct _TrIperfParser TrIperfParser;

typedef enum {
  TR_IPERF_ROLE_CLIENT,
  TR_IPERF_ROLE_SERVER,
} TrIperfRole;

/* Called for each record. @kind is a static string; @record is a floating or
 * full reference the callback must not keep without g_variant_ref_sink(). */
typedef void (*TrIperfRecordFunc) (const char *kind,
                                   GVariant   *record,
                                   gpointer    user_data);

TrIperfParser *tr_iperf_parser_new       (TrIperfRole        role,
                                          TrIperfRecordFunc  func,
                                          gpointer           user_data);
void           tr_iperf_parser_free      (TrIperfParser     *parser);
/* What the caller asked iperf for; the parser also detects it from the
 * output ("Reverse mode" line, [TX-C]/[RX-C] tags, connected lines). */
void           tr_iperf_parser_set_mode  (TrIperfParser     *parser,
                                          gboolean           reverse,
                                          gboolean           bidirectional,
                                          guint              parallel);
/* One line without its terminating newline (a trailing \r or \n is ignored). */
void           tr_iperf_parser_feed_line (TrIperfParser     *parser,
                                          const char        *line);
/* End of input: emits whatever is complete (e.g. a pending interval). */
void           tr_iperf_parser_finish    (TrIperfParser     *parser);

/* Parse "2.69 GBytes" style amounts (base 1024) and "23072675 Kbits/sec"
 * style rates (base 1000) into bytes and bits per second. Exposed for tests. */
gboolean       tr_iperf_parse_amount     (const char *number, const char *unit, guint64 *bytes);
gboolean       tr_iperf_parse_rate       (const char *number, const char *unit, double *bits_per_second);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrIperfParser, tr_iperf_parser_free)

G_END_DECLS
