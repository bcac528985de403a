/* td-result.c: the Result property of a test. */
#include "td-result.h"

#include <string.h>

struct _TdResult
{
  GVariant *exact;                 /* the runner's "result" record */
  GVariant *summaries[2][2];       /* [forward|reverse][sender|receiver] */
  GVariant *cpu;
  guint64   interval_bytes[2];    /* non-omitted interval bytes per direction */
  double    interval_seconds[2];
  char     *cookie;
  char     *local_address;
  char     *remote_address;
  char     *iperf_version;
  gboolean  served;
};

TdResult *
td_result_new (gboolean served)
{
  TdResult *r = g_new0 (TdResult, 1);

  r->served = served;
  return r;
}

void
td_result_free (TdResult *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->exact, g_variant_unref);
  for (int d = 0; d < 2; d++)
    for (int s = 0; s < 2; s++)
      g_clear_pointer (&r->summaries[d][s], g_variant_unref);
  g_clear_pointer (&r->cpu, g_variant_unref);
  g_free (r->cookie);
  g_free (r->local_address);
  g_free (r->remote_address);
  g_free (r->iperf_version);
  g_free (r);
}

static void
replace (GVariant **slot, GVariant *value)
{
  g_clear_pointer (slot, g_variant_unref);
  *slot = g_variant_ref (value);
}

static void
take_string (char **slot, GVariant *record, const char *key)
{
  const char *s;

  if (*slot == NULL && g_variant_lookup (record, key, "&s", &s))
    *slot = g_strdup (s);
}

void
td_result_add_record (TdResult *r, const char *kind, GVariant *record)
{
  if (strcmp (kind, "result") == 0)
    replace (&r->exact, record);
  else if (strcmp (kind, "summary") == 0)
    {
      const char *direction = NULL, *role = NULL;

      if (!g_variant_lookup (record, "direction", "&s", &direction) ||
          !g_variant_lookup (record, "role", "&s", &role))
        return;
      replace (&r->summaries[strcmp (direction, "reverse") == 0][strcmp (role, "receiver") == 0], record);
    }
  else if (strcmp (kind, "interval") == 0)
    {
      const char *direction = "forward";
      gboolean omitted = FALSE;
      guint64 bytes = 0;
      double seconds = 0;
      int d;

      g_variant_lookup (record, "direction", "&s", &direction);
      g_variant_lookup (record, "omitted", "b", &omitted);
      g_variant_lookup (record, "bytes", "t", &bytes);
      g_variant_lookup (record, "seconds", "d", &seconds);
      d = strcmp (direction, "reverse") == 0;
      if (!omitted)
        {
          r->interval_bytes[d] += bytes;
          r->interval_seconds[d] += seconds;
        }
    }
  else if (strcmp (kind, "cpu") == 0)
    replace (&r->cpu, record);
  else if (strcmp (kind, "cookie") == 0)
    take_string (&r->cookie, record, "cookie");
  else if (strcmp (kind, "hello") == 0)
    take_string (&r->iperf_version, record, "iperf_version");
  else if (strcmp (kind, "connected") == 0)
    {
      take_string (&r->local_address, record, "local_address");
      take_string (&r->remote_address, record, "remote_address");
    }
}

gboolean
td_result_has_data (TdResult *r)
{
  for (int d = 0; d < 2; d++)
    for (int s = 0; s < 2; s++)
      if (r->summaries[d][s] != NULL)
        return TRUE;
  return r->exact != NULL || r->interval_seconds[0] > 0 || r->interval_seconds[1] > 0;
}

/* A helper that died before printing any summary leaves only intervals:
 * their sum is what this side measured. */
static GVariant *
direction_from_intervals (TdResult *r, int dir, gboolean local_receives)
{
  GVariantDict d;
  const char *side = local_receives ? "receiver" : "sender";
  g_autofree char *bytes_key = g_strdup_printf ("%s_bytes", side);
  g_autofree char *rate_key = g_strdup_printf ("%s_bits_per_second", side);

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, bytes_key, "t", r->interval_bytes[dir]);
  g_variant_dict_insert (&d, rate_key, "d", 8.0 * r->interval_bytes[dir] / r->interval_seconds[dir]);
  g_variant_dict_insert (&d, "seconds", "d", r->interval_seconds[dir]);
  g_variant_dict_insert (&d, "from_intervals", "b", TRUE);
  return g_variant_dict_end (&d);
}

