#include "agent/display_ccd.h"

#include <string.h>

static int target_taken(const vda_ccd_plan *p, const vda_ccd_path *paths, uint32_t target)
{
    for (size_t k = 0; k < p->count; k++) {
        if (paths[p->use[k].path].target == target) {
            return 1;
        }
    }
    return 0;
}

vda_ccd_status vda_ccd_plan_build(const vda_ccd_path *paths, size_t npaths,
                                  const vda_ccd_want *want, size_t ndisp, vda_ccd_plan *out,
                                  uint32_t *bad)
{
    memset(out, 0, sizeof *out);
    if (bad) {
        *bad = 0;
    }
    if (ndisp > VDA_MONITORS_MAX) {
        ndisp = VDA_MONITORS_MAX;
    }
    int any = 0, primary = 0;
    for (size_t d = 0; d < ndisp; d++) {
        if (want[d].enabled) {
            any = 1;
            primary |= want[d].x == 0 && want[d].y == 0;
        }
    }
    if (!any) {
        return VDA_CCD_NOTHING_ENABLED;
    }
    if (!primary) {
        return VDA_CCD_NO_PRIMARY;
    }
    /* Active paths first, so a display that already shows keeps its monitor
     * and a newly attached one cannot take it away. */
    size_t pick[VDA_MONITORS_MAX];
    vda_ccd_plan tmp;
    memset(&tmp, 0, sizeof tmp);
    for (size_t d = 0; d < ndisp; d++) {
        pick[d] = SIZE_MAX;
        for (size_t i = 0; want[d].enabled && i < npaths; i++) {
            /* A target shows one source: a second active path to it is not kept. */
            if (paths[i].display == d && paths[i].active &&
                !target_taken(&tmp, paths, paths[i].target)) {
                pick[d] = i;
                tmp.use[tmp.count++].path = i;
                break;
            }
        }
    }
    for (size_t d = 0; d < ndisp; d++) {
        if (!want[d].enabled || pick[d] != SIZE_MAX) {
            continue;
        }
        for (size_t i = 0; i < npaths; i++) {
            if (paths[i].display == d && paths[i].target_available &&
                !target_taken(&tmp, paths, paths[i].target)) {
                pick[d] = i;
                tmp.use[tmp.count++].path = i;
                break;
            }
        }
        if (pick[d] == SIZE_MAX) {
            if (bad) {
                *bad = (uint32_t)d;
            }
            return VDA_CCD_NO_PATH;
        }
    }
    /* Display order, with the sizes and positions. */
    for (size_t d = 0; d < ndisp; d++) {
        if (pick[d] == SIZE_MAX) {
            continue;
        }
        vda_ccd_use *u = &out->use[out->count++];
        u->path = pick[d];
        u->display = (uint32_t)d;
        u->width = want[d].width;
        u->height = want[d].height;
        u->x = want[d].x;
        u->y = want[d].y;
    }
    return VDA_CCD_OK;
}

const char *vda_ccd_status_str(vda_ccd_status s)
{
    switch (s) {
    case VDA_CCD_OK: return "ok";
    case VDA_CCD_NOTHING_ENABLED: return "no display enabled";
    case VDA_CCD_NO_PRIMARY: return "no display at 0,0";
    case VDA_CCD_NO_PATH: return "no free path to a monitor";
    }
    return "unknown";
}
