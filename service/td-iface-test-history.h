/* td-iface-test-history.h: the interface a test used and its samples while
 * the test ran (table iface_test_samples, written with every interface
 * tick by td-iface-history.c): the read side of History.GetTestInterface. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* One sample: timestamp_us, seconds, rx_bits_per_second,
 * tx_bits_per_second, rx_bytes, tx_bytes. */
#define TD_IFACE_TEST_SAMPLE_TYPE "(tdddtt)"

/* (sa(tdddtt)): the interface of test @id ("" when none was sampled) and
 * its samples, oldest first; TR_ERROR_NOT_FOUND when the history has no
 * test @id. Runs in a read transaction (td-history-query.h). */
GVariant *td_iface_test_history_query (sqlite3  *db,
                                       guint     id,
                                       GError  **error);

G_END_DECLS
