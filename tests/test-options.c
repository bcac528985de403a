/* test-options.c: every client option's bounds, types and defaults. */
#include "tr-error.h"
#include "tr-options.h"

#include <gio/gio.h>
#include <string.h>

static TrTestOptions *
parse_text (const char *text, GError **error)
{
  g_autoptr(GVariant) v = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL);

  g_assert_nonnull (v);
  return tr_test_options_new_from_variant (v, error);
}

/* Rejected, with an InvalidArgument message that starts with the field. */
static void
assert_rejected (const char *text, const char *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrTestOptions) o = parse_text (text, &error);
  g_autofree char *prefix = g_strdup_printf ("%s: ", field);

  if (o != NULL)
    g_error ("accepted: %s", text);
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("message for %s does not name %s: %s", text, field, error->message);
}

static void
assert_accepted (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrTestOptions) o = parse_text (text, &error);

  if (o == NULL)
    g_error ("rejected %s: %s", text, error->message);
}

static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrTestOptions) o = parse_text ("{'host': <'127.0.0.1'>}", &error);
  g_autoptr(GVariant) full = NULL;
  guint32 port;

  g_assert_no_error (error);
  g_assert_cmpuint (o->port, ==, 5201);
  g_assert_cmpint (o->protocol, ==, TR_PROTOCOL_TCP);
  g_assert_cmpuint (o->duration, ==, 10);
  g_assert_cmpuint (o->parallel, ==, 1);
  g_assert_cmpfloat (o->interval, ==, 1.0);
  g_assert_cmpuint (o->bitrate, ==, 0);
  g_assert_cmpstr (o->label, ==, "");
  full = g_variant_ref_sink (tr_test_options_to_variant (o));
  g_assert_true (g_variant_lookup (full, "port", "u", &port));
  g_assert_cmpuint (port, ==, 5201);

  /* UDP gets iperf's 1 Mbit/s default target */
  {
    g_autoptr(TrTestOptions) u = parse_text ("{'host': <'h'>, 'protocol': <'udp'>}", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (u->bitrate, ==, 1000000);
  }
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrTestOptions) a = parse_text ("{'host': <'example.org'>, 'port': <uint16 6000>, 'protocol': <'udp'>, "
                                           "'duration': <int64 0>, 'parallel': <byte 4>, 'direction': <'bidirectional'>, "
                                           "'bitrate': <uint64 20000000>, 'interval': <2>, 'omit': <1>, "
                                           "'bind_address': <'::1'>, 'length': <1200>, 'window': <65536>, "
                                           "'tos': <16>, 'connect_timeout': <2.5>, 'receive_timeout': <5>, "
                                           "'stop_on_disconnect': <true>, 'label': <'lab run ü'>}", &error);
  g_autoptr(GVariant) v = NULL;
  g_autoptr(TrTestOptions) b = NULL;

  g_assert_no_error (error);
  v = g_variant_ref_sink (tr_test_options_to_variant (a));
  b = tr_test_options_new_from_variant (v, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->host, ==, "example.org");
  g_assert_cmpuint (b->port, ==, 6000);
  g_assert_cmpint (b->protocol, ==, TR_PROTOCOL_UDP);
  g_assert_cmpuint (b->duration, ==, 0);
  g_assert_cmpuint (b->parallel, ==, 4);
  g_assert_cmpint (b->direction, ==, TR_DIRECTION_BIDIRECTIONAL);
  g_assert_cmpuint (b->bitrate, ==, 20000000);
  g_assert_cmpfloat (b->interval, ==, 2.0);
  g_assert_cmpstr (b->bind_address, ==, "::1");
  g_assert_cmpuint (b->length, ==, 1200);
  g_assert_cmpfloat (b->connect_timeout, ==, 2.5);
  g_assert_true (b->stop_on_disconnect);
  g_assert_cmpstr (b->label, ==, "lab run ü");
}

/* A bytes-limited test's full options parse again (the runner re-checks). */
static void
test_bytes_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrTestOptions) a = parse_text ("{'host': <'h'>, 'bytes': <uint64 1000000>}", &error);
  g_autoptr(GVariant) v = NULL;
  g_autoptr(TrTestOptions) b = NULL;

  g_assert_no_error (error);
  v = g_variant_ref_sink (tr_test_options_to_variant (a));
  g_assert_false (g_variant_lookup (v, "duration", "u", NULL));
  b = tr_test_options_new_from_variant (v, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->bytes, ==, 1000000);
}

