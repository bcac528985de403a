/* runner-emit.c: thread-safe writer of protocol records. */
#include "runner-emit.h"
#include "tr-proto.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static GMutex emit_lock;
static int emit_fd = -1;

void
runner_emit_init (int fd)
{
  emit_fd = fd;
}

static void
write_all (const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (emit_fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;   /* the service is gone; nothing left to tell */
      data += n;
      len -= (gsize) n;
    }
}

void
runner_emit (const char *kind, GVariant *record)
{
  g_autofree char *line = tr_proto_format_line (kind, g_get_real_time (), record);

  if (line == NULL || emit_fd < 0)
    return;
  g_mutex_lock (&emit_lock);
  write_all (line, strlen (line));
  g_mutex_unlock (&emit_lock);
}

void
runner_emit_log (guint level, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;
  GVariantDict dict;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "level", "u", level);
  g_variant_dict_insert (&dict, "text", "s", text);
  runner_emit ("log", g_variant_dict_end (&dict));
}

void
runner_emit_error (const char *kind, int code, int errnum, const char *message)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "kind", "s", kind);
  g_variant_dict_insert (&dict, "code", "i", code);
  g_variant_dict_insert (&dict, "errno", "i", errnum);
  g_variant_dict_insert (&dict, "message", "s", message);
  runner_emit ("error", g_variant_dict_end (&dict));
}

static gboolean end_emitted;

gboolean
runner_emit_end_done (void)
{
  return end_emitted;
}

void
runner_emit_end (const char *status)
{
  GVariantDict d;

  if (end_emitted)
    return;
  end_emitted = TRUE;
  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "status", "s", status);
  runner_emit ("end", g_variant_dict_end (&d));
}
