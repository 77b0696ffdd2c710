/* `tinynet train` under mpirun: process 0 speaks, the others train quietly. */
#include "cli.h"

#include "tinynet/dist.h"

#include <stdio.h>

int tn_cli_dist_start(tn_error *err)
{
    int rc = tn_dist_init(NULL, NULL, err);
    if (rc)
        return rc;
    if (tn_dist_rank() > 0) {
        /* Their reports would repeat process 0's; errors are agreed on and said by it. */
        tn_cli_verbosity = -1;
        if (!freopen("/dev/null", "w", stdout)) /* not fatal: the others would wait */
            fclose(stdout);
    }
    return TN_OK;
}

void tn_cli_dist_end(void)
{
    if (tn_dist_size() > 1 && tn_dist_rank() == 0 && tn_cli_verbosity > 0) {
        long long steps;
        double secs = tn_dist_comm_seconds(&steps);
        /* What tools/bench/mpi_scaling.sh reads: the communication's share. */
        fprintf(stderr, "tinynet: note: %d processes; process 0 spent %.3f s in %lld "
                "gradient all-reduces (%.1f us each)\n", tn_dist_size(), secs, steps,
                steps ? 1e6 * secs / (double)steps : 0.0);
    }
    size_t kept, read, file;
    for (int p = 0; tn_dist_rank() == 0 && tn_cli_verbosity > 0 &&
                    tn_dist_data_rows(p, &kept, &read, &file) == 0; p++)
        fprintf(stderr, "tinynet: note: process %d kept %zu training rows (its shards), read "
                "%zu of the training file's %zu rows%s\n", p, kept, read, file,
                read == file ? " (a format read whole)" : "");
    tn_dist_finalize();
}
