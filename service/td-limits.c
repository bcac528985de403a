/* td-limits.c: parsing and checking the per-test limits. */
#include "config.h"

#include "td-limits.h"
#include "tr-error.h"

#include <gio/gio.h>
#include <string.h>

typedef struct {
  guint first;
  guint last;
} PortRange;

struct _TdLimits {
  guint      max_duration;      /* seconds, 0 = none */
  guint      max_parallel;      /* 0 = none */
  guint64    max_udp_bitrate;   /* bits/s per direction, 0 = none */
  GPtrArray *target_masks;      /* GInetAddressMask */
  GPtrArray *target_names;      /* char *, lower case, no trailing dot */
  char      *targets_text;      /* as normalized, for messages; NULL = any */
  GArray    *server_ports;      /* PortRange */
  char      *server_ports_text; /* NULL = any */
};

TdLimits *
td_limits_new (void)
{
  TdLimits *limits = g_new0 (TdLimits, 1);

  limits->target_masks = g_ptr_array_new_with_free_func (g_object_unref);
  limits->target_names = g_ptr_array_new_with_free_func (g_free);
  limits->server_ports = g_array_new (FALSE, FALSE, sizeof (PortRange));
  return limits;
}

void
td_limits_free (TdLimits *limits)
{
  if (limits == NULL)
    return;
  g_ptr_array_unref (limits->target_masks);
  g_ptr_array_unref (limits->target_names);
  g_array_unref (limits->server_ports);
  g_free (limits->targets_text);
  g_free (limits->server_ports_text);
  g_free (limits);
}

TdLimits *
td_limits_copy (const TdLimits *limits)
{
  TdLimits *copy = td_limits_new ();

  copy->max_duration = limits->max_duration;
  copy->max_parallel = limits->max_parallel;
  copy->max_udp_bitrate = limits->max_udp_bitrate;
  for (guint i = 0; i < limits->target_masks->len; i++)
    g_ptr_array_add (copy->target_masks, g_object_ref (limits->target_masks->pdata[i]));
  for (guint i = 0; i < limits->target_names->len; i++)
    g_ptr_array_add (copy->target_names, g_strdup (limits->target_names->pdata[i]));
  copy->targets_text = g_strdup (limits->targets_text);
  g_array_append_vals (copy->server_ports, limits->server_ports->data, limits->server_ports->len);
  copy->server_ports_text = g_strdup (limits->server_ports_text);
  return copy;
}

gboolean
td_limits_is_empty (const TdLimits *limits)
{
  return limits->max_duration == 0 && limits->max_parallel == 0 && limits->max_udp_bitrate == 0 &&
         limits->targets_text == NULL && limits->server_ports_text == NULL;
}

/* ---- parsing ---- */

static gboolean
parse_uint (const char *key, const char *text, guint64 max, guint64 *value, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autoptr(GError) local = NULL;

  if (*stripped == '\0')
    {
      *value = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (stripped, 10, 0, max, value, &local))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "%s: expected a whole number from 0 to %" G_GUINT64_FORMAT ", got \"%s\"",
                   key, max, stripped);
      return FALSE;
    }
  return TRUE;
}

gboolean
td_limits_set_max_duration (TdLimits *limits, const char *key, const char *text, GError **error)
{
  guint64 value;

  if (!parse_uint (key, text, 86400, &value, error))
    return FALSE;
  limits->max_duration = (guint) value;
  return TRUE;
}

gboolean
td_limits_set_max_parallel (TdLimits *limits, const char *key, const char *text, GError **error)
{
  guint64 value;

  if (!parse_uint (key, text, TR_OPTIONS_MAX_PARALLEL, &value, error))
    return FALSE;
  limits->max_parallel = (guint) value;
  return TRUE;
}

/* "100000000", "100M", "1.5G" (powers of 1000), in bits/s */
gboolean
td_limits_set_max_udp_bitrate (TdLimits *limits, const char *key, const char *text, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  char *end = NULL;
  double number, factor = 1;

  if (*stripped == '\0')
    {
      limits->max_udp_bitrate = 0;
      return TRUE;
    }
  number = g_ascii_strtod (stripped, &end);
  if (end != stripped && *end != '\0' && end[1] == '\0')
    {
      switch (*end)
        {
        case 'k': case 'K': factor = 1e3; end++; break;
        case 'm': case 'M': factor = 1e6; end++; break;
        case 'g': case 'G': factor = 1e9; end++; break;
        case 't': case 'T': factor = 1e12; end++; break;
        default: break;
        }
    }
  if (end == stripped || *end != '\0' || !(number >= 0) || number * factor > 1e14 ||
      !g_ascii_isdigit (stripped[0]))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "%s: expected bits per second, a number with an optional k, M, G or T suffix, "
                   "up to 100T, got \"%s\"", key, stripped);
      return FALSE;
    }
  limits->max_udp_bitrate = (guint64) (number * factor + 0.5);
  return TRUE;
}

