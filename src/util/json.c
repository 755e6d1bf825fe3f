/* json.c - streaming JSON writer (RFC 8259). */
#include "config.h"

#include "tcpflow-audit/json.h"

#include <inttypes.h>

void tfa_json_init(TfaJson *j, GString *out)
{
    j->out = out;
    j->depth = 0;
    j->first[0] = true;
}

void tfa_json_escape(GString *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            /* copy a valid UTF-8 sequence whole, else escape the byte */
            const gchar *end = NULL;
            size_t n = (c >= 0xf0) ? 4 : (c >= 0xe0) ? 3 : (c >= 0xc0) ? 2 : 1;
            if (n > 1 && i + n <= len && g_utf8_validate((const gchar *)p + i, (gssize)n, &end)) {
                g_string_append_len(out, (const gchar *)p + i, (gssize)n);
                i += n;
                continue;
            }
            g_string_append(out, "\\u00");
            g_string_append_c(out, hex[c >> 4]);
            g_string_append_c(out, hex[c & 15]);
            i++;
            continue;
        }
        switch (c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                g_string_append(out, "\\u00");
                g_string_append_c(out, hex[c >> 4]);
                g_string_append_c(out, hex[c & 15]);
            } else {
                g_string_append_c(out, (gchar)c);
            }
        }
        i++;
    }
}

static void key(TfaJson *j, const char *k)
{
    if (!j->first[j->depth])
        g_string_append_c(j->out, ',');
    j->first[j->depth] = false;
    if (k != NULL) {
        g_string_append_c(j->out, '"');
        tfa_json_escape(j->out, k, strlen(k));
        g_string_append(j->out, "\":");
    }
}

static void open_level(TfaJson *j, const char *k, char brace)
{
    key(j, k);
    g_string_append_c(j->out, brace);
    g_assert(j->depth < TFA_JSON_MAX_DEPTH);
    j->depth++;
    j->first[j->depth] = true;
}

static void close_level(TfaJson *j, char brace)
{
    g_assert(j->depth > 0);
    j->depth--;
    g_string_append_c(j->out, brace);
}

void tfa_json_begin_object(TfaJson *j, const char *k)
{
    open_level(j, k, '{');
}

void tfa_json_end_object(TfaJson *j)
{
    close_level(j, '}');
}

void tfa_json_begin_array(TfaJson *j, const char *k)
{
    open_level(j, k, '[');
}

void tfa_json_end_array(TfaJson *j)
{
    close_level(j, ']');
}

void tfa_json_string_len(TfaJson *j, const char *k, const char *value, size_t len)
{
    key(j, k);
    g_string_append_c(j->out, '"');
    tfa_json_escape(j->out, value, len);
    g_string_append_c(j->out, '"');
}

void tfa_json_string(TfaJson *j, const char *k, const char *value)
{
    if (value == NULL) {
        tfa_json_null(j, k);
        return;
    }
    tfa_json_string_len(j, k, value, strlen(value));
}

void tfa_json_int(TfaJson *j, const char *k, int64_t value)
{
    key(j, k);
    g_string_append_printf(j->out, "%" PRId64, value);
}

void tfa_json_uint(TfaJson *j, const char *k, uint64_t value)
{
    key(j, k);
    g_string_append_printf(j->out, "%" PRIu64, value);
}

void tfa_json_bool(TfaJson *j, const char *k, bool value)
{
    key(j, k);
    g_string_append(j->out, value ? "true" : "false");
}

void tfa_json_null(TfaJson *j, const char *k)
{
    key(j, k);
    g_string_append(j->out, "null");
}

const char *tfa_ts_format(TfaTs ts, char *buf, size_t len)
{
    /* sign and magnitude: 1.5 s before the epoch is -1.500000000 */
    bool neg = ts < 0;
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)ts : (uint64_t)ts;
    g_snprintf(buf, len, "%s%" PRIu64 ".%09" PRIu64, neg ? "-" : "", mag / 1000000000u,
               mag % 1000000000u);
    return buf;
}

void tfa_json_ts(TfaJson *j, const char *k, TfaTs ts)
{
    char buf[40];
    key(j, k);
    g_string_append(j->out, tfa_ts_format(ts, buf, sizeof(buf)));
}
