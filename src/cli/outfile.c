/* Files the CLI writes piecewise (pictures), made whole or not at all: the text goes to
 * memory and then through tn_write_file (temporary file, fsync, rename), so a full disk
 * leaves the old picture or none, never a truncated one. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

FILE *tn_cli_out_open(tn_cli_out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    o->f = open_memstream(&o->buf, &o->len);
    return o->f;
}

int tn_cli_out_commit(tn_cli_out *o, tn_error *err)
{
    int bad = ferror(o->f) != 0;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    int rc = bad ? tn_cli_err(err, TN_ENOMEM, "%s: out of memory composing the file", o->path)
                 : tn_write_file(o->path, o->buf, o->len, err);
    free(o->buf);
    o->buf = NULL;
    return rc;
}

void tn_cli_out_discard(tn_cli_out *o)
{
    if (o->f)
        fclose(o->f);
    free(o->buf);
    memset(o, 0, sizeof *o);
}
