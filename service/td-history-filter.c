/* td-history-filter.c: parsing and checking History a{sv} arguments. */
#include "config.h"

#include "td-history-filter.h"
#include "td-history-columns.h"
#include "tr-error.h"

#include <string.h>

#define LIST_KEYS (TD_FILTER_KEYS_LIST | TD_FILTER_KEYS_TRENDS | TD_FILTER_KEYS_EXPORT)
#define PAGING_KEYS (TD_FILTER_KEYS_LIST | TD_FILTER_KEYS_TEST | TD_FILTER_KEYS_EXPORT | TD_FILTER_KEYS_LOGS)

typedef enum { K_INT, K_STRING, K_BOOL, K_COLUMNS } Kind;

typedef struct {
  const char  *name;
  guint        keys;       /* TdFilterKeys where it is accepted */
  Kind         kind;
  gint64       min, max;   /* K_INT: range; K_STRING: length */
  const char  *const *choices;
} KeySpec;

static const char *const protocols[] = { "tcp", "udp", NULL };
static const char *const states[] = { "queued", "pending", "connecting", "running", "finished", "failed",
                                      "stopped", "interrupted", NULL };
static const char *const roles[] = { "client", "server", NULL };
static const char *const orders[] = { "newest", "oldest", NULL };
static const char *const group_bys[] = { "host", "label", NULL };
static const char *const directions[] = { "any", "forward", "reverse", NULL };

static const KeySpec specs[] = {
  { "since",          LIST_KEYS, K_INT, 0, G_MAXINT64, NULL },
  { "until",          LIST_KEYS, K_INT, 0, G_MAXINT64, NULL },
  { "host",           LIST_KEYS, K_STRING, 1, 253, NULL },
  { "protocol",       LIST_KEYS, K_STRING, 0, 0, protocols },
  { "state",          LIST_KEYS, K_STRING, 0, 0, states },
  { "owner",          LIST_KEYS, K_INT, 0, G_MAXUINT32, NULL },
  { "label",          LIST_KEYS, K_STRING, 0, 256, NULL },
  { "role",           LIST_KEYS, K_STRING, 0, 0, roles },
  { "order",          TD_FILTER_KEYS_LIST | TD_FILTER_KEYS_EXPORT, K_STRING, 0, 0, orders },
  { "offset",         PAGING_KEYS, K_INT, 0, G_MAXUINT32, NULL },
  { "limit",          PAGING_KEYS, K_INT, 1, G_MAXUINT32, NULL },   /* per-method maximum below */
  { "group_by",       TD_FILTER_KEYS_TRENDS, K_STRING, 0, 0, group_bys },
  { "bucket_seconds", TD_FILTER_KEYS_TRENDS, K_INT, 60, 366 * 86400, NULL },
  { "direction",      TD_FILTER_KEYS_TRENDS, K_STRING, 0, 0, directions },
  { "max_points",     TD_FILTER_KEYS_TEST, K_INT, 0, TD_HISTORY_MAX_POINTS, NULL },
  { "streams",        TD_FILTER_KEYS_TEST | TD_FILTER_KEYS_EXPORT, K_BOOL, 0, 0, NULL },
  { "test",           TD_FILTER_KEYS_EXPORT, K_INT, 1, G_MAXUINT32, NULL },
  { "columns",        TD_FILTER_KEYS_LIST | TD_FILTER_KEYS_EXPORT, K_COLUMNS, 1, 200, NULL },
};

TdHistoryFilter *
td_history_filter_new (TdFilterKeys keys)
{
  TdHistoryFilter *f = g_new0 (TdHistoryFilter, 1);

  f->since = 0;
  f->until = G_MAXINT64;
  f->limit = (keys & TD_FILTER_KEYS_LIST) ? TD_HISTORY_DEFAULT_LIST :
             (keys & TD_FILTER_KEYS_LOGS) ? TD_HISTORY_DEFAULT_LOGS :
             (keys & TD_FILTER_KEYS_TEST) ? TD_HISTORY_MAX_RAW : 0;
  f->bucket_seconds = 86400;
  f->direction = -1;
  f->max_points = TD_HISTORY_DEFAULT_POINTS;
  return f;
}