static char **
split_list (const char *text)
{
  g_auto(GStrv) parts = g_regex_split_simple ("[;,\\s]+", text != NULL ? text : "", 0, 0);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (out, g_strdup (parts[i]));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static gboolean
is_host_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > 253 || name[0] == '-' || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* lower case, without a trailing dot */
static char *
normalize_name (const char *name)
{
  char *lower = g_ascii_strdown (name, -1);
  gsize length = strlen (lower);

  if (length > 1 && lower[length - 1] == '.')
    lower[length - 1] = '\0';
  return lower;
}

/* "ADDRESS" or "ADDRESS/LENGTH" with LENGTH within the family's bits */
static gboolean
valid_prefix_length (const char *entry)
{
  const char *slash = strchr (entry, '/');
  g_autofree char *address = NULL;
  g_autoptr(GInetAddress) parsed = NULL;
  guint64 length;

  if (slash == NULL)
    return TRUE;
  address = g_strndup (entry, slash - entry);
  parsed = g_inet_address_new_from_string (address);
  if (parsed == NULL)
    return FALSE;
  return g_ascii_string_to_unsigned (slash + 1, 10, 0, g_inet_address_get_native_size (parsed) * 8,
                                     &length, NULL);
}

gboolean
td_limits_set_allowed_targets (TdLimits *limits, const char *key, const char *text, GError **error)
{
  g_auto(GStrv) entries = split_list (text);
  g_autoptr(GPtrArray) masks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      const char *entry = entries[i];
      gboolean looks_like_address = strchr (entry, '/') != NULL || strchr (entry, ':') != NULL ||
                                    g_hostname_is_ip_address (entry);

      if (looks_like_address)
        {
          g_autoptr(GError) local = NULL;
          GInetAddressMask *mask = NULL;

          /* GLib warns (instead of failing) on a length beyond the family's */
          if (valid_prefix_length (entry))
            mask = g_inet_address_mask_new_from_string (entry, &local);
          else
            g_set_error (&local, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad prefix length");
          if (mask == NULL)
            {
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                           "%s: \"%s\" is not an address or CIDR range (%s)", key, entry, local->message);
              return FALSE;
            }
          g_ptr_array_add (masks, mask);
        }
      else if (is_host_name (entry))
        g_ptr_array_add (names, normalize_name (entry));
      else
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                       "%s: \"%s\" is neither an address, a CIDR range nor a host name", key, entry);
          return FALSE;
        }
    }
  g_ptr_array_set_size (limits->target_masks, 0);
  g_ptr_array_extend_and_steal (limits->target_masks, g_steal_pointer (&masks));
  g_ptr_array_set_size (limits->target_names, 0);
  g_ptr_array_extend_and_steal (limits->target_names, g_steal_pointer (&names));
  g_clear_pointer (&limits->targets_text, g_free);
  if (entries[0] != NULL)
    limits->targets_text = g_strjoinv (";", entries);
  return TRUE;
}

gboolean
td_limits_set_allowed_server_ports (TdLimits *limits, const char *key, const char *text, GError **error)
{
  g_auto(GStrv) entries = split_list (text);
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (PortRange));

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_auto(GStrv) ends = g_strsplit (entries[i], "-", 2);
      guint64 first = 0, last = 0;
      PortRange range;

      if (!g_ascii_string_to_unsigned (ends[0], 10, 1, 65535, &first, NULL) ||
          (ends[1] != NULL && !g_ascii_string_to_unsigned (ends[1], 10, 1, 65535, &last, NULL)) ||
          (ends[1] != NULL && last < first))
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                       "%s: \"%s\" is not a port or a range FIRST-LAST within 1-65535", key, entries[i]);
          return FALSE;
        }
      range.first = (guint) first;
      range.last = ends[1] != NULL ? (guint) last : (guint) first;
      g_array_append_val (ranges, range);
    }
  g_array_set_size (limits->server_ports, 0);
  g_array_append_vals (limits->server_ports, ranges->data, ranges->len);
  g_clear_pointer (&limits->server_ports_text, g_free);
  if (entries[0] != NULL)
    limits->server_ports_text = g_strjoinv (";", entries);
  return TRUE;
}

