#include "agent/file_name.h"

#include <stdio.h>
#include <string.h>

static int bad_char(unsigned char c)
{
    return c < 0x20 || c == 0x7f || strchr("<>:\"/\\|?*", c) != NULL;
}

/* Bytes of the UTF-8 sequence starting with c (input is valid UTF-8). */
static size_t seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

size_t vda_utf16_units(const char *s)
{
    size_t u = 0;
    for (size_t i = 0; s[i]; i += seq_len((unsigned char)s[i]))
        u += seq_len((unsigned char)s[i]) == 4 ? 2 : 1;
    return u;
}

static void strip_trailing(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
        s[--n] = 0;
}

static int ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 'a' + 'A');
        if (x != y)
            return 0;
    }
    return 1;
}

static int reserved(const char *s)
{
    size_t n = strcspn(s, ".");
    while (n > 0 && s[n - 1] == ' ')
        n--;
    static const char *const fixed[] = { "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (ieq(s, n, fixed[i]))
            return 1;
    if (n >= 4 && (ieq(s, 3, "COM") || ieq(s, 3, "LPT"))) {
        if (n == 4 && s[3] >= '0' && s[3] <= '9')
            return 1;
        /* superscript 1, 2, 3: U+00B9, U+00B2, U+00B3 */
        if (n == 5 && (unsigned char)s[3] == 0xc2 &&
            ((unsigned char)s[4] == 0xb9 || (unsigned char)s[4] == 0xb2 ||
             (unsigned char)s[4] == 0xb3))
            return 1;
    }
    return 0;
}

/* Cuts s (valid UTF-8) to at most max units, at a code point boundary. */
static void cut_units(char *s, size_t max)
{
    size_t u = 0, i = 0;
    while (s[i]) {
        size_t l = seq_len((unsigned char)s[i]);
        size_t w = l == 4 ? 2 : 1;
        if (u + w > max)
            break;
        u += w;
        i += l;
    }
    s[i] = 0;
}

/* The dot that starts the extension, or NULL (none, or only a leading dot). */
static char *ext_dot(char *s)
{
    char *d = strrchr(s, '.');
    return d && d != s ? d : NULL;
}

int vda_file_name_sanitize(const char *name, size_t max_units, char *out)
{
    const char *last = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            last = p + 1;
    size_t n = strlen(last);
    if (n > VDA_FILE_NAME_CAP - 2)
        n = VDA_FILE_NAME_CAP - 2;  /* the caller's names are shorter; stay in bounds */
    char tmp[VDA_FILE_NAME_CAP];
    size_t o = 0;
    tmp[o++] = '_';  /* room for the reserved-name prefix */
    for (size_t i = 0; i < n; i++)
        tmp[o++] = bad_char((unsigned char)last[i]) ? '_' : last[i];
    tmp[o] = 0;
    if (n < strlen(last)) {
        /* Cut at the byte cap above: drop a sequence that was split. */
        while (o > 1 && ((unsigned char)tmp[o - 1] & 0xc0) == 0x80)
            o--;
        if (o > 1 && (unsigned char)tmp[o - 1] >= 0xc0)
            o--;
        tmp[o] = 0;
    }
    char *s = tmp + 1;
    strip_trailing(s);
    if (!*s)
        strcpy(s, "file");
    /* One unit less: the reserved-name prefix may still come. */
    if (vda_utf16_units(s) > max_units - 1) {
        char ext[VDA_FILE_NAME_CAP] = "";
        char *d = ext_dot(s);
        if (d && vda_utf16_units(d) <= max_units / 2) {
            strcpy(ext, d);
            *d = 0;
        }
        cut_units(s, max_units - 1 - vda_utf16_units(ext));
        strip_trailing(s);
        if (!*s)
            strcpy(s, "file");
        strcat(s, ext);
    }
    if (reserved(s))
        s = tmp;
    strcpy(out, s);
    return strcmp(out, name) != 0;
}

void vda_file_name_numbered(const char *name, unsigned n, char *out)
{
    /* Sanitized names are far below the cap; a longer one is cut so the
     * number always fits. */
    size_t len = strnlen(name, VDA_FILE_NAME_CAP - 16);
    const char *d = NULL;
    for (size_t i = 1; i < len; i++)
        if (name[i] == '.')
            d = name + i;
    size_t stem = d ? (size_t)(d - name) : len;
    char num[16];
    int k = snprintf(num, sizeof num, " (%u)", n % 100000u);
    memcpy(out, name, stem);
    memcpy(out + stem, num, (size_t)k);
    memcpy(out + stem + (size_t)k, name + stem, len - stem);
    out[len + (size_t)k] = 0;
}
