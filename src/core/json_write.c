/* Writing JSON in the forms the readers accept back (for model headers): apart from the
 * reader, so a predict-only program links no writer. */
#include "core/json.h"

int tn__json_add_module(cJSON *obj, const char *key, const char *name, int n,
                        const char *const *keys, const double *values)
{
    cJSON *v;
    if (n == 0) {
        v = cJSON_CreateString(name);
    } else {
        v = cJSON_CreateObject();
        if (v && !cJSON_AddStringToObject(v, "type", name)) {
            cJSON_Delete(v);
            v = NULL;
        }
        for (int i = 0; v && i < n; i++)
            if (!cJSON_AddNumberToObject(v, keys[i], values[i])) {
                cJSON_Delete(v);
                v = NULL;
            }
    }
    if (!v || !cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return TN_ENOMEM;
    }
    return TN_OK;
}