static void
test_integer_bounds (void)
{
  static const struct { const char *field; const char *low_bad, *low_ok, *high_ok, *high_bad; } cases[] = {
    { "port", "0", "1", "65535", "65536" },
    { "duration", "-1", "0", "86400", "86401" },
    { "bytes", "0", "1", "uint64 1099511627776", "uint64 1099511627777" },
    { "parallel", "0", "1", "128", "1000000" },
    { "bitrate", "-1", "0", "uint64 100000000000", "uint64 100000000001" },
    { "omit", "-1", "0", "600", "601" },
    { "length", "0", "1", "1048576", "1048577" },
    { "window", "1023", "1024", "536870912", "536870913" },
    { "tos", "-1", "0", "255", "256" },
    { "interval", "0.09", "0.1", "60", "60.5" },
    { "connect_timeout", "0.0", "0.1", "300", "301" },
    { "receive_timeout", "0.5", "1", "300", "301" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *values[] = { cases[i].low_bad, cases[i].low_ok, cases[i].high_ok, cases[i].high_bad };
      for (guint j = 0; j < 4; j++)
        {
          g_autofree char *text = g_strdup_printf ("{'host': <'h'>, '%s': <%s>}", cases[i].field, values[j]);
          if (j == 0 || j == 3)
            assert_rejected (text, cases[i].field);
          else
            assert_accepted (text);
        }
    }
  /* extreme integers of every type */
  assert_rejected ("{'host': <'h'>, 'port': <int64 -9223372036854775808>}", "port");
  assert_rejected ("{'host': <'h'>, 'port': <uint64 18446744073709551615>}", "port");
  assert_accepted ("{'host': <'h'>, 'port': <byte 80>}");
  assert_accepted ("{'host': <'h'>, 'port': <int16 80>}");
}

static void
test_wrong_types (void)
{
  assert_rejected ("{'host': <'h'>, 'port': <'5201'>}", "port");
  assert_rejected ("{'host': <'h'>, 'port': <5201.0>}", "port");
  assert_rejected ("{'host': <'h'>, 'interval': <'1'>}", "interval");
  assert_rejected ("{'host': <'h'>, 'interval': <nan>}", "interval");   /* parses as a double */
  assert_rejected ("{'host': <5>}", "host");
  assert_rejected ("{'host': <'h'>, 'zerocopy': <1>}", "zerocopy");
  assert_rejected ("{'host': <'h'>, 'protocol': <'sctp'>}", "protocol");
  assert_rejected ("{'host': <'h'>, 'direction': <'up'>}", "direction");
  assert_rejected ("{'host': <'h'>, 'label': <['a']>}", "label");
}

static void
test_unknown_and_missing (void)
{
  assert_rejected ("{'port': <5201>}", "host");
  assert_rejected ("{'host': <'h'>, 'logfile': <'/tmp/x'>}", "logfile");
  assert_rejected ("{'host': <'h'>, 'file': <'/etc/shadow'>}", "file");
  assert_rejected ("{'host': <'h'>, 'bytes': <100>, 'duration': <5>}", "bytes");
  assert_rejected ("{'host': <'h'>, 'protocol': <'udp'>, 'zerocopy': <true>}", "zerocopy");
  assert_rejected ("{'host': <'h'>, 'protocol': <'udp'>, 'length': <32>}", "length");
  assert_rejected ("{'host': <'h'>, 'protocol': <'udp'>, 'congestion': <'bbr'>}", "congestion");
}

static void
test_injection (void)
{
  g_autofree char *long_name = NULL;
  g_autofree char *long_label = NULL;
  g_autofree char *text = NULL;
  GString *s = g_string_new (NULL);

  assert_rejected ("{'host': <'-F/etc/shadow'>}", "host");
  assert_rejected ("{'host': <'--logfile=/x'>}", "host");
  assert_rejected ("{'host': <'a b'>}", "host");
  assert_rejected ("{'host': <'host\\nname'>}", "host");
  assert_rejected ("{'host': <'%s%n'>}", "host");
  assert_rejected ("{'host': <''>}", "host");
  assert_rejected ("{'host': <'a..b'>}", "host");
  assert_rejected ("{'host': <'fe80::1%eth0'>}", "host");
  assert_rejected ("{'host': <'h'>, 'bind_address': <'-B'>}", "bind_address");
  assert_rejected ("{'host': <'h'>, 'bind_address': <'localhost'>}", "bind_address");
  assert_rejected ("{'host': <'h'>, 'congestion': <'-Cbbr'>}", "congestion");
  assert_rejected ("{'host': <'h'>, 'congestion': <'averyveryverylongname'>}", "congestion");
  assert_rejected ("{'host': <'h'>, 'label': <'two\\nlines'>}", "label");
  assert_accepted ("{'host': <'::1'>}");
  assert_accepted ("{'host': <'192.0.2.1'>}");
  assert_accepted ("{'host': <'iperf.example-host.org.'>}");

  for (int i = 0; i < 254; i++)
    g_string_append_c (s, i % 60 == 59 ? '.' : 'a');
  long_name = g_string_free (s, FALSE);
  text = g_strdup_printf ("{'host': <'%s'>}", long_name);
  assert_rejected (text, "host");
  g_free (text);
  long_name[253] = '\0';
  text = g_strdup_printf ("{'host': <'%s'>}", long_name);
  assert_accepted (text);
  g_free (text);

  long_label = g_strnfill (257, 'x');
  text = g_strdup_printf ("{'host': <'h'>, 'label': <'%s'>}", long_label);
  assert_rejected (text, "label");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/options/defaults", test_defaults);
  g_test_add_func ("/options/round-trip", test_round_trip);
  g_test_add_func ("/options/bytes-round-trip", test_bytes_round_trip);
  g_test_add_func ("/options/integer-bounds", test_integer_bounds);
  g_test_add_func ("/options/wrong-types", test_wrong_types);
  g_test_add_func ("/options/unknown-and-missing", test_unknown_and_missing);
  g_test_add_func ("/options/injection", test_injection);
  return g_test_run ();
}
