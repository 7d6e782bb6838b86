/*
 * asimdns config: libyaml events -> ad__cfg_tree.
 *
 * The event API (not libyaml's document loader) is used so that anchors and aliases are
 * refused at their first appearance, before anything is expanded, and so that depth and node
 * limits stop hostile input early.
 */
#include "config/cfg_tree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config/cfg_error.h"
#include "config/cfg_input.h"
#include "config/config.h"

typedef struct tree_builder {
    ad__cfg_tree *t;
    const char *name;
    const char *data;
    size_t len;
    char *err;
    size_t errlen;
    uint32_t open[AD_CONFIG_MAX_DEPTH]; /* open collections, outermost first */
    uint32_t last[AD_CONFIG_MAX_DEPTH]; /* last child of each open collection */
    unsigned depth;
    unsigned documents;
} tree_builder;

static ad_err tree_fail(tree_builder *b, yaml_mark_t mark, const char *msg)
{
    ad__cfg_errorf(b->err, b->errlen, b->name, (uint32_t)mark.line + 1, (uint32_t)mark.column + 1,
                   "%s", msg);
    return AD_EFORMAT;
}

static ad_err tree_text(tree_builder *b, const unsigned char *bytes, size_t len, size_t *off)
{
    ad__cfg_tree *t = b->t;
    if (t->text_cap - t->text_len < len + 1) {
        size_t cap = t->text_cap ? t->text_cap : 4096;
        while (cap - t->text_len < len + 1)
            cap *= 2;
        char *p = realloc(t->text, cap);
        if (p == NULL)
            return AD_ENOMEM;
        t->text = p;
        t->text_cap = cap;
    }
    *off = t->text_len;
    if (len > 0)
        memcpy(t->text + t->text_len, bytes, len);
    t->text[t->text_len + len] = '\0';
    t->text_len += len + 1;
    return AD_OK;
}

/* A new key must differ from every key already in the mapping. */
static bool tree_key_is_duplicate(const ad__cfg_tree *t, uint32_t map, uint32_t key)
{
    const ad__cfg_node *k = &t->nodes[key];
    for (uint32_t i = t->nodes[map].first; i != 0 && i != key; i = t->nodes[i].next) {
        const ad__cfg_node *other = &t->nodes[i];
        if (other->kind == AD__CFG_SCALAR && other->text_len == k->text_len &&
            memcmp(t->text + other->text, t->text + k->text, k->text_len) == 0)
            return true;
        i = t->nodes[i].next; /* skip the value */
        if (i == 0 || i == key)
            break;
    }
    return false;
}

static ad_err tree_add(tree_builder *b, ad__cfg_kind kind, yaml_mark_t mark, uint32_t *out)
{
    ad__cfg_tree *t = b->t;
    if (t->node_count >= AD_CONFIG_MAX_NODES)
        return tree_fail(b, mark, "too many YAML nodes (configuration too large)");
    if (b->depth > 0) {
        const ad__cfg_node *parent = &t->nodes[b->open[b->depth - 1]];
        if (parent->kind == AD__CFG_MAPPING && parent->count % 2 == 0 && kind != AD__CFG_SCALAR)
            return tree_fail(b, mark, "a mapping key must be a plain name, not a collection");
    } else if (t->root != 0) {
        return tree_fail(b, mark, "more than one document");
    }
    if (t->node_count == t->node_cap) {
        uint32_t cap = t->node_cap ? t->node_cap * 2 : 64;
        ad__cfg_node *p = realloc(t->nodes, (size_t)cap * sizeof(*p));
        if (p == NULL)
            return AD_ENOMEM;
        t->nodes = p;
        t->node_cap = cap;
        if (t->node_count == 0) {
            memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
            t->node_count = 1; /* index 0 means "none" */
        }
    }
    uint32_t idx = t->node_count++;
    ad__cfg_node *n = &t->nodes[idx];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->line = (uint32_t)mark.line + 1;
    n->column = (uint32_t)mark.column + 1;
    *out = idx;
    return AD_OK;
}

