#include "agent/file_xfer_session.h"

#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "agent/file_name.h"

void vda_xfer_session_init(vda_xfer_session *s, void *out_ctx,
                           int (*send)(void *, uint32_t, uint8_t *, uint32_t),
                           int (*detailed)(void *), const vda_logger *log)
{
    memset(s, 0, sizeof *s);
    s->out_ctx = out_ctx;
    s->send = send;
    s->detailed = detailed;
    s->log = log;
    s->disabled = 1;
    s->name_units = 255;
}

void vda_xfer_session_set_io(vda_xfer_session *s, const vda_xfer_io *io, int enabled,
                             size_t name_units)
{
    s->io = *io;
    s->have_io = 1;
    s->disabled = !enabled;
    if (name_units < 16 + VDA_FILE_NAME_NUMBER_UNITS)
        name_units = 16 + VDA_FILE_NAME_NUMBER_UNITS;
    s->name_units = name_units;
}

void vda_xfer_session_set_locked(vda_xfer_session *s, int locked)
{
    if (s->locked != !!locked)
        vda_info(s->log, "file transfer: session %s", locked ? "locked" : "unlocked");
    s->locked = !!locked;
}

static void answer(vda_xfer_session *s, uint32_t id, uint32_t result, uint64_t free_bytes,
                   uint32_t gio_code)
{
    uint8_t *p = malloc(VDA_XFER_STATUS_MAX);
    if (!p) {
        vda_error(s->log, "file transfer %u: out of memory for its status", id);
        return;
    }
    int detailed = s->detailed && s->detailed(s->out_ctx);
    size_t n = vda_xfer_status_write(p, id, result, detailed, free_bytes, gio_code);
    vda_debug(s->log, "file transfer %u: answering %s%s", id, vda_xfer_result_name(result),
              detailed && n > 8 ? " (detailed)" : "");
    s->send(s->out_ctx, VD_AGENT_FILE_XFER_STATUS, p, (uint32_t)n);
}

static void answer_error(vda_xfer_session *s, uint32_t id, uint32_t gio_code)
{
    answer(s, id, VD_AGENT_FILE_XFER_STATUS_ERROR, 0, gio_code);
}

static vda_xfer_slot *find(vda_xfer_session *s, uint32_t id)
{
    for (int i = 0; i < VDA_XFER_MAX; i++)
        if (s->slots[i].state != VDA_XFER_FREE && !s->slots[i].orphan && s->slots[i].id == id)
            return &s->slots[i];
    return NULL;
}

static vda_xfer_slot *find_file(vda_xfer_session *s, void *file)
{
    for (int i = 0; i < VDA_XFER_MAX; i++)
        if (s->slots[i].state != VDA_XFER_FREE && s->slots[i].file == file)
            return &s->slots[i];
    return NULL;
}

unsigned vda_xfer_session_active(const vda_xfer_session *s)
{
    unsigned n = 0;
    for (int i = 0; i < VDA_XFER_MAX; i++)
        n += s->slots[i].state != VDA_XFER_FREE;
    return n;
}

static int recently_ended(const vda_xfer_session *s, uint32_t id)
{
    for (unsigned i = 0; i < s->n_ended; i++)
        if (s->ended[i] == id)
            return 1;
    return 0;
}

/* Frees the slot; when nothing runs any more, a batch with saved files is done. */
static void release(vda_xfer_session *s, vda_xfer_slot *t)
{
    if (!t->orphan) {
        s->ended[s->ended_pos] = t->id;
        s->ended_pos = (s->ended_pos + 1) % VDA_XFER_ENDED;
        if (s->n_ended < VDA_XFER_ENDED)
            s->n_ended++;
    }
    memset(t, 0, sizeof *t);
    if (vda_xfer_session_active(s) == 0 && s->saved > 0) {
        unsigned saved = s->saved;
        s->saved = 0;
        if (s->io.batch_done)
            s->io.batch_done(s->io.ctx, saved);
    }
}

static void abort_slot(vda_xfer_session *s, vda_xfer_slot *t)
{
    s->io.abort(s->io.ctx, t->file);
    release(s, t);
}

