/* test-format.c: unit tests for common/tr-format.c. */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "tr-error.h"
#include "tr-format.h"

typedef struct {
  double      value;
  const char *expected;
} DoubleCase;

typedef struct {
  guint64     value;
  const char *expected;
} UintCase;

typedef struct {
  const char *text;
  guint64     expected;
} ParseCase;

static void
test_format_rate (void)
{
  static const DoubleCase cases[] = {
    { 0, "0 bit/s" },
    { 1, "1 bit/s" },
    { 512, "512 bit/s" },
    { 999.4, "999 bit/s" },
    { 999.6, "1.00 Kbit/s" },
    { 1000, "1.00 Kbit/s" },
    { 1500, "1.50 Kbit/s" },
    { 999994, "999.99 Kbit/s" },
    { 999996, "1.00 Mbit/s" },
    { 941234567, "941.23 Mbit/s" },
    { 9.41e9, "9.41 Gbit/s" },
    { 1.2e12, "1.20 Tbit/s" },
    { 4.5e15, "4500.00 Tbit/s" },
    { -1500, "-1.50 Kbit/s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = tr_format_rate (cases[i].value);
      g_assert_cmpstr (s, ==, cases[i].expected);
    }
}

static void
test_format_rate_non_finite (void)
{
  g_autofree char *nan = tr_format_rate (NAN);
  g_autofree char *inf = tr_format_rate (INFINITY);

  g_assert_cmpstr (nan, ==, "?");
  g_assert_cmpstr (inf, ==, "?");
}

static void
test_format_bytes (void)
{
  static const UintCase cases[] = {
    { 0, "0 B" },
    { 1, "1 B" },
    { 1023, "1023 B" },
    { 1024, "1.00 KiB" },
    { 1536, "1.50 KiB" },
    { 10 * 1024, "10.0 KiB" },
    { 131072, "128 KiB" },
    { 1047552, "1023 KiB" },
    { 1048064, "1.00 MiB" },       /* 1023.5 KiB would print as 1024 */
    { 1048576 - 1, "1.00 MiB" },
    { G_GUINT64_CONSTANT (1181116006), "1.10 GiB" },
    { G_GUINT64_CONSTANT (11811160064), "11.0 GiB" },
    { G_GUINT64_CONSTANT (117440512), "112 MiB" },
    { G_GUINT64_CONSTANT (1099511627776), "1.00 TiB" },
    { G_MAXUINT64, "16.0 EiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = tr_format_bytes (cases[i].value);
      g_assert_cmpstr (s, ==, cases[i].expected);
    }
}

static void
test_format_duration (void)
{
  static const DoubleCase cases[] = {
    { 0, "0.0 s" },
    { 0.04, "0.0 s" },
    { 9.5, "9.5 s" },
    { 59.9, "59.9 s" },
    { 59.96, "1 min 00 s" },
    { 125, "2 min 05 s" },
    { 3599.4, "59 min 59 s" },
    { 3723, "1 h 02 min 03 s" },
    { 86400, "1 d 00 h 00 min" },
    { 273900, "3 d 04 h 05 min" },
    { -9.5, "-9.5 s" },
    { 2e9, "?" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = tr_format_duration (cases[i].value);
      g_assert_cmpstr (s, ==, cases[i].expected);
    }

  {
    g_autofree char *s = tr_format_duration (NAN);
    g_assert_cmpstr (s, ==, "?");
  }
}

static void
test_parse_rate (void)
{
  static const ParseCase cases[] = {
    { "0", 0 },
    { "100", 100 },
    { "10M", 10000000 },
    { "10m", 10000000 },
    { "1k", 1000 },
    { "1K", 1000 },
    { "1.5G", 1500000000 },
    { "2T", G_GUINT64_CONSTANT (2000000000000) },
    { " 100M ", 100000000 },
    { "0.5", 1 },                  /* rounded to the nearest */
    { "1.", 1 },
    { ".5K", 500 },
    { "18446744073709551615", G_MAXUINT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 42;

      g_assert_true (tr_parse_rate (cases[i].text, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (value, ==, cases[i].expected);
    }
}

static void
test_parse_size (void)
{
  static const ParseCase cases[] = {
    { "0", 0 },
    { "1", 1 },
    { "128K", 131072 },
    { "128k", 131072 },
    { "1M", 1048576 },
    { "1.5M", 1572864 },
    { "2G", G_GUINT64_CONSTANT (2147483648) },
    { "1T", G_GUINT64_CONSTANT (1099511627776) },
    { "16777215T", G_GUINT64_CONSTANT (16777215) << 40 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 42;

      g_assert_true (tr_parse_size (cases[i].text, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (value, ==, cases[i].expected);
    }
}

static void
test_parse_invalid (void)
{
  static const char *const bad[] = {
    "", " ", "M", "-1", "+1", "1X", "10MB", "10 M", "1e6", "0x10", "1.2.3",
    "inf", "nan", "1,5M", "KK", "1KK", ".", "١٠",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) rate_error = NULL;
      g_autoptr(GError) size_error = NULL;
      guint64 value = 42;

      g_assert_false (tr_parse_rate (bad[i], &value, &rate_error));
      g_assert_error (rate_error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
      g_assert_false (tr_parse_size (bad[i], &value, &size_error));
      g_assert_error (size_error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
      g_assert_cmpuint (value, ==, 42);
    }

  {
    g_autoptr(GError) error = NULL;
    guint64 value = 0;

    g_assert_false (tr_parse_rate (NULL, &value, &error));
    g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_parse_overflow (void)
{
  static const char *const rates[] = {
    "18446744073709551616", "18446744073709552T", "99999999999999999999999",
    "18446744073709551.616K", "1e400",
  };
  static const char *const sizes[] = {
    "16777216T", "17179869184G", "16777216.5T",
  };

  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 42;

      g_assert_false (tr_parse_rate (rates[i], &value, &error));
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 42;

      g_assert_false (tr_parse_size (sizes[i], &value, &error));
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_parse_error_message (void)
{
  g_autoptr(GError) error = NULL;
  guint64 value;

  g_assert_false (tr_parse_rate ("10X", &value, &error));
  g_assert_nonnull (strstr (error->message, "10X"));
  g_clear_error (&error);

  g_assert_false (tr_parse_size ("99999999999999999999T", &value, &error));
  g_assert_nonnull (strstr (error->message, "too large"));
}

int
main (int argc, char **argv)
{
  /* The formatters follow the locale's decimal separator; test in C. */
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/rate", test_format_rate);
  g_test_add_func ("/format/rate-non-finite", test_format_rate_non_finite);
  g_test_add_func ("/format/bytes", test_format_bytes);
  g_test_add_func ("/format/duration", test_format_duration);
  g_test_add_func ("/parse/rate", test_parse_rate);
  g_test_add_func ("/parse/size", test_parse_size);
  g_test_add_func ("/parse/invalid", test_parse_invalid);
  g_test_add_func ("/parse/overflow", test_parse_overflow);
  g_test_add_func ("/parse/error-message", test_parse_error_message);

  return g_test_run ();
}