void
td_history_filter_free (TdHistoryFilter *f)
{
  if (f == NULL)
    return;
  g_free (f->host);
  g_free (f->protocol);
  g_free (f->state);
  g_free (f->label);
  g_free (f->role);
  g_free (f->columns);
  g_free (f);
}

static gboolean
get_int (GVariant *v, gint64 *out, gboolean *too_big)
{
  *too_big = FALSE;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BYTE)) *out = g_variant_get_byte (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT16)) *out = g_variant_get_int16 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16)) *out = g_variant_get_uint16 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32)) *out = g_variant_get_int32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32)) *out = g_variant_get_uint32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64)) *out = g_variant_get_int64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    {
      guint64 u = g_variant_get_uint64 (v);

      *too_big = u > G_MAXINT64;
      *out = *too_big ? G_MAXINT64 : (gint64) u;
    }
  else
    return FALSE;
  return TRUE;
}

static guint
max_limit (TdFilterKeys keys)
{
  if (keys & TD_FILTER_KEYS_LIST)
    return TD_HISTORY_MAX_LIST;
  if (keys & TD_FILTER_KEYS_LOGS)
    return TD_HISTORY_MAX_LOGS;
  if (keys & TD_FILTER_KEYS_TEST)
    return TD_HISTORY_MAX_RAW;
  return G_MAXUINT32;
}

static gboolean
check_string (const KeySpec *spec, const char *s, GError **error)
{
  glong len = g_utf8_strlen (s, -1);

  if (spec->choices != NULL)
    {
      if (g_strv_contains ((const char *const *) spec->choices, s))
        return TRUE;
      {
        g_autofree char *list = g_strjoinv ("\", \"", (char **) spec->choices);
        g_autofree char *shown = g_strescape (s, NULL);

        g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                     "%s: must be one of \"%s\", got \"%.64s\"", spec->name, list, shown);
      }
      return FALSE;
    }
  if (len < spec->min || len > spec->max)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "%s: must have %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " characters, got %ld",
                   spec->name, spec->min, spec->max, len);
      return FALSE;
    }
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: must not contain control characters",
                     spec->name);
        return FALSE;
      }
  return TRUE;
}

static void
store (TdHistoryFilter *f, const char *name, gint64 i, const char *s, gboolean b)
{
  if (strcmp (name, "since") == 0) f->since = i;
  else if (strcmp (name, "until") == 0) f->until = i;
  else if (strcmp (name, "host") == 0) f->host = g_strdup (s);
  else if (strcmp (name, "protocol") == 0) f->protocol = g_strdup (s);
  else if (strcmp (name, "state") == 0) f->state = g_strdup (s);
  else if (strcmp (name, "owner") == 0) { f->owner = (guint32) i; f->has_owner = TRUE; }
  else if (strcmp (name, "label") == 0) f->label = g_strdup (s);
  else if (strcmp (name, "role") == 0) f->role = g_strdup (s);
  else if (strcmp (name, "order") == 0) f->oldest_first = strcmp (s, "oldest") == 0;
  else if (strcmp (name, "offset") == 0) f->offset = (guint) i;
  else if (strcmp (name, "limit") == 0) f->limit = (guint) i;
  else if (strcmp (name, "group_by") == 0) f->group_by_label = strcmp (s, "label") == 0;
  else if (strcmp (name, "bucket_seconds") == 0) f->bucket_seconds = (guint) i;
  else if (strcmp (name, "direction") == 0) f->direction = strcmp (s, "any") == 0 ? -1 : strcmp (s, "reverse") == 0;
  else if (strcmp (name, "max_points") == 0) f->max_points = (guint) i;
  else if (strcmp (name, "streams") == 0) f->streams = b;
  else if (strcmp (name, "test") == 0) { f->test = (guint) i; f->has_test = TRUE; }
}

