#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *tn_strerror(int status)
{
    switch (status) {
#define TN__STATUS_TEXT(name, code, text) case code: return text;
        TN_STATUS_MAP(TN__STATUS_TEXT)
#undef TN__STATUS_TEXT
    }
    return "unknown status";
}

const char *tn_status_name(int status)
{
    switch (status) {
#define TN__STATUS_NAME(name, code, text) case code: return "TN_" #name;
        TN_STATUS_MAP(TN__STATUS_NAME)
#undef TN__STATUS_NAME
    }
    return "TN_UNKNOWN";
}

const char *tn_version(void) { return TN_VERSION_STRING; }

int tn__err(tn_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int tn__err_prefix(tn_error *err, const char *fmt, ...)
{
    if (!err)
        return TN_EINVAL;
    char prefix[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    return err->code;
}

void tn__err_clear(tn_error *err)
{
    if (err) {
        err->code = TN_OK;
        err->msg[0] = '\0';
    }
}
