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

char *
tr_proto_format_line (const char *kind, gint64 timestamp_us, GVariant *record)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (record);
  g_autofree char *text = g_variant_print (owned, TRUE);

  g_return_val_if_fail (kind_is_valid (kind, strlen (kind)), NULL);
  return g_strdup_printf ("%s %" G_GINT64_FORMAT " %s\n", kind, timestamp_us, text);
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
