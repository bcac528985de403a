/* td-iface-nm.h: NetworkManager's view of the interfaces (libnm).
 *
 * An NMClient created asynchronously on the system bus. While
 * NetworkManager runs there, td_iface_nm_lookup() gives its view of a
 * device (type, state, active connection or SSID, metered, speed) and
 * "changed" is emitted whenever devices appear, go or change; when it
 * stops (or never ran, or there is no system bus) lookups return NULL and
 * the kernel's inventory stands. NMClient follows NetworkManager coming and
 * going by itself. */
#pragma once

#include <gio/gio.h>

#include "td-iface.h"

G_BEGIN_DECLS

#define TD_TYPE_IFACE_NM (td_iface_nm_get_type ())
G_DECLARE_FINAL_TYPE (TdIfaceNm, td_iface_nm, TD, IFACE_NM, GObject)

TdIfaceNm     *td_iface_nm_new        (void);
gboolean       td_iface_nm_is_running (TdIfaceNm   *self);
/* NetworkManager's view of the device named @name, or NULL. */
TdIfaceNmInfo *td_iface_nm_lookup     (TdIfaceNm   *self,
                                       const char  *name);

G_END_DECLS
