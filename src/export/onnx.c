#include "export/export.h"

#include "core/error.h"

int tn_export_onnx(const tn_model *m, unsigned char **bytes, size_t *len, tn_error *err)
{
    (void)m, (void)bytes, (void)len;
    return tn__err(err, TN_EINVAL, "not yet");
}
