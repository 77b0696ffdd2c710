#include "core/error.h"

#include "core/alloc.h"
#include "core/text.h"

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

/* Stores text as a message: control characters and bytes that are not UTF-8 escaped (a
 * name or path from a file must not drive the terminal the message is printed on), the
 * middle elided when it is too long, so that both what failed and why survive. */
static void set_msg(tn_error *err, const char *text)
{
    char buf[8192];
    size_t need = tn__text_escape(buf, sizeof buf, text);
    char *big = need >= sizeof buf ? tn__malloc(need + 1) : NULL;
    char *esc = big ? big : buf;
    if (big)
        tn__text_escape(big, need + 1, text);
    size_t len = strlen(esc);
    tn__text_elide(esc, len, sizeof err->msg);
    len = strlen(esc);
    len = len < sizeof err->msg ? len : sizeof err->msg - 1; /* elide made it fit */
    memcpy(err->msg, esc, len);
    err->msg[len] = '\0';
    tn__free(big);
}

/* vsnprintf into a stack buffer, or the heap when the text is longer; NULL-safe. */
static void set_vmsg(tn_error *err, const char *fmt, va_list ap)
{
    char buf[4096];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    char *big = n >= (int)sizeof buf ? tn__malloc((size_t)n + 1) : NULL;
    if (big)
        vsnprintf(big, (size_t)n + 1, fmt, again);
    va_end(again);
    set_msg(err, big ? big : n < 0 ? "(message could not be formatted)" : buf);
    tn__free(big);
}

int tn_error_vset(tn_error *err, int code, const char *fmt, va_list ap)
{
    if (err && fmt) {
        set_vmsg(err, fmt, ap);
        err->code = code;
    }
    return code;
}

int tn_error_set(tn_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tn_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int tn__err(tn_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        set_vmsg(err, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int tn__err_prefix(tn_error *err, const char *fmt, ...)
{
    if (!err)
        return TN_EINVAL;
    char prefix[1024], old[sizeof err->msg], whole[sizeof prefix + sizeof old + 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(whole, sizeof whole, "%s: %s", prefix, old);
    set_msg(err, whole);
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
