/* Fuzzes file transfer: the START parser, the file-name rules and the state
 * machine behind the agent core. Byte 0 picks the mode:
 *   0: the rest is a START payload: parsed, and its name (if any) sanitized for a
 *      few folder budgets; the result must obey every rule of file_name.h.
 *   1: the rest is a script of client messages and platform reports, run against
 *      a vda_agent with a fake file layer that checks the session never writes
 *      to a file after its end, never ends one twice, keeps at most VDA_XFER_MAX
 *      open, and leaves none open once the agent is freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "agent/agent_core.h"
#include "agent/file_name.h"
#include "agent/file_xfer_proto.h"
#include "base/le_bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reserved_stem(const char *s)
{
    static const char *const names[] = { "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$" };
    size_t n = strcspn(s, ".");
    while (n > 0 && s[n - 1] == ' ')
        n--;
    char up[16];
    if (n >= sizeof up)
        return 0;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    up[n] = 0;
    for (size_t i = 0; i < 6; i++)
        if (!strcmp(up, names[i]))
            return 1;
    return n == 4 && (!memcmp(up, "COM", 3) || !memcmp(up, "LPT", 3)) && up[3] >= '0' &&
           up[3] <= '9';
}

static void check_name(const char *in, size_t units)
{
    char out[VDA_FILE_NAME_CAP];
    vda_file_name_sanitize(in, units, out);
    size_t n = strlen(out);
    if (n == 0 || !vda_utf8_valid(out, n) || vda_utf16_units(out) > units)
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7f || strchr("<>:\"/\\|?*", c))
            abort();
    }
    if (out[n - 1] == '.' || out[n - 1] == ' ' || reserved_stem(out))
        abort();
    char num[VDA_FILE_NAME_CAP];
    vda_file_name_numbered(out, 99999, num);
    if (vda_utf16_units(num) > units + VDA_FILE_NAME_NUMBER_UNITS || !vda_utf8_valid(num, strlen(num)))
        abort();
}

/* ---- the state machine ---- */

#define MAX_FILES 256
typedef struct ffile {
    int open, committing, ended;
    uint64_t written;
} ffile;

typedef struct run {
    vda_agent a;
    ffile files[MAX_FILES];
    int n_files, open_now;
    int fail_open;
} run;

static int f_send(void *ctx, uint32_t type, uint8_t *p, uint32_t size)
{
    (void)ctx;
    if (type == VD_AGENT_FILE_XFER_STATUS && (size < 8 || size > VDA_XFER_STATUS_MAX))
        abort();
    free(p);
    return 0;
}
static void f_take(void *c, const uint32_t *t, uint32_t n) { (void)c; (void)t; (void)n; }
static void f_drop(void *c) { (void)c; }
static int f_read(void *c, uint32_t t, uint8_t **b, size_t *s)
{
    (void)c; (void)t; (void)b; (void)s;
    return -1;
}
static void f_stop(void *c) { (void)c; }

static int io_open(void *ctx, uint32_t id, const char *name, uint64_t size, void **file,
                   vda_xfer_fail *why)
{
    run *r = ctx;
    (void)id;
    (void)size;
    check_name(name, 200 - VDA_FILE_NAME_NUMBER_UNITS);
    if (r->fail_open || r->n_files >= MAX_FILES) {
        why->result = VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE;
        return -1;
    }
    ffile *f = &r->files[r->n_files++];
    f->open = 1;
    if (++r->open_now > VDA_XFER_MAX)
        abort();
    *file = f;
    return 0;
}
static void io_write(void *ctx, void *file, uint8_t *buf, const uint8_t *data, uint32_t len)
{
    (void)ctx;
    ffile *f = file;
    if (!f->open || f->committing || f->ended || data < buf)
        abort();
    f->written += len;
    free(buf);
}
static void io_commit(void *ctx, void *file)
{
    (void)ctx;
    ffile *f = file;
    if (!f->open || f->committing || f->ended)
        abort();
    f->committing = 1;
}
static void end_file(run *r, ffile *f)
{
    if (f->ended)
        abort();
    f->ended = 1;
    r->open_now--;
}
static void io_abort(void *ctx, void *file)
{
    end_file(ctx, file);
}

static void dispatch(run *r, uint32_t type, const uint8_t *p, size_t n)
{
    vda_message m = { VDP_CLIENT_PORT, type, 0, (uint32_t)n, n ? malloc(n) : NULL };
    if (n)
        memcpy(m.data, p, n);
    vda_agent_dispatch(&r->a, &m);
}

