/* tr-option-spec.c: the generic part of option checking. */
#include "tr-option-spec.h"
#include "tr-error.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

gboolean
tr_option_invalid (GError **error, const char *field, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: %s", field, message);
  return FALSE;
}

#define invalid tr_option_invalid

/* Any integer D-Bus type, as a double for range checks (exact up to 2^53,
 * which covers every range in the table). */
static gboolean
variant_get_integer (GVariant *value, gboolean *negative, guint64 *magnitude)
{
  gint64 s = 0;

  *negative = FALSE;
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BYTE:    *magnitude = g_variant_get_byte (value); return TRUE;
    case G_VARIANT_CLASS_UINT16:  *magnitude = g_variant_get_uint16 (value); return TRUE;
    case G_VARIANT_CLASS_UINT32:  *magnitude = g_variant_get_uint32 (value); return TRUE;
    case G_VARIANT_CLASS_UINT64:  *magnitude = g_variant_get_uint64 (value); return TRUE;
    case G_VARIANT_CLASS_INT16:   s = g_variant_get_int16 (value); break;
    case G_VARIANT_CLASS_INT32:   s = g_variant_get_int32 (value); break;
    case G_VARIANT_CLASS_INT64:   s = g_variant_get_int64 (value); break;
    default:
      return FALSE;
    }
  *negative = s < 0;
  *magnitude = s < 0 ? (guint64) -(s + 1) + 1 : (guint64) s;
  return TRUE;
}

static gboolean
parse_uint (const TrOptionSpec *spec, GVariant *value, gpointer target, GError **error)
{
  gboolean negative;
  guint64 n;
  gpointer dest = (guint8 *) target + spec->offset;

  if (!variant_get_integer (value, &negative, &n))
    return invalid (error, spec->key,
                    "expected an integer (D-Bus type y, n, q, i, u, x or t), got type '%s'",
                    g_variant_get_type_string (value));
  if (negative || (double) n < spec->min || (double) n > spec->max)
    return invalid (error, spec->key, "must be an integer from %.0f to %.0f, got %s%" G_GUINT64_FORMAT,
                    spec->min, spec->max, negative ? "-" : "", n);
  if (spec->max > G_MAXUINT)
    *(guint64 *) dest = n;
  else
    *(guint *) dest = (guint) n;
  return TRUE;
}

static gboolean
parse_double (const TrOptionSpec *spec, GVariant *value, gpointer target, GError **error)
{
  gboolean negative;
  guint64 n;
  double d;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    d = g_variant_get_double (value);
  else if (variant_get_integer (value, &negative, &n))
    d = negative ? -(double) n : (double) n;
  else
    return invalid (error, spec->key, "expected a number (D-Bus type d or an integer type), got type '%s'",
                    g_variant_get_type_string (value));
  if (!isfinite (d) || d < spec->min || d > spec->max)
    return invalid (error, spec->key, "must be a number from %g to %g, got %g", spec->min, spec->max, d);
  *(double *) ((guint8 *) target + spec->offset) = d;
  return TRUE;
}

static gboolean
parse_value (const TrOptionSpec *spec, GVariant *value, gpointer target, GError **error)
{
  gpointer dest = (guint8 *) target + spec->offset;
  const char *s;

  switch (spec->kind)
    {
    case TR_OPTION_UINT:
      return parse_uint (spec, value, target, error);
    case TR_OPTION_DOUBLE:
      return parse_double (spec, value, target, error);
    case TR_OPTION_BOOL:
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        return invalid (error, spec->key, "expected a boolean (D-Bus type b), got type '%s'",
                        g_variant_get_type_string (value));
      *(gboolean *) dest = g_variant_get_boolean (value);
      return TRUE;
    case TR_OPTION_STRING:
    case TR_OPTION_ENUM:
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        return invalid (error, spec->key, "expected a string (D-Bus type s), got type '%s'",
                        g_variant_get_type_string (value));
      s = g_variant_get_string (value, NULL);
      if (spec->kind == TR_OPTION_STRING)
        {
          if (!spec->check (spec->key, s, error))
            return FALSE;
          g_free (*(char **) dest);
          *(char **) dest = g_strdup (s);
          return TRUE;
        }
      for (guint i = 0; spec->choices[i] != NULL; i++)
        if (strcmp (spec->choices[i], s) == 0)
          {
            *(int *) dest = (int) i;
            return TRUE;
          }
      {
        g_autofree char *allowed = g_strjoinv ("\", \"", (char **) spec->choices);
        g_autofree char *shown = g_strescape (s, NULL);
        return invalid (error, spec->key, "must be one of \"%s\", got \"%.64s\"", allowed, shown);
      }
    }
  g_assert_not_reached ();
}

