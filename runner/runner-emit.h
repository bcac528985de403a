/* runner-emit.h: the helper's side of the protocol (see tr-proto.h). All
 * writes go through one mutex so that the reader thread and the main thread
 * never interleave partial lines. */
#pragma once

#include <glib.h>

void runner_emit_init (int fd);
void runner_emit      (const char *kind, GVariant *record);
void runner_emit_log  (guint level, const char *format, ...) G_GNUC_PRINTF (2, 3);
void runner_emit_error (const char *kind, int code, int errnum, const char *message);
/* The last record: "finished", "stopped" or "failed"; sent once. */
void     runner_emit_end      (const char *status);
gboolean runner_emit_end_done (void);