static void run_script(const uint8_t *d, size_t n)
{
    run *r = calloc(1, sizeof *r);
    vda_logger log = { VDA_LOG_ERROR, NULL, NULL, "fuzz" };
    vda_agent_ops ops = { r, f_send, f_take, f_drop, f_read, f_stop, NULL, NULL, NULL, NULL };
    vda_agent_init(&r->a, &ops, 1 << 20, &log);
    vda_xfer_io io = { r, io_open, io_write, io_commit, io_abort, NULL };
    vda_agent_set_xfer_io(&r->a, &io, 1, 200);
    size_t i = 0;
    while (i + 2 <= n) {
        uint8_t op = d[i], arg = d[i + 1];
        i += 2;
        uint32_t id = arg & 0x1f;
        uint8_t buf[600];
        switch (op % 10) {
        case 0: {  /* START with a name from the script */
            size_t len = i < n ? d[i++] % 64 : 0;
            if (len > n - i)
                len = n - i;
            int k = snprintf((char *)buf + 4, 200, "[vdagent-file-xfer]\nsize=%u\nname=",
                             (unsigned)(arg >> 5) * 70000u);
            vda_put_le32(buf, id);
            memcpy(buf + 4 + k, d + i, len);
            i += len;
            dispatch(r, VD_AGENT_FILE_XFER_START, buf, 4 + (size_t)k + len);
            break;
        }
        case 1: case 2: case 3: {  /* DATA of 0..65535 bytes */
            uint32_t len = op < 128 ? (uint32_t)arg * 257u : arg;
            uint8_t *p = calloc(1, 12 + len);
            vda_put_le32(p, id);
            vda_put_le64(p + 4, op & 0x80 && op & 0x40 ? len + 1 : len);
            dispatch(r, VD_AGENT_FILE_XFER_DATA, p, 12 + len);
            free(p);
            break;
        }
        case 4:  /* client status */
            vda_put_le32(buf, id);
            vda_put_le32(buf + 4, arg >> 5);
            dispatch(r, VD_AGENT_FILE_XFER_STATUS, buf, arg & 1 ? 8 : 5);
            break;
        case 5: case 6: {  /* the platform ends a commit, or fails a write */
            for (int k = 0; k < r->n_files; k++) {
                ffile *f = &r->files[(k + arg) % r->n_files];
                if (f->ended || !(op % 10 == 6 || f->committing))
                    continue;
                if (op % 10 == 5) {
                    vda_xfer_session_committed(&r->a.xfer, f, arg & 1, VDA_GIO_FAILED);
                    end_file(r, f);
                } else {
                    vda_xfer_fail why = { VD_AGENT_FILE_XFER_STATUS_ERROR, VDA_GIO_NO_SPACE, 0 };
                    vda_xfer_session_failed(&r->a.xfer, f, &why);
                    if (!f->ended)
                        abort();  /* a failure always leads to io.abort */
                }
                break;
            }
            break;
        }
        case 7:
            vda_agent_forget_client(&r->a, "fuzz");
            break;
        case 8:
            vda_xfer_session_set_locked(&r->a.xfer, arg & 1);
            r->fail_open = (arg >> 1) & 1;
            break;
        case 9: {  /* a caps announce toggles detailed errors */
            vda_caps c;
            vda_caps_clear(&c);
            if (arg & 1)
                vda_caps_set(&c, VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS);
            size_t k = vda_caps_write(&c, 0, buf);
            dispatch(r, VD_AGENT_ANNOUNCE_CAPABILITIES, buf, k);
            break;
        }
        }
        if (vda_xfer_session_active(&r->a.xfer) > VDA_XFER_MAX)
            abort();
    }
    vda_agent_free(&r->a);
    /* what is still committing finishes; nothing else may stay open */
    for (int k = 0; k < r->n_files; k++) {
        ffile *f = &r->files[k];
        if (!f->ended && f->committing) {
            vda_xfer_session_committed(&r->a.xfer, f, 1, 0);
            end_file(r, f);
        }
        if (!f->ended)
            abort();
    }
    if (r->open_now != 0 || vda_xfer_session_active(&r->a.xfer) != 0)
        abort();
    free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        run_script(data + 1, size - 1);
        return 0;
    }
    vda_xfer_start st;
    if (vda_xfer_parse_start(data + 1, size - 1, &st) == VDA_XP_OK ||
        vda_utf8_valid(st.name, strlen(st.name))) {
        check_name(st.name, 16);
        check_name(st.name, 40);
        check_name(st.name, 247);
    }
    return 0;
}