static uint32_t gio_for(vda_xp_status st)
{
    switch (st) {
    case VDA_XP_BAD_UTF8: return VDA_GIO_INVALID_FILENAME;
    case VDA_XP_NAME_TOO_LONG: return VDA_GIO_FILENAME_TOO_LONG;
    default: return VDA_GIO_INVALID_ARGUMENT;
    }
}

void vda_xfer_session_start(vda_xfer_session *s, const uint8_t *p, size_t n)
{
    vda_xfer_start st;
    vda_xp_status ps = vda_xfer_parse_start(p, n, &st);
    if (ps == VDA_XP_SHORT) {
        vda_warn(s->log, "file-xfer-start (size %zu) without an id: dropped", n);
        return;
    }
    if (s->disabled) {
        vda_info(s->log, "file transfer %u refused: file transfer is disabled", st.id);
        answer(s, st.id, VD_AGENT_FILE_XFER_STATUS_DISABLED, 0, 0);
        return;
    }
    if (ps != VDA_XP_OK) {
        vda_warn(s->log, "file transfer %u refused: bad start message (%s)", st.id,
                 vda_xp_status_str(ps));
        answer_error(s, st.id, gio_for(ps));
        return;
    }
    vda_xfer_slot *dup = find(s, st.id);
    if (dup) {
        /* The client lost track of its ids: neither transfer can be trusted. */
        vda_warn(s->log, "file transfer %u: started again while running: both refused", st.id);
        if (dup->state == VDA_XFER_RECEIVING)
            abort_slot(s, dup);
        else
            dup->orphan = 1;
        answer_error(s, st.id, VDA_GIO_EXISTS);
        return;
    }
    if (s->locked) {
        vda_info(s->log, "file transfer %u refused: the session is locked", st.id);
        answer(s, st.id, VD_AGENT_FILE_XFER_STATUS_SESSION_LOCKED, 0, 0);
        return;
    }
    vda_xfer_slot *t = NULL;
    for (int i = 0; i < VDA_XFER_MAX && !t; i++)
        if (s->slots[i].state == VDA_XFER_FREE)
            t = &s->slots[i];
    if (!t) {
        vda_warn(s->log, "file transfer %u refused: %d transfers already running", st.id,
                 VDA_XFER_MAX);
        answer_error(s, st.id, VDA_GIO_TOO_MANY_OPEN_FILES);
        return;
    }
    char name[VDA_FILE_NAME_CAP];
    if (vda_file_name_sanitize(st.name, s->name_units - VDA_FILE_NAME_NUMBER_UNITS, name))
        vda_info(s->log, "file transfer %u: name \"%s\" saved as \"%s\"", st.id, st.name, name);
    vda_xfer_fail why = { VD_AGENT_FILE_XFER_STATUS_ERROR, VDA_GIO_FAILED, 0 };
    void *file = NULL;
    if (s->io.open(s->io.ctx, st.id, name, st.size, &file, &why) != 0) {
        answer(s, st.id, why.result, why.free_bytes, why.gio_code);
        return;
    }
    t->state = VDA_XFER_RECEIVING;
    t->id = st.id;
    t->size = st.size;
    t->received = 0;
    t->file = file;
    vda_info(s->log, "file transfer %u: receiving \"%s\" (%llu bytes)", st.id, name,
             (unsigned long long)st.size);
    answer(s, st.id, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 0, 0);
}

