/* tr-iperf-parser.c: incremental parser for iperf3 3.12 text output.
 *
 * Records (GVariant a{sv}) handed to the TrIperfRecordFunc, by kind:
 *
 *   "connected"  socket i, local_address s, local_port u, remote_address s,
 *                remote_port u
 *   "accepted"   remote_address s, remote_port u
 *   "cookie"     cookie s
 *   "start"      protocol s, streams u, block_size u, omit u, duration u,
 *                bytes t, tos u, reverse b, bidirectional b (+ blocks t for
 *                -k tests). A client's is emitted on the "Starting Test"
 *                line itself (it marks when measuring begins); a server's
 *                when the next line is fed (the "[ ID] Interval ..." header,
 *                printed with the first interval), because on the server
 *                that header is the only thing telling a reverse test (the
 *                server sends: Retr / Total Datagrams columns) from a
 *                normal one.
 *   "interval"   direction s, start d, end d, seconds d, bytes t,
 *                bits_per_second d, omitted b, retransmits x (TCP; -1 when
 *                the column is absent, i.e. on the receiving side),
 *                cwnd_bytes t (TCP sender), jitter_ms d, lost_packets t,
 *                packets t, lost_percent d (UDP receiver), packets t (UDP
 *                sender), streams aa{sv} (same keys + socket i). Emitted as
 *                soon as a direction's block is complete: on the stream line
 *                itself with one stream per direction, on the [SUM] line
 *                otherwise. iperf re-prints the last interval when the peer
 *                terminates the test; such a repeat (same direction, start,
 *                end and omitted flag as the previous one) is dropped.
 *   "summary"    direction s, role s, start d, end d, seconds d, bytes t,
 *                bits_per_second d, retransmits x / jitter_ms d /
 *                lost_packets t / packets t / lost_percent d as present,
 *                streams aa{sv}
 *   "cpu"        local_total d, local_user d, local_system d, remote_total d,
 *                remote_user d, remote_system d (a line repeating the
 *                previous numbers, as bidir tests print, is not re-emitted)
 *   "congestion" sender s, receiver s: emitted on each snd_/rcv_tcp_congestion
 *                line that changes what is known; "" for a side not known yet
 *   "error"      message s: "iperf3: error - X" gives "X"; "iperf3: X"
 *                gives "X" (so an interrupt is "interrupt - the client has
 *                terminated"); the same without the "iperf3: " prefix
 *   "warning"    message s
 *   "done"       (empty) for "iperf Done."
 *   "unparsed"   line s, for any line not understood (or with out of range
 *                numbers) that is not a known header/ignorable line
 *
 * Numbers are parsed with g_ascii_strto*() and checked: non-finite values,
 * negative amounts, rates or times, and absurdly large values make the line
 * "unparsed". iperf may print negative UDP loss counts (duplicated
 * datagrams); those are clamped to 0 and percentages to [0, 100].
 */
#include "tr-iperf-parser.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define MAX_STREAMS 256
#define MAX_TOKENS 24
#define MAX_SECONDS 1e7
#define MAX_AMOUNT_BYTES 9.0e18
#define MAX_RATE_BPS 1e18
#define MAX_SOCKET 1000000
#define MAX_PACKETS ((gint64) 1 << 53)
#define MAX_CPU_PERCENT 1e6
#define MAX_JITTER_MS 1e9

typedef enum {
  DIR_FORWARD,
  DIR_REVERSE,
  N_DIRS
} Direction;

typedef enum {
  ROW_SENDER,
  ROW_RECEIVER,
  N_ROW_ROLES
} RowRole;

typedef enum {
  PROTO_UNKNOWN,
  PROTO_TCP,
  PROTO_UDP,
  PROTO_OTHER,
} Proto;

typedef enum {
  TAG_NONE,
  TAG_TX_C,
  TAG_RX_C,
  TAG_TX_S,
  TAG_RX_S,
} Tag;

typedef enum {
  SUFFIX_NONE,
  SUFFIX_OMITTED,
  SUFFIX_SENDER,
  SUFFIX_RECEIVER,
} Suffix;

/* One interval or summary line ("[  5] ..." or "[SUM] ..."). */
typedef struct {
  gint socket;
  gboolean is_sum;
  Tag tag;
  Suffix suffix;
  double start;
  double end;
  guint64 bytes;
  double bps;
  gboolean has_retr;
  gint64 retr;
  gboolean has_cwnd;
  guint64 cwnd;
  gboolean has_jitter;          /* UDP receiver columns (also lost/total/%) */
  double jitter_ms;
  guint64 lost;
  double lost_percent;
  gboolean has_packets;         /* UDP: total datagrams (sender or receiver) */
  guint64 packets;
} Row;

/* Stream lines waiting for their [SUM] line. */
typedef struct {
  GArray *rows;                 /* of Row; lines past MAX_STREAMS are dropped */
} Block;

typedef struct {
  gboolean valid;
  double start;
  double end;
  gboolean omitted;
} LastInterval;

typedef struct {
  char *protocol;
  guint streams;
  guint block_size;
  guint omit;
  guint duration;
  guint64 bytes;
  gboolean has_blocks;
  guint64 blocks;
  guint tos;
} StartInfo;

struct _TrIperfParser {
  TrIperfRole role;
  TrIperfRecordFunc func;
  gpointer user_data;

  /* What the caller said (set_mode); the per-test state starts from it. */
  gboolean mode_reverse;
  gboolean mode_bidir;
  guint mode_parallel;

  /* Per test */
  gboolean reverse;
  gboolean reverse_known;       /* the output said (client: "Reverse mode") */
  gboolean bidir;
  guint streams;                /* per direction, from "Starting Test" */
  Proto proto;
  Proto header_proto;           /* guessed from the last "[ ID]" header */
  guint n_connected;
  gboolean started;
  gboolean start_pending;
  StartInfo start;
  gboolean expect_sum[N_DIRS];  /* a [SUM] line was seen for the direction */
  Block intervals[N_DIRS];
  Block summaries[N_DIRS][N_ROW_ROLES];
  LastInterval last[N_DIRS];
  gboolean have_cpu;
  double cpu[6];
  char *cong_sender;
  char *cong_receiver;

  gboolean after_version;
};

