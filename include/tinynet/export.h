/* tinynet export: a trained model as one dependency-free C99 source file and header (float,
 * or int8 after quantization), as an ONNX file for ONNX Runtime and the tools that read ONNX,
 * and its exact memory bill (flash and RAM, with the plan of which activations share
 * memory). `tinynet export` and `tinynet info --memory` are these calls. */
#ifndef TINYNET_EXPORT_H
#define TINYNET_EXPORT_H

#include "tinynet/data.h"
#include "tinynet/tinynet.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* C source for m: *source (the .c file) and *header (the .h file, which the source includes
 * as header_name), new texts to tn_free. Every identifier starts with name (a C identifier;
 * NULL: the model's name made one), macros with it in capitals. The code needs <stddef.h>
 * and <stdint.h>, and <math.h> only for activations that call exp/tanh/erfc/... (the header
 * says which); it has no malloc, no stdio and no mutable globals:
 *     int NAME_predict(const float *in, float *out, void *scratch);
 * with in = every model input's floats, in input order (an index input is one id, as a
 * float), out = the output row, scratch = NAME_SCRATCH_SIZE bytes aligned for float. It
 * returns NAME_OK, or NAME_EID when an id is not an integer in [0, vocab): then nothing is
 * computed and out is untouched. A quantized model (tn_model_quantize) exports its int8
 * form. TN_EINVAL with a message when m holds a module with no C form (an activation the
 * program registered). */
TN_API int tn_export_c(const tn_model *m, const char *name, const char *header_name,
                       char **source, char **header, tn_error *err);

/* The ONNX model of m (opset 17, one graph, inputs and outputs named as m's), *len bytes of
 * protobuf to tn_free. Float models only. */
TN_API int tn_export_onnx(const tn_model *m, unsigned char **bytes, size_t *len, tn_error *err);

/* The int8 form of m (weights per output unit, activations calibrated on the rows of calib,
 * read in m's format with tn_data_read): a new model to tn_model_free before m, which it
 * shares. tn_predict, tn_evaluate, tn_predict_data and tn_confusion run it in int8 (the
 * arithmetic of the int8 C export, bit for bit up to the output activation), tn_export_c
 * writes it as int8 C. TN_EINVAL naming the first layer or activation with no int8 form. */
TN_API int tn_model_quantize(const tn_model *m, const tn_data *calib, tn_model **out,
                             tn_error *err);
TN_API int tn_model_is_quantized(const tn_model *m);

/* The memory bill of m for one row at a time (what the exported C code declares and what a
 * context for batches of 1 takes), in bytes. */
typedef struct tn_memory_bill {
    size_t flash_weights_float; /* the float weights as the C export writes them */
    size_t flash_code_float;    /* an estimate of its code (libm not included) */
    size_t flash_weights_int8;  /* int8 weights, int32 biases, multipliers, shifts, tables */
    size_t flash_code_int8;     /* an estimate */
    size_t ram_float;           /* the float plan's arena: NAME_SCRATCH_SIZE */
    size_t ram_int8;            /* the int8 plan's arena */
    size_t ram_unshared;        /* the float arena if no buffers shared memory */
    size_t ctx_float;           /* tn_ctx_size(m, 1) of the float model */
} tn_memory_bill;
TN_API int tn_model_memory(const tn_model *m, tn_memory_bill *out, tn_error *err);
/* The bill as text, with both buffer plans (each buffer: what it holds, its bytes, offset and
 * lifetime, and which buffers share memory); tn_free the text. */
TN_API int tn_model_memory_text(const tn_model *m, char **text, tn_error *err);

#ifdef __cplusplus
}
#endif
#endif
