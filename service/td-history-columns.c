/* td-history-columns.c: tests rows <-> a{sv}. */
#include "config.h"

#include "td-history-columns.h"
#include "td-history-sql.h"
#include "td-variant-wire.h"

#include <string.h>

#define COLUMN_ENTRY(name, type, flags) { #name, type, flags },

static const TdHistoryColumn columns[] = {
  { "id", 'u', TD_COL_ROW },
  TD_HISTORY_TEST_COLUMNS (COLUMN_ENTRY)
};

const TdHistoryColumn *
td_history_columns (guint *n_columns)
{
  *n_columns = G_N_ELEMENTS (columns);
  return columns;
}

int
td_history_column_index (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    if (strcmp (columns[i].name, name) == 0)
      return (int) i;
  return -1;
}

/* ---- rows -> a{sv}, written straight in serialised form ---- */

static void
add_column (TdAsvBuilder *b, sqlite3_stmt *stmt, int col, const TdHistoryColumn *c)
{
  sqlite3_int64 i = sqlite3_column_int64 (stmt, col);

  switch (c->type)
    {
    case 'u': td_asv_add_uint32 (b, c->name, (guint32) CLAMP (i, 0, G_MAXUINT32)); break;
    case 't': td_asv_add_uint64 (b, c->name, (guint64) MAX (i, 0)); break;
    case 'x': td_asv_add_int64 (b, c->name, i); break;
    case 'b': td_asv_add_boolean (b, c->name, i != 0); break;
    case 'd': td_asv_add_double (b, c->name, sqlite3_column_double (stmt, col)); break;
    case 's':
      {
        const char *text = td_sql_column_text (stmt, col);

        if (text != NULL && g_utf8_validate (text, -1, NULL))
          td_asv_add_string (b, c->name, text);
      }
      break;
    case 'v':
      {
        const char *text = td_sql_column_text (stmt, col);
        g_autoptr(GVariant) v = text ? g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL) : NULL;

        if (v != NULL)
          td_asv_add_value (b, c->name, v);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

GVariant *
td_history_columns_build (TdAsvBuilder *b, sqlite3_stmt *stmt, int first, TdColumnFlags flags,
                          const gboolean *selected)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      int col = first + (int) i;

      if ((columns[i].flags & flags) != 0 && (selected == NULL || selected[i]) &&
          sqlite3_column_type (stmt, col) != SQLITE_NULL)
        add_column (b, stmt, col, &columns[i]);
    }
  return td_asv_builder_end (b);
}

GVariant *
td_history_columns_to_variant (sqlite3_stmt *stmt, int first, TdColumnFlags flags)
{
  g_auto(TdAsvBuilder) b = { NULL, NULL };

  td_asv_builder_init (&b);
  return td_history_columns_build (&b, stmt, first, flags, NULL);
}

/* Any integer type, for lenient binding. */
static gboolean
variant_int64 (GVariant *v, gint64 *out)
{
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BYTE)) *out = g_variant_get_byte (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT16)) *out = g_variant_get_int16 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16)) *out = g_variant_get_uint16 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32)) *out = g_variant_get_int32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32)) *out = g_variant_get_uint32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64)) *out = g_variant_get_int64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64)) *out = (gint64) MIN (g_variant_get_uint64 (v), (guint64) G_MAXINT64);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN)) *out = g_variant_get_boolean (v);
  else return FALSE;
  return TRUE;
}

void
td_history_columns_bind (sqlite3_stmt *stmt, GVariant *values)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, values);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      g_autofree char *param = g_strconcat (":", key, NULL);
      int index = sqlite3_bind_parameter_index (stmt, param);
      int col = td_history_column_index (key);
      gint64 i;

      if (col < 0)
        {
          g_critical ("history: no column %s", key);
          continue;
        }
      if (index == 0)   /* the statement does not set this column */
        continue;
      switch (columns[col].type)
        {
        case 's':
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
            sqlite3_bind_text (stmt, index, g_variant_get_string (value, NULL), -1, SQLITE_TRANSIENT);
          break;
        case 'd':
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
            sqlite3_bind_double (stmt, index, g_variant_get_double (value));
          else if (variant_int64 (value, &i))
            sqlite3_bind_double (stmt, index, (double) i);
          break;
        case 'v':
          {
            g_autofree char *text = g_variant_print (value, TRUE);

            sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
          }
          break;
        default:
          if (variant_int64 (value, &i))
            sqlite3_bind_int64 (stmt, index, i);
          else
            g_critical ("history: column %s takes an integer, not %s", key, g_variant_get_type_string (value));
          break;
        }
    }
}
