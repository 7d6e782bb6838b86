/*
 * asimdns: EventResult and EventResultDetails of a catalogued event (event_catalog.h), apart
 * from the catalogue so asimdns-capture, which decodes with the catalogue but never maps to
 * ASIM, links none of the response-code names.
 */
#include "common/dns_tables.h"
#include "common/event_catalog.h"

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
