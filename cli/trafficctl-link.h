/* trafficctl-link.h: the interface a test used and its rates while the
 * test ran (History.GetTestInterface), shown beside the test's own samples
 * by "show ID --samples". */
#pragma once

#include <glib.h>

#include "tc-client.h"

G_BEGIN_DECLS

typedef struct {
  char     *name;
  GVariant *samples;   /* a(tdddtt): timestamp_us, seconds, rx, tx bits/s, rx, tx bytes */
} TrafficctlLink;

/* The interface samples of test @id, NULL when there are none (or the
 * service cannot say: they are an extra, never an error). */
TrafficctlLink *trafficctl_link_fetch        (TcClient             *client,
                                              guint                 id);
void            trafficctl_link_free         (TrafficctlLink       *link);

/* The link's mean rate over [@from_us, @to_us] in the direction the test's
 * data left (@sent: tx) or arrived (rx), formatted; NULL when its samples
 * cover less than half of that time. */
char           *trafficctl_link_format_rate  (const TrafficctlLink *link,
                                              gint64                from_us,
                                              gint64                to_us,
                                              gboolean              sent);

/* For --json: a{sv} with name (s) and samples (aa{sv}: timestamp_us,
 * seconds, rx_bits_per_second, tx_bits_per_second, rx_bytes, tx_bytes). */
GVariant       *trafficctl_link_to_variant   (const TrafficctlLink *link);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrafficctlLink, trafficctl_link_free)

G_END_DECLS
