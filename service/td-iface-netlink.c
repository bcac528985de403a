/* td-iface-netlink.c: rtnetlink dumps of links, counters and addresses. */
#include "config.h"

#include "td-iface-netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_BUFFER (64 * 1024)

static gboolean
set_errno_error (GError **error, int errsv, const char *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

int
td_iface_netlink_open (GError **error)
{
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int one = 1;

  if (fd < 0)
    {
      set_errno_error (error, errno, "netlink socket");
      return -1;
    }
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      set_errno_error (error, errno, "netlink bind");
      close (fd);
      return -1;
    }
  /* the kernel then checks dump requests strictly (ignored when older) */
  setsockopt (fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  return fd;
}

int
td_iface_netlink_open_monitor (GError **error)
{
  struct sockaddr_nl sa = {
    .nl_family = AF_NETLINK,
    .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
  };
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

  if (fd < 0)
    {
      set_errno_error (error, errno, "netlink socket");
      return -1;
    }
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      set_errno_error (error, errno, "netlink bind (monitor)");
      close (fd);
      return -1;
    }
  return fd;
}

gboolean
td_iface_netlink_drain (int fd)
{
  char buf[8192];
  gboolean any = FALSE;

  for (;;)
    {
      ssize_t n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);

      if (n > 0)
        {
          any = TRUE;
          continue;
        }
      /* ENOBUFS: events were lost; a re-read covers them all */
      if (n < 0 && errno == ENOBUFS)
        {
          any = TRUE;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      return any;
    }
}

typedef gboolean (*MessageFunc) (struct nlmsghdr *h, gpointer data);

/* Sends @req and hands every message of the multipart answer to @func. */
static gboolean
dump (int fd, struct nlmsghdr *req, MessageFunc func, gpointer data, GError **error)
{
  static guint32 seq_counter;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  g_autofree char *buf = g_malloc (RECV_BUFFER);
  guint32 seq = ++seq_counter;
  gboolean ok = TRUE;

  req->nlmsg_seq = seq;
  req->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  if (sendto (fd, req, req->nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    return set_errno_error (error, errno, "netlink request");

  for (;;)
    {
      ssize_t n = recv (fd, buf, RECV_BUFFER, 0);
      struct nlmsghdr *h;

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, "netlink answer");
        }
      for (h = (struct nlmsghdr *) (void *) buf; NLMSG_OK (h, (guint) n); h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_seq != seq)
            continue;     /* an answer to an earlier, abandoned request */
          if (h->nlmsg_type == NLMSG_DONE)
            return ok;
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              struct nlmsgerr *e = NLMSG_DATA (h);

              if (e->error == 0)
                return ok;
              return set_errno_error (error, -e->error, "netlink dump");
            }
          if (ok && !func (h, data))
            ok = FALSE;   /* keep reading to the end of the dump */
        }
    }
}

static void
copy_counters (TdIfaceCounters *c, const struct rtnl_link_stats64 *s)
{
  c->rx_bytes = s->rx_bytes;
  c->tx_bytes = s->tx_bytes;
  c->rx_packets = s->rx_packets;
  c->tx_packets = s->tx_packets;
  c->rx_errors = s->rx_errors;
  c->tx_errors = s->tx_errors;
  c->rx_dropped = s->rx_dropped;
  c->tx_dropped = s->tx_dropped;
}

