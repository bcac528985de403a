/* tr-format.h: human-readable numbers for the user interfaces (trafficctl and
 * the GTK app), and the inverse parsers for numbers typed by the user.
 *
 * Conventions, the same as iperf3's:
 *   rates are decimal (SI, powers of 1000): "941.23 Mbit/s", "-b 10M";
 *   sizes are binary (IEC, powers of 1024): "1.10 GiB", "-l 128K".
 *
 * The formatters return newly allocated strings and use the current locale's
 * decimal separator; the parsers accept ASCII input only ("1.5M", never
 * "1,5M") and report bad input as TR_ERROR_INVALID_ARGUMENT.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "0 bit/s", "512 bit/s", "1.50 Kbit/s", "941.23 Mbit/s", "9.41 Gbit/s",
 * "1.20 Tbit/s": powers of 1000, two decimals above bit/s. */
char     *tr_format_rate     (double       bits_per_second);

/* "0 B", "1023 B", "1.00 KiB", "11.0 GiB", "112 MiB": IEC binary units
 * (powers of 1024: KiB, MiB, GiB, TiB, PiB, EiB), three significant digits
 * like iperf's own output. */
char     *tr_format_bytes    (guint64      bytes);

/* "0.0 s", "9.5 s", "2 min 05 s", "1 h 02 min 03 s", "3 d 04 h 05 min".
 * Negative values get a leading "-"; NaN and infinities give "?". */
char     *tr_format_duration (double       seconds);

/* A rate like iperf's -b: an unsigned decimal number ("10", "1.5") with an
 * optional suffix K, M, G or T (either case) meaning 10^3, 10^6, 10^9, 10^12.
 * "10M" is 10000000. Fractions are rounded to the nearest bit/s. */
gboolean  tr_parse_rate      (const char  *text,
                              guint64     *bits_per_second,
                              GError     **error);

/* A size like iperf's -l, -w and -n: an unsigned decimal number with an
 * optional suffix K, M, G or T (either case) meaning 2^10, 2^20, 2^30, 2^40.
 * "128K" is 131072. Fractions are rounded to the nearest byte. */
gboolean  tr_parse_size      (const char  *text,
                              guint64     *bytes,
                              GError     **error);

G_END_DECLS
