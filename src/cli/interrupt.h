/* Ctrl-C and SIGTERM during a long job: the first asks the job to stop at its next safe
 * point (a training step), which it does after saving its work; a second one ends the
 * process at once, as the signal's default would. */
#ifndef TN_CLI_INTERRUPT_H
#define TN_CLI_INTERRUPT_H

/* Catches SIGINT and SIGTERM until tn_cli_interrupt_restore. */
void tn_cli_interrupt_catch(void);
void tn_cli_interrupt_restore(void);
/* The signal that asked to stop (SIGINT or SIGTERM), or 0. */
int tn_cli_interrupted(void);
/* A should_stop hook for tn_train_hooks (user is ignored). */
int tn_cli_should_stop(void *user);
/* "SIGINT" or "SIGTERM". */
const char *tn_cli_signal_name(int signo);

#endif
