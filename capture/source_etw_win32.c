/*
 * asimdns-capture: the etw and etl sources on Windows: the session controller
 * (etw_session.h) over the real ETW API, optionally writing every raw event to --record FILE.
 */
#ifdef AD_PLATFORM_WINDOWS
#include <stdio.h>
#include <string.h>

#include "capture/etw_api_win32.h"
#include "capture/etw_record.h"
#include "capture/etw_session.h"
#include "capture/source_table.h"
#include "common/log.h"

_Static_assert(sizeof(((ad_etw_settings *)0)->event_ids) ==
                   sizeof(((ad_capture_source *)0)->event_ids),
               "the event-id filter has the same room in the configuration and the session");

/* The ETW controller's settings from the configuration (etw_session.h keeps config out). */
static ad_err etw_settings_from_config(const ad_capture_source *src, ad_etw_settings *set)
{
    ad_etw_settings_init(set);
    set->source = src->type;
    if (src->type == AD_SOURCE_ETW && !src->provider_guid_known) {
        ad_log_error("ETW provider '%s': give its GUID as source.provider_guid (providers are "
                     "resolved by name only for dns_server and dns_client)",
                     src->provider_name);
        return AD_EINVAL;
    }
    snprintf(set->session_name, sizeof(set->session_name), "%s", src->session_name);
    snprintf(set->etl_file, sizeof(set->etl_file), "%s", src->etl_file);
    set->provider_guid = src->provider_guid;
    set->level = src->level;
    set->match_any_keyword = src->match_any_keyword;
    set->match_all_keyword = src->match_all_keyword;
    set->event_id_count = src->event_id_count;
    memcpy(set->event_ids, src->event_ids, sizeof(set->event_ids));
    set->buffer_size_kb = src->buffer_size_kb;
    set->min_buffers = src->min_buffers;
    set->max_buffers = src->max_buffers;
    set->flush_seconds = src->flush_seconds;
    set->process_cache_size = src->process_names.enabled ? src->process_names.cache_size : 0;
    return AD_OK;
}

/* Both sources: the live session (etw) and the .etl file (etl) take the same path. */
static ad_err etw_run(ad_capture_ctx *ctx, void *state)
{
    (void)state;
    static ad_etw_settings set;
    static ad_etw_session session; /* reachable by ad_etw_session_stop_active() */
    static ad_etw_recorder rec;
    const char *record_path = ctx->record_path;
    ad_err err = etw_settings_from_config(&ctx->cfg->source, &set);
    if (err != AD_OK)
        return err;
    if (record_path != NULL && ad_etw_recorder_open(&rec, record_path) != AD_OK)
        return AD_EIO;
    err = ad_etw_session_run(&session, &set, ad_etw_api_win32(), ctx,
                             record_path != NULL ? &rec : NULL);
    if (record_path != NULL && ad_etw_recorder_close(&rec) != AD_OK && err == AD_OK)
        err = AD_EIO;
    return err;
}

/* The session and the file are opened in run, as the service account: it is the account
   (Performance Log Users) that grants ETW, not the privileges the process starts with. */
const ad_source_desc ad_source_etw = {
    .type = AD_SOURCE_ETW,
    .name = "etw",
    .caps = AD_SOURCE_AVAILABLE | AD_SOURCE_RECORDS,
    .run = etw_run,
};

const ad_source_desc ad_source_etl = {
    .type = AD_SOURCE_ETL,
    .name = "etl",
    .caps = AD_SOURCE_AVAILABLE | AD_SOURCE_RECORDS,
    .run = etw_run,
};
#endif
