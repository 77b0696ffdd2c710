/* The loss names alone, apart from loss.c: the model loader needs them to read a header,
 * and a predict-only program should not link the loss functions. */
#include "train/loss.h"

const char *const tn__loss_names[] = {"mse", "binary_crossentropy", "categorical_crossentropy",
                                      NULL};