static gboolean
on_link (struct nlmsghdr *h, gpointer data)
{
  GArray *links = data;
  struct ifinfomsg *ifi = NLMSG_DATA (h);
  int len = (int) h->nlmsg_len - (int) NLMSG_LENGTH (sizeof *ifi);
  TdIfaceLink link = { 0 };

  if (h->nlmsg_type != RTM_NEWLINK || len < 0)
    return TRUE;
  link.index = (guint) ifi->ifi_index;
  link.arphrd = ifi->ifi_type;
  link.flags = ifi->ifi_flags;
  for (struct rtattr *a = IFLA_RTA (ifi); RTA_OK (a, len); a = RTA_NEXT (a, len))
    {
      guint alen = RTA_PAYLOAD (a);

      switch (a->rta_type)
        {
        case IFLA_IFNAME:
          g_strlcpy (link.name, RTA_DATA (a), MIN (alen + 1, sizeof link.name));
          break;
        case IFLA_OPERSTATE:
          if (alen >= 1)
            link.operstate = *(guint8 *) RTA_DATA (a);
          break;
        case IFLA_MTU:
          if (alen >= 4)
            memcpy (&link.mtu, RTA_DATA (a), 4);
          break;
        case IFLA_ADDRESS:
          {
            const guint8 *b = RTA_DATA (a);
            GString *s = g_string_new (NULL);
            gboolean nonzero = FALSE;

            for (guint i = 0; i < alen && i < 32; i++)
              {
                g_string_append_printf (s, i ? ":%02x" : "%02x", b[i]);
                nonzero |= b[i] != 0;
              }
            if (nonzero)
              g_strlcpy (link.mac, s->str, sizeof link.mac);
            g_string_free (s, TRUE);
          }
          break;
        case IFLA_STATS64:
          if (alen >= sizeof (struct rtnl_link_stats64))
            {
              struct rtnl_link_stats64 s;

              memcpy (&s, RTA_DATA (a), sizeof s);
              copy_counters (&link.counters, &s);
              link.has_counters = TRUE;
            }
          break;
        case IFLA_LINKINFO:
          {
            int ilen = (int) alen;

            for (struct rtattr *i = RTA_DATA (a); RTA_OK (i, ilen); i = RTA_NEXT (i, ilen))
              if (i->rta_type == IFLA_INFO_KIND)
                g_strlcpy (link.kind, RTA_DATA (i), MIN (RTA_PAYLOAD (i) + 1, sizeof link.kind));
          }
          break;
        default:
          break;
        }
    }
  if (link.index > 0 && link.name[0] != '\0')
    g_array_append_val (links, link);
  return TRUE;
}

gboolean
td_iface_netlink_dump_links (int fd, GArray *links, GError **error)
{
  struct {
    struct nlmsghdr  h;
    struct ifinfomsg i;
  } req = { 0 };

  req.h.nlmsg_len = NLMSG_LENGTH (sizeof req.i);
  req.h.nlmsg_type = RTM_GETLINK;
  req.i.ifi_family = AF_UNSPEC;
  return dump (fd, &req.h, on_link, links, error);
}

static gboolean
on_stats (struct nlmsghdr *h, gpointer data)
{
  GArray *stats = data;
  struct if_stats_msg *m = NLMSG_DATA (h);
  int len = (int) h->nlmsg_len - (int) NLMSG_LENGTH (sizeof *m);
  TdIfaceStats st = { 0 };

  if (h->nlmsg_type != RTM_NEWSTATS || len < 0)
    return TRUE;
  st.index = m->ifindex;
  for (struct rtattr *a = (struct rtattr *) (void *) ((char *) m + NLMSG_ALIGN (sizeof *m));
       RTA_OK (a, len); a = RTA_NEXT (a, len))
    if (a->rta_type == IFLA_STATS_LINK_64 && RTA_PAYLOAD (a) >= sizeof (struct rtnl_link_stats64))
      {
        struct rtnl_link_stats64 s;

        memcpy (&s, RTA_DATA (a), sizeof s);
        copy_counters (&st.counters, &s);
        g_array_append_val (stats, st);
      }
  return TRUE;
}

gboolean
td_iface_netlink_dump_stats (int fd, GArray *stats, GError **error)
{
  struct {
    struct nlmsghdr     h;
    struct if_stats_msg s;
  } req = { 0 };

  req.h.nlmsg_len = NLMSG_LENGTH (sizeof req.s);
  req.h.nlmsg_type = RTM_GETSTATS;
  req.s.family = AF_UNSPEC;
  req.s.filter_mask = IFLA_STATS_FILTER_BIT (IFLA_STATS_LINK_64);
  return dump (fd, &req.h, on_stats, stats, error);
}

