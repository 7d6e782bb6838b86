/*
 * asimdns-capture: the real ETW function table (etw_api_win32.c), for the etw and etl sources
 * (source_etw_win32.c). Windows builds only: a POSIX build has no ETW, so neither this table
 * nor a function returning it exists there; its etw and etl rows say so instead
 * (source_etw_posix.c). The tests drive the controller with their own table
 * (tests/capture/fake_etw.c).
 */
#ifndef AD_CAPTURE_ETW_API_WIN32_H
#define AD_CAPTURE_ETW_API_WIN32_H

#include "capture/etw_session.h"

/* The table over advapi32 (StartTraceW, EnableTraceEx2, OpenTraceW, ProcessTrace, ...). */
const ad_etw_api *ad_etw_api_win32(void);

#endif