gboolean
tr_option_spec_parse (const TrOptionSpec *specs, guint n_specs, GVariant *options,
                      gpointer target, GVariantDict *given, GError **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *raw;

  if (options == NULL || !g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "options: expected a{sv}");
      return FALSE;
    }

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &raw))
    {
      g_autoptr(GVariant) value = raw;
      const TrOptionSpec *spec = NULL;

      for (guint i = 0; i < n_specs; i++)
        if (strcmp (specs[i].key, key) == 0)
          spec = &specs[i];
      if (spec == NULL)
        {
          g_autofree char *shown = g_strescape (key, NULL);
          g_autoptr(GString) known = g_string_new (NULL);

          if (strlen (shown) > 64)
            strcpy (shown + 61, "...");

          for (guint i = 0; i < n_specs; i++)
            g_string_append_printf (known, "%s%s", i ? ", " : "", specs[i].key);
          return invalid (error, shown[0] ? shown : "(empty key)", "unknown option (known: %s)", known->str);
        }
      if (g_variant_dict_contains (given, key))
        return invalid (error, spec->key, "given twice");
      if (!parse_value (spec, value, target, error))
        return FALSE;
      g_variant_dict_insert_value (given, key, value);
    }
  return TRUE;
}

void
tr_option_spec_clear_strings (const TrOptionSpec *specs, guint n_specs, gpointer target)
{
  for (guint i = 0; i < n_specs; i++)
    if (specs[i].kind == TR_OPTION_STRING)
      g_clear_pointer ((char **) ((guint8 *) target + specs[i].offset), g_free);
}

gboolean
tr_validate_ip_literal (const char *field, const char *address, GError **error)
{
  g_autoptr(GInetAddress) parsed = NULL;

  if (strlen (address) > 45 || strchr (address, '%') != NULL ||
      (parsed = g_inet_address_new_from_string (address)) == NULL)
    {
      g_autofree char *shown = g_strescape (address, NULL);
      return invalid (error, field, "must be an IPv4 or IPv6 address literal, got \"%.64s\"", shown);
    }
  return TRUE;
}

/* A DNS name (RFC 1123 labels) or an IP literal. The first character is
 * never '-', so a host can never look like an option to anything. */
gboolean
tr_validate_host (const char *field, const char *host, GError **error)
{
  gsize len = strlen (host);
  gsize label_len = 0;
  g_autofree char *shown = g_strescape (host, NULL);

  if (len == 0 || len > 253)
    return invalid (error, field, "must be 1 to 253 characters long, got %" G_GSIZE_FORMAT, len);
  if (strchr (host, ':') != NULL || g_hostname_is_ip_address (host))
    return tr_validate_ip_literal (field, host, error);

  for (gsize i = 0; i < len; i++)
    {
      char c = host[i];

      if (c == '.')
        {
          if (label_len == 0 || host[i - 1] == '-')
            return invalid (error, field, "\"%.64s\" is not a valid host name (empty label or label ending in '-')", shown);
          label_len = 0;
          continue;
        }
      if (!g_ascii_isalnum (c) && !(c == '-' && label_len > 0) && c != '_')
        return invalid (error, field,
                        "\"%.64s\" is not a valid host name: only letters, digits, '-', '_' and '.' are allowed, "
                        "and a label may not start with '-'", shown);
      if (++label_len > 63)
        return invalid (error, field, "\"%.64s\" has a label longer than 63 characters", shown);
    }
  if (host[len - 1] == '-')
    return invalid (error, field, "\"%.64s\" is not a valid host name (ends in '-')", shown);
  return TRUE;
}

gboolean
tr_validate_label (const char *field, const char *value, GError **error)
{
  if (!g_utf8_validate (value, -1, NULL))
    return invalid (error, field, "must be valid UTF-8");
  if (g_utf8_strlen (value, -1) > 256)
    return invalid (error, field, "must be at most 256 characters, got %ld", g_utf8_strlen (value, -1));
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return invalid (error, field, "must not contain control characters (newlines, tabs, escapes)");
  return TRUE;
}