static gboolean
on_addr (struct nlmsghdr *h, gpointer data)
{
  GHashTable *addrs = data;
  struct ifaddrmsg *ifa = NLMSG_DATA (h);
  int len = (int) h->nlmsg_len - (int) NLMSG_LENGTH (sizeof *ifa);
  const void *address = NULL, *local = NULL;
  char text[INET6_ADDRSTRLEN];
  GPtrArray *list;

  if (h->nlmsg_type != RTM_NEWADDR || len < 0)
    return TRUE;
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
    return TRUE;
  for (struct rtattr *a = IFA_RTA (ifa); RTA_OK (a, len); a = RTA_NEXT (a, len))
    {
      guint need = ifa->ifa_family == AF_INET ? 4 : 16;

      if (RTA_PAYLOAD (a) < need)
        continue;
      if (a->rta_type == IFA_ADDRESS)
        address = RTA_DATA (a);
      else if (a->rta_type == IFA_LOCAL)
        local = RTA_DATA (a);
    }
  /* IFA_LOCAL is the interface's own address on point-to-point links */
  if (local != NULL)
    address = local;
  if (address == NULL || inet_ntop (ifa->ifa_family, address, text, sizeof text) == NULL)
    return TRUE;
  list = g_hash_table_lookup (addrs, GUINT_TO_POINTER (ifa->ifa_index));
  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (addrs, GUINT_TO_POINTER (ifa->ifa_index), list);
    }
  g_ptr_array_add (list, g_strdup_printf ("%s/%u", text, ifa->ifa_prefixlen));
  return TRUE;
}

gboolean
td_iface_netlink_dump_addrs (int fd, GHashTable *addrs, GError **error)
{
  struct {
    struct nlmsghdr  h;
    struct ifaddrmsg a;
  } req = { 0 };

  req.h.nlmsg_len = NLMSG_LENGTH (sizeof req.a);
  req.h.nlmsg_type = RTM_GETADDR;
  req.a.ifa_family = AF_INET;
  if (!dump (fd, &req.h, on_addr, addrs, error))
    return FALSE;
  req.a.ifa_family = AF_INET6;
  return dump (fd, &req.h, on_addr, addrs, error);
}

const char *
td_iface_netlink_operstate_name (guint operstate)
{
  static const char *const names[] = {
    [IF_OPER_UNKNOWN] = "unknown",
    [IF_OPER_NOTPRESENT] = "notpresent",
    [IF_OPER_DOWN] = "down",
    [IF_OPER_LOWERLAYERDOWN] = "lowerlayerdown",
    [IF_OPER_TESTING] = "testing",
    [IF_OPER_DORMANT] = "dormant",
    [IF_OPER_UP] = "up",
  };

  if (operstate < G_N_ELEMENTS (names) && names[operstate] != NULL)
    return names[operstate];
  return "unknown";
}

char *
td_iface_netlink_type_name (const TdIfaceLink *link)
{
  if (link->kind[0] != '\0')
    return g_strdup (link->kind);
  switch (link->arphrd)
    {
    case ARPHRD_LOOPBACK:
      return g_strdup ("loopback");
    case ARPHRD_ETHER:
      {
        g_autofree char *wireless = g_build_filename ("/sys/class/net", link->name, "wireless", NULL);

        return g_strdup (g_file_test (wireless, G_FILE_TEST_IS_DIR) ? "wifi" : "ethernet");
      }
    case ARPHRD_INFINIBAND:
      return g_strdup ("infiniband");
    case ARPHRD_PPP:
      return g_strdup ("ppp");
    case ARPHRD_NONE:
      return g_strdup ("none");
    case ARPHRD_TUNNEL:
    case ARPHRD_TUNNEL6:
    case ARPHRD_SIT:
      return g_strdup ("tunnel");
    case ARPHRD_IEEE80211:
    case ARPHRD_IEEE80211_RADIOTAP:
      return g_strdup ("wifi");
    case ARPHRD_CAN:
      return g_strdup ("can");
    default:
      return g_strdup_printf ("arphrd-%u", link->arphrd);
    }
}