/* Links a finished (or opened) node under the innermost open collection. */
static ad_err tree_link(tree_builder *b, uint32_t idx, yaml_mark_t mark)
{
    ad__cfg_tree *t = b->t;
    if (b->depth == 0) {
        t->root = idx;
        return AD_OK;
    }
    unsigned d = b->depth - 1;
    ad__cfg_node *parent = &t->nodes[b->open[d]];
    bool is_key = parent->kind == AD__CFG_MAPPING && parent->count % 2 == 0;
    if (b->last[d] == 0)
        parent->first = idx;
    else
        t->nodes[b->last[d]].next = idx;
    b->last[d] = idx;
    parent->count++;
    if (is_key && tree_key_is_duplicate(t, b->open[d], idx)) {
        char ex[64];
        char msg[160];
        snprintf(msg, sizeof(msg), "duplicate key '%s'",
                 ad__cfg_excerpt(ad__cfg_text(t, idx), ex, sizeof(ex)));
        return tree_fail(b, mark, msg);
    }
    return AD_OK;
}

static ad_err tree_check_props(tree_builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                               const yaml_char_t *tag)
{
    if (anchor != NULL)
        return tree_fail(b, ev->start_mark, "anchors and aliases are not supported");
    if (tag != NULL)
        return tree_fail(b, ev->start_mark, "YAML tags are not supported");
    return AD_OK;
}

static ad_err tree_open(tree_builder *b, const yaml_event_t *ev, ad__cfg_kind kind)
{
    const yaml_char_t *anchor =
        kind == AD__CFG_MAPPING ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    const yaml_char_t *tag =
        kind == AD__CFG_MAPPING ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    ad_err rc = tree_check_props(b, ev, anchor, tag);
    if (rc != AD_OK)
        return rc;
    if (b->depth >= AD_CONFIG_MAX_DEPTH) {
        char msg[80];
        snprintf(msg, sizeof(msg), "nesting deeper than %d levels", AD_CONFIG_MAX_DEPTH);
        return tree_fail(b, ev->start_mark, msg);
    }
    uint32_t idx;
    rc = tree_add(b, kind, ev->start_mark, &idx);
    if (rc == AD_OK)
        rc = tree_link(b, idx, ev->start_mark);
    if (rc != AD_OK)
        return rc;
    b->open[b->depth] = idx;
    b->last[b->depth] = 0;
    b->depth++;
    return AD_OK;
}

static ad_err tree_scalar(tree_builder *b, const yaml_event_t *ev)
{
    ad_err rc = tree_check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
    if (rc != AD_OK)
        return rc;
    /* Escapes like "\0" can put a NUL inside a scalar; our strings could not hold it. */
    if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
        return tree_fail(b, ev->start_mark, "a NUL character is not allowed in a value");
    uint32_t idx;
    rc = tree_add(b, AD__CFG_SCALAR, ev->start_mark, &idx);
    if (rc != AD_OK)
        return rc;
    size_t off;
    rc = tree_text(b, ev->data.scalar.value, ev->data.scalar.length, &off);
    if (rc != AD_OK)
        return rc;
    ad__cfg_node *n = &b->t->nodes[idx];
    n->text = off;
    n->text_len = ev->data.scalar.length;
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return tree_link(b, idx, ev->start_mark);
}

static ad_err tree_event(tree_builder *b, const yaml_event_t *ev, bool *done)
{
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        return AD_OK;
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1)
            return tree_fail(b, ev->start_mark, "more than one document");
        return AD_OK;
    case YAML_ALIAS_EVENT:
        return tree_fail(b, ev->start_mark, "anchors and aliases are not supported");
    case YAML_SCALAR_EVENT:
        return tree_scalar(b, ev);
    case YAML_MAPPING_START_EVENT:
        return tree_open(b, ev, AD__CFG_MAPPING);
    case YAML_SEQUENCE_START_EVENT:
        return tree_open(b, ev, AD__CFG_SEQUENCE);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        if (b->depth > 0)
            b->depth--;
        return AD_OK;
    default:
        return AD_OK;
    }
}

