#include "wire/caps.h"

#include <string.h>

#include "base/le_bytes.h"

void vda_caps_clear(vda_caps *c)
{
    memset(c, 0, sizeof *c);
}

void vda_caps_set(vda_caps *c, uint32_t cap)
{
    uint32_t w = cap / 32;
    if (w >= VDA_CAPS_MAX_WORDS)
        return;
    c->words[w] |= 1u << (cap % 32);
    if (c->count < w + 1)
        c->count = w + 1;
}

int vda_caps_has(const vda_caps *c, uint32_t cap)
{
    uint32_t w = cap / 32;
    return w < c->count && w < VDA_CAPS_MAX_WORDS && (c->words[w] >> (cap % 32) & 1u);
}

int vda_caps_both(const vda_caps *a, const vda_caps *b, uint32_t cap)
{
    return vda_caps_has(a, cap) && vda_caps_has(b, cap);
}

int vda_caps_parse(const uint8_t *payload, size_t size, uint32_t *request, vda_caps *caps)
{
    vda_caps_clear(caps);
    if (size < 4)
        return -1;
    *request = vda_le32(payload);
    size_t words = (size - 4) / 4;
    if (words > VDA_CAPS_MAX_WORDS)
        words = VDA_CAPS_MAX_WORDS;
    for (size_t i = 0; i < words; i++)
        caps->words[i] = vda_le32(payload + 4 + 4 * i);
    caps->count = (uint32_t)words;
    return 0;
}

size_t vda_caps_payload_size(const vda_caps *c)
{
    return 4 + 4 * (size_t)c->count;
}

size_t vda_caps_write(const vda_caps *c, uint32_t request, uint8_t *out)
{
    vda_put_le32(out, request);
    for (uint32_t i = 0; i < c->count; i++)
        vda_put_le32(out + 4 + 4 * i, c->words[i]);
    return vda_caps_payload_size(c);
}
