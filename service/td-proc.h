/* td-proc.h: what /proc says about a process: CPU time, memory, start time,
 * executable. Reads of procfs are in-memory and do not block. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct {
  guint64 cpu_ticks;      /* utime + stime, in clock ticks */
  guint64 start_ticks;    /* start time after boot, in clock ticks */
  guint64 rss_bytes;
  pid_t   pgrp;
} TdProcStat;

gboolean td_proc_read_stat (pid_t pid, TdProcStat *stat);
/* The executable's path (readlink of /proc/PID/exe), NULL when unknown. */
char    *td_proc_read_exe  (pid_t pid);
/* CPU percent of one core between two samples taken @elapsed_us apart. */
double   td_proc_cpu_percent (const TdProcStat *before, const TdProcStat *after, gint64 elapsed_us);

/* Follows one process: call td_proc_sampler_update() now and then and
 * read the latest CPU percent and RSS. */
typedef struct {
  pid_t      pid;
  int        fd;          /* /proc/PID/stat, or -1 */
  gboolean   have_sample;
  TdProcStat last;
  gint64     last_time;
  double     cpu_percent;
  guint64    rss_bytes;
} TdProcSampler;

void     td_proc_sampler_init   (TdProcSampler *sampler, pid_t pid);
gboolean td_proc_sampler_update (TdProcSampler *sampler);
/* Closes what td_proc_sampler_init() opened. */
void     td_proc_sampler_clear  (TdProcSampler *sampler);

G_END_DECLS
