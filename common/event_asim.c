/*
 * asimdns: the ASIM reading of an event catalogue row (event_catalog.h): which wire fields
 * hold the client and the server, and the event's EventResult and EventResultDetails. Only
 * the exporter's mapping reads these; the capture's decoders need the rows and templates
 * alone (event_catalog.c), so the capture links none of the result texts.
 */
#include "common/dns_tables.h"
#include "common/event_catalog.h"

bool ad_event_def_client_is_dst(const ad_event_def *def)
{
    return def != NULL && def->message == AD_MSG_RESPONSE;
}

/* The field of the client (src) or the server (dst). */
static const char *side_field(const ad_event_def *def, bool client)
{
    if (def == NULL || def->client == AD_CLIENT_NONE)
        return NULL;
    bool peer_is_client = def->client == AD_CLIENT_PEER;
    return peer_is_client == client ? def->peer_field : def->host_field;
}

const char *ad_event_def_src_field(const ad_event_def *def)
{
    return side_field(def, true);
}

const char *ad_event_def_dst_field(const ad_event_def *def)
{
    return side_field(def, false);
}

const char *ad_event_def_src_port_field(const ad_event_def *def)
{
    return def != NULL && def->client == AD_CLIENT_PEER ? def->port_field : NULL;
}

const char *ad_event_def_dst_port_field(const ad_event_def *def)
{
    return def != NULL && def->client == AD_CLIENT_HOST ? def->port_field : NULL;
}

ad_asim_result ad_event_result_eval(const ad_event_def *def, bool has_rcode, uint32_t rcode,
                                    bool has_status, uint32_t status, const char **details)
{
    ad_result_rule rule = def != NULL ? def->rule : AD_RULE_NA;
    ad_asim_result result;
    const char *text;

    switch (rule) {
    case AD_RULE_REQUEST:
        result = AD_ASIM_RESULT_NA;
        text = "NA"; /* asim §3: "If this record represents a request ... set to NA" */
        break;
    case AD_RULE_FROM_RCODE:
        /* asim §5.2: iff(DnsResponseCode == 0, "Success", "Failure"); null -> Failure */
        result = (has_rcode && rcode == 0) ? AD_ASIM_RESULT_SUCCESS : AD_ASIM_RESULT_FAILURE;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    case AD_RULE_SUCCESS:
        result = AD_ASIM_RESULT_SUCCESS;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    case AD_RULE_FAILURE:
        result = AD_ASIM_RESULT_FAILURE;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    case AD_RULE_FROM_STATUS:
        /* asim §6 (Sysmon 22): iff(QueryStatus == 0, 'Success', 'Failure') */
        result = (has_status && status == 0) ? AD_ASIM_RESULT_SUCCESS : AD_ASIM_RESULT_FAILURE;
        text = has_status ? ad_win_status_name(status) : "NA";
        break;
    case AD_RULE_NA:
    default:
        result = AD_ASIM_RESULT_NA;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    }
    if (def != NULL && def->details != NULL)
        text = def->details;
    if (details != NULL)
        *details = text;
    return result;
}
