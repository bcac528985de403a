/* trafficctl-polkit.c: pkttyagent and interactive calls; see the header. */
#include "config.h"

#include "trafficctl-polkit.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define AGENT_READY_TIMEOUT_MS 5000

static GSubprocess *agent;
static gboolean interactive;

/* Runs in GDBus's worker thread for every message: outgoing method calls
 * get the flag that lets polkit ask the user. Not only those addressed to
 * TC_BUS_NAME: proxies address the name's unique owner (":1.42"); only the
 * bus driver's own calls are left alone. */
static GDBusMessage *
allow_interaction (GDBusConnection *connection, GDBusMessage *message, gboolean incoming, gpointer user_data)
{
  GDBusMessage *copy;

  if (incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0 (g_dbus_message_get_destination (message), "org.freedesktop.DBus") == 0)
    return message;
  /* outgoing messages are locked: set the flag on a copy (same serial) */
  copy = g_dbus_message_copy (message, NULL);
  if (copy == NULL)
    return message;
  g_dbus_message_set_flags (copy, g_dbus_message_get_flags (copy) |
                                  G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION);
  g_object_unref (message);
  return copy;
}

static void
stop_agent (void)
{
  if (agent == NULL)
    return;
  g_subprocess_send_signal (agent, SIGTERM);
  g_subprocess_wait (agent, NULL, NULL);
  g_clear_object (&agent);
}

static void
agent_child_setup (gpointer user_data)
{
  pid_t parent = (pid_t) GPOINTER_TO_INT (user_data);

  /* the agent goes when trafficctl goes, even when trafficctl is killed */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != parent)
    _exit (0);
}

/* pkttyagent closes --notify-fd once it is registered with polkitd (or
 * exits when it cannot be): wait for that, bounded. */
static void
wait_for_agent (int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  gint64 deadline = g_get_monotonic_time () + AGENT_READY_TIMEOUT_MS * 1000;

  for (;;)
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      char buffer[64];
      int r;

      if (left_ms <= 0)
        return;
      r = poll (&pfd, 1, (int) left_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return;
      /* EOF: the agent closed its end */
      r = read (fd, buffer, sizeof buffer);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
        return;
    }
}

void
trafficctl_polkit_agent_setup (GDBusConnection *connection, gboolean session)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pkttyagent = NULL;
  g_autofree char *pid = NULL;
  int fds[2];

  if (session || interactive || !isatty (STDIN_FILENO))
    return;
  interactive = TRUE;
  g_dbus_connection_add_filter (connection, allow_interaction, NULL, NULL);

  pkttyagent = g_find_program_in_path ("pkttyagent");
  if (pkttyagent == NULL || pipe (fds) < 0)
    return;
  pid = g_strdup_printf ("%d", (int) getpid ());
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher, agent_child_setup, GINT_TO_POINTER ((int) getpid ()), NULL);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  /* --fallback leaves the prompt to a login session's own agent (a desktop
   * dialog), but polkitd uses a fallback agent only for subjects in a
   * logind session: outside one (no XDG_SESSION_ID: a container, su, a
   * machine without logind) the agent must not be a fallback, or nothing
   * would ever ask. */
  agent = g_subprocess_launcher_spawn (launcher, &error, pkttyagent, "--process", pid,
                                       "--notify-fd", "3",
                                       g_getenv ("XDG_SESSION_ID") != NULL ? "--fallback" : NULL, NULL);
  /* the launcher holds the write end until it is freed: drop it now */
  g_clear_object (&launcher);
  if (agent == NULL)
    {
      g_debug ("cannot start pkttyagent: %s", error->message);
      close (fds[0]);
      return;
    }
  atexit (stop_agent);
  wait_for_agent (fds[0]);
  close (fds[0]);
}

gboolean
trafficctl_polkit_interactive (void)
{
  return interactive;
}

char *
trafficctl_polkit_refused_action (const char *message)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  if (message == NULL)
    return NULL;
  regex = g_regex_new ("org\\.trafficd\\.traffic\\.[a-z-]+", 0, 0, NULL);
  if (regex == NULL || !g_regex_match (regex, message, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 0);
}
