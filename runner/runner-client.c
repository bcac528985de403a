/* runner-client.c: libiperf client configuration and results. */
#include "runner-client.h"

#include <errno.h>
#include <stdint.h>   /* before iperf_api.h, which needs it */
#include <iperf_api.h>
#include <json-glib/json-glib.h>
#include <netdb.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* Exported by libiperf 3.12 but missing from its header. */
struct runner_iperf_time { uint32_t secs; uint32_t usecs; };
void iperf_set_test_rcv_timeout (struct iperf_test *ipt, struct runner_iperf_time *to);

/* iperf's state value for "display results" (iperf.h is not installed). */
#define RUNNER_IPERF_DISPLAY_RESULTS 14

char *
runner_resolve_host (const char *host, int *gai_error)
{
  struct addrinfo hints = { 0 };
  struct addrinfo *res = NULL;
  char buf[NI_MAXHOST];
  int rc;

  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  rc = getaddrinfo (host, NULL, &hints, &res);
  if (rc == EAI_BADFLAGS || (rc != 0 && rc != EAI_NONAME && rc != EAI_NODATA))
    {
      hints.ai_flags = 0;
      rc = getaddrinfo (host, NULL, &hints, &res);
    }
  *gai_error = rc;
  if (rc != 0)
    return NULL;
  rc = getnameinfo (res->ai_addr, res->ai_addrlen, buf, sizeof buf, NULL, 0, NI_NUMERICHOST);
  freeaddrinfo (res);
  *gai_error = rc;
  return rc == 0 ? g_strdup (buf) : NULL;
}

struct iperf_test *
runner_client_new (const TrTestOptions *o, const char *address)
{
  struct iperf_test *t = iperf_new_test ();
  struct runner_iperf_time rcv;

  if (t == NULL)
    return NULL;
  iperf_defaults (t);
  iperf_set_verbose (t, 1);
  iperf_set_test_role (t, 'c');
  iperf_set_test_server_hostname (t, address);
  iperf_set_test_server_port (t, (int) o->port);
  iperf_set_test_unit_format (t, 'k');
  if (o->protocol == TR_PROTOCOL_UDP)
    {
      set_protocol (t, SOCK_DGRAM);
      iperf_set_test_blksize (t, (int) o->length);   /* 0: from the path MTU */
      iperf_set_test_udp_counters_64bit (t, 1);
    }
  else
    {
      if (o->length > 0)
        iperf_set_test_blksize (t, (int) o->length);
      if (o->congestion != NULL)
        iperf_set_test_congestion_control (t, o->congestion);
      iperf_set_test_zerocopy (t, o->zerocopy);
    }
  iperf_set_test_rate (t, o->bitrate);
  if (o->bytes > 0)
    {
      iperf_set_test_bytes (t, o->bytes);
      iperf_set_test_duration (t, 0);
    }
  else
    iperf_set_test_duration (t, (int) o->duration);
  iperf_set_test_num_streams (t, (int) o->parallel);
  iperf_set_test_reverse (t, o->direction == TR_DIRECTION_REVERSE);
  iperf_set_test_bidirectional (t, o->direction == TR_DIRECTION_BIDIRECTIONAL);
  iperf_set_test_reporter_interval (t, o->interval);
  iperf_set_test_stats_interval (t, o->interval);
  iperf_set_test_omit (t, (int) o->omit);
  if (o->bind_address != NULL)
    iperf_set_test_bind_address (t, o->bind_address);
  if (o->window > 0)
    iperf_set_test_socket_bufsize (t, (int) o->window);
  iperf_set_test_tos (t, (int) o->tos);
  iperf_set_test_connect_timeout (t, (int) (o->connect_timeout * 1000));
  rcv.secs = (uint32_t) o->receive_timeout;
  rcv.usecs = (uint32_t) ((o->receive_timeout - rcv.secs) * 1e6);
  iperf_set_test_rcv_timeout (t, &rcv);
  return t;
}

const char *
runner_classify_error (int iperf_error, int errnum)
{
  switch (iperf_error)
    {
    case IEACCESSDENIED:
      return "server-busy";
    case IENOMSG:
      return "timeout";
    case IECONNECT:
    case IESTREAMCONNECT:
      if (errnum == ETIMEDOUT || errnum == EINPROGRESS)
        return "timeout";
      return "connection-refused";
    default:
      return "iperf";
    }
}

/* ---- exact results ---- */

static JsonObject *
member_object (JsonObject *obj, const char *name)
{
  return obj != NULL && json_object_has_member (obj, name) ?
         json_object_get_object_member (obj, name) : NULL;
}

