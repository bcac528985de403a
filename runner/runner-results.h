/* runner-results.h: libiperf's exact end-of-test counters. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "tr-options.h"

struct iperf_test;

JsonObject *runner_replay_final_report (struct iperf_test *test, JsonParser *parser);
JsonObject *runner_json_object  (JsonObject *obj, const char *name);
double      runner_json_double  (JsonObject *obj, const char *name, double fallback);
guint64     runner_json_u64     (JsonObject *obj, const char *name);
/* One direction: @sent/@received are libiperf's sum_sent/sum_received (or
 * their _bidir_reverse twins), @udp_sum its UDP "sum"; any may be NULL. */
GVariant   *runner_direction_record (JsonObject *sent, JsonObject *received, JsonObject *udp_sum, gboolean udp);
/* cpu_*_percent, congestion algorithms and exact=true. */
void        runner_add_common_end_keys (GVariantDict *d, JsonObject *end);
/* The client's "result" record, or NULL. */
GVariant   *runner_client_exact_result (struct iperf_test *test, const TrTestOptions *options);
