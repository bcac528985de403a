/* tr-options.c: one table of client test options, and the checks. */
#include "tr-options.h"
#include "tr-error.h"

#include <gio/gio.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

typedef enum {
  KIND_UINT,     /* any D-Bus integer type, range [min, max] */
  KIND_DOUBLE,   /* d, or any integer type */
  KIND_BOOL,
  KIND_STRING,   /* checked by its own function */
  KIND_ENUM,     /* one of a list of strings */
} OptionKind;

typedef gboolean (*StringCheck) (const char *field, const char *value, GError **error);

typedef struct {
  const char  *key;
  OptionKind   kind;
  gsize        offset;
  double       min;
  double       max;
  const char  *const *choices;   /* KIND_ENUM */
  StringCheck  check;            /* KIND_STRING */
} OptionSpec;

static gboolean check_congestion (const char *field, const char *value, GError **error);
static gboolean check_label      (const char *field, const char *value, GError **error);

static const char *const protocol_names[] = { "tcp", "udp", NULL };
static const char *const direction_names[] = { "forward", "reverse", "bidirectional", NULL };

#define OFF(field) offsetof (TrTestOptions, field)

static const OptionSpec option_specs[] = {
  { "host",               KIND_STRING, OFF (host),               0, 0, NULL, tr_validate_host },
  { "port",               KIND_UINT,   OFF (port),               1, 65535, NULL, NULL },
  { "protocol",           KIND_ENUM,   OFF (protocol),           0, 0, protocol_names, NULL },
  { "duration",           KIND_UINT,   OFF (duration),           0, 86400, NULL, NULL },
  { "bytes",              KIND_UINT,   OFF (bytes),              1, 1099511627776.0, NULL, NULL },
  { "parallel",           KIND_UINT,   OFF (parallel),           1, TR_OPTIONS_MAX_PARALLEL, NULL, NULL },
  { "direction",          KIND_ENUM,   OFF (direction),          0, 0, direction_names, NULL },
  { "bitrate",            KIND_UINT,   OFF (bitrate),            0, 100000000000.0, NULL, NULL },
  { "interval",           KIND_DOUBLE, OFF (interval),           0.1, 60, NULL, NULL },
  { "omit",               KIND_UINT,   OFF (omit),               0, 600, NULL, NULL },
  { "bind_address",       KIND_STRING, OFF (bind_address),       0, 0, NULL, tr_validate_ip_literal },
  { "length",             KIND_UINT,   OFF (length),             1, 1048576, NULL, NULL },
  { "window",             KIND_UINT,   OFF (window),             1024, 536870912, NULL, NULL },
  { "tos",                KIND_UINT,   OFF (tos),                0, 255, NULL, NULL },
  { "congestion",         KIND_STRING, OFF (congestion),         0, 0, NULL, check_congestion },
  { "zerocopy",           KIND_BOOL,   OFF (zerocopy),           0, 0, NULL, NULL },
  { "connect_timeout",    KIND_DOUBLE, OFF (connect_timeout),    0.1, 300, NULL, NULL },
  { "receive_timeout",    KIND_DOUBLE, OFF (receive_timeout),    1, 300, NULL, NULL },
  { "stop_on_disconnect", KIND_BOOL,   OFF (stop_on_disconnect), 0, 0, NULL, NULL },
  { "label",              KIND_STRING, OFF (label),              0, 0, NULL, check_label },
};

#undef OFF

static gboolean
invalid (GError **error, const char *field, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError **error, const char *field, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: %s", field, message);
  return FALSE;
}

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
parse_uint (const OptionSpec *spec, GVariant *value, TrTestOptions *options, GError **error)
{
  gboolean negative;
  guint64 n;
  gpointer dest = (guint8 *) options + spec->offset;

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
parse_double (const OptionSpec *spec, GVariant *value, TrTestOptions *options, GError **error)
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
  *(double *) ((guint8 *) options + spec->offset) = d;
  return TRUE;
}

