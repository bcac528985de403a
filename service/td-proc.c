/* td-proc.c: /proc/PID/stat and friends. */
#include "td-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Parses the text of /proc/PID/stat. */
static gboolean
parse_stat (const char *contents, TdProcStat *stat)
{
  /* the command name (field 2) may contain spaces and ')': skip past the last ')' */
  const char *p = strrchr (contents, ')');
  guint64 values[25] = { 0 };
  static long page_size;

  if (p == NULL)
    return FALSE;
  p++;
  /* fields 3..24; field 3 (state) is a letter, the rest are numbers */
  for (guint field = 3; field <= 24; field++)
    {
      char *end = NULL;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        return FALSE;
      if (field == 3)
        {
          p++;
          continue;
        }
      values[field] = (guint64) g_ascii_strtoll (p, &end, 10);
      if (end == p)
        return FALSE;
      p = end;
    }
  if (page_size == 0)
    page_size = sysconf (_SC_PAGESIZE);
  stat->cpu_ticks = values[14] + values[15];
  stat->start_ticks = values[22];
  stat->rss_bytes = values[24] * (guint64) page_size;
  stat->pgrp = (pid_t) values[5];
  return TRUE;
}

static gboolean
read_stat_fd (int fd, TdProcStat *stat)
{
  char buf[1024];
  gssize n;

  do
    n = pread (fd, buf, sizeof buf - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  return parse_stat (buf, stat);
}

gboolean
td_proc_read_stat (pid_t pid, TdProcStat *stat)
{
  char path[64];
  int fd;
  gboolean ok;

  if (pid <= 0)
    return FALSE;
  g_snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  ok = read_stat_fd (fd, stat);
  close (fd);
  return ok;
}

char *
td_proc_read_exe (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/exe", (int) pid);

  return g_file_read_link (path, NULL);
}

double
td_proc_cpu_percent (const TdProcStat *before, const TdProcStat *after, gint64 elapsed_us)
{
  static long ticks_per_second;

  if (ticks_per_second == 0)
    ticks_per_second = sysconf (_SC_CLK_TCK);
  if (elapsed_us <= 0 || after->cpu_ticks < before->cpu_ticks)
    return 0;
  return 100.0 * (double) (after->cpu_ticks - before->cpu_ticks) / ticks_per_second
         / ((double) elapsed_us / G_USEC_PER_SEC);
}

void
td_proc_sampler_init (TdProcSampler *sampler, pid_t pid)
{
  char path[64];

  memset (sampler, 0, sizeof *sampler);
  sampler->pid = pid;
  /* kept open: a read then costs one pread, and once the process is gone
   * the fd reads nothing rather than a recycled PID's figures */
  g_snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  sampler->fd = pid > 0 ? open (path, O_RDONLY | O_CLOEXEC) : -1;
}

void
td_proc_sampler_clear (TdProcSampler *sampler)
{
  if (sampler->fd >= 0)
    close (sampler->fd);
  sampler->fd = -1;
}

gboolean
td_proc_sampler_update (TdProcSampler *sampler)
{
  TdProcStat now;
  gint64 t = g_get_monotonic_time ();

  if (sampler->fd < 0 || !read_stat_fd (sampler->fd, &now))
    return FALSE;
  if (sampler->have_sample)
    sampler->cpu_percent = td_proc_cpu_percent (&sampler->last, &now, t - sampler->last_time);
  sampler->last = now;
  sampler->last_time = t;
  sampler->have_sample = TRUE;
  sampler->rss_bytes = now.rss_bytes;
  return TRUE;
}
