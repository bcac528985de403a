/* td-history-file.c: lock, -wal check, move aside. */
#include "config.h"

#include "td-history-file.h"
#include "td-history-schema.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int
td_history_file_lock (const char *lock_path, GError **error)
{
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot open the lock file %s: %s", lock_path, g_strerror (saved));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "another trafficd uses the state directory (%s is locked)", lock_path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "cannot lock %s: %s", lock_path, g_strerror (saved));
      return -1;
    }
  return fd;
}

/* ---- the -wal check (format: https://sqlite.org/fileformat2.html#walformat) ---- */

#define WAL_HEADER_SIZE 32
#define WAL_FRAME_HEADER_SIZE 24
#define DB_HEADER_SIZE 100

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* SQLite's WAL checksum over @n bytes (a multiple of 8), continuing @s. */
static void
wal_checksum (gboolean big_endian, const guint8 *data, gsize n, guint32 s[2])
{
  for (gsize i = 0; i + 8 <= n; i += 8)
    {
      guint32 x0, x1;

      if (big_endian)
        {
          x0 = be32 (data + i);
          x1 = be32 (data + i + 4);
        }
      else
        {
          x0 = GUINT32_FROM_LE (*(const guint32 *) (const void *) (data + i));
          x1 = GUINT32_FROM_LE (*(const guint32 *) (const void *) (data + i + 4));
        }
      s[0] += x0 + s[1];
      s[1] += x1 + s[0];
    }
}

static gboolean
read_exact (int fd, guint8 *buf, gsize n, goffset offset)
{
  gsize done = 0;

  while (done < n)
    {
      ssize_t r = pread (fd, buf + done, n - done, offset + (goffset) done);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return FALSE;
      done += (gsize) r;
    }
  return TRUE;
}

/* The database's page size and identity from its header, FALSE when it has
 * no valid header (new, empty or damaged: SQLite will judge). */
static gboolean
read_db_header (const char *db_path, guint32 *page_size, guint8 identity[8])
{
  guint8 header[DB_HEADER_SIZE];
  int fd = open (db_path, O_RDONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = read_exact (fd, header, sizeof header, 0);
  close (fd);
  if (!ok || memcmp (header, "SQLite format 3", 16) != 0)
    return FALSE;
  *page_size = ((guint32) header[16] << 8) | header[17];
  if (*page_size == 1)
    *page_size = 65536;
  memcpy (identity, header + 60, 4);        /* user_version */
  memcpy (identity + 4, header + 68, 4);    /* application_id */
  return TRUE;
}

gboolean
td_history_file_wal_is_foreign (const char *db_path, char **reason)
{
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  g_autofree guint8 *page = NULL;
  guint8 header[WAL_HEADER_SIZE], frame[WAL_FRAME_HEADER_SIZE], identity[8];
  guint32 magic, page_size, db_page_size = 0, s[2] = { 0, 0 };
  gboolean big_endian, have_db;
  gboolean page1_foreign = FALSE, committed_page1_foreign = FALSE;
  goffset offset;
  struct stat st;
  int fd;

  *reason = NULL;
  if (g_stat (wal_path, &st) < 0 || st.st_size == 0)
    return FALSE;
  have_db = read_db_header (db_path, &db_page_size, identity);

  fd = open (wal_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;   /* SQLite will report what is wrong */
  if (!read_exact (fd, header, sizeof header, 0))
    {
      close (fd);
      *reason = g_strdup ("it is shorter than a WAL header");
      return TRUE;
    }
  magic = be32 (header);
  page_size = be32 (header + 8);
  if ((magic & 0xfffffffe) != 0x377f0682 || be32 (header + 4) != 3007000)
    {
      close (fd);
      *reason = g_strdup ("it does not start with a WAL header");
      return TRUE;
    }
  big_endian = (magic & 1) != 0;
  wal_checksum (big_endian, header, 24, s);
  if (s[0] != be32 (header + 24) || s[1] != be32 (header + 28))
    {
      close (fd);
      *reason = g_strdup ("its header checksum is wrong");
      return TRUE;
    }
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
    {
      close (fd);
      *reason = g_strdup_printf ("its page size %u is invalid", page_size);
      return TRUE;
    }
  if (have_db && page_size != db_page_size)
    {
      close (fd);
      *reason = g_strdup_printf ("its page size %u is not the database's (%u)", page_size, db_page_size);
      return TRUE;
    }
  /* A database without an identity in its file was created but never
   * checkpointed: nothing to compare with. */
  if (!have_db || memcmp (identity + 4, "\0\0\0\0", 4) == 0)
    {
      close (fd);
      return FALSE;
    }

  /* Walk the frames SQLite would accept (matching salts, valid cumulative
   * checksums); what counts is what the last commit frame covers. */
  page = g_malloc (page_size);
  for (offset = WAL_HEADER_SIZE;
       offset + WAL_FRAME_HEADER_SIZE + (goffset) page_size <= st.st_size;
       offset += WAL_FRAME_HEADER_SIZE + page_size)
    {
      if (!read_exact (fd, frame, sizeof frame, offset) ||
          !read_exact (fd, page, page_size, offset + WAL_FRAME_HEADER_SIZE))
        break;
      if (memcmp (frame + 8, header + 16, 8) != 0)
        break;
      wal_checksum (big_endian, frame, 8, s);
      wal_checksum (big_endian, page, page_size, s);
      if (s[0] != be32 (frame + 16) || s[1] != be32 (frame + 20))
        break;
      if (be32 (frame) == 1)
        page1_foreign = memcmp (page + 60, identity, 4) != 0 || memcmp (page + 68, identity + 4, 4) != 0;
      if (be32 (frame + 4) != 0)   /* a commit frame */
        committed_page1_foreign = page1_foreign;
    }
  close (fd);
  if (committed_page1_foreign)
    {
      *reason = g_strdup ("it holds pages of another database (its page 1 has another application_id/user_version)");
      return TRUE;
    }
  return FALSE;
}

/* ---- moving aside ---- */

static const char *const suffixes[] = { "", "-wal", "-shm" };

static gboolean
any_exists (const char *base)
{
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (base, suffixes[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

gboolean
td_history_file_move_aside (const char *db_path, const char *tag, gboolean wal_only,
                            GPtrArray *moved, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s.%s-%s", db_path, tag, stamp);
  gboolean ok = TRUE;

  for (guint n = 2; any_exists (base) && n < 1000; n++)
    {
      g_free (base);
      base = g_strdup_printf ("%s.%s-%s.%u", db_path, tag, stamp, n);
    }

  for (guint i = wal_only ? 1 : 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (db_path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (base, suffixes[i], NULL);

      if (!g_file_test (from, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (from, to) < 0)
        {
          int saved = errno;

          if (ok)
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                         "cannot move %s aside to %s: %s", from, to, g_strerror (saved));
          ok = FALSE;
          continue;
        }
      g_ptr_array_add (moved, g_steal_pointer (&to));
    }
  return ok;
}
