/* trafficctl-follow.h: follow a test in a main loop until it ends, for "run"
 * and "watch": a progress bar on a terminal, interval lines otherwise, JSON
 * lines with --json, then the summary; Ctrl-C handling; the exit code. */
#pragma once

#include <glib.h>

#include "tc-client.h"
#include "tc-test-watch.h"
#include "trafficctl.h"

G_BEGIN_DECLS

typedef enum {
  TRAFFICCTL_FOLLOW_NONE = 0,
  /* Ctrl-C stops the test and waits for it to end ("run"); without it
   * Ctrl-C only stops following ("watch"). */
  TRAFFICCTL_FOLLOW_STOP_ON_INTERRUPT = 1 << 0,
  /* The test runs until stopped (run -t 0): stopping it with our own Ctrl-C
   * is success. */
  TRAFFICCTL_FOLLOW_UNTIL_STOPPED = 1 << 1,
  /* Also show Log signals of level info and debug. */
  TRAFFICCTL_FOLLOW_VERBOSE = 1 << 2,
} TrafficctlFollowFlags;

typedef struct _TrafficctlFollow TrafficctlFollow;

TrafficctlFollow *trafficctl_follow_new      (TrafficctlGlobals     *globals,
                                              TcClient              *client,
                                              TcTestWatch           *watch,
                                              TrafficctlFollowFlags  flags);
/* The test to follow, once known (may be called from within the loop). */
void              trafficctl_follow_set_path (TrafficctlFollow      *follow,
                                              const char            *path);
/* Ends the loop with @exit_code. */
void              trafficctl_follow_quit     (TrafficctlFollow      *follow,
                                              int                    exit_code);
/* Runs the main loop until the test ended or follow_quit(); returns the
 * exit code. */
int               trafficctl_follow_run      (TrafficctlFollow      *follow);
void              trafficctl_follow_free     (TrafficctlFollow      *follow);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrafficctlFollow, trafficctl_follow_free)

G_END_DECLS
