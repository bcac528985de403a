/* runner-client.c: libiperf client configuration and results. */
#include "runner-client.h"
#include "runner.h"
#include "runner-emit.h"
#include "runner-output.h"
#include "runner-results.h"

#include <errno.h>
#include <stdint.h>   /* before iperf_api.h, which needs it */
#include <iperf_api.h>
#include <netdb.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* Exported by libiperf 3.12 but missing from its header. */
struct runner_iperf_time { uint32_t secs; uint32_t usecs; };
void iperf_set_test_rcv_timeout (struct iperf_test *ipt, struct runner_iperf_time *to);


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

/* ---- the run ---- */

static struct iperf_test *client_test;
static char *client_address;   /* static: both live across sigsetjmp() */

static void
emit_resolved (const TrTestOptions *o, const char *numeric)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "host", "s", o->host);
  g_variant_dict_insert (&d, "address", "s", numeric);
  runner_emit ("resolved", g_variant_dict_end (&d));
}

/* After iperf_run_client(): the outcome as records. Kept out of
 * runner_client_run() so that no local lives across its sigsetjmp(). */
static int
report_outcome (const TrTestOptions *o, int rc, int saved_errno, int saved_ierrno)
{
  g_autoptr(GVariant) result = NULL;

  runner_block_stop_signals (SIG_BLOCK);
  runner_output_drain ();
  if (rc < 0)
    {
      g_autofree char *message = NULL;

      errno = saved_errno;   /* iperf_strerror() appends strerror(errno) */
      message = g_strdup (iperf_strerror (saved_ierrno));
      if (saved_ierrno == IENOMSG)   /* says neither how long nor what it may mean */
        {
          g_autofree char *what = g_steal_pointer (&message);

          message = g_strdup_printf ("no data received for %g s (receive_timeout): the network link or the "
                                     "path to %s is down, or the server is gone (iperf: %s)",
                                     o->receive_timeout, o->host, what);
        }
      runner_emit_error (runner_classify_error (saved_ierrno, saved_errno), saved_ierrno, saved_errno, message);
      runner_emit_end ("failed");
      return 1;
    }
  result = runner_client_exact_result (client_test, o);
  if (result != NULL)
    runner_emit ("result", g_steal_pointer (&result));
  else
    runner_emit_log (4, "exact counters unavailable; the summary comes from iperf's text output");
  runner_emit_end ("finished");
  iperf_free_test (client_test);
  return 0;
}

int
runner_client_run (const TrTestOptions *o)
{
  static sigjmp_buf jmp;
  int gai_error, rc;

  client_address = runner_resolve_host (o->host, &gai_error);
  if (client_address == NULL)
    {
      g_autofree char *message = g_strdup_printf ("cannot resolve host \"%s\": %s",
                                                  o->host, gai_strerror (gai_error));
      runner_emit_error ("host-not-found", 0, 0, message);
      runner_emit_end ("failed");
      return 1;
    }
  emit_resolved (o, client_address);

  client_test = runner_client_new (o, client_address);
  if (client_test == NULL)
    {
      runner_emit_error ("internal", 0, 0, "libiperf could not create a test");
      runner_emit_end ("failed");
      return 2;
    }

  if (sigsetjmp (jmp, 1) != 0)
    iperf_got_sigend (client_test);   /* prints the partial summary, exits */
  runner_arm_stop (&jmp);

  rc = iperf_run_client (client_test);
  return report_outcome (o, rc, errno, i_errno);
}
