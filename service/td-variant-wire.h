/* td-variant-wire.h: serialised a{sv} data, read and written by hand.
 *
 * The history writer reads ten values from each of up to 129 dictionaries
 * per interval, and the readers build rows of up to 70 keys for thousands
 * of tests or points; going through GVariant's per-child API costs several
 * allocations (and a type lookup under a global lock) per entry and was
 * most of their time. These functions work on the serialised form
 * (https://docs.gtk.org/glib/struct.Variant.html, "GVariant serialisation
 * format", host byte order as g_variant_get_data() gives it).
 *
 * Reading checks every offset against the buffer; anything unexpected
 * makes it return FALSE so that the caller can fall back to the GVariant
 * API. Writing produces the normal form (tests/test-history.c compares it
 * byte for byte with what GVariant itself writes). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One entry of an a{sv}: @key (NUL-terminated), the value's type string
 * (@type, not terminated, @type_len bytes) and its serialised data. */
typedef void (*TdAsvFunc) (const char   *key,
                           const char   *type,
                           gsize         type_len,
                           const guint8 *data,
                           gsize         size,
                           gpointer      user_data);

/* Calls @func for each entry of the serialised a{sv} in @data. */
gboolean td_variant_scan_asv    (const guint8 *data,
                                 gsize         size,
                                 TdAsvFunc     func,
                                 gpointer      user_data);

/* The serialised elements of an array of variable-size elements aligned
 * to 8 (aa{sv} gives each a{sv}); FALSE when malformed. @func returns
 * FALSE to stop (the function then returns FALSE too). */
typedef gboolean (*TdElementFunc) (guint         index,
                                   const guint8 *data,
                                   gsize         size,
                                   gpointer      user_data);
gboolean td_variant_scan_array  (const guint8  *data,
                                 gsize          size,
                                 TdElementFunc  func,
                                 gpointer       user_data);
/* The number of elements of such an array, or -1 when malformed. */
gssize   td_variant_array_length (const guint8 *data,
                                  gsize         size);

/* Builds one a{sv} of basic values in normal form. */
typedef struct {
  GByteArray *data;
  GArray     *ends;      /* gsize: where each entry ends */
} TdAsvBuilder;

void      td_asv_builder_init       (TdAsvBuilder *b);
void      td_asv_builder_clear      (TdAsvBuilder *b);
void      td_asv_add_double         (TdAsvBuilder *b, const char *key, double      value);
void      td_asv_add_uint64         (TdAsvBuilder *b, const char *key, guint64     value);
void      td_asv_add_int64          (TdAsvBuilder *b, const char *key, gint64      value);
void      td_asv_add_uint32         (TdAsvBuilder *b, const char *key, guint32     value);
void      td_asv_add_int32          (TdAsvBuilder *b, const char *key, gint32      value);
void      td_asv_add_boolean        (TdAsvBuilder *b, const char *key, gboolean    value);
/* @value must be valid UTF-8 without NUL. */
void      td_asv_add_string         (TdAsvBuilder *b, const char *key, const char *value);
/* Any value (serialised by GVariant); @value is only read (not floating). */
void      td_asv_add_value          (TdAsvBuilder *b, const char *key, GVariant   *value);
/* The a{sv} (a floating reference); the builder is reset. */
GVariant *td_asv_builder_end        (TdAsvBuilder *b);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TdAsvBuilder, td_asv_builder_clear)

G_END_DECLS
