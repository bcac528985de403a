/* trafficctl-queue.c: "trafficctl queue": the tests waiting to start, in
 * the order they will start, and the limits that keep them waiting. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tr-format.h"
#include "trafficctl.h"
#include "trafficctl-print.h"

typedef struct {
  guint       position;
  const char *path;
  GVariant   *props;   /* owned */
} QueuedTest;

static void
queued_test_clear (gpointer data)
{
  QueuedTest *q = data;

  g_clear_pointer (&q->props, g_variant_unref);
}

static int
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  const QueuedTest *qa = a, *qb = b;

  if (qa->position != qb->position)
    return qa->position < qb->position ? -1 : 1;
  return g_strcmp0 (qa->path, qb->path);
}

static JsonNode *
queue_to_json (GVariant *manager,
               GArray   *queued)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *counts[][2] = {
    { "running_tests", "RunningTests" },
    { "max_running_tests", "MaxRunningTests" },
    { "max_running_tests_per_user", "MaxRunningTestsPerUser" },
    { "queued_tests", "QueuedTests" },
  };

  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      json_builder_set_member_name (builder, counts[i][0]);
      json_builder_add_int_value (builder, trafficctl_props_get_uint (manager, counts[i][1]));
    }
  json_builder_set_member_name (builder, "queue");
  json_builder_begin_array (builder);
  for (guint i = 0; i < queued->len; i++)
    {
      QueuedTest *q = &g_array_index (queued, QueuedTest, i);
      g_autoptr(GVariant) options = trafficctl_props_dup_dict (q->props, "Options");
      gboolean exclusive = FALSE;

      g_variant_lookup (options, "exclusive", "b", &exclusive);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "position");
      json_builder_add_int_value (builder, q->position);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (q->props, "Id"));
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, q->path);
      json_builder_set_member_name (builder, "owner");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (q->props, "Owner"));
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, trafficctl_props_get_string (options, "host"));
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_string_value (builder, trafficctl_props_get_string (options, "protocol"));
      json_builder_set_member_name (builder, "direction");
      json_builder_add_string_value (builder, trafficctl_props_get_string (options, "direction"));
      json_builder_set_member_name (builder, "exclusive");
      json_builder_add_boolean_value (builder, exclusive);
      json_builder_set_member_name (builder, "queued_since");
      json_builder_add_int_value (builder, trafficctl_props_get_uint (q->props, "StartTime"));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

int
trafficctl_queue (TrafficctlGlobals  *globals,
                  int                 argc,
                  char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcClient) client = NULL;
  g_autoptr(GVariant) manager = NULL;
  g_autoptr(GVariant) tests = NULL;
  g_autoptr(GArray) queued = NULL;
  g_autoptr(TrafficctlTable) table = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *props;
  gint64 now = g_get_real_time ();
  int exit_code = TRAFFICCTL_EXIT_OK;

  context = trafficctl_option_context_new (globals, NULL,
                                           _("Show the tests waiting in the queue (started with “run --queue”\n"
                                             "while a limit was reached), in the order they will start, and\n"
                                             "the running tests and limits. QUEUED-SINCE is when the test was\n"
                                             "started, with how long it has waited."),
                                           NULL);
  if (!trafficctl_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return trafficctl_usage_error ("queue", _("Unexpected argument “%s”"), argv[1]);

  client = trafficctl_connect (globals, &exit_code);
  if (client == NULL)
    return exit_code;

  manager = tc_client_dup_manager_properties_sync (client, NULL, &error);
  if (manager == NULL)
    return trafficctl_print_error (_("reading the service's status"), error);
  if (!tc_client_dup_objects_sync (client, &tests, NULL, NULL, &error))
    return trafficctl_print_error (_("listing the queue"), error);

  queued = g_array_new (FALSE, TRUE, sizeof (QueuedTest));
  g_array_set_clear_func (queued, queued_test_clear);
  g_variant_iter_init (&iter, tests);
  while (g_variant_iter_next (&iter, "{&o@a{sv}}", &path, &props))
    {
      QueuedTest q = { (guint) trafficctl_props_get_uint (props, "QueuePosition"), path, props };

      if (g_strcmp0 (trafficctl_props_get_string (props, "State"), "queued") != 0 || q.position == 0)
        {
          g_variant_unref (props);
          continue;
        }
      g_array_append_val (queued, q);
    }
  g_array_sort (queued, compare_positions);

  if (globals->json)
    {
      g_autoptr(JsonNode) node = queue_to_json (manager, queued);
      trafficctl_print_json (node, TRUE);
      return TRAFFICCTL_EXIT_OK;
    }

  /* TRANSLATORS: "Running tests: 2 of at most 2 (at most 2 per user); queued: 3" */
  printf (_("Running tests: %u of at most %u (at most %u per user); queued: %u\n"),
          (guint) trafficctl_props_get_uint (manager, "RunningTests"),
          (guint) trafficctl_props_get_uint (manager, "MaxRunningTests"),
          (guint) trafficctl_props_get_uint (manager, "MaxRunningTestsPerUser"),
          (guint) trafficctl_props_get_uint (manager, "QueuedTests"));
  if (queued->len == 0)
    {
      printf ("%s\n", _("No test is queued."));
      return TRAFFICCTL_EXIT_OK;
    }

  table = trafficctl_table_new ("rrlllll",
                                _("POSITION"), _("ID"), _("OWNER"), _("HOST"), _("PROTO"),
                                _("DIR"), _("QUEUED-SINCE"), NULL);
  for (guint i = 0; i < queued->len; i++)
    {
      QueuedTest *q = &g_array_index (queued, QueuedTest, i);
      g_autoptr(GVariant) options = trafficctl_props_dup_dict (q->props, "Options");
      guint64 start = trafficctl_props_get_uint (q->props, "StartTime");
      g_autofree char *position = g_strdup_printf ("%u", q->position);
      g_autofree char *id = g_strdup_printf ("%u", (guint) trafficctl_props_get_uint (q->props, "Id"));
      g_autofree char *owner = trafficctl_format_owner ((guint32) trafficctl_props_get_uint (q->props, "Owner"));
      g_autofree char *since = trafficctl_format_time (start, TRUE);
      g_autofree char *waited = tr_format_duration (start > 0 && (guint64) now > start ? (now - (gint64) start) / 1e6 : 0);
      g_autofree char *since_text = g_strdup_printf ("%s (%s)", since, waited);
      const char *host = trafficctl_props_get_string (options, "host");

      trafficctl_table_add_row (table, position, id, owner, *host != '\0' ? host : "-",
                                trafficctl_props_get_string (options, "protocol"),
                                trafficctl_direction_short (trafficctl_props_get_string (options, "direction")),
                                since_text);
    }
  trafficctl_table_print (table, stdout, "");
  return TRAFFICCTL_EXIT_OK;
}
