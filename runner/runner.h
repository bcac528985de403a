/* runner.h: what the parts of trafficd-runner share. */
#pragma once

#include <glib.h>
#include <setjmp.h>
#include <signal.h>
#include "tr-options.h"
#include "tr-server-options.h"

/* The signal that asked us to stop (SIGTERM from the service, or the
 * stdin watcher when the service is gone), 0 until then. */
extern volatile sig_atomic_t runner_stop_signal;

/* SIG_BLOCK or SIG_UNBLOCK SIGINT, SIGTERM and SIGHUP in this thread. */
void runner_block_stop_signals (int how);
/* From now on a stop signal jumps to @jmp (set with sigsetjmp(jmp, 1)). */
void runner_arm_stop           (sigjmp_buf *jmp);

int  runner_client_run         (const TrTestOptions   *options);
int  runner_server_run         (const TrServerOptions *options);
