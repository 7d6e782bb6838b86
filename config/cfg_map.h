/*
 * asimdns config (internal): the declarative configuration table and the engine that applies
 * a YAML tree to a struct through it, in the spirit of Fluent Bit's config_map.
 *
 * Each entry names a key, its type, where the value goes (offset into the struct, size), its
 * default (written in the file's own syntax and parsed by the same code, so defaults are
 * validated like input), its range and a line of help. Sections nest tables. Cross-key rules
 * (provider defaults, "required when") live in the schema files, after the table pass.
 */
#ifndef AD_CONFIG_CFG_MAP_H
#define AD_CONFIG_CFG_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/compiler.h"
#include "common/error.h"
#include "config/cfg_text.h"
#include "config/cfg_tree.h"
#include "config/config.h"

typedef enum ad__cfg_type {
    AD__CFG_T_END = 0,  /* ends a table */
    AD__CFG_T_STR,      /* char[size]; every string is checked for control characters */
    AD__CFG_T_BOOL,     /* bool */
    AD__CFG_T_UINT,     /* unsigned of size 1, 2, 4 or 8; decimal or 0x hex */
    AD__CFG_T_SIZE,     /* uint64_t bytes; "64MiB" */
    AD__CFG_T_DURATION, /* uint64_t milliseconds; "10s" */
    AD__CFG_T_MODE,     /* uint32_t permission bits; "0640" */
    AD__CFG_T_ENUM,     /* enum field; aux = ad__cfg_enum[] */
    AD__CFG_T_GUID,     /* ad_guid */
    AD__CFG_T_DOUBLE,   /* double; range dmin..dmax */
    AD__CFG_T_SECTION,  /* nested mapping; aux = ad__cfg_entry[], whose offsets count from
                           base + offset (0: the same struct; else a sub-struct, so one table
                           can serve several of the same type) */
    AD__CFG_T_LIST,     /* sequence of scalars into a fixed array; aux = ad__cfg_list */
    AD__CFG_T_MAP,      /* mapping string -> string into a fixed array; aux = ad__cfg_kv */
    AD__CFG_T_CUSTOM    /* a value of its own shape (e.g. a list of rules); aux = ad__cfg_custom */
} ad__cfg_type;

#define AD__CFG_F_SECRET 0x01u     /* never quoted in messages; "<redacted>" in dumps */
#define AD__CFG_F_POW2 0x02u       /* SIZE: must be a power of two */
#define AD__CFG_F_ALIAS 0x04u      /* second name for the previous entry; not dumped */
#define AD__CFG_F_HEX 0x08u        /* UINT: dumped in hex */
#define AD__CFG_F_NO_GROUP_W 0x10u /* MODE: group must not write */
#define AD__CFG_F_NO_OTHER_W 0x20u /* MODE: others must not write */
#define AD__CFG_F_OWNER_RW 0x40u   /* MODE: owner must read and write */

typedef struct ad__cfg_enum {
    const char *name; /* NULL ends the list */
    int value;
} ad__cfg_enum;

typedef struct ad__cfg_list {
    ad__cfg_type elem;   /* AD__CFG_T_UINT (range from the entry) or AD__CFG_T_STR */
    size_t elem_size;    /* UINT: 1, 2, 4 or 8; STR: the array size */
    size_t capacity;     /* elements in the array */
    size_t count_offset; /* uint32_t element count, from the struct base */
    /* UINT: a name accepted besides numbers (e.g. a QTYPE mnemonic), and the name to print
       for a value; both may be NULL. */
    bool (*parse_name)(const char *text, size_t len, uint32_t *value);
    const char *(*format_name)(uint32_t value);
} ad__cfg_list;

typedef struct ad__cfg_kv {
    size_t elem_size;
    size_t capacity;
    size_t count_offset; /* uint32_t pair count, from the struct base */
    size_t key_offset;   /* within an element */
    size_t key_size;
    size_t value_offset;
    size_t value_size;
    ad__cfg_check_fn key_check; /* may be NULL */
    bool icase_keys;            /* keys that differ only in case are duplicates */
} ad__cfg_kv;

typedef struct ad__cfg_entry {
    const char *name;
    ad__cfg_type type;
    unsigned flags;
    size_t offset; /* of the field from the struct base (LIST: of the array) */
    size_t size;   /* of the field */
    const char *def;
    uint64_t min, max; /* UINT, SIZE, DURATION; min = max = 0 means the field's full range */
    double dmin, dmax; /* DOUBLE */
    const void *aux;
    ad__cfg_check_fn check; /* STR (and STR list elements): extra check, may normalize */
    const char *help;
} ad__cfg_entry;

struct ad__cfg_ctx;

/*
 * A value the generic engine cannot describe: apply parses the node value (any kind) into
 * the struct (offsets from ctx->base) and reports errors with ad__cfg_fail; dump writes
 * "key...: value" lines. No default: the zeroed struct is the default.
 */
typedef struct ad__cfg_custom {
    ad_err (*apply)(struct ad__cfg_ctx *ctx, const ad__cfg_entry *e, uint32_t value,
                    const char *key);
    void (*dump)(const ad__cfg_entry *e, const void *base, const char *key, ad_config_line_fn line,
                 void *lctx);
} ad__cfg_custom;

/* offset and size of a member, for designated initializers. */
#define AD__CFG_FIELD(type, member)                                                                \
    .offset = offsetof(type, member), .size = sizeof(((type *)0)->member)

/* Where and how a table is being applied. */
typedef struct ad__cfg_ctx {
    const ad__cfg_tree *tree;
    const char *file; /* name used in messages */
    void *base;       /* the struct being filled */
    char *err;
    size_t errlen;
} ad__cfg_ctx;

/*
 * Writes every default of table into base (which the caller zeroed first). A default that
 * does not parse is our bug: AD_EINVAL with a message naming the key.
 */
ad_err ad__cfg_set_defaults(const ad__cfg_entry *table, void *base, char *err, size_t errlen);

/*
 * Applies the mapping node map to ctx->base through table. path is the dotted name of the
 * mapping ("" at the top level). Stops at the first error.
 */
ad_err ad__cfg_apply(ad__cfg_ctx *ctx, const ad__cfg_entry *table, uint32_t map, const char *path);

/* Writes "FILE:LINE:COLUMN: message" for node into ctx->err; returns AD_EINVAL. */
ad_err ad__cfg_fail(ad__cfg_ctx *ctx, uint32_t node, const char *fmt, ...) AD_PRINTF(3, 4);

/*
 * `--check`'s verdict on a loaded file: "# PATH: OK" on out (AD_OK; the caller then prints the
 * dump through ad__cfg_print_line) or the one-line error on errout. Returns the exit code.
 */
int ad__cfg_check_verdict(const char *path, ad_err rc, const char *err, FILE *out, FILE *errout);

/* An ad_config_line_fn writing each line to the FILE * ctx. */
void ad__cfg_print_line(void *ctx, const char *line);

/* Emits "path.key: value" lines for every entry of table, secrets redacted. */
void ad__cfg_dump(const ad__cfg_entry *table, const void *base, const char *path,
                  ad_config_line_fn line, void *lctx);

/*
 * The node reached by following the dotted keys of path ("source.replay.file") from the
 * mapping root, or 0. *key_node (optional) receives the last key's node.
 */
uint32_t ad__cfg_find(const ad__cfg_tree *t, uint32_t root, const char *path, uint32_t *key_node);

#endif