static void
copy_key (GVariantDict *to, const char *to_key, GVariant *from, const char *from_key)
{
  g_autoptr(GVariant) v = from ? g_variant_lookup_value (from, from_key, NULL) : NULL;

  if (v != NULL)
    g_variant_dict_insert_value (to, to_key, v);
}

/* One direction from the text summaries: sender and receiver lines. An
 * interrupted client prints a receiver line of zeros (the server's counts
 * never came back): that is "unknown", not "nothing arrived". */
static GVariant *
direction_from_summaries (GVariant *sender, GVariant *receiver, gboolean udp)
{
  GVariantDict d;
  guint64 received = 0;

  if (receiver != NULL && sender != NULL &&
      g_variant_lookup (receiver, "bytes", "t", &received) && received == 0)
    receiver = NULL;

  g_variant_dict_init (&d, NULL);
  copy_key (&d, "sender_bytes", sender, "bytes");
  copy_key (&d, "sender_bits_per_second", sender, "bits_per_second");
  copy_key (&d, "seconds", sender ? sender : receiver, "seconds");
  copy_key (&d, "receiver_bytes", receiver, "bytes");
  copy_key (&d, "receiver_bits_per_second", receiver, "bits_per_second");
  if (!udp)
    copy_key (&d, "retransmits", sender, "retransmits");
  else
    {
      GVariant *loss = receiver ? receiver : sender;

      copy_key (&d, "jitter_ms", loss, "jitter_ms");
      copy_key (&d, "lost_packets", loss, "lost_packets");
      copy_key (&d, "packets", loss, "packets");
      copy_key (&d, "lost_percent", loss, "lost_percent");
    }
  return g_variant_dict_end (&d);
}

GVariant *
td_result_build (TdResult *r, const TrTestOptions *o, gboolean partial)
{
  GVariantDict d;
  static const char *const names[] = { "forward", "reverse" };
  gboolean udp = o->protocol == TR_PROTOCOL_UDP;

  if (!td_result_has_data (r))
    return g_variant_new ("a{sv}", NULL);

  g_variant_dict_init (&d, r->exact);
  if (r->exact == NULL)
    {
      for (int dir = 0; dir < 2; dir++)
        if (r->summaries[dir][0] != NULL || r->summaries[dir][1] != NULL)
          g_variant_dict_insert_value (&d, names[dir],
                                       direction_from_summaries (r->summaries[dir][0],
                                                                 r->summaries[dir][1], udp));
        else if (r->interval_seconds[dir] > 0)
          /* a client receives the reverse direction; a server the forward one */
          g_variant_dict_insert_value (&d, names[dir],
                                       direction_from_intervals (r, dir, (dir == 1) != r->served));
      copy_key (&d, "cpu_local_percent", r->cpu, "local_total");
      copy_key (&d, "cpu_remote_percent", r->cpu, "remote_total");
      g_variant_dict_insert (&d, "exact", "b", FALSE);
    }
  g_variant_dict_insert (&d, "partial", "b", partial);
  g_variant_dict_insert (&d, "protocol", "s", tr_protocol_to_string (o->protocol));
  g_variant_dict_insert (&d, "streams", "u", o->parallel);
  if (r->iperf_version)
    g_variant_dict_insert (&d, "iperf_version", "s", r->iperf_version);
  if (r->cookie)
    g_variant_dict_insert (&d, "cookie", "s", r->cookie);
  if (r->local_address)
    g_variant_dict_insert (&d, "local_address", "s", r->local_address);
  if (r->remote_address)
    g_variant_dict_insert (&d, "remote_address", "s", r->remote_address);
  return g_variant_dict_end (&d);
}
