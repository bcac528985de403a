/* trafficctl-polkit.h: interactive authorization for trafficctl.
 *
 * On a terminal, trafficctl lets polkit ask for a password: every method
 * call to the service carries G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_-
 * AUTHORIZATION, and a pkttyagent registered for this process asks on the
 * terminal. Elsewhere (scripts, pipes) calls stay non-interactive and a
 * refusal says which polkit action was missing. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Does nothing unless stdin is a terminal and @session is FALSE; otherwise
 * marks the calls on @connection interactive and starts pkttyagent (it is
 * stopped when trafficctl exits). A missing pkttyagent only means no
 * password prompt. */
void  trafficctl_polkit_agent_setup    (GDBusConnection *connection,
                                        gboolean         session);
/* TRUE when trafficctl_polkit_agent_setup() made calls interactive. */
gboolean trafficctl_polkit_interactive (void);
/* The polkit action a refusal of the service names
 * ("org.trafficd.traffic.run-test"), or NULL. */
char *trafficctl_polkit_refused_action (const char *message);

G_END_DECLS
