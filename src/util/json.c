/* json.c - streaming JSON writer (RFC 8259). */
#include "config.h"

#include "tcpflow-audit/json.h"

void tfa_json_init(TfaJson *j, GString *out)
{
    j->out = out;
    j->depth = 0;
    j->first[0] = true;
}

static inline void put_c(GString *out, char c)
{
    tfa_json_put_(out, &c, 1);
}

/* Bytes that stand for themselves inside a JSON string: printable ASCII
 * but the quote and the backslash. */
#define PLAIN_16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const uint8_t plain_byte[256] = {
    [0x20] = 1, 1, 0 /* " */, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [0x30] = PLAIN_16, PLAIN_16,
    [0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 /* \\ */, 1, 1, 1,
    [0x60] = PLAIN_16,
    [0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 /* DEL */,
};

static void append_hex_escape(GString *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    tfa_json_put_(out, esc, sizeof(esc));
}

void tfa_json_escape(GString *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        /* the common case: a run of printable ASCII, copied in one go */
        size_t run = i;
        while (run < len && plain_byte[p[run]])
            run++;
        if (run > i) {
            tfa_json_put_(out, (const gchar *)p + i, run - i);
            i = run;
            if (i == len)
                break;
        }
        unsigned char c = p[i];
        if (c >= 0x80) {
            /* copy a valid UTF-8 sequence whole, else escape the byte */
            const gchar *end = NULL;
            size_t n = (c >= 0xf0) ? 4 : (c >= 0xe0) ? 3 : (c >= 0xc0) ? 2 : 1;
            if (n > 1 && i + n <= len && g_utf8_validate((const gchar *)p + i, (gssize)n, &end)) {
                tfa_json_put_(out, (const gchar *)p + i, n);
                i += n;
                continue;
            }
            append_hex_escape(out, c);
            i++;
            continue;
        }
        switch (c) {
        case '"':
            tfa_json_put_(out, "\\\"", 2);
            break;
        case '\\':
            tfa_json_put_(out, "\\\\", 2);
            break;
        case '\n':
            tfa_json_put_(out, "\\n", 2);
            break;
        case '\r':
            tfa_json_put_(out, "\\r", 2);
            break;
        case '\t':
            tfa_json_put_(out, "\\t", 2);
            break;
        default: /* other control characters and DEL */
            append_hex_escape(out, c);
        }
        i++;
    }
}

/* The decimal digits of @value written backwards, ending just before @end
 * (at most 20); returns where they start.  No printf: this is the writer's
 * hottest path. */
static char *digits_before(uint64_t value, char *end)
{
    do {
        *--end = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0);
    return end;
}

void tfa_json_digits_(GString *out, uint64_t value)
{
    char buf[20];
    char *p = digits_before(value, buf + sizeof(buf));
    tfa_json_put_(out, p, (size_t)(buf + sizeof(buf) - p));
}

void tfa_json_open_(TfaJson *j, char brace)
{
    put_c(j->out, brace);
    g_assert(j->depth < TFA_JSON_MAX_DEPTH);
    j->depth++;
    j->first[j->depth] = true;
}

void tfa_json_close_(TfaJson *j, char brace)
{
    g_assert(j->depth > 0);
    j->depth--;
    put_c(j->out, brace);
}

void tfa_json_string_len(TfaJson *j, const char *k, const char *value, size_t len)
{
    tfa_json_key_(j, k);
    put_c(j->out, '"');
    tfa_json_escape(j->out, value, len);
    put_c(j->out, '"');
}

/* @ts as seconds with nine fraction digits, written backwards ending just
 * before @end (at most 31 bytes); returns where it starts.  Sign and
 * magnitude: 1.5 s before the epoch is -1.500000000. */
static char *ts_before(TfaTs ts, char *end)
{
    uint64_t mag = ts < 0 ? (uint64_t)0 - (uint64_t)ts : (uint64_t)ts;
    uint64_t ns = mag % 1000000000u;
    for (int i = 0; i < 9; i++) {
        *--end = (char)('0' + ns % 10u);
        ns /= 10u;
    }
    *--end = '.';
    end = digits_before(mag / 1000000000u, end);
    if (ts < 0)
        *--end = '-';
    return end;
}

const char *tfa_ts_format(TfaTs ts, char *buf, size_t len)
{
    char text[32];
    text[sizeof(text) - 1] = '\0';
    g_strlcpy(buf, ts_before(ts, text + sizeof(text) - 1), len);
    return buf;
}

void tfa_json_ts(TfaJson *j, const char *k, TfaTs ts)
{
    char text[32];
    char *p = ts_before(ts, text + sizeof(text));
    tfa_json_key_(j, k);
    tfa_json_put_(j->out, p, (size_t)(text + sizeof(text) - p));
}