/* ---- checks ---- */

static gboolean
target_allowed (const TdLimits *limits, const char *host)
{
  if (g_hostname_is_ip_address (host))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

      if (address != NULL)
        {
          for (guint i = 0; i < limits->target_masks->len; i++)
            if (g_inet_address_mask_matches (limits->target_masks->pdata[i], address))
              return TRUE;
          return FALSE;
        }
    }
  {
    g_autofree char *name = normalize_name (host);

    for (guint i = 0; i < limits->target_names->len; i++)
      if (strcmp (limits->target_names->pdata[i], name) == 0)
        return TRUE;
  }
  return FALSE;
}

gboolean
td_limits_check_test (const TdLimits *limits, const TrTestOptions *options, GError **error)
{
  if (limits->max_duration > 0)
    {
      if (options->duration == 0 || options->bytes > 0)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                       "MaxDuration=%u: a test needs a duration of at most %u s; tests until stopped "
                       "and byte-count tests are refused",
                       limits->max_duration, limits->max_duration);
          return FALSE;
        }
      if ((guint64) options->duration + options->omit > limits->max_duration)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                       "MaxDuration=%u: the test would run %u s (duration %u + omit %u)",
                       limits->max_duration, options->duration + options->omit, options->duration,
                       options->omit);
          return FALSE;
        }
    }
  if (limits->max_parallel > 0 && options->parallel > limits->max_parallel)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                   "MaxParallel=%u: the test asks for %u parallel streams",
                   limits->max_parallel, options->parallel);
      return FALSE;
    }
  if (limits->max_udp_bitrate > 0 && options->protocol == TR_PROTOCOL_UDP)
    {
      guint64 total = options->bitrate * MAX (options->parallel, 1);

      if (options->bitrate == 0)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                       "MaxUdpBitrate=%" G_GUINT64_FORMAT ": a UDP test needs a target rate (bitrate); "
                       "unlimited is refused", limits->max_udp_bitrate);
          return FALSE;
        }
      if (options->bitrate > limits->max_udp_bitrate || total > limits->max_udp_bitrate)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                       "MaxUdpBitrate=%" G_GUINT64_FORMAT ": the test asks for %" G_GUINT64_FORMAT
                       " bits/s per direction (bitrate %" G_GUINT64_FORMAT " x %u streams)",
                       limits->max_udp_bitrate, total, options->bitrate, options->parallel);
          return FALSE;
        }
    }
  /* A local test never leaves the machine: its server is the service's own. */
  if (limits->targets_text != NULL && !options->local && !target_allowed (limits, options->host))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                   "AllowedTargets=%s: %s is not among them (host names are matched as written)",
                   limits->targets_text, options->host);
      return FALSE;
    }
  return TRUE;
}

gboolean
td_limits_check_server (const TdLimits *limits, const TrServerOptions *options, GError **error)
{
  if (limits->server_ports_text != NULL && options->port != 0)
    {
      for (guint i = 0; i < limits->server_ports->len; i++)
        {
          const PortRange *range = &g_array_index (limits->server_ports, PortRange, i);

          if (options->port >= range->first && options->port <= range->last)
            return TRUE;
        }
      g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                   "AllowedServerPorts=%s: port %u is not among them (port 0 lets the service pick one)",
                   limits->server_ports_text, options->port);
      return FALSE;
    }
  return TRUE;
}

GVariant *
td_limits_to_variant (const TdLimits *limits)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (limits->max_duration > 0)
    g_variant_dict_insert (&dict, "max_duration", "u", limits->max_duration);
  if (limits->max_parallel > 0)
    g_variant_dict_insert (&dict, "max_parallel", "u", limits->max_parallel);
  if (limits->max_udp_bitrate > 0)
    g_variant_dict_insert (&dict, "max_udp_bitrate", "t", limits->max_udp_bitrate);
  if (limits->targets_text != NULL)
    {
      g_auto(GStrv) entries = g_strsplit (limits->targets_text, ";", -1);
      g_variant_dict_insert_value (&dict, "allowed_targets", g_variant_new_strv ((const char *const *) entries, -1));
    }
  if (limits->server_ports_text != NULL)
    {
      g_auto(GStrv) entries = g_strsplit (limits->server_ports_text, ";", -1);
      g_variant_dict_insert_value (&dict, "allowed_server_ports",
                                   g_variant_new_strv ((const char *const *) entries, -1));
    }
  return g_variant_dict_end (&dict);
}
