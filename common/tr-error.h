/* tr-error.h: the one GError domain of trafficd, registered as D-Bus errors
 * org.trafficd.Traffic1.Error.* so that callers of the service and users of
 * the client library see the same codes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_ERROR (tr_error_quark ())
#define TR_DBUS_ERROR_PREFIX "org.trafficd.Traffic1.Error."

typedef enum {
  TR_ERROR_INVALID_ARGUMENT,
  TR_ERROR_CONNECTION_REFUSED,
  TR_ERROR_HOST_NOT_FOUND,
  TR_ERROR_SERVER_BUSY,
  TR_ERROR_TIMEOUT,
  TR_ERROR_TOO_MANY_TESTS,
  TR_ERROR_NOT_FOUND,
  TR_ERROR_INTERNAL,
  TR_ERROR_ACCESS_DENIED,
  TR_ERROR_STOPPED,
  TR_ERROR_PORT_IN_USE,
  TR_ERROR_LIMIT_EXCEEDED,
  TR_ERROR_STORAGE_FULL,        /* history: the disk is full; records are buffered */
  TR_ERROR_UNAVAILABLE,         /* history: no usable database (see History.Status) */
  TR_ERROR_INTERRUPTED,         /* history: the service ended before the test did */
  TR_ERROR_N_ERRORS /*< skip >*/
} TrError;

GQuark      tr_error_quark     (void);
/* "org.trafficd.Traffic1.Error.InvalidArgument" for a code. */
const char *tr_error_dbus_name (TrError code);
/* The code for a D-Bus error name, or -1 when it is not one of ours. */
int         tr_error_from_dbus_name (const char *name);

G_END_DECLS
