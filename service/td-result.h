/* td-result.h: collects a test's records and builds its Result a{sv}.
 *
 * libiperf's exact counters (the runner's "result" record) win; without
 * them (a stopped or failed test) the summary lines of iperf's text output
 * are used, and the result says exact=false. */
#pragma once

#include <glib.h>
#include "tr-options.h"

G_BEGIN_DECLS

typedef struct _TdResult TdResult;

/* @served: the results of a served test (the server side) */
TdResult *td_result_new        (gboolean           served);
void      td_result_free       (TdResult          *result);
/* Takes note of what it needs from any record; ignores the rest. */
void      td_result_add_record (TdResult          *result,
                                const char        *kind,
                                GVariant          *record);
gboolean  td_result_has_data   (TdResult          *result);
GVariant *td_result_build      (TdResult          *result,
                                const TrTestOptions *options,
                                gboolean           partial);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdResult, td_result_free)

G_END_DECLS
