/* trafficctl-run.c: "trafficctl run HOST": start a test and follow it. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tr-format.h"
#include "trafficctl.h"
#include "trafficctl-follow.h"
#include "trafficctl-print.h"

typedef struct {
  /* Kept as text: NULL means "not given", so only given keys are sent. */
  char    *port;
  gboolean udp;
  char    *parallel;
  char    *time;
  char    *bytes;
  gboolean reverse;
  gboolean bidir;
  char    *bitrate;
  char    *interval;
  char    *omit;
  char    *length;
  char    *window;
  char    *tos;
  char    *congestion;
  gboolean zerocopy;
  char    *bind_address;
  char    *label;
  char    *connect_timeout;
  char    *receive_timeout;
  gboolean stop_on_exit;
  gboolean local;
  gboolean queue;
  gboolean exclusive;
  gboolean detach;
  gboolean verbose;
} RunOptions;

static void
run_options_clear (RunOptions *o)
{
  g_free (o->port);
  g_free (o->parallel);
  g_free (o->time);
  g_free (o->bytes);
  g_free (o->bitrate);
  g_free (o->interval);
  g_free (o->omit);
  g_free (o->length);
  g_free (o->window);
  g_free (o->tos);
  g_free (o->congestion);
  g_free (o->bind_address);
  g_free (o->label);
  g_free (o->connect_timeout);
  g_free (o->receive_timeout);
}

/* --- values ------------------------------------------------------------------ */

static gboolean
add_size (GVariantDict  *dict,
          const char    *key,
          const char    *text,
          const char    *option,
          gboolean       is_rate,
          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!(is_rate ? tr_parse_rate (text, &value, &local_error)
                : tr_parse_size (text, &value, &local_error)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: %s", option, local_error->message);
      return FALSE;
    }
  g_variant_dict_insert (dict, key, "t", value);
  return TRUE;
}

/* The StartTest a{sv}, with only the options the user gave. */
static GVariant *
build_options (RunOptions  *o,
               const char  *host,
               GError     **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  if (o->reverse && o->bidir)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("-R and --bidir cannot be used together"));
      return NULL;
    }
  if (o->detach && o->stop_on_exit)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--stop-on-exit cannot be used with --detach: the test would stop as soon as trafficctl exits"));
      return NULL;
    }

  /* With --local the service picks the address (127.0.0.1) unless given. */
  if (host != NULL)
    g_variant_dict_insert (&dict, "host", "s", host);
  if (!trafficctl_dict_add_uint (&dict, "port", o->port, "-p", 10, G_MAXUINT32, error) ||
      !trafficctl_dict_add_uint (&dict, "parallel", o->parallel, "-P", 10, G_MAXUINT32, error) ||
      !trafficctl_dict_add_uint (&dict, "duration", o->time, "-t", 10, G_MAXUINT32, error) ||
      !add_size (&dict, "bytes", o->bytes, "-n", FALSE, error) ||
      !add_size (&dict, "bitrate", o->bitrate, "-b", TRUE, error) ||
      !trafficctl_dict_add_seconds (&dict, "interval", o->interval, "-i", error) ||
      !trafficctl_dict_add_uint (&dict, "omit", o->omit, "-O", 10, G_MAXUINT32, error) ||
      !add_size (&dict, "length", o->length, "-l", FALSE, error) ||
      !add_size (&dict, "window", o->window, "-w", FALSE, error) ||
      /* 0 as base: "-S 0x10" and "-S 020" as iperf takes them */
      !trafficctl_dict_add_uint (&dict, "tos", o->tos, "-S", 0, G_MAXUINT32, error) ||
      !trafficctl_dict_add_seconds (&dict, "connect_timeout", o->connect_timeout, "--connect-timeout", error) ||
      !trafficctl_dict_add_seconds (&dict, "receive_timeout", o->receive_timeout, "--receive-timeout", error))
    return NULL;

  if (o->udp)
    g_variant_dict_insert (&dict, "protocol", "s", "udp");
  if (o->reverse)
    g_variant_dict_insert (&dict, "direction", "s", "reverse");
  else if (o->bidir)
    g_variant_dict_insert (&dict, "direction", "s", "bidirectional");
  if (o->congestion != NULL)
    g_variant_dict_insert (&dict, "congestion", "s", o->congestion);
  if (o->zerocopy)
    g_variant_dict_insert (&dict, "zerocopy", "b", TRUE);
  if (o->bind_address != NULL)
    g_variant_dict_insert (&dict, "bind_address", "s", o->bind_address);
  if (o->label != NULL)
    g_variant_dict_insert (&dict, "label", "s", o->label);
  if (o->stop_on_exit)
    g_variant_dict_insert (&dict, "stop_on_disconnect", "b", TRUE);
  if (o->local)
    g_variant_dict_insert (&dict, "local", "b", TRUE);
  if (o->queue)
    g_variant_dict_insert (&dict, "queue", "b", TRUE);
  if (o->exclusive)
    g_variant_dict_insert (&dict, "exclusive", "b", TRUE);

  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* --- starting ----------------------------------------------------------------- */

