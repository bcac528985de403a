/* runner-server.c: one managed iperf3 server, serving test after test.
 *
 * Records, besides the parser's ("accepted", "cookie", "start",
 * "interval", "summary", ...): "listening" {port} once iperf's socket
 * listens for the next client (sent by the output thread, runner-output.c),
 * "result" with the server side's exact counters after a test, and
 * "served" {status} once everything about that test has been sent. */
#include "runner.h"
#include "runner-emit.h"
#include "runner-output.h"
#include "runner-results.h"

#include <errno.h>
#include <stdint.h>   /* before iperf_api.h, which needs it */
#include <iperf_api.h>
#include <string.h>
#include <sys/socket.h>

/* Exported by libiperf 3.12 but missing from its header. */
struct runner_iperf_time { uint32_t secs; uint32_t usecs; };
void iperf_set_test_rcv_timeout (struct iperf_test *ipt, struct runner_iperf_time *to);
void iperf_set_test_idle_timeout (struct iperf_test *ipt, int to);

#define MAX_CONSECUTIVE_ERRORS 5

static struct iperf_test *server_test;   /* static: lives across sigsetjmp() */

static struct iperf_test *
server_new (const TrServerOptions *o)
{
  struct iperf_test *t = iperf_new_test ();
  struct runner_iperf_time rcv = { o->idle_timeout, 0 };

  if (t == NULL)
    return NULL;
  iperf_defaults (t);
  iperf_set_verbose (t, 1);
  iperf_set_test_role (t, 's');
  iperf_set_test_server_port (t, (int) o->port);
  iperf_set_test_unit_format (t, 'k');
  iperf_set_test_reporter_interval (t, o->interval);
  iperf_set_test_stats_interval (t, o->interval);
  if (o->bind_address != NULL)
    iperf_set_test_bind_address (t, o->bind_address);
  /* a peer that goes silent mid-test frees the server after idle_timeout */
  iperf_set_test_rcv_timeout (t, &rcv);
  iperf_set_test_idle_timeout (t, (int) o->idle_timeout);
  return t;
}

#ifdef TRAFFICD_TEST_HOOKS
/* Test-only (meson -Dtest_hooks=true): a slow way from one test to the next
 * listen, as on a loaded machine. */
static void
maybe_delay_listen (void)
{
  const char *ms = g_getenv ("TRAFFICD_RUNNER_TEST_LISTEN_DELAY_MS");

  if (ms != NULL)
    g_usleep (g_ascii_strtoull (ms, NULL, 10) * 1000);
}
#endif

static JsonObject *
if_counted (JsonObject *sum)
{
  return runner_json_u64 (sum, "bytes") > 0 ? sum : NULL;
}

/* The server's own side is exact (what it received, what it sent); the
 * peer's side is what the client reported in the results exchange, when
 * it did. The mode comes from the client's parameters. */
static GVariant *
server_exact_result (struct iperf_test *test)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *end, *sent, *received;
  gboolean udp, bidir;
  GVariantDict d;

  if ((end = runner_replay_final_report (test, parser)) == NULL)
    return NULL;
  udp = iperf_get_test_protocol_id (test) == SOCK_DGRAM;
  bidir = json_object_has_member (end, "sum_sent_bidir_reverse");
  sent = if_counted (runner_json_object (end, "sum_sent"));
  received = if_counted (runner_json_object (end, "sum_received"));
  g_variant_dict_init (&d, NULL);
  if (bidir)
    {
      g_variant_dict_insert_value (&d, "forward", runner_direction_record (sent, received, NULL, udp));
      g_variant_dict_insert_value (&d, "reverse",
          runner_direction_record (if_counted (runner_json_object (end, "sum_sent_bidir_reverse")),
                                   if_counted (runner_json_object (end, "sum_received_bidir_reverse")),
                                   NULL, udp));
    }
  else
    g_variant_dict_insert_value (&d, iperf_get_test_reverse (test) ? "reverse" : "forward",
                                 runner_direction_record (sent, received, runner_json_object (end, "sum"), udp));
  runner_add_common_end_keys (&d, end);
  return g_variant_dict_end (&d);
}

static void
emit_served (const char *status)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "status", "s", status);
  runner_emit ("served", g_variant_dict_end (&d));
}

/* iperf_run_server() returned 0: a test ran. libiperf 3.12 also returns 0
 * when the client's control connection closed mid-test (i_errno
 * IECTRLCLOSE): that test failed; what the server counted is kept. */
static void
emit_served_test (int ierrno)
{
  g_autoptr(GVariant) result = server_exact_result (server_test);

  if (result != NULL)
    runner_emit ("result", g_steal_pointer (&result));
  if (ierrno == IECTRLCLOSE)
    {
      runner_emit_error ("iperf", ierrno, 0, "the client closed the control connection mid-test");
      emit_served ("failed");
    }
  else
    emit_served ("finished");
}

int
runner_server_run (const TrServerOptions *o)
{
  static sigjmp_buf jmp;
  static int consecutive_errors;

  server_test = server_new (o);
  if (server_test == NULL)
    {
      runner_emit_error ("internal", 0, 0, "libiperf could not create a server");
      runner_emit_end ("failed");
      return 2;
    }
  if (sigsetjmp (jmp, 1) != 0)
    iperf_got_sigend (server_test);   /* ends a running test cleanly, exits */

  for (;;)
    {
      int rc, saved_errno, saved_ierrno;

      runner_arm_stop (&jmp);
#ifdef TRAFFICD_TEST_HOOKS
      maybe_delay_listen ();
#endif
      i_errno = IENONE;   /* libiperf sets it on errors only */
      errno = 0;
      rc = iperf_run_server (server_test);
      saved_errno = errno;
      saved_ierrno = i_errno;
      runner_block_stop_signals (SIG_BLOCK);
      runner_output_sync ();   /* every record of this test is out */

      if (rc == 2)
        continue;              /* idle timeout with no client: listen again */
      if (rc < 0)
        {
          gboolean in_use = saved_ierrno == IELISTEN && saved_errno == EADDRINUSE;

          errno = saved_errno;
          runner_emit_error (in_use ? "port-in-use" : saved_ierrno == IENOMSG ? "timeout" : "iperf",
                             saved_ierrno, saved_errno, iperf_strerror (saved_ierrno));
          if (saved_ierrno == IELISTEN || rc < -1 || ++consecutive_errors >= MAX_CONSECUTIVE_ERRORS)
            {
              runner_emit_end ("failed");
              return 1;
            }
          emit_served ("failed");
        }
      else
        {
          consecutive_errors = 0;   /* a client that vanishes is no fault of the server */
          emit_served_test (saved_ierrno);
        }
      iperf_reset_test (server_test);
      if (o->one_off)
        break;
    }
  runner_emit_end ("finished");
  iperf_free_test (server_test);
  return 0;
}
