/* The reference of the JSON config, generated from the registries and the sections' key
 * lists through train.h, so that it lists exactly the keys the code reads: Markdown
 * (docs/config.md) or the tinynet-config(5) manual page. tests/cli_docs.sh checks both
 * committed files against this output; tools/gen_docs.sh rewrites them. */
#include "cli.h"

#include "tinynet/train.h"

#include <stdio.h>
#include <string.h>

typedef struct out {
    FILE *f;
    int man;
} out;

/* Text in the output's markup: troff needs backslashes escaped, no line starting with a
 * dot or a quote, and minus signs as such; Markdown is written as is. */
static void text(const out *o, const char *s)
{
    if (!o->man) {
        fputs(s, o->f);
        return;
    }
    int bol = 1, bold = 0;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", o->f);
        if (*s == '`') /* Markdown's code spans become bold */
            fputs((bold = !bold) ? "\\fB" : "\\fR", o->f);
        else if (*s == '\\')
            fputs("\\e", o->f);
        else if (*s == '-')
            fputs("\\-", o->f);
        else
            fputc(*s, o->f);
        bol = *s == '\n';
    }
}

static void heading(const out *o, int level, const char *s)
{
    if (o->man) {
        fputs(level <= 2 ? "\n.SH " : "\n.SS ", o->f);
        text(o, s);
        fputc('\n', o->f);
    } else {
        fprintf(o->f, "%.*s ", level, "####");
        text(o, s);
        fputs("\n\n", o->f);
    }
}

static void para(const out *o, const char *s)
{
    if (o->man)
        fputs(".PP\n", o->f);
    text(o, s);
    fputs(o->man ? "\n" : "\n\n", o->f);
}

/* A literal block (the example config). */
static void code(const out *o, const char *s)
{
    fputs(o->man ? ".PP\n.nf\n" : "```json\n", o->f);
    text(o, s);
    fputs(o->man ? ".fi\n" : "```\n\n", o->f);
}

/* One key and its description. */
static void item(const out *o, const char *key, const char *doc)
{
    if (o->man) {
        fputs(".TP\n.B ", o->f);
        text(o, key);
        fputc('\n', o->f);
        text(o, doc);
        fputc('\n', o->f);
    } else {
        fprintf(o->f, "- `%s`: ", key);
        text(o, doc);
        fputc('\n', o->f);
    }
}

static void end_list(const out *o)
{
    if (!o->man)
        fputc('\n', o->f);
}

/* A section's keys, each with its description; a missing one is said, not hidden. */
static int section_keys(const out *o, int section)
{
    const char *keys[64];
    char doc[512];
    size_t n = tn_config_keys(section, keys, 63);
    int missing = 0;
    for (size_t k = 0; k < n && k < 63; k++) {
        missing += tn_config_key_doc(section, keys[k], doc, sizeof doc) != TN_OK;
        item(o, keys[k], doc[0] ? doc : "(undocumented)");
    }
    end_list(o);
    return missing;
}

/* Every module of one extension point: its name, description and keys. */
static int modules(const out *o, int kind)
{
    int missing = 0;
    for (size_t i = 0; i < tn_extension_count(kind); i++) {
        const char *name = tn_extension_name(kind, i), *doc = tn_extension_doc(kind, i);
        heading(o, 3, name);
        missing += !doc || !doc[0];
        if (kind == TN_EXT_ACTIVATION) {
            /* The activation's own metadata says more than a line. */
            const tn_activation *a = tn_activation_find(name);
            char line[512];
            snprintf(line, sizeof line, "%s; output range %s; default weight init %s%s%s%s.",
                     doc ? doc : "(no formula given)", a && a->range ? a->range : "?",
                     a && a->default_init ? a->default_init : "glorot_uniform",
                     a && (a->flags & TN_ACT_ROWWISE) ? "; row-wise (each output depends on "
                                                        "its whole row)" : "",
                     a && (a->flags & TN_ACT_RANDOM) ? "; random in training, its mean in "
                                                       "inference" : "",
                     a && (a->flags & TN_ACT_ZERO_GRAD) ? "; its derivative is zero, so "
                                                          "nothing before it trains" : "");
            para(o, line);
        } else {
            para(o, doc && doc[0] ? doc : "(undocumented)");
        }
        const char *keys[64];
        char kd[512];
        size_t n = tn_extension_keys(kind, i, keys, 63);
        for (size_t k = 0; k < n && k < 63; k++) {
            missing += tn_extension_key_doc(kind, i, keys[k], kd, sizeof kd) != TN_OK;
            item(o, keys[k], kd[0] ? kd : "(undocumented)");
        }
        if (n)
            end_list(o);
    }
    return missing;
}

