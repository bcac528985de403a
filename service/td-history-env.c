/* td-history-env.c: kernel, route lookup, link speed, executable. */
#include "config.h"

#include "td-history-env.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

char *
td_history_env_kernel (void)
{
  struct utsname u;

  if (uname (&u) < 0)
    return NULL;
  return g_strdup_printf ("%s %s %s", u.sysname, u.release, u.version);
}

/* An IP literal without its %scope, as bytes; the family, or 0. */
static int
parse_address (const char *text, guint8 bytes[16], guint *len)
{
  g_autofree char *copy = g_strdup (text);
  char *scope = strchr (copy, '%');

  if (scope != NULL)
    *scope = '\0';
  if (inet_pton (AF_INET, copy, bytes) == 1)
    {
      *len = 4;
      return AF_INET;
    }
  if (inet_pton (AF_INET6, copy, bytes) == 1)
    {
      *len = 16;
      return AF_INET6;
    }
  return 0;
}

static void
add_attr (struct nlmsghdr *n, gsize max, int type, const void *data, guint len)
{
  struct rtattr *rta = (struct rtattr *) (void *) ((char *) n + NLMSG_ALIGN (n->nlmsg_len));

  g_assert (NLMSG_ALIGN (n->nlmsg_len) + RTA_LENGTH (len) <= max);
  rta->rta_type = (unsigned short) type;
  rta->rta_len = (unsigned short) RTA_LENGTH (len);
  memcpy (RTA_DATA (rta), data, len);
  n->nlmsg_len = NLMSG_ALIGN (n->nlmsg_len) + RTA_ALIGN (RTA_LENGTH (len));
}

char *
td_history_env_route (const char *remote, const char *local, GError **error)
{
  struct {
    struct nlmsghdr n;
    struct rtmsg    r;
    char            attrs[64];
  } req;
  guint8 dst[16], src[16], reply[8192];
  guint dst_len, src_len;
  int family = remote ? parse_address (remote, dst, &dst_len) : 0;
  struct timeval timeout = { 1, 0 };
  int fd;
  ssize_t got;

  if (family == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not an IP address: %s", remote ? remote : "(none)");
      return NULL;
    }
  memset (&req, 0, sizeof req);
  req.n.nlmsg_len = NLMSG_LENGTH (sizeof (struct rtmsg));
  req.n.nlmsg_type = RTM_GETROUTE;
  req.n.nlmsg_flags = NLM_F_REQUEST;
  req.n.nlmsg_seq = 1;
  req.r.rtm_family = (unsigned char) family;
  req.r.rtm_dst_len = (unsigned char) (dst_len * 8);
  add_attr (&req.n, sizeof req, RTA_DST, dst, dst_len);
  if (local != NULL && parse_address (local, src, &src_len) == family)
    {
      req.r.rtm_src_len = (unsigned char) (src_len * 8);
      add_attr (&req.n, sizeof req, RTA_SRC, src, src_len);
    }

  fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "netlink socket: %s", g_strerror (saved));
      return NULL;
    }
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (send (fd, &req, req.n.nlmsg_len, 0) < 0 || (got = recv (fd, reply, sizeof reply, 0)) < 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "route lookup: %s", g_strerror (saved));
      return NULL;
    }
  close (fd);

  for (struct nlmsghdr *h = (struct nlmsghdr *) (void *) reply; NLMSG_OK (h, (guint) got); h = NLMSG_NEXT (h, got))
    {
      struct rtmsg *r;
      struct rtattr *a;
      int len;

      if (h->nlmsg_type == NLMSG_ERROR)
        {
          struct nlmsgerr *e = NLMSG_DATA (h);
          int saved = e->error < 0 ? -e->error : EINVAL;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "no route to %s: %s", remote,
                       g_strerror (saved));
          return NULL;
        }
      if (h->nlmsg_type != RTM_NEWROUTE)
        continue;
      r = NLMSG_DATA (h);
      len = (int) RTM_PAYLOAD (h);
      for (a = RTM_RTA (r); RTA_OK (a, len); a = RTA_NEXT (a, len))
        if (a->rta_type == RTA_OIF)
          {
            char name[IF_NAMESIZE];
            guint32 index;

            memcpy (&index, RTA_DATA (a), sizeof index);
            if (if_indextoname (index, name) != NULL)
              return g_strdup (name);
          }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the kernel gave no interface for %s", remote);
  return NULL;
}

gint64
td_history_env_link_speed (const char *ifname)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gint64 mbits;

  if (ifname == NULL || strchr (ifname, '/') != NULL || ifname[0] == '.')
    return -1;
  path = g_build_filename ("/sys/class/net", ifname, "speed", NULL);
  /* reading it fails with EINVAL for interfaces without a speed */
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  mbits = g_ascii_strtoll (g_strstrip (text), NULL, 10);
  return mbits > 0 ? mbits * 1000000 : -1;
}

char *
td_history_env_executable (guint32 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/exe", pid);

  if (pid == 0)
    return NULL;
  return g_file_read_link (path, NULL);
}