void vda_xfer_session_data(vda_xfer_session *s, uint8_t *buf, size_t n)
{
    uint32_t id = 0, len = 0;
    const uint8_t *data = NULL;
    vda_xp_status ps = vda_xfer_parse_data(buf, n, &id, &data, &len);
    if (ps == VDA_XP_SHORT) {
        vda_warn(s->log, "file-xfer-data (size %zu) too short: dropped", n);
        free(buf);
        return;
    }
    vda_xfer_slot *t = find(s, id);
    if (!t || t->state != VDA_XFER_RECEIVING) {
        if (recently_ended(s, id))
            vda_debug(s->log, "file transfer %u: data after its end: dropped", id);
        else
            vda_warn(s->log, "file-xfer-data for unknown transfer %u (%zu bytes): dropped", id, n);
        free(buf);
        return;
    }
    if (ps != VDA_XP_OK) {
        vda_warn(s->log, "file transfer %u: bad data message (%s): aborted", id,
                 vda_xp_status_str(ps));
        free(buf);
        abort_slot(s, t);
        answer_error(s, id, VDA_GIO_INVALID_ARGUMENT);
        return;
    }
    if (len > t->size - t->received) {
        vda_warn(s->log, "file transfer %u: data past the announced %llu bytes: aborted", id,
                 (unsigned long long)t->size);
        free(buf);
        abort_slot(s, t);
        answer_error(s, id, VDA_GIO_INVALID_ARGUMENT);
        return;
    }
    if (len == 0 && t->received < t->size) {
        vda_warn(s->log, "file transfer %u: the file ended after %llu of %llu bytes: aborted", id,
                 (unsigned long long)t->received, (unsigned long long)t->size);
        free(buf);
        abort_slot(s, t);
        answer_error(s, id, VDA_GIO_PARTIAL_INPUT);
        return;
    }
    t->received += len;
    if (len > 0)
        s->io.write(s->io.ctx, t->file, buf, data, len);
    else
        free(buf);
    if (t->received == t->size) {
        t->state = VDA_XFER_COMMITTING;
        s->io.commit(s->io.ctx, t->file);
    }
}

void vda_xfer_session_status(vda_xfer_session *s, const uint8_t *p, size_t n)
{
    uint32_t id = 0, result = 0;
    if (vda_xfer_parse_status(p, n, &id, &result) != VDA_XP_OK) {
        vda_warn(s->log, "file-xfer-status (size %zu) too short: dropped", n);
        return;
    }
    vda_xfer_slot *t = find(s, id);
    if (!t) {
        vda_info(s->log, "file-xfer-status %s for unknown transfer %u: ignored",
                 vda_xfer_result_name(result), id);
        return;
    }
    if (t->state == VDA_XFER_COMMITTING) {
        /* Every byte is written already: the file is kept; nobody waits for an answer. */
        vda_info(s->log, "file transfer %u: %s from the client after the last byte: the file "
                 "is kept", id, vda_xfer_result_name(result));
        t->orphan = 1;
        return;
    }
    vda_info(s->log, "file transfer %u: %s by the client after %llu of %llu bytes: aborted", id,
             vda_xfer_result_name(result), (unsigned long long)t->received,
             (unsigned long long)t->size);
    abort_slot(s, t);
}

void vda_xfer_session_committed(vda_xfer_session *s, void *file, int ok, uint32_t gio_code)
{
    vda_xfer_slot *t = find_file(s, file);
    if (!t || t->state != VDA_XFER_COMMITTING) {
        vda_error(s->log, "file transfer: a commit report for no committing transfer: ignored");
        return;
    }
    uint32_t id = t->id;
    int orphan = t->orphan;
    if (ok)
        s->saved++;
    release(s, t);
    if (!orphan) {
        if (ok)
            answer(s, id, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 0, 0);
        else
            answer_error(s, id, gio_code);
    }
}

void vda_xfer_session_failed(vda_xfer_session *s, void *file, const vda_xfer_fail *why)
{
    vda_xfer_slot *t = find_file(s, file);
    if (!t) {
        vda_debug(s->log, "file transfer: a failure report for a transfer already gone");
        return;
    }
    uint32_t id = t->id;
    int orphan = t->orphan;
    vda_warn(s->log, "file transfer %u: writing failed after %llu of %llu bytes: aborted", id,
             (unsigned long long)t->received, (unsigned long long)t->size);
    abort_slot(s, t);
    if (!orphan)
        answer(s, id, why->result, why->free_bytes, why->gio_code);
}

void vda_xfer_session_forget(vda_xfer_session *s, const char *why, int notify)
{
    unsigned n = 0;
    for (int i = 0; i < VDA_XFER_MAX; i++) {
        vda_xfer_slot *t = &s->slots[i];
        if (t->state == VDA_XFER_FREE || t->orphan)
            continue;
        n++;
        uint32_t id = t->id;
        if (t->state == VDA_XFER_COMMITTING) {
            t->orphan = 1;  /* every byte is there: the file is kept */
            continue;
        }
        abort_slot(s, t);
        if (notify)
            answer_error(s, id, VDA_GIO_CANCELLED);
    }
    s->n_ended = 0;
    s->ended_pos = 0;
    if (n)
        vda_info(s->log, "file transfer: %u transfer(s) ended (%s)", n, why);
}
