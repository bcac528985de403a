/* tr-options.c: the table of client test options, and their cross-field rules. */
#include "tr-options.h"
#include "tr-error.h"
#include "tr-option-spec.h"

#include <gio/gio.h>
#include <string.h>

static gboolean check_congestion (const char *field, const char *value, GError **error);

static const char *const protocol_names[] = { "tcp", "udp", NULL };
static const char *const direction_names[] = { "forward", "reverse", "bidirectional", NULL };

#define OFF(field) offsetof (TrTestOptions, field)

static const TrOptionSpec option_specs[] = {
  { "host",               TR_OPTION_STRING, OFF (host),               0, 0, NULL, tr_validate_host },
  { "port",               TR_OPTION_UINT,   OFF (port),               1, 65535, NULL, NULL },
  { "protocol",           TR_OPTION_ENUM,   OFF (protocol),           0, 0, protocol_names, NULL },
  { "duration",           TR_OPTION_UINT,   OFF (duration),           0, 86400, NULL, NULL },
  { "bytes",              TR_OPTION_UINT,   OFF (bytes),              1, 1099511627776.0, NULL, NULL },
  { "parallel",           TR_OPTION_UINT,   OFF (parallel),           1, TR_OPTIONS_MAX_PARALLEL, NULL, NULL },
  { "direction",          TR_OPTION_ENUM,   OFF (direction),          0, 0, direction_names, NULL },
  { "bitrate",            TR_OPTION_UINT,   OFF (bitrate),            0, 100000000000.0, NULL, NULL },
  { "interval",           TR_OPTION_DOUBLE, OFF (interval),           0.1, 60, NULL, NULL },
  { "omit",               TR_OPTION_UINT,   OFF (omit),               0, 600, NULL, NULL },
  { "bind_address",       TR_OPTION_STRING, OFF (bind_address),       0, 0, NULL, tr_validate_ip_literal },
  { "length",             TR_OPTION_UINT,   OFF (length),             1, 1048576, NULL, NULL },
  { "window",             TR_OPTION_UINT,   OFF (window),             1024, 536870912, NULL, NULL },
  { "tos",                TR_OPTION_UINT,   OFF (tos),                0, 255, NULL, NULL },
  { "congestion",         TR_OPTION_STRING, OFF (congestion),         0, 0, NULL, check_congestion },
  { "zerocopy",           TR_OPTION_BOOL,   OFF (zerocopy),           0, 0, NULL, NULL },
  { "connect_timeout",    TR_OPTION_DOUBLE, OFF (connect_timeout),    0.1, 300, NULL, NULL },
  { "receive_timeout",    TR_OPTION_DOUBLE, OFF (receive_timeout),    1, 300, NULL, NULL },
  { "stop_on_disconnect", TR_OPTION_BOOL,   OFF (stop_on_disconnect), 0, 0, NULL, NULL },
  { "local",              TR_OPTION_BOOL,   OFF (local),              0, 0, NULL, NULL },
  { "queue",              TR_OPTION_BOOL,   OFF (queue),              0, 0, NULL, NULL },
  { "exclusive",          TR_OPTION_BOOL,   OFF (exclusive),          0, 0, NULL, NULL },
  { "label",              TR_OPTION_STRING, OFF (label),              0, 0, NULL, tr_validate_label },
};

#undef OFF

static gboolean
check_cross_fields (TrTestOptions *o, GVariantDict *given, GError **error)
{
  if (o->local)
    {
      if (g_variant_dict_contains (given, "port"))
        return tr_option_invalid (error, "port", "cannot be given with local: the local server's port is chosen by the service");
      if (o->host == NULL)
        o->host = g_strdup ("127.0.0.1");
    }
  if (o->host == NULL)
    return tr_option_invalid (error, "host", "is required (a host name, IPv4 or IPv6 literal)");
  if (g_variant_dict_contains (given, "bytes") && g_variant_dict_contains (given, "duration"))
    return tr_option_invalid (error, "bytes", "cannot be combined with duration: give one end condition");
  if (o->protocol == TR_PROTOCOL_UDP)
    {
      if (o->zerocopy)
        return tr_option_invalid (error, "zerocopy", "is only available with protocol \"tcp\"");
      if (o->congestion != NULL)
        return tr_option_invalid (error, "congestion", "is only available with protocol \"tcp\"");
      if (o->length != 0 && (o->length < 64 || o->length > 65507))
        return tr_option_invalid (error, "length", "must be an integer from 64 to 65507 for UDP, got %u", o->length);
      if (!g_variant_dict_contains (given, "bitrate"))
        o->bitrate = TR_OPTIONS_DEFAULT_UDP_BITRATE;
    }
  return TRUE;
}

