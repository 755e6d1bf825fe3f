/* json.h - a small streaming JSON writer into a GString (RFC 8259).
 *
 * The caller owns the GString; the writer only appends to it.  Keys come in
 * the order they are written, so output is deterministic.  Strings are
 * escaped per RFC 8259 §7; bytes that are not valid UTF-8 are written as
 * \u00XX (read as Latin-1), so the output is always valid JSON.  Keys are
 * written as given: they must be the program's own printable-ASCII names
 * (field names, code and state names), never data from a capture.  Nesting is
 * limited to TFA_JSON_MAX_DEPTH levels (a programming error beyond it).
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/common.h"

#define TFA_JSON_MAX_DEPTH 16

typedef struct TfaJson {
    GString *out;
    int depth;
    bool first[TFA_JSON_MAX_DEPTH + 1]; /* nothing written yet at this level */
} TfaJson;

void tfa_json_init(TfaJson *j, GString *out);

/* @key is NULL inside arrays and at the top level. */
void tfa_json_begin_object(TfaJson *j, const char *key);
void tfa_json_end_object(TfaJson *j);
void tfa_json_begin_array(TfaJson *j, const char *key);
void tfa_json_end_array(TfaJson *j);
void tfa_json_string(TfaJson *j, const char *key, const char *value);
void tfa_json_string_len(TfaJson *j, const char *key, const char *value, size_t len);
void tfa_json_int(TfaJson *j, const char *key, int64_t value);
void tfa_json_uint(TfaJson *j, const char *key, uint64_t value);
void tfa_json_bool(TfaJson *j, const char *key, bool value);
void tfa_json_null(TfaJson *j, const char *key);
/* A capture time as an exact decimal number of seconds (9 fraction digits). */
void tfa_json_ts(TfaJson *j, const char *key, TfaTs ts);

/* Append @s to @out with JSON string escaping (no quotes). */
void tfa_json_escape(GString *out, const char *s, size_t len);

/* "1700000000.123456789" into @buf (at least 32 bytes). */
const char *tfa_ts_format(TfaTs ts, char *buf, size_t len);
