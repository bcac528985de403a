/* td-ports.c: port reservation for managed servers. */
#include "td-ports.h"
#include "tr-error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct _TdPorts
{
  guint       min;
  guint       max;
  guint       cursor;
  GHashTable *reserved;   /* port -> port */
};

TdPorts *
td_ports_new (guint min, guint max)
{
  TdPorts *ports = g_new0 (TdPorts, 1);

  ports->min = min;
  ports->max = max;
  ports->cursor = min;
  ports->reserved = g_hash_table_new (NULL, NULL);
  return ports;
}

void
td_ports_free (TdPorts *ports)
{
  if (ports == NULL)
    return;
  g_hash_table_unref (ports->reserved);
  g_free (ports);
}

static gboolean
can_bind (int family, int type, const char *bind_address, guint port)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  int fd, one = 1;
  gboolean ok;

  if (family == AF_INET6)
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons ((uint16_t) port);
      sin6->sin6_addr = in6addr_any;
      if (bind_address != NULL && inet_pton (AF_INET6, bind_address, &sin6->sin6_addr) != 1)
        return TRUE;   /* not an IPv6 address: nothing to check in this family */
      len = sizeof *sin6;
    }
  else
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

      sin->sin_family = AF_INET;
      sin->sin_port = htons ((uint16_t) port);
      sin->sin_addr.s_addr = htonl (INADDR_ANY);
      if (bind_address != NULL && inet_pton (AF_INET, bind_address, &sin->sin_addr) != 1)
        return TRUE;
      len = sizeof *sin;
    }

  fd = socket (family, type | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno == EAFNOSUPPORT;   /* no IPv6 on this host: not in use there */
  /* iperf listens with SO_REUSEADDR: TIME_WAIT leftovers do not block it */
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  ok = bind (fd, (struct sockaddr *) &ss, len) == 0;
  close (fd);
  return ok;
}

gboolean
td_ports_is_free (const char *bind_address, guint port)
{
  return can_bind (AF_INET, SOCK_STREAM, bind_address, port) &&
         can_bind (AF_INET6, SOCK_STREAM, bind_address, port) &&
         can_bind (AF_INET, SOCK_DGRAM, bind_address, port) &&
         can_bind (AF_INET6, SOCK_DGRAM, bind_address, port);
}

/* An address this host does not have cannot be listened on at all: say
 * so, rather than calling every port busy. */
static gboolean
address_is_local (const char *bind_address)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  int fd, family;
  gboolean ok;

  if (bind_address == NULL)
    return TRUE;
  if (inet_pton (AF_INET, bind_address, &((struct sockaddr_in *) &ss)->sin_addr) == 1)
    {
      family = AF_INET;
      len = sizeof (struct sockaddr_in);
    }
  else if (inet_pton (AF_INET6, bind_address, &((struct sockaddr_in6 *) &ss)->sin6_addr) == 1)
    {
      family = AF_INET6;
      len = sizeof (struct sockaddr_in6);
    }
  else
    return FALSE;
  ss.ss_family = (sa_family_t) family;   /* port 0: any free port */
  fd = socket (family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  ok = bind (fd, (struct sockaddr *) &ss, len) == 0 || errno != EADDRNOTAVAIL;
  close (fd);
  return ok;
}

gboolean
td_ports_reserve (TdPorts *ports, guint requested, const char *bind_address,
                  guint *port, GError **error)
{
  guint span = ports->max - ports->min + 1;

  if (!address_is_local (bind_address))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                   "bind_address: %s is not an address of this host", bind_address);
      return FALSE;
    }

  if (requested != 0)
    {
      if (g_hash_table_contains (ports->reserved, GUINT_TO_POINTER (requested)))
        {
          g_set_error (error, TR_ERROR, TR_ERROR_PORT_IN_USE,
                       "port: %u is already used by another server of this service", requested);
          return FALSE;
        }
      if (!td_ports_is_free (bind_address, requested))
        {
          g_set_error (error, TR_ERROR, TR_ERROR_PORT_IN_USE,
                       "port: %u is already in use by another program; choose another or give 0 to pick one",
                       requested);
          return FALSE;
        }
      *port = requested;
      g_hash_table_add (ports->reserved, GUINT_TO_POINTER (requested));
      return TRUE;
    }

  for (guint i = 0; i < span; i++)
    {
      guint candidate = ports->min + (ports->cursor - ports->min + i) % span;

      if (g_hash_table_contains (ports->reserved, GUINT_TO_POINTER (candidate)) ||
          !td_ports_is_free (bind_address, candidate))
        continue;
      ports->cursor = candidate + 1 > ports->max ? ports->min : candidate + 1;
      g_hash_table_add (ports->reserved, GUINT_TO_POINTER (candidate));
      *port = candidate;
      return TRUE;
    }
  g_set_error (error, TR_ERROR, TR_ERROR_PORT_IN_USE,
               "port: no free port in the server range %u-%u (--server-ports)", ports->min, ports->max);
  return FALSE;
}

void
td_ports_release (TdPorts *ports, guint port)
{
  g_hash_table_remove (ports->reserved, GUINT_TO_POINTER (port));
}