/* Turns a libyaml failure into our message, with the position libyaml gives. */
static ad_err tree_yaml_error(tree_builder *b, const yaml_parser_t *p)
{
    uint32_t line, column;
    if (p->error == YAML_MEMORY_ERROR)
        return AD_ENOMEM;
    if (p->error == YAML_READER_ERROR) {
        ad__cfg_input_position(b->data, b->len, p->problem_offset, &line, &column);
    } else {
        line = (uint32_t)p->problem_mark.line + 1;
        column = (uint32_t)p->problem_mark.column + 1;
    }
    const char *problem = p->problem ? p->problem : "syntax error";
    size_t off = ad__cfg_input_offset(b->data, b->len, line, column);
    if (off < b->len && b->data[off] == '\t') {
        ad__cfg_errorf(b->err, b->errlen, b->name, line, column,
                       "tab character where YAML expects spaces (%s)", problem);
    } else if (p->context != NULL) {
        ad__cfg_errorf(b->err, b->errlen, b->name, line, column, "YAML syntax error: %s: %s",
                       p->context, problem);
    } else {
        ad__cfg_errorf(b->err, b->errlen, b->name, line, column, "YAML syntax error: %s", problem);
    }
    return AD_EFORMAT;
}

ad_err ad__cfg_tree_parse(ad__cfg_tree *t, const char *name, const char *data, size_t len,
                          char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    if (data == NULL)
        len = 0;
    tree_builder b;
    memset(&b, 0, sizeof(b));
    b.t = t;
    b.name = name;
    b.data = data;
    b.len = len;
    b.err = err;
    b.errlen = errlen;

    uint32_t line, column;
    char why[96];
    if (data == NULL)
        data = b.data = "";
    if (len > AD_CONFIG_MAX_FILE_BYTES) {
        ad__cfg_errorf(err, errlen, name, 1, 1, "file larger than %u bytes",
                       (unsigned)AD_CONFIG_MAX_FILE_BYTES);
        return AD_ERANGE;
    }
    if (!ad__cfg_input_valid(data, len, &line, &column, why, sizeof(why))) {
        ad__cfg_errorf(err, errlen, name, line, column, "%s", why);
        return AD_EUTF;
    }

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return AD_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    ad_err rc = AD_OK;
    bool done = false;
    while (!done && rc == AD_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = tree_yaml_error(&b, &parser);
            break;
        }
        rc = tree_event(&b, &ev, &done);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

void ad__cfg_tree_free(ad__cfg_tree *t)
{
    free(t->nodes);
    free(t->text);
    memset(t, 0, sizeof(*t));
}

bool ad__cfg_is_null(const ad__cfg_tree *t, uint32_t idx)
{
    const ad__cfg_node *n = &t->nodes[idx];
    if (n->kind != AD__CFG_SCALAR || !n->plain)
        return false;
    const char *s = ad__cfg_text(t, idx);
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

uint32_t ad__cfg_map_find(const ad__cfg_tree *t, uint32_t map, const char *key, uint32_t *key_node)
{
    if (map == 0 || t->nodes[map].kind != AD__CFG_MAPPING)
        return 0;
    for (uint32_t k = t->nodes[map].first; k != 0;) {
        uint32_t v = t->nodes[k].next;
        if (t->nodes[k].kind == AD__CFG_SCALAR && strcmp(ad__cfg_text(t, k), key) == 0) {
            if (key_node != NULL)
                *key_node = k;
            return v;
        }
        if (v == 0)
            break;
        k = t->nodes[v].next;
    }
    return 0;
}
