/*
 * asimdns tests: writes a seed corpus for the ETW decoder fuzz targets (tests/fuzz/etw.cmake)
 * from the test-vector builder: one file per supported (event, version, pointer size), each
 * the 4-byte selector the fuzz targets read (tests/fuzz/fuzz_etw_*.c) followed by UserData.
 *
 * Usage: etw_fuzz_seeds SERVER_DIR CLIENT_DIR (both must exist).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etw_vector_builder.h"

static ad_vb vb;

static int write_seed(const char *dir, const char *name, const unsigned char sel[4])
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    int ok = fwrite(sel, 1, 4, f) == 4 && fwrite(vb.buf, 1, vb.len, f) == vb.len;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        fprintf(stderr, "%s: write failed\n", path);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SERVER_DIR CLIENT_DIR\n", argv[0]);
        return 2;
    }
    ad_vb_values v;
    ad_vb_values_default(&v);
    char name[64];
    int rc = 0;
    for (unsigned id = 256; id <= 291; id++) {
        for (int legacy = 0; legacy <= 1; legacy++) {
            if (!ad_vb_server_event(&vb, (uint16_t)id, legacy, &v))
                continue;
            unsigned char sel[4] = {0, (unsigned char)(id - 256), 0, 2};
            snprintf(name, sizeof name, "%u%s", id, legacy ? "-legacy" : "");
            rc |= write_seed(argv[1], name, sel);
        }
    }
    for (unsigned id = 512; id <= 596; id++) {
        if (!ad_vb_audit_event(&vb, (uint16_t)id, &v))
            continue;
        unsigned char sel[4] = {2, (unsigned char)(id - 512), 0, 2};
        snprintf(name, sizeof name, "%u", id);
        rc |= write_seed(argv[1], name, sel);
    }
    for (unsigned id = 1013; id <= 3020; id++) {
        for (unsigned ver = 0; ver <= 2; ver++) {
            for (unsigned ptr = 4; ptr <= 8; ptr += 4) {
                if (!ad_vb_client_event(&vb, (uint16_t)id, (uint8_t)ver, ptr, &v))
                    continue;
                unsigned char sel[4] = {id >= 3000 ? 0 : 2,
                                        (unsigned char)(id >= 3000 ? id - 3000 : id - 1013),
                                        (unsigned char)ver, ptr == 4 ? 1 : 2};
                snprintf(name, sizeof name, "%u-v%u-p%u", id, ver, ptr);
                rc |= write_seed(argv[2], name, sel);
            }
        }
    }
    return rc == 0 ? 0 : 1;
}
