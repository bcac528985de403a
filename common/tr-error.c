/* tr-error.c: GError domain <-> D-Bus error names. */
#include "tr-error.h"

#include <gio/gio.h>
#include <string.h>

static const GDBusErrorEntry tr_error_entries[] = {
  { TR_ERROR_INVALID_ARGUMENT,  TR_DBUS_ERROR_PREFIX "InvalidArgument" },
  { TR_ERROR_CONNECTION_REFUSED, TR_DBUS_ERROR_PREFIX "ConnectionRefused" },
  { TR_ERROR_HOST_NOT_FOUND,    TR_DBUS_ERROR_PREFIX "HostNotFound" },
  { TR_ERROR_SERVER_BUSY,       TR_DBUS_ERROR_PREFIX "ServerBusy" },
  { TR_ERROR_TIMEOUT,           TR_DBUS_ERROR_PREFIX "Timeout" },
  { TR_ERROR_TOO_MANY_TESTS,    TR_DBUS_ERROR_PREFIX "TooManyTests" },
  { TR_ERROR_NOT_FOUND,         TR_DBUS_ERROR_PREFIX "NotFound" },
  { TR_ERROR_INTERNAL,          TR_DBUS_ERROR_PREFIX "Internal" },
  { TR_ERROR_ACCESS_DENIED,     TR_DBUS_ERROR_PREFIX "AccessDenied" },
  { TR_ERROR_STOPPED,           TR_DBUS_ERROR_PREFIX "Stopped" },
  { TR_ERROR_PORT_IN_USE,       TR_DBUS_ERROR_PREFIX "PortInUse" },
  { TR_ERROR_LIMIT_EXCEEDED,    TR_DBUS_ERROR_PREFIX "LimitExceeded" },
  { TR_ERROR_STORAGE_FULL,      TR_DBUS_ERROR_PREFIX "StorageFull" },
  { TR_ERROR_UNAVAILABLE,       TR_DBUS_ERROR_PREFIX "Unavailable" },
  { TR_ERROR_INTERRUPTED,       TR_DBUS_ERROR_PREFIX "Interrupted" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (tr_error_entries) == TR_ERROR_N_ERRORS);

GQuark
tr_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("trafficd-error-quark", &quark,
                                      tr_error_entries,
                                      G_N_ELEMENTS (tr_error_entries));
  return (GQuark) quark;
}

const char *
tr_error_dbus_name (TrError code)
{
  g_return_val_if_fail (code < TR_ERROR_N_ERRORS, TR_DBUS_ERROR_PREFIX "Internal");
  return tr_error_entries[code].dbus_error_name;
}

int
tr_error_from_dbus_name (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (tr_error_entries); i++)
    if (strcmp (tr_error_entries[i].dbus_error_name, name) == 0)
      return tr_error_entries[i].error_code;
  return -1;
}