/* "columns" (as): the row columns to return; "id" always comes. */
static gboolean
parse_columns (TdHistoryFilter *f, GVariant *value, GError **error)
{
  const TdHistoryColumn *columns;
  guint n_columns;
  gsize n;

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "columns: must be an array of strings (as), got type %s",
                   g_variant_get_type_string (value));
      return FALSE;
    }
  columns = td_history_columns (&n_columns);
  n = g_variant_n_children (value);
  if (n == 0 || n > 200)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "columns: must name 1 to 200 columns, got %zu", n);
      return FALSE;
    }
  g_free (f->columns);
  f->columns = g_new0 (gboolean, n_columns);
  f->columns[0] = TRUE;   /* id */
  for (gsize i = 0; i < n; i++)
    {
      const char *name;
      int index;

      g_variant_get_child (value, i, "&s", &name);
      index = td_history_column_index (name);
      if (index < 0 || (columns[index].flags & TD_COL_ROW) == 0)
        {
          g_autofree char *shown = g_strescape (name, NULL);

          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "columns: “%.64s” is not a column of a test row",
                       shown);
          return FALSE;
        }
      f->columns[index] = TRUE;
    }
  return TRUE;
}

static const KeySpec *
find_spec (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    if (strcmp (specs[i].name, name) == 0)
      return &specs[i];
  return NULL;
}

TdHistoryFilter *
td_history_filter_parse (GVariant *dict, TdFilterKeys keys, GError **error)
{
  g_autoptr(TdHistoryFilter) f = td_history_filter_new (keys);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      const KeySpec *spec = find_spec (key);
      gint64 i = 0;
      gboolean too_big;

      if (spec == NULL || (spec->keys & keys) == 0)
        {
          g_autofree char *shown = g_strescape (key, NULL);

          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%.64s: unknown key here", shown);
          return NULL;
        }
      switch (spec->kind)
        {
        case K_INT:
          {
            gint64 max = strcmp (key, "limit") == 0 ? (gint64) max_limit (keys) : spec->max;

            if (!get_int (value, &i, &too_big))
              {
                g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: must be an integer, got type %s",
                             key, g_variant_get_type_string (value));
                return NULL;
              }
            if (too_big || i < spec->min || i > max)
              {
                g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                             "%s: must be from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ", got %s%" G_GINT64_FORMAT,
                             key, spec->min, max, too_big ? "more than " : "", i);
                return NULL;
              }
            store (f, key, i, NULL, FALSE);
          }
          break;
        case K_STRING:
          if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
            {
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: must be a string (s), got type %s",
                           key, g_variant_get_type_string (value));
              return NULL;
            }
          if (!check_string (spec, g_variant_get_string (value, NULL), error))
            return NULL;
          store (f, key, 0, g_variant_get_string (value, NULL), FALSE);
          break;
        case K_COLUMNS:
          if (!parse_columns (f, value, error))
            return NULL;
          break;
        case K_BOOL:
          if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
            {
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "%s: must be a boolean (b), got type %s",
                           key, g_variant_get_type_string (value));
              return NULL;
            }
          store (f, key, 0, NULL, g_variant_get_boolean (value));
          break;
        default:
          g_assert_not_reached ();
        }
    }

  if (f->until <= f->since)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "until: must be later than since");
      return NULL;
    }
  if ((keys & TD_FILTER_KEYS_TEST) && f->streams && f->max_points != 0)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "streams: per-stream samples come raw only: pass max_points 0 with streams true");
      return NULL;
    }
  if ((keys & TD_FILTER_KEYS_EXPORT) && f->has_test && f->columns != NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "columns: only for the list of tests, not with test");
      return NULL;
    }
  if ((keys & TD_FILTER_KEYS_EXPORT) && !f->has_test && f->streams)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "streams: only with test (the samples of one test)");
      return NULL;
    }
  return g_steal_pointer (&f);
}
