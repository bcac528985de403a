/* td-proc.c: /proc/PID/stat and friends. */
#include "td-proc.h"

#include <string.h>
#include <unistd.h>

gboolean
td_proc_read_stat (pid_t pid, TdProcStat *stat)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_comm;
  static long page_size;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* the command name (field 2) may contain spaces and ')': skip past the last ')' */
  after_comm = strrchr (contents, ')');
  if (after_comm == NULL)
    return FALSE;
  fields = g_strsplit (after_comm + 2, " ", 0);
  /* fields[0] is field 3 (state): utime 14, stime 15, starttime 22, rss 24 */
  if (g_strv_length (fields) < 22)
    return FALSE;
  if (page_size == 0)
    page_size = sysconf (_SC_PAGESIZE);
  stat->cpu_ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  stat->start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
  stat->rss_bytes = g_ascii_strtoull (fields[21], NULL, 10) * (guint64) page_size;
  stat->pgrp = (pid_t) g_ascii_strtoll (fields[2], NULL, 10);
  return TRUE;
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
  memset (sampler, 0, sizeof *sampler);
  sampler->pid = pid;
}

gboolean
td_proc_sampler_update (TdProcSampler *sampler)
{
  TdProcStat now;
  gint64 t = g_get_monotonic_time ();

  if (!td_proc_read_stat (sampler->pid, &now))
    return FALSE;
  if (sampler->have_sample)
    sampler->cpu_percent = td_proc_cpu_percent (&sampler->last, &now, t - sampler->last_time);
  sampler->last = now;
  sampler->last_time = t;
  sampler->have_sample = TRUE;
  sampler->rss_bytes = now.rss_bytes;
  return TRUE;
}
