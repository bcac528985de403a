/* tr-format.c: human-readable rates, sizes and durations, and their parsers. */
#include "config.h"

#include "tr-format.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "tr-error.h"

char *
tr_format_rate (double bits_per_second)
{
  static const char *const units[] = { "bit/s", "Kbit/s", "Mbit/s", "Gbit/s", "Tbit/s" };
  double value;
  guint unit = 0;

  if (!isfinite (bits_per_second))
    return g_strdup ("?");
  if (bits_per_second < 0)
    {
      g_autofree char *positive = tr_format_rate (-bits_per_second);
      return g_strconcat ("-", positive, NULL);
    }

  value = bits_per_second;
  /* Move up a unit when the printed value would read 1000 or more. */
  while (unit + 1 < G_N_ELEMENTS (units) &&
         value >= (unit == 0 ? 999.5 : 999.995))
    {
      value /= 1000.0;
      unit++;
    }

  if (unit == 0)
    return g_strdup_printf ("%.0f %s", value, units[0]);
  return g_strdup_printf ("%.2f %s", value, units[unit]);
}

char *
tr_format_bytes (guint64 bytes)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  double value;
  guint unit = 0;

  if (bytes < 1024)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", bytes, units[0]);

  value = (double) bytes;
  while (unit + 1 < G_N_ELEMENTS (units) && value >= 1023.5)
    {
      value /= 1024.0;
      unit++;
    }

  /* Three significant digits, as iperf prints amounts. */
  if (value < 9.995)
    return g_strdup_printf ("%.2f %s", value, units[unit]);
  if (value < 99.95)
    return g_strdup_printf ("%.1f %s", value, units[unit]);
  return g_strdup_printf ("%.0f %s", value, units[unit]);
}

char *
tr_format_duration (double seconds)
{
  guint total, days, hours, minutes, secs;

  if (!isfinite (seconds))
    return g_strdup ("?");
  if (seconds < 0)
    {
      g_autofree char *positive = tr_format_duration (-seconds);
      return g_strconcat ("-", positive, NULL);
    }
  if (seconds < 59.95)
    /* TRANSLATORS: a duration in seconds, e.g. "9.5 s" */
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds >= 1.0e9)
    return g_strdup ("?");

  /* Below 10^9 s every part fits a guint. */
  total = (guint) (seconds + 0.5);
  days = total / 86400;
  hours = (total / 3600) % 24;
  minutes = (total / 60) % 60;
  secs = total % 60;

  if (total < 3600)
    /* TRANSLATORS: a duration, e.g. "2 min 05 s" */
    return g_strdup_printf (_("%u min %02u s"), minutes, secs);
  if (total < 86400)
    /* TRANSLATORS: a duration, e.g. "1 h 02 min 03 s" */
    return g_strdup_printf (_("%u h %02u min %02u s"), hours, minutes, secs);
  /* TRANSLATORS: a duration, e.g. "3 d 04 h 05 min" */
  return g_strdup_printf (_("%u d %02u h %02u min"), days, hours, minutes);
}

/* The common parser: [digits][.digits][K|M|G|T], surrounding white space
 * allowed, nothing else. */
static gboolean
parse_scaled (const char  *text,
              guint64      base,
              gboolean     is_rate,
              guint64     *out,
              GError     **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *number = NULL;
  const char *p;
  guint n_digits = 0;
  gboolean has_fraction = FALSE;
  guint64 multiplier = 1;
  guint power = 0;

  g_return_val_if_fail (out != NULL, FALSE);

  copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  p = copy;
  while (g_ascii_isdigit (*p))
    {
      p++;
      n_digits++;
    }
  if (*p == '.')
    {
      has_fraction = TRUE;
      p++;
      while (g_ascii_isdigit (*p))
        {
          p++;
          n_digits++;
        }
    }
  number = g_strndup (copy, p - copy);

  switch (g_ascii_toupper (*p))
    {
    case 'K': power = 1; break;
    case 'M': power = 2; break;
    case 'G': power = 3; break;
    case 'T': power = 4; break;
    default: break;
    }
  if (power > 0)
    p++;

  if (n_digits == 0 || *p != '\0')
    {
      if (is_rate)
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                     _("Invalid rate “%s”: expected a number with an optional K, M, G or T suffix (powers of 1000), e.g. “10M”"),
                     copy);
      else
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                     _("Invalid size “%s”: expected a number with an optional K, M, G or T suffix (powers of 1024), e.g. “128K”"),
                     copy);
      return FALSE;
    }

  for (guint i = 0; i < power; i++)
    multiplier *= base;

  if (!has_fraction)
    {
      guint64 value = 0;

      if (g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT64, &value, NULL) &&
          g_uint64_checked_mul (out, value, multiplier))
        return TRUE;
    }
  else
    {
      /* 2^64 as a double; anything at or above it does not fit. */
      const double limit = 18446744073709551616.0;
      double value = g_ascii_strtod (number, NULL) * (double) multiplier;

      value += 0.5;
      if (value < limit)
        {
          *out = (guint64) value;
          return TRUE;
        }
    }

  if (is_rate)
    g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                 _("Rate “%s” is too large"), copy);
  else
    g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                 _("Size “%s” is too large"), copy);
  return FALSE;
}

gboolean
tr_parse_rate (const char  *text,
               guint64     *bits_per_second,
               GError     **error)
{
  return parse_scaled (text, 1000, TRUE, bits_per_second, error);
}

gboolean
tr_parse_size (const char  *text,
               guint64     *bytes,
               GError     **error)
{
  return parse_scaled (text, 1024, FALSE, bytes, error);
}
