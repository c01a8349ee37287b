#include "service/port_retry.h"

void vda_port_retry_init(vda_port_retry *r)
{
    vda_backoff_init(&r->rd.backoff, 0, VDA_PORT_IO_FIRST_MS, VDA_PORT_IO_MAX_MS, 0);
    vda_backoff_init(&r->wr.backoff, 0, VDA_PORT_IO_FIRST_MS, VDA_PORT_IO_MAX_MS, 0);
    vda_backoff_init(&r->open, 1, VDA_PORT_OPEN_FIRST_MS, VDA_PORT_OPEN_MAX_MS, 0);
    r->rd.waiting = r->wr.waiting = 0;
}

void vda_port_retry_opened(vda_port_retry *r)
{
    vda_backoff_reset(&r->rd.backoff);
    vda_backoff_reset(&r->wr.backoff);
    vda_backoff_reset(&r->open);
    r->rd.waiting = r->wr.waiting = 0;
}

vda_port_io_verdict vda_port_io_classify(uint32_t err)
{
    switch (err) {
    case 0:
        return VDA_PORT_IO_OK;
    case VDA_WERR_CANT_WAIT:            /* current driver: host away or queue full */
    case VDA_WERR_NO_SYSTEM_RESOURCES:  /* read while host away; older drivers' writes */
        return VDA_PORT_IO_WAIT;
    default:
        return VDA_PORT_IO_GONE;
    }
}

vda_port_open_verdict vda_port_open_classify(uint32_t err)
{
    switch (err) {
    case VDA_WERR_FILE_NOT_FOUND:
    case VDA_WERR_PATH_NOT_FOUND:
        return VDA_PORT_OPEN_ABSENT;
    case VDA_WERR_ALREADY_EXISTS:
    case VDA_WERR_ACCESS_DENIED:
    case VDA_WERR_SHARING_VIOLATION:
        return VDA_PORT_OPEN_BUSY;
    default:
        return VDA_PORT_OPEN_FAILED;
    }
}

vda_port_io_verdict vda_port_io_result(vda_port_dir *d, uint32_t err, uint32_t n,
                                       uint32_t *delay_ms)
{
    vda_port_io_verdict v = vda_port_io_classify(err);
    if (v == VDA_PORT_IO_OK && n == 0)
        v = VDA_PORT_IO_WAIT;
    *delay_ms = 0;
    if (v == VDA_PORT_IO_WAIT) {
        *delay_ms = vda_backoff_failed(&d->backoff, 0);
        d->waiting = 1;
    } else if (v == VDA_PORT_IO_OK) {
        vda_backoff_reset(&d->backoff);
        d->waiting = 0;
    }
    return v;
}

uint32_t vda_port_open_failed(vda_port_retry *r, uint32_t err, int notified)
{
    if (notified && vda_port_open_classify(err) == VDA_PORT_OPEN_ABSENT)
        return VDA_PORT_ABSENT_FALLBACK_MS;
    return vda_backoff_failed(&r->open, 0);
}
