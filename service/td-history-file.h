/* td-history-file.h: the history database as files: the lock that keeps a
 * second trafficd away, the check of a -wal file before SQLite replays it,
 * and moving damaged files aside (never deleting them). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Takes an exclusive lock on @lock_path (created 0600). Fails with
 * G_IO_ERROR_BUSY when another process holds it. Returns the fd to keep
 * open for as long as the lock is needed. */
int      td_history_file_lock        (const char  *lock_path,
                                      GError     **error);

/* Looks at @db_path-wal before anything opens the database. Returns TRUE
 * (and why in @reason) when SQLite must not replay it: its header is not a
 * valid WAL header, its page size is not the database's, or a committed
 * frame of page 1 carries another database's identity (application_id and
 * user_version, see td-history-schema.c). A missing or empty -wal, or one
 * for a database file without a header yet, is not foreign. */
gboolean td_history_file_wal_is_foreign (const char *db_path,
                                         char      **reason);

/* Renames @db_path@suffix for each suffix in { "", "-wal", "-shm" } that
 * exists (only "-wal" and "-shm" when @wal_only) to
 * "@db_path.@tag-YYYYmmddTHHMMSS@suffix" (plus a counter when taken) and
 * adds the new paths to @moved. Fails (having moved what it could) when
 * a rename fails. */
gboolean td_history_file_move_aside  (const char  *db_path,
                                      const char  *tag,
                                      gboolean     wal_only,
                                      GPtrArray   *moved,
                                      GError     **error);

G_END_DECLS
