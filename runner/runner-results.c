/* runner-results.c: libiperf's exact end-of-test counters as records. */
#include "runner-results.h"

#include <stdint.h>   /* before iperf_api.h, which needs it */
#include <iperf_api.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* iperf's state value for "display results" (iperf.h is not installed). */
#define RUNNER_IPERF_DISPLAY_RESULTS 14


JsonObject *
runner_json_object (JsonObject *obj, const char *name)
{
  return obj != NULL && json_object_has_member (obj, name) ?
         json_object_get_object_member (obj, name) : NULL;
}

double
runner_json_double (JsonObject *obj, const char *name, double fallback)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, name)) == NULL ||
      json_node_get_value_type (node) == G_TYPE_INVALID)
    return fallback;
  return json_node_get_double (node);
}

guint64
runner_json_u64 (JsonObject *obj, const char *name)
{
  double d = runner_json_double (obj, name, 0);
  return d > 0 ? (guint64) (d + 0.5) : 0;
}

/* sent/received: libiperf's sum_sent and sum_received (TCP) or the one
 * "sum" that UDP reports; both describe the same direction. */
GVariant *
runner_direction_record (JsonObject *sent, JsonObject *received, JsonObject *udp_sum, gboolean udp)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  if (sent != NULL)
    {
      g_variant_dict_insert (&d, "sender_bytes", "t", runner_json_u64 (sent, "bytes"));
      g_variant_dict_insert (&d, "sender_bits_per_second", "d", runner_json_double (sent, "bits_per_second", 0));
      g_variant_dict_insert (&d, "seconds", "d", runner_json_double (sent, "seconds", 0));
      if (!udp)
        g_variant_dict_insert (&d, "retransmits", "x", (gint64) runner_json_double (sent, "retransmits", -1));
    }
  if (received != NULL)
    {
      g_variant_dict_insert (&d, "receiver_bytes", "t", runner_json_u64 (received, "bytes"));
      g_variant_dict_insert (&d, "receiver_bits_per_second", "d", runner_json_double (received, "bits_per_second", 0));
    }
  if (udp)
    {
      JsonObject *loss = udp_sum != NULL ? udp_sum : received;

      g_variant_dict_insert (&d, "jitter_ms", "d", runner_json_double (loss, "jitter_ms", 0));
      g_variant_dict_insert (&d, "lost_packets", "t", runner_json_u64 (loss, "lost_packets"));
      g_variant_dict_insert (&d, "packets", "t", runner_json_u64 (loss, "packets"));
      g_variant_dict_insert (&d, "lost_percent", "d", runner_json_double (loss, "lost_percent", 0));
    }
  return g_variant_dict_end (&d);
}

void
runner_add_common_end_keys (GVariantDict *d, JsonObject *end)
{
  JsonObject *cpu = runner_json_object (end, "cpu_utilization_percent");

  if (cpu != NULL)
    {
      g_variant_dict_insert (d, "cpu_local_percent", "d", runner_json_double (cpu, "host_total", 0));
      g_variant_dict_insert (d, "cpu_remote_percent", "d", runner_json_double (cpu, "remote_total", 0));
    }
  if (json_object_has_member (end, "sender_tcp_congestion"))
    g_variant_dict_insert (d, "sender_congestion", "s",
                           json_object_get_string_member_with_default (end, "sender_tcp_congestion", ""));
  if (json_object_has_member (end, "receiver_tcp_congestion"))
    g_variant_dict_insert (d, "receiver_congestion", "s",
                           json_object_get_string_member_with_default (end, "receiver_tcp_congestion", ""));
  g_variant_dict_insert (d, "exact", "b", TRUE);
}

/* libiperf 3.12 has no getter for its final counters; the only way to read
 * them is to let it print its final report once more, in JSON mode, into
 * its JSON buffer. Text output is already drained, so nothing is printed
 * twice. Returns the "end" object, owned by @parser. */
JsonObject *
runner_replay_final_report (struct iperf_test *test, JsonParser *parser)
{
  const char *json;
  JsonObject *root;
  int saved_stdout, devnull, rc;

  iperf_set_test_json_output (test, 1);
  if (iperf_json_start (test) < 0)
    return NULL;
  iperf_set_test_state (test, RUNNER_IPERF_DISPLAY_RESULTS);
  iperf_reporter_callback (test);
  /* json_finish also prints the document: keep it out of the text stream */
  fflush (stdout);
  saved_stdout = dup (STDOUT_FILENO);
  devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  dup2 (devnull, STDOUT_FILENO);
  close (devnull);
  rc = iperf_json_finish (test);
  fflush (stdout);
  dup2 (saved_stdout, STDOUT_FILENO);
  close (saved_stdout);
  iperf_set_test_json_output (test, 0);
  if (rc < 0)
    return NULL;
  json = iperf_get_test_json_output_string (test);
  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  return runner_json_object (root, "end");
}

GVariant *
runner_client_exact_result (struct iperf_test *test, const TrTestOptions *o)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *end;
  gboolean udp = o->protocol == TR_PROTOCOL_UDP;
  GVariantDict d;

  if ((end = runner_replay_final_report (test, parser)) == NULL)
    return NULL;

  g_variant_dict_init (&d, NULL);
  if (o->direction == TR_DIRECTION_BIDIRECTIONAL)
    {
      g_variant_dict_insert_value (&d, "forward",
          runner_direction_record (runner_json_object (end, "sum_sent"), runner_json_object (end, "sum_received"),
                            runner_json_object (end, "sum"), udp));
      g_variant_dict_insert_value (&d, "reverse",
          runner_direction_record (runner_json_object (end, "sum_sent_bidir_reverse"),
                            runner_json_object (end, "sum_received_bidir_reverse"),
                            runner_json_object (end, "sum_bidir_reverse"), udp));
    }
  else
    g_variant_dict_insert_value (&d, o->direction == TR_DIRECTION_REVERSE ? "reverse" : "forward",
        runner_direction_record (runner_json_object (end, "sum_sent"), runner_json_object (end, "sum_received"),
                          runner_json_object (end, "sum"), udp));

  runner_add_common_end_keys (&d, end);
  return g_variant_dict_end (&d);
}

