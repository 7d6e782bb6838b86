/*
 * asimdns config (internal): a YAML document as a small bounded tree of nodes with their
 * 1-based line/column, built from libyaml events.
 *
 * Only what a configuration needs survives: one document, mappings with unique scalar keys,
 * sequences and scalars. Anchors, aliases and tags are refused (no alias expansion can blow
 * up), nesting and node count are capped, and the input must be valid, printable UTF-8.
 */
#ifndef AD_CONFIG_CFG_TREE_H
#define AD_CONFIG_CFG_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef enum ad__cfg_kind { AD__CFG_SCALAR = 0, AD__CFG_MAPPING, AD__CFG_SEQUENCE } ad__cfg_kind;

typedef struct ad__cfg_node {
    ad__cfg_kind kind;
    uint32_t line;   /* 1-based */
    uint32_t column; /* 1-based, in characters like libyaml */
    uint32_t first;  /* first child (mapping: key, value, key, ...); 0 = none */
    uint32_t next;   /* next sibling; 0 = none */
    uint32_t count;  /* children (a mapping counts keys and values) */
    size_t text;     /* scalar: offset of its NUL-terminated text in the text arena */
    size_t text_len; /* scalar: length in bytes */
    bool plain;      /* scalar written without quotes (only those can mean null) */
} ad__cfg_node;

typedef struct ad__cfg_tree {
    ad__cfg_node *nodes; /* index 0 is unused so 0 can mean "none" */
    uint32_t node_count;
    uint32_t node_cap;
    char *text; /* every scalar's bytes, each followed by a NUL */
    size_t text_len;
    size_t text_cap;
    uint32_t root; /* 0 when the stream holds no document */
} ad__cfg_tree;

/*
 * Parses data[len] into t. On failure writes "NAME:LINE:COLUMN: message" to err and returns
 * AD_EFORMAT (or AD_ENOMEM). t must be freed with ad__cfg_tree_free in both cases.
 */
ad_err ad__cfg_tree_parse(ad__cfg_tree *t, const char *name, const char *data, size_t len,
                          char *err, size_t errlen);

void ad__cfg_tree_free(ad__cfg_tree *t);

static inline const ad__cfg_node *ad__cfg_node_get(const ad__cfg_tree *t, uint32_t idx)
{
    return &t->nodes[idx];
}

/* The NUL-terminated text of a scalar node. */
static inline const char *ad__cfg_text(const ad__cfg_tree *t, uint32_t idx)
{
    return t->text + t->nodes[idx].text;
}

/* True for a plain scalar meaning null: empty, "~", "null", "Null", "NULL". */
bool ad__cfg_is_null(const ad__cfg_tree *t, uint32_t idx);

/*
 * Looks key up in mapping node map; returns the value node, or 0 when absent (or map is not
 * a mapping). *key_node (optional) receives the key node.
 */
uint32_t ad__cfg_map_find(const ad__cfg_tree *t, uint32_t map, const char *key, uint32_t *key_node);

#endif
