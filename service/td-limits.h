/* td-limits.h: the per-test limits of the configuration file ([Limits] in
 * trafficd.conf, see README.md "Limits"), and the checks of a test's or a
 * server's options against them.
 *
 * These limits apply to callers that are not administrators (see
 * TD_AUTHORITY_CHECK_ADMIN); the concurrency limits (MaxRunningTests...)
 * live in TdConfig and apply to everyone. A violation is a
 * TR_ERROR_LIMIT_EXCEEDED whose message names the limit and its value:
 * "MaxDuration=60: the test would run 120 s". */
#pragma once

#include <glib.h>
#include "tr-options.h"
#include "tr-server-options.h"

G_BEGIN_DECLS

typedef struct _TdLimits TdLimits;

TdLimits *td_limits_new   (void);
void      td_limits_free  (TdLimits *limits);
TdLimits *td_limits_copy  (const TdLimits *limits);

/* Setters from the configuration file's text; FALSE with
 * TR_ERROR_INVALID_ARGUMENT naming @key on a bad value. "" or "0" clears
 * the limit. */
gboolean  td_limits_set_max_duration       (TdLimits *limits, const char *key, const char *text, GError **error);
gboolean  td_limits_set_max_parallel       (TdLimits *limits, const char *key, const char *text, GError **error);
gboolean  td_limits_set_max_udp_bitrate    (TdLimits *limits, const char *key, const char *text, GError **error);
/* Addresses, CIDR ranges and host names separated by ';', ',' or spaces. */
gboolean  td_limits_set_allowed_targets    (TdLimits *limits, const char *key, const char *text, GError **error);
/* Ports and ranges ("5201-5210;6000"). */
gboolean  td_limits_set_allowed_server_ports (TdLimits *limits, const char *key, const char *text, GError **error);

/* TRUE when no per-test limit is set. */
gboolean  td_limits_is_empty  (const TdLimits *limits);

/* The first limit @options exceed, as TR_ERROR_LIMIT_EXCEEDED; TRUE when
 * none. */
gboolean  td_limits_check_test   (const TdLimits        *limits,
                                  const TrTestOptions   *options,
                                  GError               **error);
gboolean  td_limits_check_server (const TdLimits        *limits,
                                  const TrServerOptions *options,
                                  GError               **error);

/* The limits as a{sv} (Manager.Limits): max_duration (u), max_parallel (u),
 * max_udp_bitrate (t), allowed_targets (as), allowed_server_ports (as);
 * keys of unset limits are left out. */
GVariant *td_limits_to_variant (const TdLimits *limits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdLimits, td_limits_free)

G_END_DECLS
