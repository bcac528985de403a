/* td-iface-netlink.h: interface inventory and counters from rtnetlink.
 *
 * No NetworkManager, no /sys walking per tick: one RTM_GETSTATS dump
 * (IFLA_STATS_LINK_64 only) reads the 64-bit counters of every interface
 * at once; RTM_GETLINK and RTM_GETADDR dumps give the inventory, re-read
 * when the monitor socket (RTMGRP_LINK and the address groups) reports a
 * change. Blocking calls on a netlink socket; they answer in microseconds. */
#pragma once

#include <glib.h>
#include <net/if.h>

G_BEGIN_DECLS

typedef struct {
  guint64 rx_bytes, tx_bytes;
  guint64 rx_packets, tx_packets;
  guint64 rx_errors, tx_errors;
  guint64 rx_dropped, tx_dropped;
} TdIfaceCounters;

typedef struct {
  guint   index;
  char    name[IF_NAMESIZE];
  char    kind[32];        /* IFLA_INFO_KIND, "" when none */
  guint   arphrd;          /* ifi_type */
  guint   flags;           /* IFF_* */
  guint   operstate;       /* IF_OPER_* */
  guint   mtu;
  char    mac[3 * 32];     /* "aa:bb:..", "" when none */
  gboolean has_counters;
  TdIfaceCounters counters;
} TdIfaceLink;

typedef struct {
  guint  index;
  TdIfaceCounters counters;
} TdIfaceStats;

/* A NETLINK_ROUTE socket for requests (-1 with @error set). */
int       td_iface_netlink_open          (GError     **error);
/* A non-blocking socket subscribed to link and address changes. */
int       td_iface_netlink_open_monitor  (GError     **error);
/* Reads and discards what the monitor socket holds; TRUE when anything. */
gboolean  td_iface_netlink_drain         (int          fd);

/* Every link (element-type TdIfaceLink). */
gboolean  td_iface_netlink_dump_links    (int          fd,
                                          GArray      *links,
                                          GError     **error);
/* Every interface's counters (element-type TdIfaceStats). */
gboolean  td_iface_netlink_dump_stats    (int          fd,
                                          GArray      *stats,
                                          GError     **error);
/* index -> GPtrArray of "ADDRESS/PREFIX" strings (IPv4 then IPv6). */
gboolean  td_iface_netlink_dump_addrs    (int          fd,
                                          GHashTable  *addrs,
                                          GError     **error);

/* "up", "down", "unknown", "lowerlayerdown", "dormant", "testing",
 * "notpresent". */
const char *td_iface_netlink_operstate_name (guint     operstate);
/* A type name: the link kind when there is one, else from the hardware
 * type ("ethernet", "loopback", "wifi" when @name has a wireless dir...). */
char       *td_iface_netlink_type_name   (const TdIfaceLink *link);

G_END_DECLS
