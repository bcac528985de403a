/* td-variant-wire.c: a{sv} and arrays of it, straight from the bytes. */
#include "config.h"

#include "td-variant-wire.h"

#include <string.h>

/* Framing offsets are 0, 1, 2, 4 or 8 bytes wide, by container size. */
static gsize
offset_size (gsize size)
{
  if (size > G_MAXUINT32)
    return 8;
  if (size > G_MAXUINT16)
    return 4;
  if (size > G_MAXUINT8)
    return 2;
  return size > 0 ? 1 : 0;
}

static gsize
read_offset (const guint8 *p, gsize width)
{
  guint64 v = 0;

  /* little-endian on the wire of a little-endian host; GVariant data is
   * in host order */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  memcpy (&v, p, width);
#else
  for (gsize i = 0; i < width; i++)
    v |= (guint64) p[i] << (8 * i);
#endif
  return (gsize) v;
}

static gsize
align8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

/* The array's offset table: element count and where the table starts. */
static gboolean
array_layout (const guint8 *data, gsize size, gsize *n, gsize *table)
{
  gsize width = offset_size (size), last_end;

  *n = 0;
  *table = 0;
  if (size == 0)
    return TRUE;
  if (size < width)
    return FALSE;
  last_end = read_offset (data + size - width, width);
  if (last_end > size || (size - last_end) % width != 0)
    return FALSE;
  *n = (size - last_end) / width;
  *table = last_end;
  return TRUE;
}

gssize
td_variant_array_length (const guint8 *data, gsize size)
{
  gsize n, table;

  return array_layout (data, size, &n, &table) ? (gssize) n : -1;
}

gboolean
td_variant_scan_array (const guint8 *data, gsize size, TdElementFunc func, gpointer user_data)
{
  gsize width = offset_size (size), n, table, start = 0;

  if (!array_layout (data, size, &n, &table))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      gsize end = read_offset (data + table + i * width, width);

      if (end < start || end > table)
        return FALSE;
      if (!func ((guint) i, data + start, end - start, user_data))
        return FALSE;
      start = align8 (end);
    }
  return TRUE;
}

typedef struct {
  TdAsvFunc func;
  gpointer  user_data;
} EntryScan;

/* One {sv}: the key, its end as the entry's one framing offset, then the
 * variant (8-aligned): its data, a NUL, its type string. */
static gboolean
scan_entry (guint index, const guint8 *entry, gsize size, gpointer data)
{
  EntryScan *scan = data;
  gsize width = offset_size (size), key_end, value_start, value_end, nul;

  if (size < width + 1)
    return FALSE;
  key_end = read_offset (entry + size - width, width);
  value_end = size - width;
  if (key_end == 0 || key_end > value_end || entry[key_end - 1] != '\0')
    return FALSE;
  value_start = align8 (key_end);
  if (value_start >= value_end)
    return FALSE;
  for (nul = value_end; nul > value_start; nul--)
    if (entry[nul - 1] == '\0')
      break;
  if (nul == value_start || nul == value_end)
    return FALSE;
  /* the type follows the last NUL; the data is before it */
  scan->func ((const char *) entry, (const char *) entry + nul, value_end - nul,
              entry + value_start, nul - 1 - value_start, scan->user_data);
  return TRUE;
}

gboolean
td_variant_scan_asv (const guint8 *data, gsize size, TdAsvFunc func, gpointer user_data)
{
  EntryScan scan = { func, user_data };

  return td_variant_scan_array (data, size, scan_entry, &scan);
}

/* ---- writing ---- */

void
td_asv_builder_init (TdAsvBuilder *b)
{
  b->data = g_byte_array_sized_new (1024);
  b->ends = g_array_sized_new (FALSE, FALSE, sizeof (gsize), 64);
}

void
td_asv_builder_clear (TdAsvBuilder *b)
{
  g_clear_pointer (&b->data, g_byte_array_unref);
  g_clear_pointer (&b->ends, g_array_unref);
}

