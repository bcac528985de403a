/* fuzz-iperf-parser.c: libFuzzer target for the iperf3 text parser.
 *
 * With libFuzzer (clang):
 *   clang -g -fsanitize=fuzzer,address,undefined -Icommon \
 *     $(pkg-config --cflags glib-2.0) common/tr-iperf-parser.c \
 *     tests/fuzz-iperf-parser.c $(pkg-config --libs glib-2.0) -lm -o fuzz
 *   ./fuzz -max_total_time=60 tests/fixtures/iperf
 * Without it, build with -DTR_FUZZ_STANDALONE: every argument (a file, or a
 * directory of files) is run through the target once, e.g. to replay a
 * crash or, as a test, the fixtures.
 *
 * The first input byte picks the role and the set_mode() hints; the rest is
 * split into lines. Every record must be an a{sv} whose doubles are finite
 * and not negative.
 */
#include "tr-iperf-parser.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check (const char *kind, GVariant *record, gpointer user_data)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (!g_variant_is_of_type (record, G_VARIANT_TYPE_VARDICT))
    abort ();
  g_variant_iter_init (&iter, record);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        {
          double d = g_variant_get_double (value);

          if (!isfinite (d) || d < 0)
            abort ();
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (TrIperfParser) parser = NULL;
  const char *p, *end;
  guint8 flags;

  if (size == 0)
    return 0;
  flags = data[0];
  parser = tr_iperf_parser_new (flags & 1 ? TR_IPERF_ROLE_SERVER
                                          : TR_IPERF_ROLE_CLIENT,
                                check, NULL);
  if (flags & 2)
    tr_iperf_parser_set_mode (parser, flags & 4, flags & 8, flags >> 4);

  p = (const char *) data + 1;
  end = (const char *) data + size;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      size_t len = (size_t) ((nl != NULL ? nl : end) - p);
      g_autofree char *line = g_strndup (p, len);  /* stops at a NUL */

      tr_iperf_parser_feed_line (parser, line);
      p += len + 1;
    }
  tr_iperf_parser_finish (parser);
  return 0;
}

#ifdef TR_FUZZ_STANDALONE
static int
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return 1;
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  return 0;
}

/* Arguments: files, or directories whose files are all run. */
int
main (int argc, char **argv)
{
  int i;

  for (i = 1; i < argc; i++)
    {
      g_autoptr (GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      if (dir == NULL)
        {
          if (run_file (argv[i]) != 0)
            return 1;
          continue;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);

          if (run_file (path) != 0)
            return 1;
        }
    }
  return 0;
}
#endif