/* ---------------------------------------------------------------------- */
/* Numbers */

static gboolean
starts_number (const char *s, gboolean allow_minus)
{
  if (s == NULL)
    return FALSE;
  if (allow_minus && s[0] == '-')
    s++;
  return g_ascii_isdigit (s[0]) || (s[0] == '.' && g_ascii_isdigit (s[1]));
}

/* The whole of @s is a finite number in [min, max]. */
static gboolean
parse_double (const char *s, double min, double max, double *out)
{
  char *end = NULL;
  double v;

  if (!starts_number (s, min < 0))
    return FALSE;
  v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0' || !isfinite (v) || v < min || v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

/* A number at the start of *p (no leading space), *p moved past it. */
static gboolean
scan_double (const char **p, double min, double max, double *out)
{
  char *end = NULL;
  double v;

  if (!starts_number (*p, min < 0))
    return FALSE;
  v = g_ascii_strtod (*p, &end);
  if (end == *p || !isfinite (v) || v < min || v > max)
    return FALSE;
  *p = end;
  *out = v;
  return TRUE;
}

static gboolean
parse_u64 (const char *s, guint64 max, guint64 *out)
{
  char *end = NULL;
  guint64 v;

  if (s == NULL || !g_ascii_isdigit (s[0]))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_i64 (const char *s, gint64 min, gint64 max, gint64 *out)
{
  char *end = NULL;
  gint64 v;

  if (!starts_number (s, TRUE) || strchr (s, '.') != NULL)
    return FALSE;
  errno = 0;
  v = g_ascii_strtoll (s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_uint (const char *s, guint *out)
{
  guint64 v;

  if (!parse_u64 (s, G_MAXUINT32, &v))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_port (const char *s, guint *out)
{
  guint64 v;

  if (!parse_u64 (s, 65535, &v))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
amount_multiplier (const char *unit, double *mult)
{
  static const struct { const char *name; double mult; } units[] = {
    { "Bytes", 1.0 },
    { "KBytes", 1024.0 },
    { "MBytes", 1024.0 * 1024.0 },
    { "GBytes", 1024.0 * 1024.0 * 1024.0 },
    { "TBytes", 1024.0 * 1024.0 * 1024.0 * 1024.0 },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (strcmp (unit, units[i].name) == 0)
        {
          *mult = units[i].mult;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
rate_multiplier (const char *unit, double *mult)
{
  static const struct { const char *name; double mult; } units[] = {
    { "bits/sec", 1.0 },
    { "Kbits/sec", 1e3 },
    { "Mbits/sec", 1e6 },
    { "Gbits/sec", 1e9 },
    { "Tbits/sec", 1e12 },
    /* -f K/M/G/T print byte rates, base 1024 like the amounts */
    { "Bytes/sec", 8.0 },
    { "KBytes/sec", 8.0 * 1024.0 },
    { "MBytes/sec", 8.0 * 1024.0 * 1024.0 },
    { "GBytes/sec", 8.0 * 1024.0 * 1024.0 * 1024.0 },
    { "TBytes/sec", 8.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0 },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (strcmp (unit, units[i].name) == 0)
        {
          *mult = units[i].mult;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
tr_iperf_parse_amount (const char *number,
                       const char *unit,
                       guint64    *bytes)
{
  double v, mult;

  if (number == NULL || unit == NULL || bytes == NULL)
    return FALSE;
  if (!parse_double (number, 0.0, G_MAXDOUBLE, &v)
      || !amount_multiplier (unit, &mult))
    return FALSE;
  v *= mult;
  if (!isfinite (v) || v >= MAX_AMOUNT_BYTES)
    return FALSE;
  *bytes = (guint64) (v + 0.5);
  return TRUE;
}

gboolean
tr_iperf_parse_rate (const char *number,
                     const char *unit,
                     double     *bits_per_second)
{
  double v, mult;

  if (number == NULL || unit == NULL || bits_per_second == NULL)
    return FALSE;
  if (!parse_double (number, 0.0, G_MAXDOUBLE, &v)
      || !rate_multiplier (unit, &mult))
    return FALSE;
  v *= mult;
  if (!isfinite (v) || v > MAX_RATE_BPS)
    return FALSE;
  *bits_per_second = v;
  return TRUE;
}

/* "0.00-1.00" */
static gboolean
parse_time_range (const char *s, double *start, double *end)
{
  char buf[64];
  const char *dash;
  gsize n;

  dash = strchr (s, '-');
  if (dash == NULL || dash == s)
    return FALSE;
  n = (gsize) (dash - s);
  if (n >= sizeof buf)
    return FALSE;
  memcpy (buf, s, n);
  buf[n] = '\0';
  if (!parse_double (buf, 0.0, MAX_SECONDS, start)
      || !parse_double (dash + 1, 0.0, MAX_SECONDS, end))
    return FALSE;
  return *end >= *start;
}

/* "3892/5173"; iperf prints %d for both and can print a negative loss. */
static gboolean
parse_lost_total (const char *s, guint64 *lost, guint64 *total)
{
  char buf[32];
  const char *slash;
  gsize n;
  gint64 l, t;

  slash = strchr (s, '/');
  if (slash == NULL)
    return FALSE;
  n = (gsize) (slash - s);
  if (n >= sizeof buf)
    return FALSE;
  memcpy (buf, s, n);
  buf[n] = '\0';
  if (!parse_i64 (buf, -MAX_PACKETS, MAX_PACKETS, &l)
      || !parse_i64 (slash + 1, -MAX_PACKETS, MAX_PACKETS, &t))
    return FALSE;
  *lost = l > 0 ? (guint64) l : 0;
  *total = t > 0 ? (guint64) t : 0;
  return TRUE;
}

/* "(0%)", "(75%)", "(1e+02%)", "(nan%)" (%.2g of lost/total*100) */
static gboolean
parse_percent_paren (const char *s, double *out)
{
  char buf[32];
  gsize len = strlen (s);
  double v;

  if (len < 4 || s[0] != '(' || s[len - 2] != '%' || s[len - 1] != ')')
    return FALSE;
  if (len - 3 >= sizeof buf)
    return FALSE;
  memcpy (buf, s + 1, len - 3);
  buf[len - 3] = '\0';
  if (strcmp (buf, "nan") == 0 || strcmp (buf, "-nan") == 0)
    {
      *out = 0.0;
      return TRUE;
    }
  if (!parse_double (buf, -G_MAXDOUBLE, G_MAXDOUBLE, &v))
    return FALSE;
  *out = CLAMP (v, 0.0, 100.0);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Text helpers */

typedef struct {
  char *tok[MAX_TOKENS];
  guint n;
  gboolean overflow;
} Tokens;

/* Splits @s in place on blanks. */
static void
tokenize (char *s, Tokens *t)
{
  t->n = 0;
  t->overflow = FALSE;
  for (;;)
    {
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s == '\0')
        break;
      if (t->n == MAX_TOKENS)
        {
          t->overflow = TRUE;
          break;
        }
      t->tok[t->n++] = s;
      while (*s != '\0' && *s != ' ' && *s != '\t')
        s++;
      if (*s != '\0')
        *s++ = '\0';
    }
}

static const char *
skip_blanks (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* If @s starts with @prefix, the text after it, else NULL. */
static const char *
after_prefix (const char *s, const char *prefix)
{
  gsize n = strlen (prefix);

  return strncmp (s, prefix, n) == 0 ? s + n : NULL;
}

static gboolean
is_separator (const char *s)
{
  guint dashes = 0;

  for (; *s != '\0'; s++)
    {
      if (*s == '-')
        dashes++;
      else if (*s != ' ')
        return FALSE;
    }
  return dashes >= 3;
}

/* ---------------------------------------------------------------------- */
/* State */

static void
block_clear (Block *block)
{
  if (block->rows != NULL)
    g_array_set_size (block->rows, 0);
}

static guint
block_len (const Block *block)
{
  return block->rows != NULL ? block->rows->len : 0;
}

static void
block_add (Block *block, const Row *row)
{
  if (block->rows == NULL)
    block->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  if (block->rows->len < MAX_STREAMS)
    g_array_append_val (block->rows, *row);
}

static void
block_free (Block *block)
{
  g_clear_pointer (&block->rows, g_array_unref);
}

static void
reset_test (TrIperfParser *self)
{
  int d, r;

  self->reverse = self->mode_reverse;
  self->reverse_known = FALSE;
  self->bidir = self->mode_bidir;
  self->streams = 0;
  self->proto = PROTO_UNKNOWN;
  self->header_proto = PROTO_UNKNOWN;
  self->n_connected = 0;
  self->started = FALSE;
  self->start_pending = FALSE;
  g_clear_pointer (&self->start.protocol, g_free);
  memset (&self->start, 0, sizeof self->start);
  for (d = 0; d < N_DIRS; d++)
    {
      self->expect_sum[d] = FALSE;
      self->last[d].valid = FALSE;
      block_clear (&self->intervals[d]);
      for (r = 0; r < N_ROW_ROLES; r++)
        block_clear (&self->summaries[d][r]);
    }
  self->have_cpu = FALSE;
  g_clear_pointer (&self->cong_sender, g_free);
  g_clear_pointer (&self->cong_receiver, g_free);
}

TrIperfParser *
tr_iperf_parser_new (TrIperfRole       role,
                     TrIperfRecordFunc func,
                     gpointer          user_data)
{
  TrIperfParser *self = g_new0 (TrIperfParser, 1);

  self->role = role == TR_IPERF_ROLE_SERVER ? TR_IPERF_ROLE_SERVER
                                            : TR_IPERF_ROLE_CLIENT;
  self->func = func;
  self->user_data = user_data;
  reset_test (self);
  return self;
}

void
tr_iperf_parser_free (TrIperfParser *self)
{
  int d, r;

  if (self == NULL)
    return;
  for (d = 0; d < N_DIRS; d++)
    {
      block_free (&self->intervals[d]);
      for (r = 0; r < N_ROW_ROLES; r++)
        block_free (&self->summaries[d][r]);
    }
  g_free (self->start.protocol);
  g_free (self->cong_sender);
  g_free (self->cong_receiver);
  g_free (self);
}

void
tr_iperf_parser_set_mode (TrIperfParser *self,
                          gboolean       reverse,
                          gboolean       bidirectional,
                          guint          parallel)
{
  if (self == NULL)
    return;
  self->mode_reverse = !!reverse;
  self->mode_bidir = !!bidirectional;
  self->mode_parallel = MIN (parallel, MAX_STREAMS);
  if (!self->started)
    {
      if (!self->reverse_known)
        self->reverse = self->mode_reverse;
      self->bidir = self->mode_bidir;
    }
}

static gboolean
is_client (TrIperfParser *self)
{
  return self->role == TR_IPERF_ROLE_CLIENT;
}

static guint
streams_per_direction (TrIperfParser *self)
{
  if (self->streams > 0)
    return self->streams;
  if (self->mode_parallel > 0)
    return self->mode_parallel;
  if (self->n_connected > 0)
    return MAX (1, self->bidir ? self->n_connected / 2 : self->n_connected);
  return 1;
}

/* ---------------------------------------------------------------------- */
/* Emitting */

static void
emit (TrIperfParser *self, const char *kind, GVariantBuilder *builder)
{
  GVariant *record = g_variant_ref_sink (g_variant_builder_end (builder));

  if (self->func != NULL)
    self->func (kind, record, self->user_data);
  g_variant_unref (record);
}

static void
emit_message (TrIperfParser *self, const char *kind, const char *key,
              const char *text)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", key, g_variant_new_string (text));
  emit (self, kind, &b);
}

static void
emit_unparsed (TrIperfParser *self, const char *line)
{
  emit_message (self, "unparsed", "line", line);
}

static const char *
direction_name (Direction dir)
{
  return dir == DIR_REVERSE ? "reverse" : "forward";
}

static void
add_row_values (TrIperfParser *self, GVariantBuilder *b, const Row *row)
{
  g_variant_builder_add (b, "{sv}", "start", g_variant_new_double (row->start));
  g_variant_builder_add (b, "{sv}", "end", g_variant_new_double (row->end));
  g_variant_builder_add (b, "{sv}", "seconds",
                         g_variant_new_double (row->end - row->start));
  g_variant_builder_add (b, "{sv}", "bytes", g_variant_new_uint64 (row->bytes));
  g_variant_builder_add (b, "{sv}", "bits_per_second",
                         g_variant_new_double (row->bps));
  if (row->has_retr || self->proto == PROTO_TCP)
    g_variant_builder_add (b, "{sv}", "retransmits",
                           g_variant_new_int64 (row->has_retr ? row->retr : -1));
  if (row->has_cwnd)
    g_variant_builder_add (b, "{sv}", "cwnd_bytes",
                           g_variant_new_uint64 (row->cwnd));
  if (row->has_jitter)
    {
      g_variant_builder_add (b, "{sv}", "jitter_ms",
                             g_variant_new_double (row->jitter_ms));
      g_variant_builder_add (b, "{sv}", "lost_packets",
                             g_variant_new_uint64 (row->lost));
      g_variant_builder_add (b, "{sv}", "lost_percent",
                             g_variant_new_double (row->lost_percent));
    }
  if (row->has_packets)
    g_variant_builder_add (b, "{sv}", "packets",
                           g_variant_new_uint64 (row->packets));
}

/* Sum of stream rows, for a block whose [SUM] line never came. */
static void
compute_sum (const Block *block, Row *sum)
{
  guint i, n_jitter = 0;
  gboolean all_retr = TRUE;
  double jitter = 0.0;

  memset (sum, 0, sizeof *sum);
  sum->is_sum = TRUE;
  sum->socket = -1;
  for (i = 0; i < block_len (block); i++)
    {
      const Row *row = &g_array_index (block->rows, Row, i);

      if (i == 0)
        {
          sum->start = row->start;
          sum->end = row->end;
          sum->suffix = row->suffix;
          sum->tag = row->tag;
        }
      sum->bytes = MIN (sum->bytes + row->bytes, (guint64) MAX_AMOUNT_BYTES);
      sum->bps = MIN (sum->bps + row->bps, MAX_RATE_BPS);
      all_retr = all_retr && row->has_retr;
      sum->retr += row->retr;
      if (row->has_jitter)
        {
          n_jitter++;
          jitter += row->jitter_ms;
          sum->lost += row->lost;
        }
      if (row->has_packets)
        {
          sum->has_packets = TRUE;
          sum->packets += row->packets;
        }
    }
  sum->has_retr = all_retr && block_len (block) > 0;
  if (!sum->has_retr)
    sum->retr = 0;
  if (n_jitter > 0)
    {
      sum->has_jitter = TRUE;
      sum->jitter_ms = jitter / n_jitter;
      sum->lost_percent = sum->packets > 0
        ? CLAMP (100.0 * (double) sum->lost / (double) sum->packets, 0.0, 100.0)
        : 0.0;
    }
}

/* @extra: added to the top level and to each stream (direction, omitted,
 * role). */
static GVariant *
build_streams (TrIperfParser *self, const Block *block, const Row *single,
               void (*extra) (GVariantBuilder *, gconstpointer),
               gconstpointer extra_data)
{
  GVariantBuilder streams;
  guint i, n = single != NULL ? 1 : block_len (block);

  g_variant_builder_init (&streams, G_VARIANT_TYPE ("aa{sv}"));
  for (i = 0; i < n; i++)
    {
      const Row *row = single != NULL ? single
                                      : &g_array_index (block->rows, Row, i);
      GVariantBuilder s;

      g_variant_builder_init (&s, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&s, "{sv}", "socket",
                             g_variant_new_int32 (row->socket));
      extra (&s, extra_data);
      add_row_values (self, &s, row);
      g_variant_builder_add_value (&streams, g_variant_builder_end (&s));
    }
  return g_variant_builder_end (&streams);
}

typedef struct {
  Direction dir;
  gboolean omitted;
  const char *role;             /* summaries only */
} Extra;

static void
add_extra (GVariantBuilder *b, gconstpointer data)
{
  const Extra *extra = data;

  g_variant_builder_add (b, "{sv}", "direction",
                         g_variant_new_string (direction_name (extra->dir)));
  if (extra->role != NULL)
    g_variant_builder_add (b, "{sv}", "role",
                           g_variant_new_string (extra->role));
  else
    g_variant_builder_add (b, "{sv}", "omitted",
                           g_variant_new_boolean (extra->omitted));
}

/* @sum is the [SUM] row, or the only row if @block is NULL. */
static void
emit_interval (TrIperfParser *self, Direction dir, const Row *sum,
               const Block *block)
{
  GVariantBuilder b;
  Extra extra = { dir, sum->suffix == SUFFIX_OMITTED, NULL };
  LastInterval *last = &self->last[dir];

  if (last->valid && last->start == sum->start && last->end == sum->end
      && last->omitted == extra.omitted)
    return;
  last->valid = TRUE;
  last->start = sum->start;
  last->end = sum->end;
  last->omitted = extra.omitted;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  add_extra (&b, &extra);
  add_row_values (self, &b, sum);
  g_variant_builder_add (&b, "{sv}", "streams",
                         build_streams (self, block,
                                        block == NULL ? sum : NULL,
                                        add_extra, &extra));
  emit (self, "interval", &b);
}

static void
emit_summary (TrIperfParser *self, Direction dir, RowRole role,
              const Row *sum, const Block *block)
{
  GVariantBuilder b;
  Extra extra = { dir, FALSE, role == ROW_SENDER ? "sender" : "receiver" };

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  add_extra (&b, &extra);
  add_row_values (self, &b, sum);
  g_variant_builder_add (&b, "{sv}", "streams",
                         build_streams (self, block,
                                        block == NULL ? sum : NULL,
                                        add_extra, &extra));
  emit (self, "summary", &b);
}

static void
flush_interval_block (TrIperfParser *self, Direction dir)
{
  Block *block = &self->intervals[dir];
  Row sum;

  if (block_len (block) == 0)
    return;
  compute_sum (block, &sum);
  emit_interval (self, dir, &sum, block);
  block_clear (block);
}

static void
flush_intervals (TrIperfParser *self)
{
  int d;

  for (d = 0; d < N_DIRS; d++)
    flush_interval_block (self, d);
}

static void
flush_summaries (TrIperfParser *self)
{
  int d, r;

  for (d = 0; d < N_DIRS; d++)
    for (r = 0; r < N_ROW_ROLES; r++)
      {
        Block *block = &self->summaries[d][r];
        Row sum;

        if (block_len (block) == 0)
          continue;
        compute_sum (block, &sum);
        emit_summary (self, d, r, &sum, block);
        block_clear (block);
      }
}

/* ---------------------------------------------------------------------- */
/* "Starting Test" and the header after it */

/* "Starting Test: protocol: TCP, 1 streams, 131072 byte blocks, omitting 0
 * seconds, 3 second test, tos 0" (or "N bytes to send" / "N blocks to send") */
static void emit_start (TrIperfParser *self, const char *next_line);

static gboolean
handle_starting_test (TrIperfParser *self, const char *rest)
{
  g_auto (GStrv) parts = g_strsplit (rest, ", ", 8);
  g_autofree char *proto = NULL;
  StartInfo info = { 0 };
  const char *p;
  char *word;
  guint64 n;

  if (g_strv_length (parts) != 6)
    return FALSE;
  if ((p = after_prefix (parts[0], "protocol: ")) == NULL || *p == '\0'
      || strchr (p, ' ') != NULL)
    return FALSE;
  proto = g_ascii_strdown (p, -1);

  if (!g_str_has_suffix (parts[1], " streams"))
    return FALSE;
  parts[1][strlen (parts[1]) - strlen (" streams")] = '\0';
  if (!parse_u64 (parts[1], 1000000, &n) || n == 0)
    return FALSE;
  info.streams = (guint) n;

  if (!g_str_has_suffix (parts[2], " byte blocks"))
    return FALSE;
  parts[2][strlen (parts[2]) - strlen (" byte blocks")] = '\0';
  if (!parse_uint (parts[2], &info.block_size))
    return FALSE;

  if ((p = after_prefix (parts[3], "omitting ")) == NULL
      || !g_str_has_suffix (parts[3], " seconds"))
    return FALSE;
  parts[3][strlen (parts[3]) - strlen (" seconds")] = '\0';
  if (!parse_uint (p, &info.omit))
    return FALSE;

  if ((word = strchr (parts[4], ' ')) == NULL)
    return FALSE;
  *word++ = '\0';
  if (strcmp (word, "second test") == 0)
    {
      if (!parse_uint (parts[4], &info.duration))
        return FALSE;
    }
  else if (strcmp (word, "bytes to send") == 0)
    {
      if (!parse_u64 (parts[4], G_MAXINT64, &info.bytes))
        return FALSE;
    }
  else if (strcmp (word, "blocks to send") == 0)
    {
      if (!parse_u64 (parts[4], G_MAXINT64, &info.blocks))
        return FALSE;
      info.has_blocks = TRUE;
    }
  else
    return FALSE;

  if ((p = after_prefix (parts[5], "tos ")) == NULL
      || !parse_uint (p, &info.tos))
    return FALSE;

  flush_intervals (self);
  flush_summaries (self);
  g_free (self->start.protocol);
  self->start = info;
  self->start.protocol = g_steal_pointer (&proto);
  if (strcmp (self->start.protocol, "tcp") == 0)
    self->proto = PROTO_TCP;
  else if (strcmp (self->start.protocol, "udp") == 0)
    self->proto = PROTO_UDP;
  else
    self->proto = PROTO_OTHER;
  self->streams = MIN (info.streams, MAX_STREAMS);
  /* bidir opens two connections per stream */
  if (self->n_connected == 2 * info.streams)
    self->bidir = TRUE;
  else if (self->n_connected == info.streams)
    self->bidir = FALSE;
  self->started = TRUE;
  /* A client knows its mode by now ("Reverse mode" and the connected lines
   * come first), and "start" marks when measuring begins: send it at once.
   * A server learns a reverse test only from the next (header) line. */
  if (self->role == TR_IPERF_ROLE_CLIENT)
    emit_start (self, NULL);
  else
    self->start_pending = TRUE;
  return TRUE;
}

typedef struct {
  gboolean role;                /* "[ ID][Role]" */
  gboolean retr;
  gboolean jitter;
  gboolean datagrams;
} HeaderInfo;

static gboolean
parse_header (const char *line, HeaderInfo *info)
{
  line = skip_blanks (line);
  if (!g_str_has_prefix (line, "[ ID]"))
    return FALSE;
  info->role = g_str_has_prefix (line, "[ ID][Role]");
  info->retr = strstr (line, " Retr") != NULL;
  info->jitter = strstr (line, " Jitter") != NULL;
  info->datagrams = strstr (line, " Total Datagrams") != NULL
                    || strstr (line, "Lost/Total Datagrams") != NULL;
  return TRUE;
}

/* The interval header printed right after "Starting Test" shows which side
 * sends: Retr/Cwnd (TCP) or Total Datagrams without Jitter (UDP). */
static void
apply_start_header (TrIperfParser *self, const HeaderInfo *h)
{
  gboolean local_sends;

  if (h->role)
    {
      self->bidir = TRUE;
      return;
    }
  self->bidir = FALSE;
  if (self->proto == PROTO_UDP && h->datagrams)
    local_sends = !h->jitter;
  else if (self->proto == PROTO_TCP && h->retr)
    local_sends = TRUE;
  else if (self->proto == PROTO_TCP && !is_client (self))
    local_sends = FALSE;        /* a Linux sender always has Retr */
  else
    return;
  self->reverse = is_client (self) ? !local_sends : local_sends;
}

static void
emit_start (TrIperfParser *self, const char *next_line)
{
  GVariantBuilder b;
  HeaderInfo h;

  self->start_pending = FALSE;
  if (next_line != NULL && parse_header (next_line, &h))
    apply_start_header (self, &h);

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "protocol",
                         g_variant_new_string (self->start.protocol != NULL
                                               ? self->start.protocol : ""));
  g_variant_builder_add (&b, "{sv}", "streams",
                         g_variant_new_uint32 (self->start.streams));
  g_variant_builder_add (&b, "{sv}", "block_size",
                         g_variant_new_uint32 (self->start.block_size));
  g_variant_builder_add (&b, "{sv}", "omit",
                         g_variant_new_uint32 (self->start.omit));
  g_variant_builder_add (&b, "{sv}", "duration",
                         g_variant_new_uint32 (self->start.duration));
  g_variant_builder_add (&b, "{sv}", "bytes",
                         g_variant_new_uint64 (self->start.bytes));
  if (self->start.has_blocks)
    g_variant_builder_add (&b, "{sv}", "blocks",
                           g_variant_new_uint64 (self->start.blocks));
  g_variant_builder_add (&b, "{sv}", "tos",
                         g_variant_new_uint32 (self->start.tos));
  g_variant_builder_add (&b, "{sv}", "reverse",
                         g_variant_new_boolean (self->reverse));
  g_variant_builder_add (&b, "{sv}", "bidirectional",
                         g_variant_new_boolean (self->bidir));
  emit (self, "start", &b);
}

/* ---------------------------------------------------------------------- */
/* Interval and summary lines */

static gboolean
parse_row (TrIperfParser *self, Tokens *t, Row *row)
{
  guint n = t->n, extra;
  char **x;
  const char *last;
  guint64 u;
  Proto proto;

  if (t->overflow || n < 6)
    return FALSE;
  last = t->tok[n - 1];
  if (strcmp (last, "sender") == 0)
    row->suffix = SUFFIX_SENDER;
  else if (strcmp (last, "receiver") == 0)
    row->suffix = SUFFIX_RECEIVER;
  else if (strcmp (last, "(omitted)") == 0)
    row->suffix = SUFFIX_OMITTED;
  if (row->suffix != SUFFIX_NONE)
    n--;
  if (n < 6)
    return FALSE;

  if (!parse_time_range (t->tok[0], &row->start, &row->end)
      || strcmp (t->tok[1], "sec") != 0
      || !tr_iperf_parse_amount (t->tok[2], t->tok[3], &row->bytes)
      || !tr_iperf_parse_rate (t->tok[4], t->tok[5], &row->bps))
    return FALSE;

  extra = n - 6;
  x = &t->tok[6];
  proto = self->proto != PROTO_UNKNOWN ? self->proto : self->header_proto;
  switch (extra)
    {
    case 0:
      return TRUE;

    case 1:
      /* TCP [SUM] sender: Retr; UDP sender: Total Datagrams */
      if (!parse_u64 (x[0], G_MAXUINT32, &u))
        return FALSE;
      if (proto == PROTO_UDP)
        {
          row->has_packets = TRUE;
          row->packets = u;
        }
      else
        {
          row->has_retr = TRUE;
          row->retr = (gint64) u;
        }
      return TRUE;

    case 3:
      /* TCP sender: Retr Cwnd */
      if (!parse_u64 (x[0], G_MAXUINT32, &u)
          || !tr_iperf_parse_amount (x[1], x[2], &row->cwnd))
        return FALSE;
      row->has_retr = TRUE;
      row->retr = (gint64) u;
      row->has_cwnd = TRUE;
      return TRUE;

    case 4:
      /* UDP receiver (and UDP summaries): Jitter ms Lost/Total (%) */
      if (!parse_double (x[0], 0.0, MAX_JITTER_MS, &row->jitter_ms)
          || strcmp (x[1], "ms") != 0
          || !parse_lost_total (x[2], &row->lost, &row->packets)
          || !parse_percent_paren (x[3], &row->lost_percent))
        return FALSE;
      row->has_jitter = TRUE;
      row->has_packets = TRUE;
      return TRUE;

    default:
      return FALSE;
    }
}

static gboolean
tag_direction (Tag tag, Direction *dir)
{
  switch (tag)
    {
    case TAG_TX_C:
    case TAG_RX_S:
      *dir = DIR_FORWARD;
      return TRUE;
    case TAG_RX_C:
    case TAG_TX_S:
      *dir = DIR_REVERSE;
      return TRUE;
    case TAG_NONE:
    default:
      return FALSE;
    }
}

static Direction
mode_direction (TrIperfParser *self)
{
  return self->reverse ? DIR_REVERSE : DIR_FORWARD;
}

static Direction
interval_direction (TrIperfParser *self, const Row *row)
{
  Direction dir;
  gboolean local_sends;

  if (tag_direction (row->tag, &dir))
    return dir;
  /* The columns tell whether this side sends: UDP receivers have Jitter,
   * UDP senders only Total Datagrams, TCP senders Retr. */
  if (row->has_jitter)
    local_sends = FALSE;
  else if (row->has_packets || row->has_retr)
    local_sends = TRUE;
  else
    return mode_direction (self);
  if (!self->bidir)
    self->reverse = is_client (self) ? !local_sends : local_sends;
  return mode_direction (self);
}

static Direction
summary_direction (TrIperfParser *self, const Row *row)
{
  Direction dir;

  if (tag_direction (row->tag, &dir))
    return dir;
  /* The server prints only its own side: its sender row is a reverse test. */
  if (!is_client (self))
    return row->suffix == SUFFIX_SENDER ? DIR_REVERSE : DIR_FORWARD;
  return mode_direction (self);
}

static gboolean
wants_sum (TrIperfParser *self, Direction dir)
{
  return streams_per_direction (self) > 1 || self->expect_sum[dir];
}

static void
handle_interval_row (TrIperfParser *self, const Row *row)
{
  Direction dir = interval_direction (self, row);
  Block *block = &self->intervals[dir];

  if (block_len (block) > 0)
    {
      const Row *first = &g_array_index (block->rows, Row, 0);

      if (first->start != row->start || first->end != row->end
          || first->suffix != row->suffix)
        flush_interval_block (self, dir);
    }

  if (row->is_sum)
    {
      self->expect_sum[dir] = TRUE;
      emit_interval (self, dir, row, block);
      block_clear (block);
    }
  else if (!wants_sum (self, dir))
    emit_interval (self, dir, row, NULL);
  else
    block_add (block, row);
}

static void
handle_summary_row (TrIperfParser *self, const Row *row)
{
  Direction dir = summary_direction (self, row);
  RowRole role = row->suffix == SUFFIX_SENDER ? ROW_SENDER : ROW_RECEIVER;
  Block *block = &self->summaries[dir][role];

  flush_intervals (self);
  if (row->is_sum)
    {
      emit_summary (self, dir, role, row, block);
      block_clear (block);
    }
  else if (!wants_sum (self, dir))
    emit_summary (self, dir, role, row, NULL);
  else
    block_add (block, row);
}

/* "[  5] local 127.0.0.1 port 36240 connected to 127.0.0.1 port 5300" */
static gboolean
handle_connected (TrIperfParser *self, gint sock, char *rest)
{
  Tokens t;
  guint lport, rport;
  GVariantBuilder b;

  tokenize (rest, &t);
  if (t.overflow || t.n != 9
      || strcmp (t.tok[0], "local") != 0 || strcmp (t.tok[2], "port") != 0
      || strcmp (t.tok[4], "connected") != 0 || strcmp (t.tok[5], "to") != 0
      || strcmp (t.tok[7], "port") != 0
      || !parse_port (t.tok[3], &lport) || !parse_port (t.tok[8], &rport))
    return FALSE;

  if (!self->started)
    self->n_connected = MIN (self->n_connected + 1, 2 * MAX_STREAMS);
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "socket", g_variant_new_int32 (sock));
  g_variant_builder_add (&b, "{sv}", "local_address",
                         g_variant_new_string (t.tok[1]));
  g_variant_builder_add (&b, "{sv}", "local_port", g_variant_new_uint32 (lport));
  g_variant_builder_add (&b, "{sv}", "remote_address",
                         g_variant_new_string (t.tok[6]));
  g_variant_builder_add (&b, "{sv}", "remote_port",
                         g_variant_new_uint32 (rport));
  emit (self, "connected", &b);
  return TRUE;
}

static gboolean
parse_role_tag (const char *s, Tag *tag)
{
  static const struct { const char *name; Tag tag; } tags[] = {
    { "TX-C", TAG_TX_C }, { "RX-C", TAG_RX_C },
    { "TX-S", TAG_TX_S }, { "RX-S", TAG_RX_S },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      if (strncmp (s, tags[i].name, 4) == 0 && s[4] == ']')
        {
          *tag = tags[i].tag;
          return TRUE;
        }
    }
  return FALSE;
}

/* Lines starting with "[": "[  5]...", "[SUM]...", "[ ID]..." */
static gboolean
handle_bracket_line (TrIperfParser *self, char *line)
{
  char *close, *inner, *rest;
  const char *warn;
  Row row = { 0 };
  Tokens t;
  guint64 sock = 0;
  HeaderInfo h;

  if (parse_header (line, &h))
    {
      if (h.datagrams)
        self->header_proto = PROTO_UDP;
      else if (h.retr)
        self->header_proto = PROTO_TCP;
      return TRUE;
    }

  close = strchr (line, ']');
  if (close == NULL || close - line > 16)
    return FALSE;
  *close = '\0';
  inner = (char *) skip_blanks (line + 1);
  if (strcmp (inner, "SUM") == 0)
    row.is_sum = TRUE;
  else if (!parse_u64 (inner, MAX_SOCKET, &sock))
    return FALSE;
  row.socket = row.is_sum ? -1 : (gint) sock;

  rest = close + 1;
  if (*rest == '[')
    {
      if (!parse_role_tag (rest + 1, &row.tag))
        return FALSE;
      rest += 6;
    }
  rest = (char *) skip_blanks (rest);

  if (!row.is_sum && row.tag == TAG_NONE && g_str_has_prefix (rest, "local "))
    return handle_connected (self, row.socket, rest);
  if (strcmp (rest, "(sender statistics not available)") == 0
      || strcmp (rest, "(receiver statistics not available)") == 0)
    return TRUE;
  if ((warn = strstr (rest, "WARNING:")) != NULL)
    {
      emit_message (self, "warning", "message", skip_blanks (warn + 8));
      return TRUE;
    }
  if (g_str_has_suffix (rest, "datagrams received out-of-order"))
    return TRUE;

  tokenize (rest, &t);
  if (!parse_row (self, &t, &row))
    return FALSE;
  if (row.suffix == SUFFIX_SENDER || row.suffix == SUFFIX_RECEIVER)
    handle_summary_row (self, &row);
  else
    handle_interval_row (self, &row);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Other lines */

/* "Accepted connection from 127.0.0.1, port 36230" */
static gboolean
handle_accepted (TrIperfParser *self, char *rest)
{
  Tokens t;
  guint port;
  gsize len;
  GVariantBuilder b;

  tokenize (rest, &t);
  if (t.overflow || t.n != 3 || strcmp (t.tok[1], "port") != 0
      || !parse_port (t.tok[2], &port))
    return FALSE;
  len = strlen (t.tok[0]);
  if (len < 2 || t.tok[0][len - 1] != ',')
    return FALSE;
  t.tok[0][len - 1] = '\0';

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "remote_address",
                         g_variant_new_string (t.tok[0]));
  g_variant_builder_add (&b, "{sv}", "remote_port", g_variant_new_uint32 (port));
  emit (self, "accepted", &b);
  return TRUE;
}

/* "97.7% (1.8%u/95.9%s)" */
static gboolean
scan_cpu_triple (const char **p, double *v)
{
  const char *s = skip_blanks (*p);

  if (!scan_double (&s, 0.0, MAX_CPU_PERCENT, &v[0])
      || (s = after_prefix (s, "% (")) == NULL
      || !scan_double (&s, 0.0, MAX_CPU_PERCENT, &v[1])
      || (s = after_prefix (s, "%u/")) == NULL
      || !scan_double (&s, 0.0, MAX_CPU_PERCENT, &v[2])
      || (s = after_prefix (s, "%s)")) == NULL)
    return FALSE;
  *p = s;
  return TRUE;
}

static const char *
after_cpu_role (const char *p)
{
  const char *q = after_prefix (p, "sender ");

  return q != NULL ? q : after_prefix (p, "receiver ");
}

/* "local/sender 97.7% (1.8%u/95.9%s), remote/receiver 75.7% (8.5%u/67.2%s)"
 * (local/receiver and remote/sender in reverse and bidir tests) */
static gboolean
handle_cpu (TrIperfParser *self, const char *rest)
{
  static const char *keys[6] = {
    "local_total", "local_user", "local_system",
    "remote_total", "remote_user", "remote_system",
  };
  const char *p;
  double v[6];
  GVariantBuilder b;
  int i;

  if ((p = after_prefix (rest, "local/")) == NULL
      || (p = after_cpu_role (p)) == NULL
      || !scan_cpu_triple (&p, &v[0])
      || (p = after_prefix (p, ", remote/")) == NULL
      || (p = after_cpu_role (p)) == NULL
      || !scan_cpu_triple (&p, &v[3])
      || *skip_blanks (p) != '\0')
    return FALSE;

  if (self->have_cpu && memcmp (self->cpu, v, sizeof v) == 0)
    return TRUE;
  self->have_cpu = TRUE;
  memcpy (self->cpu, v, sizeof v);

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (i = 0; i < 6; i++)
    g_variant_builder_add (&b, "{sv}", keys[i], g_variant_new_double (v[i]));
  emit (self, "cpu", &b);
  return TRUE;
}

static gboolean
handle_congestion (TrIperfParser *self, const char *algo, gboolean sender)
{
  char **slot = sender ? &self->cong_sender : &self->cong_receiver;
  GVariantBuilder b;

  algo = skip_blanks (algo);
  if (*algo == '\0' || strchr (algo, ' ') != NULL || strlen (algo) > 64)
    return FALSE;
  if (g_strcmp0 (*slot, algo) == 0)
    return TRUE;
  g_free (*slot);
  *slot = g_strdup (algo);

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "sender",
                         g_variant_new_string (self->cong_sender != NULL
                                               ? self->cong_sender : ""));
  g_variant_builder_add (&b, "{sv}", "receiver",
                         g_variant_new_string (self->cong_receiver != NULL
                                               ? self->cong_receiver : ""));
  emit (self, "congestion", &b);
  return TRUE;
}

static void
handle_error (TrIperfParser *self, const char *message)
{
  const char *p = after_prefix (message, "error - ");

  emit_message (self, "error", "message", p != NULL ? p : message);
}

/* Informational lines with nothing worth a record. */
static gboolean
is_ignorable (const char *s)
{
  static const char *prefixes[] = {
    "Linux ",
    "Control connection MSS ",
    "Setting UDP block size ",
    "Time: ",
    "TCP MSS: ",
    "Target Bitrate: ",
    "Finished omit period",
    "Congestion algorithm is ",
    "Authentication succeeded ",
    "Authentication failed ",
    "Server restart ",
    "No connection request was received ",
    "Sent ",                    /* -F: "Sent X / Y (P%) of file" */
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (s, prefixes[i]))
      return TRUE;
  return is_separator (s);
}

static gboolean
handle_line (TrIperfParser *self, char *line)
{
  char *s = (char *) skip_blanks (line);
  const char *rest;

  if (*s == '\0')
    return TRUE;
  if (*s == '[')
    return handle_bracket_line (self, s);

  if (g_str_has_prefix (s, "iperf 3"))
    {
      self->after_version = TRUE;
      return TRUE;
    }
  if (g_str_has_prefix (s, "Connecting to host ")
      || g_str_has_prefix (s, "Server listening on "))
    {
      flush_intervals (self);
      flush_summaries (self);
      reset_test (self);
      return TRUE;
    }
  if (g_str_has_prefix (s, "Reverse mode, remote host "))
    {
      self->reverse = TRUE;
      self->reverse_known = TRUE;
      return TRUE;
    }
  if (g_str_has_prefix (s, "Test Complete.") || is_separator (s))
    {
      flush_intervals (self);
      return TRUE;
    }
  if (is_ignorable (s))
    return TRUE;
  if ((rest = after_prefix (s, "Cookie: ")) != NULL)
    {
      emit_message (self, "cookie", "cookie", skip_blanks (rest));
      return TRUE;
    }
  if ((rest = after_prefix (s, "Accepted connection from ")) != NULL)
    return handle_accepted (self, (char *) rest);
  if ((rest = after_prefix (s, "Starting Test: ")) != NULL)
    return handle_starting_test (self, rest);
  if ((rest = after_prefix (s, "CPU Utilization: ")) != NULL)
    return handle_cpu (self, rest);
  if ((rest = after_prefix (s, "snd_tcp_congestion ")) != NULL)
    return handle_congestion (self, rest, TRUE);
  if ((rest = after_prefix (s, "rcv_tcp_congestion ")) != NULL)
    return handle_congestion (self, rest, FALSE);
  if (strcmp (s, "iperf Done.") == 0)
    {
      GVariantBuilder b;

      flush_intervals (self);
      flush_summaries (self);
      g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
      emit (self, "done", &b);
      return TRUE;
    }
  if ((rest = after_prefix (s, "iperf3: ")) != NULL)
    {
      handle_error (self, rest);
      return TRUE;
    }
  if (g_str_has_prefix (s, "error - ") || g_str_has_prefix (s, "interrupt - "))
    {
      handle_error (self, s);
      return TRUE;
    }
  if ((rest = after_prefix (s, "warning: ")) != NULL
      || (rest = after_prefix (s, "WARNING: ")) != NULL)
    {
      emit_message (self, "warning", "message", skip_blanks (rest));
      return TRUE;
    }
  if (g_str_has_prefix (s, "Ignoring nonsense TCP MSS"))
    {
      emit_message (self, "warning", "message", s);
      return TRUE;
    }
  return FALSE;
}

void
tr_iperf_parser_feed_line (TrIperfParser *self,
                           const char    *line)
{
  g_autofree char *copy = NULL;
  g_autofree char *work = NULL;
  gsize len;
  gboolean after_version;

  if (self == NULL || line == NULL)
    return;
  len = strnlen (line, TR_IPERF_PARSER_MAX_LINE);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;
  /* GVariant strings must be valid UTF-8 */
  if (g_utf8_validate_len (line, len, NULL))
    copy = g_strndup (line, len);
  else
    copy = g_utf8_make_valid (line, len);

  if (self->start_pending)
    emit_start (self, copy);

  after_version = self->after_version;
  self->after_version = FALSE;
  work = g_strdup (copy);       /* handlers tokenize in place */
  if (!handle_line (self, work) && !after_version)
    emit_unparsed (self, copy);
  /* else: the uname line printed after the version line, or handled */
}

void
tr_iperf_parser_finish (TrIperfParser *self)
{
  if (self == NULL)
    return;
  if (self->start_pending)
    emit_start (self, NULL);
  flush_intervals (self);
  flush_summaries (self);
}
