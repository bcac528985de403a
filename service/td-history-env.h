/* td-history-env.h: the environment stored with each test.
 *
 * Host name and kernel are read once. The interface a test's traffic used
 * is asked of the kernel (rtnetlink RTM_GETROUTE for the remote address,
 * from the local one, as "ip route get" does, without spawning anything)
 * and its link speed read from /sys/class/net/IF/speed. The caller's
 * executable is /proc/PID/exe of the PID the bus reports. Everything here
 * may block briefly: call it from a worker thread. The NetworkManager
 * connection is not looked up yet (column network_connection stays empty). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "Linux 6.1.0-18-amd64 #1 SMP ..." (uname: sysname release version). */
char    *td_history_env_kernel      (void);
/* The outgoing interface for @remote (an IP literal, IPv4 or IPv6, a
 * %scope suffix allowed) from @local (may be NULL). */
char    *td_history_env_route       (const char  *remote,
                                     const char  *local,
                                     GError     **error);
/* Link speed of @ifname in bits/s, -1 when unknown (virtual, down). */
gint64   td_history_env_link_speed  (const char  *ifname);
/* The executable of @pid, NULL when it cannot be read. */
char    *td_history_env_executable  (guint32      pid);

G_END_DECLS
