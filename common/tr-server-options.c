/* tr-server-options.c: the table of managed server options. */
#include "tr-server-options.h"

#include <gio/gio.h>

#define OFF(field) offsetof (TrServerOptions, field)

static const TrOptionSpec server_specs[] = {
  { "port",          TR_OPTION_UINT,   OFF (port),          0, 65535, NULL, NULL },
  { "bind_address",  TR_OPTION_STRING, OFF (bind_address),  0, 0, NULL, tr_validate_ip_literal },
  { "one_off",       TR_OPTION_BOOL,   OFF (one_off),       0, 0, NULL, NULL },
  { "idle_timeout",  TR_OPTION_UINT,   OFF (idle_timeout),  2, 3600, NULL, NULL },
  { "interval",      TR_OPTION_DOUBLE, OFF (interval),      0.1, 60, NULL, NULL },
  { "label",         TR_OPTION_STRING, OFF (label),         0, 0, NULL, tr_validate_label },
};

#undef OFF

TrServerOptions *
tr_server_options_new_from_variant (GVariant *options, GError **error)
{
  g_autoptr(TrServerOptions) o = g_new0 (TrServerOptions, 1);
  g_auto(GVariantDict) given = G_VARIANT_DICT_INIT (NULL);

  o->idle_timeout = TR_SERVER_DEFAULT_IDLE_TIMEOUT;
  o->interval = 1.0;
  if (!tr_option_spec_parse (server_specs, G_N_ELEMENTS (server_specs), options, o, &given, error))
    return NULL;
  if (o->label == NULL)
    o->label = g_strdup ("");
  return g_steal_pointer (&o);
}

GVariant *
tr_server_options_to_variant (const TrServerOptions *o)
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&b, "{sv}", "port", g_variant_new_uint32 (o->port));
  if (o->bind_address != NULL)
    g_variant_builder_add (&b, "{sv}", "bind_address", g_variant_new_string (o->bind_address));
  g_variant_builder_add (&b, "{sv}", "one_off", g_variant_new_boolean (o->one_off));
  g_variant_builder_add (&b, "{sv}", "idle_timeout", g_variant_new_uint32 (o->idle_timeout));
  g_variant_builder_add (&b, "{sv}", "interval", g_variant_new_double (o->interval));
  g_variant_builder_add (&b, "{sv}", "label", g_variant_new_string (o->label ? o->label : ""));
  return g_variant_builder_end (&b);
}

void
tr_server_options_free (TrServerOptions *o)
{
  if (o == NULL)
    return;
  tr_option_spec_clear_strings (server_specs, G_N_ELEMENTS (server_specs), o);
  g_free (o);
}
