/* asimdns config: the shared load pipeline (see cfg_load.h). */
#include "config/cfg_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_error.h"

ad_err ad__cfg_read_file(const char *path, size_t max, char **data, size_t *len, char *err,
                         size_t errlen)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
        return e == ENOENT ? AD_ENOENT : (e == EACCES ? AD_EPERM : AD_EIO);
    }
    /* One byte more than allowed tells "too large" apart from "exactly the limit". */
    char *buf = malloc(max + 2);
    if (buf == NULL) {
        fclose(f);
        return AD_ENOMEM;
    }
    size_t n = 0;
    while (n <= max) {
        size_t got = fread(buf + n, 1, max + 1 - n, f);
        if (got == 0)
            break;
        n += got;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read the file", path);
        return AD_EIO;
    }
    if (n > max) {
        free(buf);
        snprintf(err, errlen, "%s:1:1: file larger than %zu bytes", path, max);
        return AD_ERANGE;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return AD_OK;
}

ad_err ad__cfg_load(const char *name, const char *data, size_t len, const ad__cfg_entry *table,
                    void *base, size_t base_size, ad__cfg_post_fn post, void *arg, char *err,
                    size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    memset(base, 0, base_size);
    ad_err rc = ad__cfg_set_defaults(table, base, err, errlen);
    if (rc != AD_OK)
        return rc;

    ad__cfg_tree tree;
    rc = ad__cfg_tree_parse(&tree, name, data, len, err, errlen);
    if (rc == AD_ENOMEM)
        snprintf(err, errlen, "%s: out of memory", name);
    if (rc != AD_OK) {
        ad__cfg_tree_free(&tree);
        return rc;
    }
    ad__cfg_ctx ctx = {&tree, name, base, err, errlen};
    uint32_t root = tree.root;
    if (root == 0 || ad__cfg_is_null(&tree, root)) {
        uint32_t line = root ? ad__cfg_node_get(&tree, root)->line : 1;
        uint32_t column = root ? ad__cfg_node_get(&tree, root)->column : 1;
        ad__cfg_errorf(err, errlen, name, line, column,
                       "the file is empty (expected a mapping of settings)");
        rc = AD_EINVAL;
    } else if (ad__cfg_node_get(&tree, root)->kind != AD__CFG_MAPPING) {
        rc = ad__cfg_fail(
            &ctx, root, "the top level must be a mapping of settings, found %s",
            ad__cfg_node_get(&tree, root)->kind == AD__CFG_SEQUENCE ? "a list" : "a single value");
    } else {
        rc = ad__cfg_apply(&ctx, table, root, "");
        if (rc == AD_OK && post != NULL)
            rc = post(&ctx, root, arg);
    }
    ad__cfg_tree_free(&tree);
    return rc;
}