typedef struct {
  TrafficctlGlobals *globals;
  TrafficctlFollow  *follow;
  gboolean           detach;
} RunData;

static void
on_test_started (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RunData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = tc_client_start_test_finish (TC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* trafficctl is leaving: data is gone */
  if (path == NULL)
    {
      trafficctl_follow_quit (data->follow, trafficctl_print_error (_("starting the test"), error));
      return;
    }

  if (data->detach)
    {
      if (data->globals->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) node = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "test");
          json_builder_add_int_value (builder, tc_client_test_id_from_path (path));
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, path);
          json_builder_end_object (builder);
          node = json_builder_get_root (builder);
          trafficctl_print_json (node, FALSE);
        }
      else
        {
          printf ("%s\n", path);
          fflush (stdout);
        }
      trafficctl_follow_quit (data->follow, TRAFFICCTL_EXIT_OK);
      return;
    }

  trafficctl_follow_set_path (data->follow, path);
}

int
trafficctl_run (TrafficctlGlobals  *globals,
                int                 argc,
                char              **argv)
{
  RunOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_STRING, &o.port, N_("Server port (default 5201)"), N_("PORT") },
    { "udp", 'u', 0, G_OPTION_ARG_NONE, &o.udp, N_("Use UDP instead of TCP"), NULL },
    { "parallel", 'P', 0, G_OPTION_ARG_STRING, &o.parallel, N_("Number of parallel streams"), N_("N") },
    { "time", 't', 0, G_OPTION_ARG_STRING, &o.time, N_("Test for SEC seconds (default 10; 0 runs until stopped or Ctrl-C)"), N_("SEC") },
    { "bytes", 'n', 0, G_OPTION_ARG_STRING, &o.bytes, N_("Transfer BYTES instead of testing for a time (K/M/G/T suffix, powers of 1024)"), N_("BYTES") },
    { "reverse", 'R', 0, G_OPTION_ARG_NONE, &o.reverse, N_("Reverse mode: the server sends"), NULL },
    { "bidir", 0, 0, G_OPTION_ARG_NONE, &o.bidir, N_("Send and receive at the same time"), NULL },
    { "bitrate", 'b', 0, G_OPTION_ARG_STRING, &o.bitrate, N_("Target bitrate in bit/s (K/M/G/T suffix, powers of 1000; 0 = unlimited)"), N_("RATE") },
    { "interval", 'i', 0, G_OPTION_ARG_STRING, &o.interval, N_("Seconds between reports (default 1)"), N_("SEC") },
    { "omit", 'O', 0, G_OPTION_ARG_STRING, &o.omit, N_("Leave out the first SEC seconds"), N_("SEC") },
    { "length", 'l', 0, G_OPTION_ARG_STRING, &o.length, N_("Length of the buffers to send (K/M suffix)"), N_("LEN") },
    { "window", 'w', 0, G_OPTION_ARG_STRING, &o.window, N_("Socket buffer size (K/M suffix)"), N_("SIZE") },
    { "tos", 'S', 0, G_OPTION_ARG_STRING, &o.tos, N_("IP type of service byte (0-255, 0x.. hex allowed)"), N_("TOS") },
    { "congestion", 'C', 0, G_OPTION_ARG_STRING, &o.congestion, N_("TCP congestion control algorithm"), N_("ALGO") },
    { "zerocopy", 'Z', 0, G_OPTION_ARG_NONE, &o.zerocopy, N_("Send with sendfile() (TCP)"), NULL },
    { "bind", 'B', 0, G_OPTION_ARG_STRING, &o.bind_address, N_("Local address to send from"), N_("ADDR") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &o.label, N_("Free text kept with the test"), N_("TEXT") },
    { "connect-timeout", 0, 0, G_OPTION_ARG_STRING, &o.connect_timeout, N_("Give up connecting after SEC seconds"), N_("SEC") },
    { "receive-timeout", 0, 0, G_OPTION_ARG_STRING, &o.receive_timeout, N_("Fail when no data arrives for SEC seconds"), N_("SEC") },
    { "stop-on-exit", 0, 0, G_OPTION_ARG_NONE, &o.stop_on_exit, N_("Stop the test when trafficctl exits or dies"), NULL },
    { "local", 0, 0, G_OPTION_ARG_NONE, &o.local, N_("Test against a one-off server the service starts on a free local port (HOST is then optional, default 127.0.0.1; no -p)"), NULL },
    { "queue", 0, 0, G_OPTION_ARG_NONE, &o.queue, N_("When the limit on running tests is reached, wait in the queue instead of failing"), NULL },
    { "exclusive", 0, 0, G_OPTION_ARG_NONE, &o.exclusive, N_("Run only while no other test runs, and let none start meanwhile"), NULL },
    { "detach", 0, 0, G_OPTION_ARG_NONE, &o.detach, N_("Print the new test's object path and exit without following it"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, N_("Also show the test's informational log lines"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) options = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(TcTestWatch) watch = NULL;
  g_autoptr(TrafficctlFollow) follow = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TrafficctlFollowFlags flags = TRAFFICCTL_FOLLOW_STOP_ON_INTERRUPT;
  RunData data = { globals, NULL, FALSE };
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, _("[HOST]"),
                                           _("Run a throughput test against the iperf3 server on HOST and\n"
                                             "follow it until it ends; Ctrl-C stops it. Options as iperf3's.\n"
                                             "With --local the service starts a server for the test itself\n"
                                             "and HOST may be left out. With --queue a test that cannot\n"
                                             "start yet waits in the queue, its position shown."),
                                           entries);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    goto out;

  if (argc > 2 || (argc < 2 && !o.local))
    {
      exit_code = trafficctl_usage_error ("run", argc < 2 ? _("HOST is missing (or use --local)")
                                                          : _("Only one HOST, please"));
      goto out;
    }

  options = build_options (&o, argc == 2 ? argv[1] : NULL, &error);
  if (options == NULL)
    {
      exit_code = trafficctl_usage_error ("run", "%s", error->message);
      goto out;
    }

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    goto out;

  /* Subscribe before StartTest so that not even the first interval is lost. */
  watch = tc_test_watch_new (client, &error);
  if (watch == NULL)
    {
      exit_code = trafficctl_print_error (_("connecting to the service"), error);
      goto out;
    }

  {
    guint32 duration;

    if (g_variant_lookup (options, "duration", "u", &duration) && duration == 0)
      flags |= TRAFFICCTL_FOLLOW_UNTIL_STOPPED;
  }
  if (o.verbose)
    flags |= TRAFFICCTL_FOLLOW_VERBOSE;
  follow = trafficctl_follow_new (globals, client, watch, flags);

  data.follow = follow;
  data.detach = o.detach;
  tc_client_start_test (client, options, cancellable, on_test_started, &data);
  exit_code = trafficctl_follow_run (follow);
  g_cancellable_cancel (cancellable);

out:
  run_options_clear (&o);
  return exit_code;
}