static void
write_offset (GByteArray *data, gsize value, gsize width)
{
  guint8 bytes[8];

  for (gsize i = 0; i < width; i++)
    bytes[i] = (guint8) (value >> (8 * i));
  g_byte_array_append (data, bytes, (guint) width);
}

/* The width of the framing offsets of a container whose body is @body
 * bytes with @n offsets (gvs_calculate_total_size() in GLib). */
static gsize
width_for (gsize body, gsize n)
{
  if (body + n <= G_MAXUINT8)
    return 1;
  if (body + 2 * n <= G_MAXUINT16)
    return 2;
  if (body + 4 * n <= G_MAXUINT32)
    return 4;
  return 8;
}

/* One {sv} entry: key, padding, the value's data, NUL, its type, and the
 * key's end as the framing offset. */
static void
add_entry (TdAsvBuilder *b, const char *key, const char *type, gconstpointer value, gsize size)
{
  GByteArray *d = b->data;
  gsize key_len = strlen (key) + 1, type_len = strlen (type);
  gsize entry_start = (d->len + 7) & ~(gsize) 7;          /* entries are 8-aligned in the array */
  gsize key_end = key_len;
  gsize value_start = (key_end + 7) & ~(gsize) 7;         /* the variant is 8-aligned in the entry */
  gsize body = value_start + size + 1 + type_len;
  gsize width = width_for (body, 1);
  gsize old_len = d->len;
  guint8 *p;

  /* one resize, zeroed padding, then the parts in place */
  g_byte_array_set_size (d, (guint) (entry_start + body + width));
  p = d->data + entry_start;
  memset (d->data + old_len, 0, entry_start - old_len);
  memcpy (p, key, key_len);
  memset (p + key_end, 0, value_start - key_end);
  memcpy (p + value_start, value, size);
  p[value_start + size] = '\0';
  memcpy (p + value_start + size + 1, type, type_len);
  for (gsize i = 0; i < width; i++)
    p[body + i] = (guint8) (key_end >> (8 * i));
  g_array_append_val (b->ends, d->len);
}

void
td_asv_add_double (TdAsvBuilder *b, const char *key, double value)
{
  add_entry (b, key, "d", &value, 8);
}

void
td_asv_add_uint64 (TdAsvBuilder *b, const char *key, guint64 value)
{
  add_entry (b, key, "t", &value, 8);
}

void
td_asv_add_int64 (TdAsvBuilder *b, const char *key, gint64 value)
{
  add_entry (b, key, "x", &value, 8);
}

void
td_asv_add_uint32 (TdAsvBuilder *b, const char *key, guint32 value)
{
  add_entry (b, key, "u", &value, 4);
}

void
td_asv_add_int32 (TdAsvBuilder *b, const char *key, gint32 value)
{
  add_entry (b, key, "i", &value, 4);
}

void
td_asv_add_boolean (TdAsvBuilder *b, const char *key, gboolean value)
{
  guint8 v = value ? 1 : 0;

  add_entry (b, key, "b", &v, 1);
}

void
td_asv_add_string (TdAsvBuilder *b, const char *key, const char *value)
{
  add_entry (b, key, "s", value, strlen (value) + 1);
}

void
td_asv_add_value (TdAsvBuilder *b, const char *key, GVariant *value)
{
  g_autoptr(GVariant) normal = g_variant_get_normal_form (value);
  gsize size = g_variant_get_size (normal);

  add_entry (b, key, g_variant_get_type_string (normal), size ? g_variant_get_data (normal) : "", size);
}

GVariant *
td_asv_builder_end (TdAsvBuilder *b)
{
  GByteArray *d = b->data;
  gsize n = b->ends->len, width, size;
  gpointer bytes;

  if (n > 0)
    {
      width = width_for (d->len, n);
      for (gsize i = 0; i < n; i++)
        write_offset (d, g_array_index (b->ends, gsize, i), width);
    }
  size = d->len;
  bytes = g_memdup2 (d->data, size);   /* the buffer stays for the next row */
  g_byte_array_set_size (d, 0);
  g_array_set_size (b->ends, 0);
  return g_variant_new_from_data (G_VARIANT_TYPE_VARDICT, bytes, size, TRUE, g_free, bytes);
}