static gboolean
parse_value (const OptionSpec *spec, GVariant *value, TrTestOptions *options, GError **error)
{
  gpointer dest = (guint8 *) options + spec->offset;
  const char *s;

  switch (spec->kind)
    {
    case KIND_UINT:
      return parse_uint (spec, value, options, error);
    case KIND_DOUBLE:
      return parse_double (spec, value, options, error);
    case KIND_BOOL:
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        return invalid (error, spec->key, "expected a boolean (D-Bus type b), got type '%s'",
                        g_variant_get_type_string (value));
      *(gboolean *) dest = g_variant_get_boolean (value);
      return TRUE;
    case KIND_STRING:
    case KIND_ENUM:
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        return invalid (error, spec->key, "expected a string (D-Bus type s), got type '%s'",
                        g_variant_get_type_string (value));
      s = g_variant_get_string (value, NULL);
      if (spec->kind == KIND_STRING)
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

static gboolean
check_cross_fields (TrTestOptions *o, GVariantDict *given, GError **error)
{
  if (o->host == NULL)
    return invalid (error, "host", "is required (a host name, IPv4 or IPv6 literal)");
  if (g_variant_dict_contains (given, "bytes") && g_variant_dict_contains (given, "duration"))
    return invalid (error, "bytes", "cannot be combined with duration: give one end condition");
  if (o->protocol == TR_PROTOCOL_UDP)
    {
      if (o->zerocopy)
        return invalid (error, "zerocopy", "is only available with protocol \"tcp\"");
      if (o->congestion != NULL)
        return invalid (error, "congestion", "is only available with protocol \"tcp\"");
      if (o->length != 0 && (o->length < 64 || o->length > 65507))
        return invalid (error, "length", "must be an integer from 64 to 65507 for UDP, got %u", o->length);
      if (!g_variant_dict_contains (given, "bitrate"))
        o->bitrate = TR_OPTIONS_DEFAULT_UDP_BITRATE;
    }
  return TRUE;
}

TrTestOptions *
tr_test_options_new_from_variant (GVariant *options, GError **error)
{
  g_autoptr(TrTestOptions) o = g_new0 (TrTestOptions, 1);
  g_auto(GVariantDict) given = G_VARIANT_DICT_INIT (NULL);
  GVariantIter iter;
  const char *key;
  GVariant *raw;

  o->port = TR_OPTIONS_DEFAULT_PORT;
  o->protocol = TR_PROTOCOL_TCP;
  o->duration = 10;
  o->parallel = 1;
  o->direction = TR_DIRECTION_FORWARD;
  o->interval = 1.0;
  o->connect_timeout = 10.0;
  o->receive_timeout = 10.0;

  if (options == NULL || !g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "options: expected a{sv}");
      return NULL;
    }

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &raw))
    {
      g_autoptr(GVariant) value = raw;
      const OptionSpec *spec = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (option_specs); i++)
        if (strcmp (option_specs[i].key, key) == 0)
          spec = &option_specs[i];
      if (spec == NULL)
        {
          g_autofree char *shown = g_strescape (key, NULL);
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                       "%.64s: unknown option (known: host, port, protocol, duration, bytes, parallel, "
                       "direction, bitrate, interval, omit, bind_address, length, window, tos, congestion, "
                       "zerocopy, connect_timeout, receive_timeout, stop_on_disconnect, label)", shown);
          return NULL;
        }
      if (g_variant_dict_contains (&given, key))
        {
          invalid (error, spec->key, "given twice");
          return NULL;
        }
      if (!parse_value (spec, value, o, error))
        return NULL;
      g_variant_dict_insert_value (&given, key, value);
    }

  if (!check_cross_fields (o, &given, error))
    return NULL;
  if (g_variant_dict_contains (&given, "bytes"))
    o->duration = 0;
  if (o->label == NULL)
    o->label = g_strdup ("");
  return g_steal_pointer (&o);
}

GVariant *
tr_test_options_to_variant (const TrTestOptions *o)
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&b, "{sv}", "host", g_variant_new_string (o->host));
  g_variant_builder_add (&b, "{sv}", "port", g_variant_new_uint32 (o->port));
  g_variant_builder_add (&b, "{sv}", "protocol", g_variant_new_string (tr_protocol_to_string (o->protocol)));
  g_variant_builder_add (&b, "{sv}", "duration", g_variant_new_uint32 (o->duration));
  if (o->bytes > 0)
    g_variant_builder_add (&b, "{sv}", "bytes", g_variant_new_uint64 (o->bytes));
  g_variant_builder_add (&b, "{sv}", "parallel", g_variant_new_uint32 (o->parallel));
  g_variant_builder_add (&b, "{sv}", "direction", g_variant_new_string (tr_direction_to_string (o->direction)));
  g_variant_builder_add (&b, "{sv}", "bitrate", g_variant_new_uint64 (o->bitrate));
  g_variant_builder_add (&b, "{sv}", "interval", g_variant_new_double (o->interval));
  g_variant_builder_add (&b, "{sv}", "omit", g_variant_new_uint32 (o->omit));
  if (o->bind_address != NULL)
    g_variant_builder_add (&b, "{sv}", "bind_address", g_variant_new_string (o->bind_address));
  if (o->length > 0)
    g_variant_builder_add (&b, "{sv}", "length", g_variant_new_uint32 (o->length));
  if (o->window > 0)
    g_variant_builder_add (&b, "{sv}", "window", g_variant_new_uint32 (o->window));
  g_variant_builder_add (&b, "{sv}", "tos", g_variant_new_uint32 (o->tos));
  if (o->congestion != NULL)
    g_variant_builder_add (&b, "{sv}", "congestion", g_variant_new_string (o->congestion));
  g_variant_builder_add (&b, "{sv}", "zerocopy", g_variant_new_boolean (o->zerocopy));
  g_variant_builder_add (&b, "{sv}", "connect_timeout", g_variant_new_double (o->connect_timeout));
  g_variant_builder_add (&b, "{sv}", "receive_timeout", g_variant_new_double (o->receive_timeout));
  g_variant_builder_add (&b, "{sv}", "stop_on_disconnect", g_variant_new_boolean (o->stop_on_disconnect));
  g_variant_builder_add (&b, "{sv}", "label", g_variant_new_string (o->label ? o->label : ""));
  return g_variant_builder_end (&b);
}

void
tr_test_options_free (TrTestOptions *o)
{
  if (o == NULL)
    return;
  g_free (o->host);
  g_free (o->bind_address);
  g_free (o->congestion);
  g_free (o->label);
  g_free (o);
}

const char *
tr_protocol_to_string (TrProtocol protocol)
{
  return protocol_names[protocol == TR_PROTOCOL_UDP ? 1 : 0];
}

const char *
tr_direction_to_string (TrDirection direction)
{
  g_return_val_if_fail (direction <= TR_DIRECTION_BIDIRECTIONAL, "forward");
  return direction_names[direction];
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

static gboolean
check_congestion (const char *field, const char *value, GError **error)
{
  gsize len = strlen (value);

  if (len == 0 || len > 15 || !g_ascii_isalpha (value[0]))
    goto bad;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (value[i]) && !g_ascii_isdigit (value[i]) && value[i] != '_' && value[i] != '-')
      goto bad;
  return TRUE;

bad:
  {
    g_autofree char *shown = g_strescape (value, NULL);
    return invalid (error, field, "must be 1 to 15 characters [a-z0-9_-] starting with a letter, got \"%.64s\"", shown);
  }
}

static gboolean
check_label (const char *field, const char *value, GError **error)
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
