/* tr-option-spec.h: table-driven checking of a{sv} options.
 *
 * A table of TrOptionSpec (key, kind, offset into a struct, range or
 * choices or check function) is the single description of an option set;
 * tr_option_spec_parse() fills the struct and fails with
 * TR_ERROR_INVALID_ARGUMENT and a message "FIELD: what is allowed, got X"
 * on an unknown key, a wrong type or a value out of range. Numeric options
 * accept any D-Bus integer type; fractional ones also accept integers. */
#pragma once

#include <glib.h>
#include <stddef.h>

G_BEGIN_DECLS

typedef enum {
  TR_OPTION_UINT,      /* any integer type; stored as guint, or guint64 when max > G_MAXUINT */
  TR_OPTION_DOUBLE,    /* d or any integer type */
  TR_OPTION_BOOL,
  TR_OPTION_STRING,    /* checked by its own function; stored as char * */
  TR_OPTION_ENUM,      /* one of a NULL-terminated list; stored as int index */
} TrOptionKind;

typedef gboolean (*TrOptionCheck) (const char *field, const char *value, GError **error);

typedef struct {
  const char         *key;
  TrOptionKind        kind;
  gsize               offset;
  double              min;
  double              max;
  const char *const  *choices;
  TrOptionCheck       check;
} TrOptionSpec;

/* Parses @options into @target; @given receives the keys that were given. */
gboolean tr_option_spec_parse (const TrOptionSpec *specs,
                               guint               n_specs,
                               GVariant           *options,
                               gpointer            target,
                               GVariantDict       *given,
                               GError            **error);
/* Frees the TR_OPTION_STRING members of @target. */
void     tr_option_spec_clear_strings (const TrOptionSpec *specs,
                                       guint               n_specs,
                                       gpointer            target);

gboolean tr_option_invalid (GError **error, const char *field, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Checks shared by option sets. */
gboolean tr_validate_host       (const char *field, const char *host, GError **error);
gboolean tr_validate_ip_literal (const char *field, const char *address, GError **error);
gboolean tr_validate_label      (const char *field, const char *value, GError **error);

G_END_DECLS
