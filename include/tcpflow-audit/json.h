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
#include <string.h>

#include "tcpflow-audit/common.h"

#define TFA_JSON_MAX_DEPTH 16

typedef struct TfaJson {
    GString *out;
    int depth;
    bool first[TFA_JSON_MAX_DEPTH + 1]; /* nothing written yet at this level */
} TfaJson;

void tfa_json_init(TfaJson *j, GString *out);

/* The writer's fast paths are inline, so that a literal key's length and
 * the small copies are settled at compile time (a record has hundreds of
 * keys).  Not for callers: use the tfa_json_* writers below. */
static inline void tfa_json_put_(GString *out, const char *p, size_t n)
{
    if (G_UNLIKELY(out->len + n >= out->allocated_len)) {
        g_string_append_len(out, p, (gssize)n);
        return;
    }
    memcpy(out->str + out->len, p, n); /* str, len and allocated_len are public */
    out->len += n;
    out->str[out->len] = '\0';
}

static inline void tfa_json_key_(TfaJson *j, const char *key)
{
    if (!j->first[j->depth])
        tfa_json_put_(j->out, ",", 1);
    j->first[j->depth] = false;
    if (key != NULL) {
        tfa_json_put_(j->out, "\"", 1);
        tfa_json_put_(j->out, key, strlen(key));
        tfa_json_put_(j->out, "\":", 2);
    }
}

void tfa_json_digits_(GString *out, uint64_t value);
void tfa_json_open_(TfaJson *j, char brace);
void tfa_json_close_(TfaJson *j, char brace);

/* @key is NULL inside arrays and at the top level. */
static inline void tfa_json_begin_object(TfaJson *j, const char *key)
{
    tfa_json_key_(j, key);
    tfa_json_open_(j, '{');
}

static inline void tfa_json_end_object(TfaJson *j)
{
    tfa_json_close_(j, '}');
}

static inline void tfa_json_begin_array(TfaJson *j, const char *key)
{
    tfa_json_key_(j, key);
    tfa_json_open_(j, '[');
}

static inline void tfa_json_end_array(TfaJson *j)
{
    tfa_json_close_(j, ']');
}

static inline void tfa_json_uint(TfaJson *j, const char *key, uint64_t value)
{
    tfa_json_key_(j, key);
    tfa_json_digits_(j->out, value);
}

static inline void tfa_json_int(TfaJson *j, const char *key, int64_t value)
{
    tfa_json_key_(j, key);
    if (value < 0)
        tfa_json_put_(j->out, "-", 1);
    tfa_json_digits_(j->out, value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value);
}

static inline void tfa_json_bool(TfaJson *j, const char *key, bool value)
{
    tfa_json_key_(j, key);
    if (value)
        tfa_json_put_(j->out, "true", 4);
    else
        tfa_json_put_(j->out, "false", 5);
}

static inline void tfa_json_null(TfaJson *j, const char *key)
{
    tfa_json_key_(j, key);
    tfa_json_put_(j->out, "null", 4);
}

void tfa_json_string_len(TfaJson *j, const char *key, const char *value, size_t len);

static inline void tfa_json_string(TfaJson *j, const char *key, const char *value)
{
    if (value == NULL)
        tfa_json_null(j, key);
    else
        tfa_json_string_len(j, key, value, strlen(value));
}

/* A capture time as an exact decimal number of seconds (9 fraction digits). */
void tfa_json_ts(TfaJson *j, const char *key, TfaTs ts);

/* Append @s to @out with JSON string escaping (no quotes). */
void tfa_json_escape(GString *out, const char *s, size_t len);

/* "1700000000.123456789" into @buf (at least 32 bytes). */
const char *tfa_ts_format(TfaTs ts, char *buf, size_t len);