static const char example[] =
    "{\n"
    "  \"name\": \"ring\",\n"
    "  \"seed\": 42,\n"
    "  \"inputs\": [{\"name\": \"point\", \"size\": 2}],\n"
    "  \"layers\": [\n"
    "    {\"type\": \"dense\", \"units\": 16, \"activation\": \"relu\"},\n"
    "    {\"type\": \"dense\", \"units\": 16, \"activation\": {\"type\": \"leaky_relu\", "
    "\"alpha\": 0.1}},\n"
    "    {\"type\": \"dense\", \"units\": 1, \"activation\": \"sigmoid\"}\n"
    "  ],\n"
    "  \"loss\": \"binary_crossentropy\",\n"
    "  \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01},\n"
    "  \"train\": {\"epochs\": 100, \"batch_size\": 32, \"patience\": 10},\n"
    "  \"data\": {\"train\": \"../data/ring_train.csv\", \"test\": \"../data/ring_test.csv\",\n"
    "           \"inputs\": [\"x\", \"y\"], \"target\": \"label\"}\n"
    "}\n";

int tn_cli_reference(FILE *f, int man)
{
    out o = {f, man};
    int missing = 0;
    if (man) {
        fprintf(f, ".\\\" Generated by `tinynet help config --man`; do not edit. "
                "tools/gen_docs.sh rewrites it.\n"
                ".TH TINYNET-CONFIG 5 \"\" \"tinynet %s\" \"File Formats\"\n"
                ".SH NAME\ntinynet-config \\- the JSON file that describes a tinynet network, "
                "its training and its data\n.SH DESCRIPTION\n", TN_VERSION_STRING);
    } else {
        fputs("# The tinynet config file\n\n"
              "<!-- Generated by `tinynet help config` from the registries; do not edit: "
              "tools/gen_docs.sh rewrites it and tests/cli_docs.sh checks it. -->\n\n", f);
    }
    para(&o, "A config is one JSON object: the network (inputs and layers), the loss, the "
             "optimizer, the training settings and the data. `tinynet train CONFIG` trains "
             "it, `tinynet info CONFIG` summarises the network without training. Every key "
             "below is checked: an unknown key, a wrong type or a value out of range is an "
             "error naming the file, the JSON path and what was expected (with a suggestion "
             "for a likely typo). Paths are relative to the config file's directory. "
             "Strings name modules of the five registries (activations, layers, losses, "
             "optimizers, data formats); a C program can add activations with "
             "tn_activation_register.");
    code(&o, example);
    heading(&o, 2, "Top level");
    missing += section_keys(&o, TN_CONFIG_TOP);
    heading(&o, 2, "inputs");
    para(&o, "Each object of \"inputs\":");
    missing += section_keys(&o, TN_CONFIG_INPUT);
    heading(&o, 2, "layers");
    para(&o, "Each object of \"layers\" has these keys, and those of its type below. A layer "
             "that names no input reads the previous layer.");
    missing += section_keys(&o, TN_CONFIG_LAYER);
    missing += modules(&o, TN_EXT_LAYER);
    heading(&o, 2, "Activations");
    para(&o, "A layer's \"activation\" is a name, or an object {\"type\": NAME, parameter: "
             "value, ...} with the parameters below (PyTorch's definitions and defaults).");
    missing += modules(&o, TN_EXT_ACTIVATION);
    heading(&o, 2, "loss");
    para(&o, "\"loss\" is a name, or {\"type\": NAME, parameter: value, ...}. The loss is "
             "the mean per row over the training batches.");
    missing += modules(&o, TN_EXT_LOSS);
    heading(&o, 2, "optimizer");
    para(&o, "\"optimizer\" is a name (with its defaults), or {\"type\": NAME, key: value, "
             "...}. PyTorch's update rules.");
    missing += modules(&o, TN_EXT_OPTIMIZER);
    heading(&o, 2, "train");
    missing += section_keys(&o, TN_CONFIG_TRAIN);
    heading(&o, 2, "data");
    para(&o, "\"data\" has these keys, and those of its format below. The model file records "
             "the format and its settings, so eval and predict read new data the way the "
             "training data were read.");
    missing += section_keys(&o, TN_CONFIG_DATA);
    missing += modules(&o, TN_EXT_DATA_FORMAT);
    if (man)
        fputs(".SH SEE ALSO\n.BR tinynet (1)\n", f);
    /* The reference is still printed, but a gap in it is an error a test sees. */
    if (missing) {
        fprintf(stderr, "tinynet: %d key%s or module%s without a description in the "
                "reference\n", missing, missing == 1 ? "" : "s", missing == 1 ? "" : "s");
        return TN_EXIT_FAIL;
    }
    return TN_EXIT_OK;
}
