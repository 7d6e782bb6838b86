/* asimdns-exporter: ASIM record -> JSON line. */
#include "exporter/asim_json.h"

#include <string.h>

void ad_asim_json_write(const ad_asim *a, ad_strbuf *sb)
{
    ad_strbuf_putc(sb, '{');
    for (unsigned i = 0; i < a->nattrs; i++) {
        const ad_attr *at = &a->attrs[i];
        if (i > 0)
            ad_strbuf_putc(sb, ',');
        ad_strbuf_json_string(sb, at->key, at->key_len ? at->key_len : strlen(at->key));
        ad_strbuf_putc(sb, ':');
        switch (at->kind) {
        case AD_ATTR_STR:
            ad_strbuf_json_string(sb, at->str, at->len);
            break;
        case AD_ATTR_INT:
            ad_strbuf_i64(sb, at->num);
            break;
        case AD_ATTR_BOOL:
            ad_strbuf_puts(sb, at->num ? "true" : "false");
            break;
        }
    }
    ad_strbuf_putc(sb, '}');
}
