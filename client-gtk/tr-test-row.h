/* tr-test-row.h: one test in the Tests list (any caller's, CLI ones too). */
#pragma once

#include <adwaita.h>

#include "tc-client.h"

G_BEGIN_DECLS

#define TR_TYPE_TEST_ROW (tr_test_row_get_type ())
G_DECLARE_FINAL_TYPE (TrTestRow, tr_test_row, TR, TEST_ROW, AdwActionRow)

GtkWidget  *tr_test_row_new      (TrDBusTest *test);
TrDBusTest *tr_test_row_get_test (TrTestRow  *self);
guint       tr_test_row_get_id   (TrTestRow  *self);

G_END_DECLS
