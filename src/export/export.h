/* Internal to the export module: the pieces the generators share. */
#ifndef TN_EXPORT_EXPORT_H
#define TN_EXPORT_EXPORT_H

#include "act/inst.h"
#include "export/sb.h"
#include "model/model.h"
#include "tinynet/export.h"

/* Helpers a C activation body may call; c.c emits the ones a model needs, once. */
enum { TN__C_VMATH, TN__C_N_HELPERS }; /* TN__C_VMATH: act/vmath.h, the activation kernels */
#define TN__C_NEED(h) (1u << (h))
#define TN__C_MATH (1u << 8) /* the code needs <math.h> (so no -ffreestanding) */
extern const char *const tn__c_helper_text[TN__C_N_HELPERS]; /* C text, emitted as is */

/* The body of `static void P_act_K(float *x, size_t n, const float *a)`: activation a over
 * one row of n = cols values in place (a: its learnable values). TN_EINVAL when the module
 * has no C form (one registered by a program). */
int tn__c_act_body(tn_sb *b, const char *P, const tn_act_inst *a, size_t cols, unsigned *needs);

/* The header of a C export (both kinds): usage, the memory bill, the macros. */
void tn__c_header(const tn_model *m, const char *P, const char *U, const char *header_name,
                  size_t weight_bytes, size_t scratch, unsigned needs, tn_sb *h);
/* The int8 C export of a quantized model (c_int8.c) into src and h. */
struct tn_qnet;
int tn__c_int8(const tn_model *m, const char *P, const char *U, const char *header_name,
               tn_sb *src, tn_sb *h, tn_error *err);
/* The bytes of constant data the int8 export writes for q (the bill's int8 weights). */
size_t tn__c_int8_weight_bytes(const tn_model *m, const struct tn_qnet *q);

/* The memory bill as lines (each starting with lead), for the generated header (U: its macro
 * prefix) and `tinynet info --memory` (U NULL). */
int tn__bill_text(const tn_model *m, tn_sb *b, const char *lead, const char *U, tn_error *err);

#endif
