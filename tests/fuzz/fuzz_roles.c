/* The service's two-role data path: device bytes -> vda_role_split -> each role's
 * stream, then both streams back through vda_role_merge in interleaved steps.
 * Checks: no crash or sanitizer report; the split sends each role only whole
 * messages of its types; the merged device stream is a sequence of whole
 * messages (two roles never interleave inside one), each from a role that may
 * send it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/le_bytes.h"
#include "service/role_merge.h"
#include "service/role_route.h"
#include "service/role_split.h"

typedef struct buf {
    uint8_t *data;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const uint8_t *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        if (!b->data)
            abort();
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static buf role_out[VDA_ROLE_COUNT];
static buf dev_out;

static void split_emit(void *ctx, unsigned roles, uint32_t port, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (!roles || (roles & ~(unsigned)VDA_ROLES_ALL) || port != VDP_CLIENT_PORT)
        abort();
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        if (roles & VDA_ROLE_BIT(r))
            buf_add(&role_out[r], data, len);
}

static void merge_emit(void *ctx, uint32_t port, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (port != VDP_CLIENT_PORT)
        abort();
    buf_add(&dev_out, data, len);
}

/* Whole messages only; every type in a role's stream is routed to that role. */
static void check_messages(const buf *b, unsigned must_route_to)
{
    size_t off = 0;
    while (off < b->len) {
        if (b->len - off < sizeof(VDAgentMessage))
            abort();
        uint32_t type = vda_le32(b->data + off + 4);
        uint64_t size = vda_le32(b->data + off + 16);
        if (must_route_to && !(vda_role_route(type) & must_route_to))
            abort();
        off += sizeof(VDAgentMessage);
        if (b->len - off < size)
            abort();
        off += (size_t)size;
    }
}

static void noop_sink(void *ctx, vda_log_level level, const char *line)
{
    (void)ctx, (void)level, (void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    vda_logger log = { .max_level = VDA_LOG_DEBUG, .sink = noop_sink, .component = "fuzz" };
    size_t step = (size_t)data[0] % 64 + 1, mstep = (size_t)data[1] % 32 + 1;
    data += 2, size -= 2;
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        role_out[r].len = 0;
    dev_out.len = 0;

    vda_role_split s;
    vda_role_split_init(&s, 1u << 16, split_emit, NULL, &log);
    for (size_t off = 0; off < size; off += step)
        vda_role_split_chunk(&s, VDP_CLIENT_PORT, data + off, size - off < step ? size - off : step);
    /* A message cut by the end of the input is incomplete: drop its partial tail. */
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++) {
        size_t off = 0, good = 0;
        buf *b = &role_out[r];
        while (b->len - off >= sizeof(VDAgentMessage)) {
            size_t sz = vda_le32(b->data + off + 16);
            if (b->len - off - sizeof(VDAgentMessage) < sz)
                break;
            off += sizeof(VDAgentMessage) + sz;
            good = off;
        }
        b->len = good;
        check_messages(b, VDA_ROLE_BIT(r));
    }
    /* The system role answers with REPLYs: make its stream something it may send,
     * so that both roles really compete for the client port. */
    for (size_t off = 0; off + sizeof(VDAgentMessage) <= role_out[0].len;
         off += sizeof(VDAgentMessage) + vda_le32(role_out[0].data + off + 16))
        if (vda_le32(role_out[0].data + off + 4) != VD_AGENT_ANNOUNCE_CAPABILITIES)
            vda_put_le32(role_out[0].data + off + 4, VD_AGENT_REPLY);

    vda_role_merge m;
    vda_role_merge_init(&m, merge_emit, NULL, &log);
    vda_role_merge_role_up(&m, VDA_ROLE_SYSTEM);
    vda_role_merge_role_up(&m, VDA_ROLE_USER);
    size_t pos[VDA_ROLE_COUNT] = { 0, 0 };
    uint8_t ann[VDA_MERGE_ANNOUNCE_MAX];
    for (unsigned turn = 0, stuck = 0; stuck < 4; turn++) {
        unsigned r = turn % VDA_ROLE_COUNT;
        size_t left = role_out[r].len - pos[r];
        size_t n = left < mstep ? left : mstep;
        size_t took = n ? vda_role_merge_feed(&m, (vda_role)r, VDP_CLIENT_PORT,
                                              role_out[r].data + pos[r], n) : 0;
        if (took > n)
            abort();
        pos[r] += took;
        size_t a = vda_role_merge_take_announce(&m, ann);
        if (a)
            buf_add(&dev_out, ann, a);
        stuck = took ? 0 : stuck + 1;
    }
    /* Both streams were whole messages, so both must have gone through. */
    if (pos[0] != role_out[0].len || pos[1] != role_out[1].len)
        abort();
    check_messages(&dev_out, 0);
    return 0;
}
