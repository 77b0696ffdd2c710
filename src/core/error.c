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
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t plen = n < 0 ? 0 : strlen(prefix), cap = sizeof err->msg;
    if (plen + 2 >= cap)
        return err->code;
    /* Shift the old message right (truncating its tail) and write "prefix: " before it. */
    size_t olen = strlen(err->msg);
    if (olen > cap - 1 - plen - 2)
        olen = cap - 1 - plen - 2;
    memmove(err->msg + plen + 2, err->msg, olen);
    err->msg[plen + 2 + olen] = '\0';
    memcpy(err->msg, prefix, plen);
    err->msg[plen] = ':';
    err->msg[plen + 1] = ' ';
    return err->code;
}

int tn__err_errno(tn_error *err, int code, const char *path, const char *what, int errnum)
{
    char reason[128];
    if (strerror_r(errnum, reason, sizeof reason) != 0)
        strcpy(reason, "unknown error");
    return tn__err(err, code, "%s: %s: %s", path, what, reason);
}

void tn__err_clear(tn_error *err)
{
    if (err) {
        err->code = TN_OK;
        err->msg[0] = '\0';
    }
}