static double
member_double (JsonObject *obj, const char *name, double fallback)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, name)) == NULL ||
      json_node_get_value_type (node) == G_TYPE_INVALID)
    return fallback;
  return json_node_get_double (node);
}

static guint64
member_u64 (JsonObject *obj, const char *name)
{
  double d = member_double (obj, name, 0);
  return d > 0 ? (guint64) (d + 0.5) : 0;
}

/* sent/received: libiperf's sum_sent and sum_received (TCP) or the one
 * "sum" that UDP reports; both describe the same direction. */
static GVariant *
direction_record (JsonObject *sent, JsonObject *received, JsonObject *udp_sum, gboolean udp)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  if (sent != NULL)
    {
      g_variant_dict_insert (&d, "sender_bytes", "t", member_u64 (sent, "bytes"));
      g_variant_dict_insert (&d, "sender_bits_per_second", "d", member_double (sent, "bits_per_second", 0));
      g_variant_dict_insert (&d, "seconds", "d", member_double (sent, "seconds", 0));
      if (!udp)
        g_variant_dict_insert (&d, "retransmits", "x", (gint64) member_double (sent, "retransmits", -1));
    }
  if (received != NULL)
    {
      g_variant_dict_insert (&d, "receiver_bytes", "t", member_u64 (received, "bytes"));
      g_variant_dict_insert (&d, "receiver_bits_per_second", "d", member_double (received, "bits_per_second", 0));
    }
  if (udp)
    {
      JsonObject *loss = udp_sum != NULL ? udp_sum : received;

      g_variant_dict_insert (&d, "jitter_ms", "d", member_double (loss, "jitter_ms", 0));
      g_variant_dict_insert (&d, "lost_packets", "t", member_u64 (loss, "lost_packets"));
      g_variant_dict_insert (&d, "packets", "t", member_u64 (loss, "packets"));
      g_variant_dict_insert (&d, "lost_percent", "d", member_double (loss, "lost_percent", 0));
    }
  return g_variant_dict_end (&d);
}

GVariant *
runner_client_exact_result (struct iperf_test *test, const TrTestOptions *o)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *json;
  JsonObject *root, *end, *cpu;
  gboolean udp = o->protocol == TR_PROTOCOL_UDP;
  GVariantDict d;

  iperf_set_test_json_output (test, 1);
  if (iperf_json_start (test) < 0)
    return NULL;
  iperf_set_test_state (test, RUNNER_IPERF_DISPLAY_RESULTS);
  iperf_reporter_callback (test);
  if (iperf_json_finish (test) < 0)
    return NULL;
  json = iperf_get_test_json_output_string (test);
  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if ((end = member_object (root, "end")) == NULL)
    return NULL;

  g_variant_dict_init (&d, NULL);
  if (o->direction == TR_DIRECTION_BIDIRECTIONAL)
    {
      g_variant_dict_insert_value (&d, "forward",
          direction_record (member_object (end, "sum_sent"), member_object (end, "sum_received"),
                            member_object (end, "sum"), udp));
      g_variant_dict_insert_value (&d, "reverse",
          direction_record (member_object (end, "sum_sent_bidir_reverse"),
                            member_object (end, "sum_received_bidir_reverse"),
                            member_object (end, "sum_bidir_reverse"), udp));
    }
  else
    g_variant_dict_insert_value (&d, o->direction == TR_DIRECTION_REVERSE ? "reverse" : "forward",
        direction_record (member_object (end, "sum_sent"), member_object (end, "sum_received"),
                          member_object (end, "sum"), udp));

  cpu = member_object (end, "cpu_utilization_percent");
  if (cpu != NULL)
    {
      g_variant_dict_insert (&d, "cpu_local_percent", "d", member_double (cpu, "host_total", 0));
      g_variant_dict_insert (&d, "cpu_remote_percent", "d", member_double (cpu, "remote_total", 0));
    }
  if (json_object_has_member (end, "sender_tcp_congestion"))
    g_variant_dict_insert (&d, "sender_congestion", "s",
                           json_object_get_string_member_with_default (end, "sender_tcp_congestion", ""));
  if (json_object_has_member (end, "receiver_tcp_congestion"))
    g_variant_dict_insert (&d, "receiver_congestion", "s",
                           json_object_get_string_member_with_default (end, "receiver_tcp_congestion", ""));
  g_variant_dict_insert (&d, "exact", "b", TRUE);
  return g_variant_dict_end (&d);
}