TrTestOptions *
tr_test_options_new_from_variant (GVariant *options, GError **error)
{
  g_autoptr(TrTestOptions) o = g_new0 (TrTestOptions, 1);
  g_auto(GVariantDict) given = G_VARIANT_DICT_INIT (NULL);

  o->port = TR_OPTIONS_DEFAULT_PORT;
  o->protocol = TR_PROTOCOL_TCP;
  o->duration = 10;
  o->parallel = 1;
  o->direction = TR_DIRECTION_FORWARD;
  o->interval = 1.0;
  o->connect_timeout = 10.0;
  o->receive_timeout = 10.0;

  if (!tr_option_spec_parse (option_specs, G_N_ELEMENTS (option_specs), options, o, &given, error))
    return NULL;
  if (!check_cross_fields (o, &given, error))
    return NULL;
  if (g_variant_dict_contains (&given, "bytes"))
    o->duration = 0;
  if (o->label == NULL)
    o->label = g_strdup ("");
  return g_steal_pointer (&o);
}

GVariant *
tr_test_options_to_variant (const TrTestOptions *o)
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&b, "{sv}", "host", g_variant_new_string (o->host));
  g_variant_builder_add (&b, "{sv}", "port", g_variant_new_uint32 (o->port));
  g_variant_builder_add (&b, "{sv}", "protocol", g_variant_new_string (tr_protocol_to_string (o->protocol)));
  /* one end condition, so that the result parses again */
  if (o->bytes > 0)
    g_variant_builder_add (&b, "{sv}", "bytes", g_variant_new_uint64 (o->bytes));
  else
    g_variant_builder_add (&b, "{sv}", "duration", g_variant_new_uint32 (o->duration));
  g_variant_builder_add (&b, "{sv}", "parallel", g_variant_new_uint32 (o->parallel));
  g_variant_builder_add (&b, "{sv}", "direction", g_variant_new_string (tr_direction_to_string (o->direction)));
  g_variant_builder_add (&b, "{sv}", "bitrate", g_variant_new_uint64 (o->bitrate));
  g_variant_builder_add (&b, "{sv}", "interval", g_variant_new_double (o->interval));
  g_variant_builder_add (&b, "{sv}", "omit", g_variant_new_uint32 (o->omit));
  if (o->bind_address != NULL)
    g_variant_builder_add (&b, "{sv}", "bind_address", g_variant_new_string (o->bind_address));
  if (o->length > 0)
    g_variant_builder_add (&b, "{sv}", "length", g_variant_new_uint32 (o->length));
  if (o->window > 0)
    g_variant_builder_add (&b, "{sv}", "window", g_variant_new_uint32 (o->window));
  g_variant_builder_add (&b, "{sv}", "tos", g_variant_new_uint32 (o->tos));
  if (o->congestion != NULL)
    g_variant_builder_add (&b, "{sv}", "congestion", g_variant_new_string (o->congestion));
  g_variant_builder_add (&b, "{sv}", "zerocopy", g_variant_new_boolean (o->zerocopy));
  g_variant_builder_add (&b, "{sv}", "connect_timeout", g_variant_new_double (o->connect_timeout));
  g_variant_builder_add (&b, "{sv}", "receive_timeout", g_variant_new_double (o->receive_timeout));
  g_variant_builder_add (&b, "{sv}", "stop_on_disconnect", g_variant_new_boolean (o->stop_on_disconnect));
  g_variant_builder_add (&b, "{sv}", "local", g_variant_new_boolean (o->local));
  g_variant_builder_add (&b, "{sv}", "queue", g_variant_new_boolean (o->queue));
  g_variant_builder_add (&b, "{sv}", "exclusive", g_variant_new_boolean (o->exclusive));
  g_variant_builder_add (&b, "{sv}", "label", g_variant_new_string (o->label ? o->label : ""));
  return g_variant_builder_end (&b);
}

void
tr_test_options_free (TrTestOptions *o)
{
  if (o == NULL)
    return;
  tr_option_spec_clear_strings (option_specs, G_N_ELEMENTS (option_specs), o);
  g_free (o);
}

const char *
tr_protocol_to_string (TrProtocol protocol)
{
  return protocol_names[protocol == TR_PROTOCOL_UDP ? 1 : 0];
}

const char *
tr_direction_to_string (TrDirection direction)
{
  g_return_val_if_fail (direction <= TR_DIRECTION_BIDIRECTIONAL, "forward");
  return direction_names[direction];
}

static gboolean
check_congestion (const char *field, const char *value, GError **error)
{
  gsize len = strlen (value);

  if (len == 0 || len > 15 || !g_ascii_isalpha (value[0]))
    goto bad;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (value[i]) && !g_ascii_isdigit (value[i]) && value[i] != '_' && value[i] != '-')
      goto bad;
  return TRUE;

bad:
  {
    g_autofree char *shown = g_strescape (value, NULL);
    return tr_option_invalid (error, field, "must be 1 to 15 characters [a-z0-9_-] starting with a letter, got \"%.64s\"", shown);
  }
}

