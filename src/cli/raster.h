/* tinynet's own PNG drawing of a network, for `graph -o FILE.png` without Graphviz. */
#ifndef TN_CLI_RASTER_H
#define TN_CLI_RASTER_H

#include "tinynet/tinynet.h"

/* Whether m is a chain: one input, each layer reading only the one before it. */
int tn_cli_is_chain(const tn_model *m);
/* Draws chain m as a column of boxes (title, input, layers, output) into a grey PNG at
 * path, sized for dpi; written durably. */
int tn_cli_draw_chain_png(const tn_model *m, const char *path, int dpi, tn_error *err);

#endif
