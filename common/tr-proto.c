/* tr-proto.c: format and parse helper protocol lines. */
#include "tr-proto.h"
#include "tr-error.h"

#include <string.h>

static gboolean
kind_is_valid (const char *kind, gsize len)
{
  if (len == 0 || len > 32)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (kind[i]) && kind[i] != '-')
      return FALSE;
  return TRUE;
}

/* The payload is the a{sv}'s serialised bytes in base64 after a '=':
 * parsing GVariant text costs ten times more than decoding it, and the
 * service reads a hundred records a second when many tests run. */
char *
tr_proto_format_line (const char *kind, gint64 timestamp_us, GVariant *record)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (record);
  g_autoptr(GVariant) normal = g_variant_get_normal_form (owned);
  g_autofree char *data = NULL;

  g_return_val_if_fail (kind_is_valid (kind, strlen (kind)), NULL);
  g_return_val_if_fail (g_variant_is_of_type (owned, G_VARIANT_TYPE_VARDICT), NULL);
  data = g_base64_encode (g_variant_get_data (normal), g_variant_get_size (normal));
  return g_strdup_printf ("%s %" G_GINT64_FORMAT " =%s\n", kind, timestamp_us, data);
}

static GVariant *
decode_payload (const char *text, GError **error)
{
  g_autofree guchar *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) value = NULL;
  gsize len = 0;

  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
      {
        g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "helper record is not valid base64");
        return NULL;
      }
  data = g_base64_decode (text, &len);
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  /* untrusted: GVariant checks every access; the normal form check makes
   * a malformed record an error here rather than empty values later */
  value = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  if (!g_variant_is_normal_form (value))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "helper record is not a valid a{sv}");
      return NULL;
    }
  return g_steal_pointer (&value);
}

gboolean
tr_proto_parse_line (const char *line, char **kind, gint64 *timestamp_us,
                     GVariant **record, GError **error)
{
  const char *space = strchr (line, ' ');
  const char *rest;
  char *end = NULL;
  gint64 ts;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) local_error = NULL;

  if (space == NULL || !kind_is_valid (line, space - line))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "helper line has no valid record kind");
      return FALSE;
    }
  ts = g_ascii_strtoll (space + 1, &end, 10);
  if (end == space + 1 || *end != ' ' || ts < 0)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "helper line has no valid timestamp");
      return FALSE;
    }
  rest = end + 1;
  if (*rest == '=')
    {
      value = decode_payload (rest + 1, error);
      if (value == NULL)
        return FALSE;
    }
  else   /* text form: hand-written lines in tests and debugging */
    value = g_variant_parse (G_VARIANT_TYPE_VARDICT, rest, NULL, NULL, &local_error);
  if (value == NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "helper record is not a valid a{sv}: %s",
                   local_error->message);
      return FALSE;
    }
  *kind = g_strndup (line, space - line);
  *timestamp_us = ts;
  *record = g_steal_pointer (&value);
  return TRUE;
}
