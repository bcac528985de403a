/* tc-test-watch.h: follow one test's signals and properties without losing any.
 *
 * A watch subscribes to the signals of all of the service's test objects
 * (by sender and path namespace /org/trafficd/Traffic1/tests) as soon as it
 * is created, so it can be created BEFORE Manager.StartTest is called. Until
 * the test's path is given with tc_test_watch_set_path(), signals are kept in
 * order; then those of that test are replayed and the others dropped, and
 * from there on the watch emits as signals arrive. This way not even the
 * first interval of a short test is lost.
 *
 * The watch keeps its own copy of the test's properties (one GetAll once the
 * path is known, then PropertiesChanged), and on reaching a final state it
 * fetches them all once more, so that Result and Error are complete when
 * "ended" is emitted.
 *
 * GObject signals:
 *   interval (GVariant *sample)            the Interval signal's a{sv}
 *   log (guint level, const char *text)    the Log signal
 *   state-changed (const char *state)      State changed (also the first time it is known)
 *   properties-changed (GVariant *changed) a{sv} of properties that changed
 *   ended (const char *state)              emitted exactly once: the test
 *       reached a final state (its properties are then complete), or the
 *       watch failed (service vanished, bus closed, no such test): then
 *       tc_test_watch_get_error() is set and @state is the last one known
 *       ("" when none was).
 */
#pragma once

#include <gio/gio.h>

#include "tc-client.h"

G_BEGIN_DECLS

#define TC_TYPE_TEST_WATCH (tc_test_watch_get_type ())
G_DECLARE_FINAL_TYPE (TcTestWatch, tc_test_watch, TC, TEST_WATCH, GObject)

/* Fails with TC_CLIENT_ERROR_SERVICE_UNAVAILABLE when the service is not
 * running (the subscription is bound to its unique name). */
TcTestWatch  *tc_test_watch_new          (TcClient     *client,
                                          GError      **error);
/* Which test to follow; call once. Emits buffered signals of that test. */
void          tc_test_watch_set_path     (TcTestWatch  *self,
                                          const char   *path);
const char   *tc_test_watch_get_path     (TcTestWatch  *self);
/* The test's state as last seen, "" before it is known. */
const char   *tc_test_watch_get_state    (TcTestWatch  *self);
/* TRUE once "ended" was emitted. */
gboolean      tc_test_watch_is_ended     (TcTestWatch  *self);
/* Why the watch failed, or NULL (a failed test is not a failed watch: see
 * the test's Error property). */
const GError *tc_test_watch_get_error    (TcTestWatch  *self);
/* A property of the test as last seen (full reference), or NULL. */
GVariant     *tc_test_watch_dup_property (TcTestWatch  *self,
                                          const char   *name);

/* All properties as last seen, as one a{sv} (full reference). */
GVariant     *tc_test_watch_dup_properties (TcTestWatch *self);

G_END_DECLS
