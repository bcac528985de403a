/* trafficctl-link.c: a test's interface rates beside its own samples. */
#include "config.h"

#include "trafficctl-link.h"

#include "tc-history.h"
#include "tr-format.h"

TrafficctlLink *
trafficctl_link_fetch (TcClient *client, guint id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GVariant *samples = tc_history_get_test_interface_sync (client, id, &name, NULL, &error);
  TrafficctlLink *link;

  if (samples == NULL)
    {
      g_debug ("no interface samples of test %u: %s", id, error->message);
      return NULL;
    }
  if (name[0] == '\0' || g_variant_n_children (samples) == 0)
    {
      g_variant_unref (samples);
      return NULL;
    }
  link = g_new0 (TrafficctlLink, 1);
  link->name = g_steal_pointer (&name);
  link->samples = samples;
  return link;
}

void
trafficctl_link_free (TrafficctlLink *link)
{
  if (link == NULL)
    return;
  g_free (link->name);
  g_variant_unref (link->samples);
  g_free (link);
}

char *
trafficctl_link_format_rate (const TrafficctlLink *link, gint64 from_us, gint64 to_us, gboolean sent)
{
  double covered = 0, bits = 0;
  GVariantIter iter;
  guint64 ts, rx_bytes, tx_bytes;
  double seconds, rx, tx;

  if (to_us <= from_us)
    return NULL;
  /* each sample is a rate over [ts - seconds, ts]: weigh it by how much of
   * the interval it covers */
  g_variant_iter_init (&iter, link->samples);
  while (g_variant_iter_next (&iter, "(tdddtt)", &ts, &seconds, &rx, &tx, &rx_bytes, &tx_bytes))
    {
      gint64 end = (gint64) ts, start = end - (gint64) (seconds * G_USEC_PER_SEC);
      gint64 overlap = MIN (end, to_us) - MAX (start, from_us);

      if (overlap <= 0)
        continue;
      covered += (double) overlap;
      bits += (double) overlap * (sent ? tx : rx);
    }
  if (covered < 0.5 * (double) (to_us - from_us))
    return NULL;
  return tr_format_rate (bits / covered);
}

GVariant *
trafficctl_link_to_variant (const TrafficctlLink *link)
{
  GVariantBuilder samples;
  GVariantDict d;
  GVariantIter iter;
  guint64 ts, rx_bytes, tx_bytes;
  double seconds, rx, tx;

  g_variant_builder_init (&samples, G_VARIANT_TYPE ("aa{sv}"));
  g_variant_iter_init (&iter, link->samples);
  while (g_variant_iter_next (&iter, "(tdddtt)", &ts, &seconds, &rx, &tx, &rx_bytes, &tx_bytes))
    {
      GVariantDict s;

      g_variant_dict_init (&s, NULL);
      g_variant_dict_insert (&s, "timestamp_us", "t", ts);
      g_variant_dict_insert (&s, "seconds", "d", seconds);
      g_variant_dict_insert (&s, "rx_bits_per_second", "d", rx);
      g_variant_dict_insert (&s, "tx_bits_per_second", "d", tx);
      g_variant_dict_insert (&s, "rx_bytes", "t", rx_bytes);
      g_variant_dict_insert (&s, "tx_bytes", "t", tx_bytes);
      g_variant_builder_add_value (&samples, g_variant_dict_end (&s));
    }
  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "name", "s", link->name);
  g_variant_dict_insert_value (&d, "samples", g_variant_builder_end (&samples));
  return g_variant_dict_end (&d);
}
